"""Every builder end to end with the oracle teacher on synthetic sources (`actionart-hf synth`), loaded back with
`load_dataset`; answers checked against the generator's own labels; builds deterministic."""

import datasets
import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.data.schemas import (
    FGQA_FEATURES,
    POSE_DESCRIPTION_FEATURES,
    QA_FEATURES,
    SPATIAL_DIFFERENCE_FEATURES,
)
from actionart_hf.proxy.caption_qa import build_caption_qa
from actionart_hf.proxy.common import RunSettings
from actionart_hf.proxy.fgqa import build_fgqa
from actionart_hf.proxy.image_tasks import build_pose_description, build_spatial_difference
from actionart_hf.proxy.labels import LabelSpan
from actionart_hf.proxy.mcq_validation import validate_question
from actionart_hf.proxy.oracle import OracleTeacher, SyntheticLabels
from actionart_hf.proxy.sources import load_sources
from actionart_hf.tasks import TASK_CODES


@pytest.fixture(scope="module")
def oracle(synth_dir):
    return OracleTeacher(SyntheticLabels(synth_dir))


def load(folder, config, tmp_path, split="train"):
    return datasets.load_dataset(str(folder), config, split=split, cache_dir=str(tmp_path / "hf-cache"))


def test_synthetic_source_has_exact_events(synth_dir):
    sources = load_sources("synthetic", synth_dir)
    assert len(sources) == 4 and all(s.relative_path.startswith("videos/") for s in sources)
    assert all(len(s.events) >= 2 for s in sources)
    assert all(e.label == e.label.lower() and not e.label.startswith(("raises ", "waves ")) for e in sources[0].events)


def test_pose_description_and_spatial_difference(synth_dir, oracle, tmp_path):
    labels = oracle.labels
    sources = load_sources("synthetic", synth_dir)
    pd = build_pose_description(sources, tmp_path / "pd", oracle, frames_per_video=2, run=RunSettings(workers=2))
    ds = load(tmp_path / "pd", "pose_description", tmp_path)
    assert pd.rows == len(ds) == 8 and ds.features == POSE_DESCRIPTION_FEATURES
    for row in ds:
        assert row["response"] == labels.describe_pose(row["source_video"], row["frame_index"])
        assert row["teacher"] == "oracle:v1|pose_description.v1" and row["image"].size == (32, 32)
    sd = build_spatial_difference(sources, tmp_path / "sd", oracle, pairs_per_video=2)
    ds = load(tmp_path / "sd", "spatial_difference", tmp_path)
    assert sd.rows == len(ds) == 8 and ds.features == SPATIAL_DIFFERENCE_FEATURES
    for row in ds:
        assert row["response"] == labels.describe_change(row["source_video"], *row["frame_indices"])


def test_fgqa_is_exact_and_deterministic(synth_dir, oracle, tmp_path):
    sources = load_sources("synthetic", synth_dir)
    kwargs = dict(sources=sources, num_videos=5, frames_per_unit=2, fps=4.0, size=(32, 32), seed=1)
    report = build_fgqa(tmp_path / "a", oracle, oracle, **kwargs)
    ds = load(tmp_path / "a", "fgqa", tmp_path)
    assert ds.features == FGQA_FEATURES and len(ds) == report.rows > 0 and report.failed == 0
    assert {"AS", "TL", "AC", "AR"} <= {TASK_CODES[t] for t in ds["task"]}
    for row in ds:
        for unit in row["units"]:  # each unit's label is the generator's action at the unit's middle frame
            assert unit["label"] == oracle.labels.unit_label(unit["source_video"], *unit["frame_indices"])
        events = [LabelSpan(u["label"], 0.5 * k, 0.5 * (k + 1)) for k, u in enumerate(row["units"])]
        question = {k: row[k] for k in ("question", "options", "answer")} | {"task": TASK_CODES[row["task"]]}
        assert validate_question(question, events)[1] is None
        assert row["teacher"] == "units=oracle:v1|unit_label.v1;qa=oracle:v1|fgqa_mcq.v1"
    # a second build from scratch (fresh cache) is identical, videos included
    build_fgqa(tmp_path / "b", oracle, oracle, **kwargs)
    assert load(tmp_path / "b", "fgqa", tmp_path / "b-load").to_list() == ds.to_list()
    for video in (tmp_path / "a" / "videos").iterdir():
        assert (tmp_path / "b" / "videos" / video.name).read_bytes() == video.read_bytes()


def test_caption_qa_counts_repetitions(synth_dir, oracle, tmp_path):
    report = build_caption_qa(synth_dir, tmp_path / "qa", oracle, split="test", tasks=["AC", "AS", "TL", "AR"])
    ds = load(tmp_path / "qa", "qa", tmp_path)
    assert ds.features == QA_FEATURES and len(ds) == report.rows and report.failed == 0
    events_by_video = {v.split("/")[-1][:-4]: e for v, e in _events(oracle.labels).items()}
    for row in ds:
        if TASK_CODES[row["task"]] == "AC":
            label = row["question"].removeprefix("How many times does the person ").rstrip("?")
            truth = sum(e.count for e in events_by_video[row["video_id"]] if e.label == label)
            assert row["options"]["ABCDEF".index(row["answer"])] == str(truth) and truth >= 1
        assert (tmp_path / "qa" / row["video"]).is_file()


def _events(labels):
    return {video: labels.events(video) for video in labels.videos()}


def test_documented_commands(synth_dir, tmp_path, capsys):
    sd_pairs = ["--pairs-per-video", "2", "--pair-gap-s", "0.5-0.75"]
    fgqa_units = ["--num-videos", "2", "--frames-per-unit", "2", "--unit-window-s", "1"]
    for task, extra in [("pd", []), ("sd", sd_pairs), ("fgqa", fgqa_units)]:
        out = tmp_path / task
        args = ["proxy", task, "--source", "synthetic", "--source-dir", str(synth_dir), "--out", str(out), *extra]
        assert cli_main(args) == 0, task
        config = {"pd": "pose_description", "sd": "spatial_difference", "fgqa": "fgqa"}[task]
        rows = load(out, config, tmp_path / task)
        assert len(rows) > 0
        if task == "sd":  # 4 fps: 0.5-0.75 s is 2 or 3 frames
            assert len(rows) == 8 and {b - a for a, b in rows["frame_indices"]} <= {2, 3}
    with pytest.raises(SystemExit):
        cli_main(
            ["proxy", "sd", "--source-dir", str(synth_dir), "--out", str(tmp_path / "y"), "--pair-gap-s", "1-0.5"]
        )
    args = ["proxy", "caption-qa", "--captions", str(synth_dir), "--captions-split", "test", "--out"]
    assert cli_main([*args, str(tmp_path / "qa")]) == 0
    assert len(load(tmp_path / "qa", "qa", tmp_path)) > 0
    assert (
        cli_main(["proxy", "pd", "--source", "folder", "--source-dir", str(synth_dir), "--out", str(tmp_path / "x")])
        == 2
    )
    assert "actionart-hf proxy: error: The oracle only labels synthetic videos" in capsys.readouterr().err


def test_oracle_without_labels_fails_loudly(synth_dir, tmp_path):
    sources = load_sources("synthetic", synth_dir, max_videos=1)
    with pytest.raises(ValueError, match="produced no row: 1 teacher request"):
        build_pose_description(sources, tmp_path / "pd", OracleTeacher(), frames_per_video=1)
    assert "only for synthetic videos" in (tmp_path / "pd.failures.jsonl").read_text()
    assert not (tmp_path / "pd").exists()
