"""End-to-end test of `actionart-hf quickstart` at the internal `smoke` size (about 30 s on 2 cores)."""

import hashlib
import json

import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.quickstart import SIZES, Quickstart, table_rows
from actionart_hf.quickstart.cli import make_parser


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("qs") / "run"
    code = cli_main(["quickstart", "--out", str(out), "--size", "smoke", "--seed", "1", "--no-progress"])
    assert code in (0, None)
    return out


def _parquet_rows(folder, pattern="**/*.parquet", columns=None):
    import pyarrow.parquet as pq

    return [row for path in sorted(folder.glob(pattern)) for row in pq.read_table(path, columns=columns).to_pylist()]


def test_outputs_table_and_claims(smoke_run):
    for name in ("table.md", "table.json", "table.png", "report.md", "status.json", "claims.md", "claims.json"):
        assert (smoke_run / name).is_file(), name
    size = SIZES["smoke"]
    rows = table_rows(size.stage2, size.proxy_arm, size.stage3_from_pf)
    table = json.loads((smoke_run / "table.json").read_text())
    assert [row["key"] for row in table["rows"]] == [row.key for row in rows]
    assert table["columns"] == [*size.tasks, "Avg."]
    kinds = {row["key"]: row["kind"] for row in table["rows"]}
    assert kinds["untrained"] == kinds["text_prior"] == "reference"
    assert kinds["control_stage1_more"] == kinds["control_shuffled"] == "control"
    avg = table["rows"][0]["cells"]["Avg."]
    assert avg["low"] <= avg["acc"] <= avg["high"]
    assert avg["n"] == sum(1 for _ in (smoke_run / "eval" / "untrained" / "predictions.jsonl").open())
    report = (smoke_run / "report.md").read_text()
    # the claims come before the numbers
    assert report.index("stage 3 from proxy > stage 3 from baseline") < report.index("## Table")
    assert "## Wall time per phase" in report and "linear probe" in report
    for row in rows:
        if row.kind != "reference":
            assert (smoke_run / "models" / row.key / "config.json").is_file(), row.key


def test_baseline_row_is_the_stage1_model(smoke_run):
    """The paper's baseline is the stage-1 model: its row evaluates it; stage-2 and control arms start from it."""
    import yaml

    status = json.loads((smoke_run / "status.json").read_text())["phases"]
    assert status["stage1"]["start"] == "lm_warmup" and status["stage1"]["data"] == ["generic"]
    run = json.loads((smoke_run / "eval" / "stage1" / "run.json").read_text())
    assert run["identity"]["model"] == str(smoke_run / "models" / "stage1")
    for key in ("stage2_pd", "control_stage1_more", "control_shuffled", "stage3_from_baseline"):
        recipe = yaml.safe_load((smoke_run / "recipes" / f"{key}.yaml").read_text())
        assert recipe["model_name_or_path"] == str(smoke_run / "models" / "stage1"), key
    assert status["pf"]["base"] == "stage1" and status["pf"]["alpha"] in SIZES["smoke"].alphas


def test_pools_are_disjoint(smoke_run):
    """No test clip, and no test clip's video bytes, reaches any training data."""
    data = smoke_run / "data"
    bench = data / "benchmark"
    test_videos = {row["video"] for row in _parquet_rows(bench, "data/qa/test-*.parquet", ["video"])}
    test_digests = {hashlib.sha256((bench / video).read_bytes()).hexdigest() for video in test_videos}
    assert test_digests
    training = [p for p in data.rglob("*.mp4") if p.parent.parent != bench and "benchmark" not in p.parts]
    training += [bench / row["video"] for row in _parquet_rows(bench, "data/qa/train-*.parquet", ["video"])]
    assert training
    for path in training:
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in test_digests, path
    # the proxy data come from the proxy pool only; images are frames of its videos
    proxy_pool = {p.name for p in (data / "proxy_pool" / "videos").glob("*.mp4")}
    sources = {row["source_video"].rsplit("/", 1)[-1] for row in _parquet_rows(data / "proxy" / "pd", columns=None)}
    assert sources and sources <= proxy_pool
    # stage 0 trains on the generic and proxy pools only
    size = SIZES["smoke"]
    stage0 = json.loads((smoke_run / "status.json").read_text())["phases"]["stage0"]
    assert stage0["train_frames"] == (size.generic + size.proxy) * size.video_frames
    ma = _parquet_rows(data / "ma", "data/qa/*.parquet", ["video_id"])
    assert ma and not {row["video_id"] for row in ma} & {v.rsplit("/", 1)[-1][:-4] for v in test_videos}


def test_stage1_data_holds_no_benchmark_vocabulary(smoke_run):
    """Stage 1 (and the LM warm-up) hold none of the benchmark's templates nor its pose and action-unit phrases."""
    from actionart_hf.quickstart.generic_sft import check_generic_rows

    for folder in ("generic_sft", "text_mcq"):
        rows = _parquet_rows(smoke_run / "data" / folder, "data/*.parquet", ["messages"])
        assert rows, folder
        assert check_generic_rows(rows) == [], folder


