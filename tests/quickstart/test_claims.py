"""Claims as data: verdicts from paired intervals on constructed eval folders, and the report text."""

import json

import pytest

from actionart_hf.quickstart.claims import (
    HELD,
    REVERSED,
    UNCLEAR,
    Claim,
    claims_markdown,
    evaluate_claims,
    paper_claims,
    verdict,
)


def test_verdict_rule():
    assert verdict({"diff": 5.0, "low": 0.5, "high": 9.0, "n": 100}) == HELD
    assert verdict({"diff": -5.0, "low": -9.0, "high": -0.5, "n": 100}) == REVERSED
    assert verdict({"diff": 1.0, "low": -3.0, "high": 5.0, "n": 100}) == UNCLEAR
    assert verdict({"diff": 0.0, "low": 0.0, "high": 0.0, "n": 100}) == UNCLEAR
    # "no worse, within 1 point"
    assert verdict({"diff": 0.0, "low": 0.0, "high": 0.0, "n": 100}, margin=1.0) == HELD
    assert verdict({"diff": -1.0, "low": -4.0, "high": 2.0, "n": 100}, margin=1.0) == UNCLEAR
    assert verdict({"diff": -5.0, "low": -8.0, "high": -2.0, "n": 100}, margin=1.0) == REVERSED


@pytest.fixture
def seeds(write_eval, answers):
    """Two seeds: in seed 0 the proxy row is far better than the baseline on GS, in seed 1 far worse; the
    merged row equals the better of its inputs (stage 2 in seed 0, the baseline in seed 1)."""
    runs = {}
    for seed, proxy_right in ((0, True), (1, False)):
        baseline = {**answers("GS", [not proxy_right] * 40 + [False] * 60), **answers("AS", [True] * 20)}
        proxy = {**answers("GS", [proxy_right] * 40 + [False] * 60), **answers("AS", [True] * 20)}
        runs[seed] = {
            "stage1": write_eval(f"s{seed}-stage1", baseline),
            "stage2": write_eval(f"s{seed}-stage2", proxy),
            "merged": write_eval(f"s{seed}-merged", proxy if proxy_right else baseline),
        }
    return runs


def test_evaluate_claims(seeds):
    claims = [
        Claim("proxy > baseline", "Proxy training helps on GS.", better="stage2", worse=("stage1",), tasks=("GS",)),
        Claim("PF ≥ inputs", "PF keeps the better model.", "merged", ("stage1", "stage2"), ("GS", "AS"), margin=1.0),
    ]
    proxy, fusion = evaluate_claims(claims, seeds, samples=200)
    assert [(o.seed, o.verdict) for o in proxy.outcomes] == [(0, HELD), (1, REVERSED)]
    assert proxy.outcomes[0].difference["diff"] == pytest.approx(40.0)
    assert proxy.outcomes[0].per_task["GS"]["diff"] == pytest.approx(40.0)
    assert proxy.summary() == "held in 1 of 2 seeds (reversed in 1, unclear in 0)"
    assert [(o.worse, o.verdict) for o in fusion.outcomes] == [("stage2", HELD), ("stage1", HELD)]
    assert fusion.outcomes[0].difference == {"diff": 0.0, "low": 0.0, "high": 0.0, "n": 120}
    assert json.loads(json.dumps(fusion.to_dict()))["summary"].startswith("held in 2 of 2 seeds")


def test_refuses_missing_rows_and_bad_claims(seeds):
    claim = Claim("stage 3", "Stage 3 from proxy helps.", "stage3_from_proxy", ("stage3_from_baseline",), ("GS",))
    with pytest.raises(ValueError, match="'stage3_from_proxy', which seed 0 lacks"):
        evaluate_claims([claim], seeds)
    with pytest.raises(ValueError, match="no seed"):
        evaluate_claims([claim], {})
    with pytest.raises(ValueError, match="worse='stage1' must be a non-empty tuple"):
        Claim("c", "text", "stage2", "stage1", ("GS",))
    with pytest.raises(ValueError, match="better='stage1' is also in worse"):
        Claim("c", "text", "stage1", ("stage1",), ("GS",))
    with pytest.raises(ValueError, match="Unknown ActionArt task 'XX'"):
        Claim("c", "text", "stage2", ("stage1",), ("XX",))


def test_paper_claims_follow_the_evaluated_groups():
    keys = dict(
        baseline="stage1",
        proxies=["stage2_sd_fgqa", "stage2_pd_sd_fgqa"],
        merged="merged",
        merged_inputs=("stage1", "stage2_sd_fgqa"),
        stage3_from_baseline="stage3_from_baseline",
        stage3_from_proxy="stage3_from_proxy",
    )
    claims = paper_claims(**keys, tasks=("GS", "LS", "AC", "AS"), labels={"stage1": "stage 1 (baseline)"})
    assert [(c.better, c.worse, c.tasks, c.margin) for c in claims] == [
        ("stage2_sd_fgqa", ("stage1",), ("GS", "LS"), 0.0),
        ("stage2_sd_fgqa", ("stage1",), ("AS", "AC"), 0.0),
        ("stage2_pd_sd_fgqa", ("stage1",), ("GS", "LS"), 0.0),
        ("stage2_pd_sd_fgqa", ("stage1",), ("AS", "AC"), 0.0),
        ("merged", ("stage1", "stage2_sd_fgqa"), ("GS", "LS", "AC", "AS"), 1.0),
        ("stage3_from_proxy", ("stage3_from_baseline",), ("GS", "LS", "AC", "AS"), 0.0),
    ]
    assert "stage 1 (baseline)" in claims[0].text
    spatial_only = paper_claims(**keys, tasks=("GS", "LS"))
    assert [c.tasks for c in spatial_only] == [("GS", "LS"), ("GS", "LS"), ("GS", "LS"), ("GS", "LS")]


def test_markdown_states_the_claims_before_the_verdicts(seeds):
    claims = [Claim("proxy > baseline", "Proxy training helps on GS.", "stage2", ("stage1",), ("GS",))]
    text = claims_markdown(evaluate_claims(claims, seeds, samples=200), labels={"stage2": "stage 2"})
    assert text.index("## The paper's claims") < text.index("Proxy training helps on GS.") < text.index("## Verdicts")
    assert "`stage 2` > `stage1` on GS" in text
    assert "| 1 | 0 | stage 2 − stage1 | +40.0 |" in text
    assert "| reversed |" in text
    assert text.rstrip().endswith("**proxy > baseline**: held in 1 of 2 seeds (reversed in 1, unclear in 0).")
