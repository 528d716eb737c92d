"""`actionart-hf synth`: Hub folder, foundation validation, determinism across workers, resume, splits."""

import hashlib
import json

import datasets
import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.data.schemas import CAPTIONS_FEATURES, QA_FEATURES
from actionart_hf.data.validation import validate_rows
from actionart_hf.synthetic import SynthConfig, build_synthetic_dataset, verify_folder
from actionart_hf.synthetic import dataset as synth_dataset
from actionart_hf.synthetic.cli import config_from_args, make_parser
from actionart_hf.synthetic.dataset import MOTION_FEATURES, parse_splits
from actionart_hf.video import load_video


ARGS = ["--resolution", "32", "--num-frames", "32", "--fps", "6", "--seed", "5"]


def _digest(folder):
    """Hashes of every parquet file and of every video's decoded frames."""
    parquet = {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.glob("data/*/*.parquet"))
    }
    frames = {
        p.name: hashlib.sha256(load_video(p, num_frames=64).frames.tobytes()).hexdigest()
        for p in sorted(folder.glob("videos/*.mp4"))
    }
    return parquet, frames


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "synth"
    argv = ["synth", "--out", str(folder), "--splits", "train=4,validation=1,test=2", "--workers", "2", "--preview"]
    assert cli_main([*argv, *ARGS]) == 0
    return folder


def test_folder_loads_with_load_dataset_and_passes_the_validator(built, tmp_path):
    cache = str(tmp_path / "cache")
    for split, clips in (("train", 4), ("validation", 1), ("test", 2)):
        qa = datasets.load_dataset(str(built), "qa", split=split, cache_dir=cache)
        assert qa.features == QA_FEATURES and len(qa) >= 3 * clips
        names = qa.features["task"].names
        rows = [{**row, "task": names[row["task"]]} for row in qa]
        assert validate_rows(rows, built) == []
        captions = datasets.load_dataset(str(built), "captions", split=split, cache_dir=cache)
        assert captions.features == CAPTIONS_FEATURES and len(captions) == clips
        assert validate_rows(list(captions), built) == []
        assert all(row["events"] and row["num_frames"] == 32 for row in captions)
        motion = datasets.load_dataset(str(built), "motion", split=split, cache_dir=cache)
        assert motion.features == MOTION_FEATURES and len(motion) == clips
        row = motion[0]
        assert len(row["joints2d"]) == 32 and len(row["joints2d"][0]) == 16
        assert {q["id"] for q in row["questions"]} <= set(qa["id"])
    assert not set(datasets.load_dataset(str(built), "qa", split="train", cache_dir=cache)["video_id"]) & set(
        datasets.load_dataset(str(built), "qa", split="test", cache_dir=cache)["video_id"]
    )
    card = (built / "README.md").read_text()
    assert "config_name: motion" in card and "preview.png" in card
    assert (built / "preview.png").stat().st_size > 1000
    assert not list(built.parent.glob(".synth.synth-work-*"))  # work folder removed after success


def test_every_question_re_checks_against_the_motion_labels(built):
    for split in ("train", "validation", "test"):
        assert verify_folder(built, split) == []


def test_same_seed_same_bytes_whatever_the_workers(built, tmp_path):
    again = tmp_path / "again"
    assert cli_main(["synth", "--out", str(again), "--splits", "train=4,validation=1,test=2", *ARGS]) == 0
    assert _digest(again) == _digest(built)


def test_stopped_run_resumes_without_redoing_clips(tmp_path, monkeypatch):
    config = SynthConfig(height=32, width=32, num_frames=24, fps=6)
    out = tmp_path / "resumed"
    calls = []
    original = synth_dataset.generate_clip

    def counting(seed, cfg):
        calls.append(seed)
        if len(calls) == 3:
            raise KeyboardInterrupt  # stop in the middle of the third clip
        return original(seed, cfg)

    monkeypatch.setattr(synth_dataset, "generate_clip", counting)
    with pytest.raises(KeyboardInterrupt):
        build_synthetic_dataset(out, num_videos=4, seed=1, config=config, show_progress=False)
    assert not out.exists()
    work = list(tmp_path.glob(".resumed.synth-work-*"))
    assert len(work) == 1 and len(list((work[0] / "clips").glob("*.json"))) == 2
    calls.clear()
    monkeypatch.setattr(synth_dataset, "generate_clip", original)
    monkeypatch.setattr(synth_dataset, "generate_clip", lambda seed, cfg: calls.append(seed) or original(seed, cfg))
    build_synthetic_dataset(out, num_videos=4, seed=1, config=config, show_progress=False)
    assert len(calls) == 2  # only the two clips that were not finished
    fresh = tmp_path / "fresh"
    build_synthetic_dataset(fresh, num_videos=4, seed=1, config=config, show_progress=False)
    assert _digest(out) == _digest(fresh)


def test_existing_output_needs_overwrite(built):
    with pytest.raises(ValueError, match="--overwrite"):
        build_synthetic_dataset(built, num_videos=1)


def test_split_specs():
    assert parse_splits(None, 10) == {"test": 10}
    assert parse_splits("train=8,validation=1,test=1", None) == {"train": 8, "validation": 1, "test": 1}
    assert parse_splits("train=0.8,test=0.2", 10) == {"train": 8, "test": 2}
    assert parse_splits("test=1", None) == {"test": 1}
    for bad, match in (("train=8,test=1", "add up"), ("train", "NAME=COUNT"), ("train=0.5,test=0.5", "num-videos")):
        with pytest.raises(ValueError, match=match):
            parse_splits(bad, 10 if match == "add up" else None)


def test_cli_knobs_reach_the_config():
    args = make_parser().parse_args(
        [
            "--out",
            "x",
            "--num-videos",
            "3",
            "--resolution",
            "64",
            "--no-color-cues",
            "--clutter",
            "9",
            "--noise",
            "4",
            "--camera-yaw",
            "40",
            "--limb-width",
            "0.5",
            "--distractor-closeness",
            "1",
            "--task-weights",
            "GS=1,LS=2",
            "--left-color",
            "#00ff00",
            "--max-units",
            "6",
            "--num-frames",
            "16",
            "--fps",
            "4",
        ]
    )
    config = config_from_args(args)
    assert (config.height, config.width, config.num_frames, config.fps) == (64, 64, 16, 4.0)
    assert not config.color_cues and config.clutter == 9 and config.noise == 4 and config.camera_yaw == 40
    assert config.limb_width == 0.5 and config.distractor_closeness == 1 and config.max_units == 6
    assert config.left_color == (0, 255, 0) and config.task_weights["LS"] == 2 and config.task_weights["AC"] == 0
    assert json.loads(json.dumps(config.to_dict())) == config.to_dict()
