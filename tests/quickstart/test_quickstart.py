"""Smoke test of `actionart-hf quickstart` at the internal `smoke` size (about 20 s on 2 cores)."""

import json

import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.quickstart import SIZES, table_rows
from actionart_hf.quickstart.cli import make_parser
from actionart_hf.quickstart.pipeline import Quickstart


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("qs") / "run"
    code = cli_main(["quickstart", "--out", str(out), "--size", "smoke", "--seed", "1", "--no-progress"])
    assert code in (0, None)
    return out


def test_outputs_and_table(smoke_run):
    for name in ("table.md", "table.json", "table.png", "report.md", "status.json", "recipes/stage1.yaml"):
        assert (smoke_run / name).is_file(), name
    table = json.loads((smoke_run / "table.json").read_text())
    assert [row["key"] for row in table["rows"]] == [key for key, _ in table_rows()]
    assert table["columns"] == ["AC", "AR", "AS", "GS", "HOI", "LS", "MV", "TL", "Avg."]
    avg = table["rows"][0]["cells"]["Avg."]
    assert avg["low"] <= avg["acc"] <= avg["high"]
    assert avg["n"] == sum(1 for _ in (smoke_run / "eval" / "base" / "predictions.jsonl").open())
    assert "stage 3 (MA) from merged proxy model" in (smoke_run / "table.md").read_text()
    assert "## Wall time per phase" in (smoke_run / "report.md").read_text()
    for key, _ in table_rows():
        assert (smoke_run / "models" / key / "config.json").is_file(), key


def test_splits_kept_apart(smoke_run):
    import pyarrow.parquet as pq

    def column(folder, config, split, name):
        files = sorted((folder / "data" / config).glob(f"{split}-*.parquet"))
        return {v for f in files for v in pq.read_table(f, columns=[name])[name].to_pylist()}

    synth = smoke_run / "data" / "synthetic"
    test_videos = column(synth, "qa", "test", "video_id")
    train_videos = column(synth, "captions", "train", "video_id")
    assert test_videos and train_videos and not test_videos & train_videos
    pd_sources = column(smoke_run / "data" / "proxy" / "pd", "pose_description", "train", "source_video")
    sources = {str(v).rsplit("/", 1)[-1].removesuffix(".mp4") for v in pd_sources}
    assert sources <= train_videos


def test_resume_skips_finished_phases(smoke_run, caplog):
    status = json.loads((smoke_run / "status.json").read_text())
    assert len(status["phases"]) == 28
    before = {k: v["seconds"] for k, v in status["phases"].items()}
    caplog.set_level("INFO", logger="actionart_hf.quickstart")
    Quickstart(smoke_run, size="smoke", seed=1, progress=False).run()
    after = {k: v["seconds"] for k, v in json.loads((smoke_run / "status.json").read_text())["phases"].items()}
    assert after == before
    assert "skipped" in caplog.text
    with pytest.raises(ValueError, match="other settings"):
        Quickstart(smoke_run, size="smoke", seed=2, progress=False)


def test_text_warmup_rows_state_the_answer(smoke_run):
    """Every LM warm-up row states the option its answer letter points to; half have one-word options."""
    import pyarrow.parquet as pq

    from actionart_hf.quickstart.text_mcq import HINT_TEMPLATE
    from actionart_hf.tasks import letter_index

    rows = pq.read_table(smoke_run / "data" / "text_mcq" / "data" / "train-00000-of-00001.parquet").to_pylist()
    assert rows and len(rows) % 2 == 0
    for row in rows:
        user, assistant = row["messages"]
        prompt, answer = user["content"][0]["text"], assistant["content"][0]["text"]
        options = [line.split(". ", 1)[1] for line in prompt.splitlines() if line[:3] in ("A. ", "B. ", "C. ", "D. ")]
        assert prompt.startswith(HINT_TEMPLATE.format(option=options[letter_index(answer)]) + "\n")
    one_word = [row for row in rows if all(" " not in line[3:] for line in row["prompt"].splitlines()[2:6])]
    assert len(one_word) >= len(rows) // 2