def test_shuffled_control_keeps_texts_on_other_images(smoke_run):
    pd = _parquet_rows(smoke_run / "data" / "proxy" / "pd", "data/**/*.parquet", ["id", "response"])
    shuffled = _parquet_rows(smoke_run / "data" / "proxy" / "pd_shuffled", "data/**/*.parquet", ["id", "response"])
    assert [row["id"] for row in pd] == [row["id"] for row in shuffled]
    assert sorted(row["response"] for row in pd) == sorted(row["response"] for row in shuffled)
    teacher = json.loads((smoke_run / "status.json").read_text())["phases"]["proxy_pd"]["teacher"]
    assert teacher.startswith("oracle-noisy:")


def test_resume_skips_finished_phases(smoke_run, caplog):
    status = json.loads((smoke_run / "status.json").read_text())
    before = {k: v["seconds"] for k, v in status["phases"].items()}
    caplog.set_level("INFO", logger="actionart_hf.quickstart")
    Quickstart(smoke_run, size="smoke", seed=1, progress=False).run()
    after = {k: v["seconds"] for k, v in json.loads((smoke_run / "status.json").read_text())["phases"].items()}
    assert after == before
    assert "skipped" in caplog.text
    with pytest.raises(ValueError, match="other settings"):
        Quickstart(smoke_run, size="smoke", seed=2, progress=False)


def test_text_warmup_rows_state_the_answer(smoke_run):
    """Every LM warm-up row states the option its answer letter points to."""
    from actionart_hf.quickstart.text_mcq import HINT_TEMPLATE
    from actionart_hf.tasks import letter_index

    rows = _parquet_rows(smoke_run / "data" / "text_mcq", "data/*.parquet")
    assert rows
    for row in rows:
        user, assistant = row["messages"]
        prompt, answer = user["content"][0]["text"], assistant["content"][0]["text"]
        options = [line.split(". ", 1)[1] for line in prompt.splitlines() if line[:3] in ("A. ", "B. ", "C. ", "D. ")]
        assert prompt.startswith(HINT_TEMPLATE.format(option=options[letter_index(answer)]) + "\n")


def test_publish_dry_runs_load(smoke_run):
    """Every artefact's dry-run folder loads with the standard Hugging Face call; cards carry lineage and results."""
    import datasets
    import evaluate
    from huggingface_hub import ModelCard
    from transformers import AutoModelForImageTextToText

    hub = smoke_run / "hub"
    published = json.loads((smoke_run / "status.json").read_text())["phases"]["publish"]["published"]
    assert all((smoke_run / item["dry_run"]).is_dir() for item in published)
    qa = datasets.load_dataset(str(hub / "datasets" / "ActionArt-Synthetic-quickstart"), "qa", split="test")
    assert len(qa) == sum(1 for _ in (smoke_run / "eval" / "untrained" / "predictions.jsonl").open())
    final = hub / "models" / "actionart-quickstart-smoke-stage3-from-proxy"
    model = AutoModelForImageTextToText.from_pretrained(final, trust_remote_code=True)
    assert model.config.model_type == "actionart"
    card = ModelCard.load(final / "README.md")
    assert card.data.eval_results and card.data.eval_results[0].dataset_type
    for stage in ("stage0", "lm_warmup", "stage1", "stage2_pd", "stage3_from_proxy"):
        assert f"**{stage}:**" in card.text, stage
    metric = evaluate.load(str(hub / "spaces" / "actionart_accuracy"))
    assert metric.compute(predictions=["A"], references=["A"])["accuracy"] == 1.0


def test_parser():
    args = make_parser().parse_args([])
    assert (args.size, args.seed, args.seeds, args.overwrite) == ("tiny", 0, 1, False)
    assert {"smoke", "tiny", "small"} <= set(SIZES)


def test_several_seeds_test_the_claims_over_all(tmp_path, monkeypatch):
    """`--seeds 2` runs each seed in its own folder and writes the claims over both."""
    from actionart_hf.quickstart import pipeline

    ran = []

    class FakeRun:
        def __init__(self, out, size, seed, progress):
            self.out, self.seed = out, seed

        def run(self):
            ran.append((self.out.name, self.seed))

    monkeypatch.setattr(pipeline, "Quickstart", FakeRun)
    monkeypatch.setattr("actionart_hf.quickstart.report.write_experiment", lambda out, runs: f"{len(runs)} seeds")
    assert pipeline.run_experiment(tmp_path / "exp", size="smoke", seed=3, seeds=2) == "2 seeds"
    assert ran == [("seed-3", 3), ("seed-4", 4)]
    with pytest.raises(ValueError, match="--seeds 0"):
        pipeline.run_experiment(tmp_path / "exp", size="smoke", seeds=0)


def test_every_model_folder_carries_the_project_card(smoke_run, check_model_card):
    """Every model the quickstart writes, stage 0 and the untrained base included, has the project's card."""
    for folder in sorted(p for p in (smoke_run / "models").iterdir() if p.is_dir() and not p.name.startswith(".")):
        card = check_model_card(folder)
        assert "Model Card for None" not in card.text, folder.name
    assert "**stage0:**" in (smoke_run / "models" / "stage0" / "README.md").read_text()