def test_publish_dry_runs_load(smoke_run):
    """Every artefact's dry-run folder loads with the standard Hugging Face call; cards carry lineage and results."""
    import datasets
    import evaluate
    from huggingface_hub import ModelCard
    from transformers import AutoModelForImageTextToText

    hub = smoke_run / "hub"
    published = json.loads((smoke_run / "status.json").read_text())["phases"]["publish"]["published"]
    assert len(published) == 5 + 8 + 1
    assert all((smoke_run / item["dry_run"]).is_dir() for item in published)
    qa = datasets.load_dataset(str(hub / "datasets" / "ActionArt-Synthetic-quickstart"), "qa", split="test")
    assert len(qa) == sum(1 for _ in (smoke_run / "eval" / "base" / "predictions.jsonl").open())
    fgqa = datasets.load_dataset(str(hub / "datasets" / "ActionArt-Proxy-FGQA-quickstart"), "fgqa", split="train")
    assert len(fgqa) > 0
    final = hub / "models" / "actionart-quickstart-smoke-stage3-from-proxy"
    model = AutoModelForImageTextToText.from_pretrained(final, trust_remote_code=True)
    assert model.config.model_type == "actionart"
    card = ModelCard.load(final / "README.md")
    assert card.data.eval_results and card.data.eval_results[0].dataset_type
    for stage in ("stage0", "lm_warmup", "stage1", "stage2_sd_fgqa", "stage3_from_proxy"):
        assert f"**{stage}:**" in card.text, stage
    assert "0.5 * stage1 + 0.5 * stage2_sd_fgqa" in card.text and "Stand-ins" in card.text
    metric = evaluate.load(str(hub / "spaces" / "actionart_accuracy"))
    assert metric.compute(predictions=["A"], references=["A"])["accuracy"] == 1.0
    assert "actionart-hf push-model models/stage3_from_proxy --repo-id" in (smoke_run / "report.md").read_text()


def test_parser():
    args = make_parser().parse_args([])
    assert (args.size, args.seed, args.overwrite) == ("tiny", 0, False)
    assert {"smoke", "tiny", "small"} <= set(SIZES)


def test_stage0_state_labels_match_the_generator(smoke_run):
    """Stage 0's body-state targets are the states the synthetic descriptions name, frame by frame."""
    import numpy as np
    import pyarrow.parquet as pq

    from actionart_hf.quickstart.stage0 import _read_split, _state_labels
    from actionart_hf.synthetic import frame_states
    from actionart_hf.synthetic.clip import Clip
    from actionart_hf.synthetic.states import BODY_STATES

    synth = smoke_run / "data" / "synthetic"
    row = _read_split(synth, "train")[0]
    full = pq.read_table(next((synth / "data" / "motion").glob("train-*.parquet"))).to_pylist()[0]
    clip = Clip.from_motion_row(full)
    frames = np.array([0, clip.num_frames // 2, clip.num_frames - 1])
    labels = _state_labels(row, frames)
    assert labels.shape == (len(frames), len(BODY_STATES))
    for i, frame in enumerate(frames):
        states = frame_states(clip, int(frame))
        for k, (key, values) in enumerate(BODY_STATES.items()):
            expected = list(values).index(states[key]) if states[key] else -100
            assert labels[i, k].item() == expected, (frame, key)
    stage0 = json.loads((smoke_run / "status.json").read_text())["phases"]["stage0"]
    assert 0.0 <= stage0["val_state_accuracy"] <= 1.0


def test_stage3_trains_spatial_caption_questions_in_words(smoke_run):
    import pyarrow.parquet as pq
    import yaml

    from actionart_hf.tasks import TASK_CODES

    caption_qa = smoke_run / "data" / "proxy" / "caption_qa"
    files = sorted((caption_qa / "data" / "qa").glob("train-*.parquet"))
    tasks = {TASK_CODES[t] for f in files for t in pq.read_table(f, columns=["task"])["task"].to_pylist()}
    assert {"GS", "LS"} <= tasks  # from the captions' start and end pose sentences
    recipe = yaml.safe_load((smoke_run / "recipes" / "stage3_from_proxy.yaml").read_text())
    spatial = [e for e in recipe["dataset_mixture"] if e.get("tasks") == ["GS", "LS"]]
    assert len(spatial) == 1 and spatial[0]["answer"] == "option" and spatial[0]["path"] == str(caption_qa)
