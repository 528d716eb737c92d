"""Bad input and interrupted runs, across the commands: one line naming the item, exit status 2, no traceback, and
nothing lost (a good output placed there beforehand is byte-identical afterwards); leftovers of killed runs removed;
rows accounted for one for one; local folders rebuilt in place read fresh."""

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.data.build_actionart import build_actionart
from actionart_hf.data.example_release import write_example_release
from actionart_hf.data.loading import load_actionart
from actionart_hf.data.raw_release import read_table
from actionart_hf.synthetic.config import SynthConfig
from actionart_hf.synthetic.dataset import build_synthetic_dataset
from actionart_hf.video import load_video, write_video


TINY_SYNTH = ["--height", "32", "--width", "32", "--num-frames", "16", "--fps", "4", "--questions-per-clip", "1"]


def tiny_synth(out: Path, num_videos: int = 2, seed: int = 0, overwrite: bool = False) -> Path:
    config = SynthConfig(height=32, width=32, num_frames=16, fps=4, questions_per_clip=1)
    return build_synthetic_dataset(out, num_videos, seed, config=config, overwrite=overwrite, show_progress=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_safetensors(folder: Path, tensors: dict, truncate: bool = False) -> Path:
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.safetensors"
    save_file(tensors, path, metadata={"format": "pt"})
    if truncate:  # an interrupted download or copy
        path.write_bytes(path.read_bytes()[: path.stat().st_size - 100])
    return folder


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> dict[str, Path]:
    """Inputs, bad inputs and good outputs shared by the matrix (built once)."""
    import torch

    root = tmp_path_factory.mktemp("bad-inputs")
    paths = {"root": root, "release": write_example_release(root / "release")}
    paths["dataset"] = build_actionart(paths["release"], root / "ActionArt")
    paths["synth"] = tiny_synth(root / "synth")
    tensors = {"w": torch.ones(64, 64), "b": torch.zeros(64)}
    paths["base"] = write_safetensors(root / "base", tensors)
    paths["truncated"] = write_safetensors(root / "truncated", tensors, truncate=True)
    paths["merged"] = write_safetensors(root / "merged", tensors)
    paths["model"] = root / "empty-model"
    paths["model"].mkdir()
    paths["eval"] = root / "eval"
    paths["eval"].mkdir()
    (paths["eval"] / "run.json").write_text(json.dumps({"identity": {"model": "another model"}}) + "\n")
    (paths["eval"] / "predictions.jsonl").write_text('{"key": "q1#0", "letter": "A"}\n')
    for name in ("train", "proxy"):
        paths[name] = root / name
        paths[name].mkdir()
        (paths[name] / "keep.txt").write_text("a good earlier output\n")
    (root / "broken.yaml").write_text("learning_rate: 1e-4\ndataset_mixture: [\n  {path: x\n")
    (root / "splits-typo.json").write_text(json.dumps({"dance_001": "tset"}))
    (root / "splits-unknown.json").write_text(json.dumps({"no_such_clip": "train"}))
    (root / "splits-not-json.json").write_text("dance_001: test\n")
    lines = (paths["release"] / "annotations" / "actionart_qa.jsonl").read_text().splitlines()
    lines[4] = lines[4][:-5]  # line 5 cut short
    (root / "bad_qa.jsonl").write_text("\n".join(lines) + "\n")
    recipe = {
        "model_name_or_path": str(paths["model"]),
        "output_dir": str(paths["train"]),
        "use_cpu": True,
        "report_to": "none",
    }
    for name, entry in {"unknown-config": {"name": "qaa"}, "missing-split": {"name": "qa", "split": "train"}}.items():
        recipe["dataset_mixture"] = [{"path": str(paths["synth"]), **entry}]
        (root / f"recipe-{name}.yaml").write_text(json.dumps(recipe))  # JSON is YAML
    return paths


# (case id, command line with {name} for a path of `work`, text of the error line, output that must not change)
CASES = [
    ("build: missing release", ["build-actionart", "--release", "{root}/nowhere", "--out", "{dataset}", "--overwrite"],
     "Release folder", "dataset"),
    ("build: no --out", ["build-actionart", "--release", "{release}"], "--release and --out are both required", None),
    ("build: split typo", ["build-actionart", "--release", "{release}", "--out", "{dataset}", "--overwrite",
                           "--split-file", "{root}/splits-typo.json"], "split 'tset', which is not one of", "dataset"),
    ("build: split video unknown", ["build-actionart", "--release", "{release}", "--out", "{dataset}", "--overwrite",
                                    "--split-file", "{root}/splits-unknown.json"], "'no_such_clip'", "dataset"),
    ("build: split file not JSON", ["build-actionart", "--release", "{release}", "--out", "{dataset}", "--overwrite",
                                    "--split-file", "{root}/splits-not-json.json"], "Cannot read --split-file",
     "dataset"),
    ("build: bad JSONL line", ["build-actionart", "--release", "{release}", "--out", "{dataset}", "--overwrite",
                               "--qa-file", "{root}/bad_qa.jsonl"], "bad_qa.jsonl': line 5:", "dataset"),
    ("build: missing qa file", ["build-actionart", "--release", "{release}", "--out", "{dataset}", "--overwrite",
                                "--qa-file", "{root}/nowhere.jsonl"], "--qa-file", "dataset"),
    ("synth: negative count", ["synth", "--num-videos", "-5", "--out", "{synth}", "--overwrite", *TINY_SYNTH],
     "num_videos=-5", "synth"),
    ("synth: zero resolution", ["synth", "--num-videos", "2", "--resolution", "0", "--out", "{synth}", "--overwrite"],
     "height=0", "synth"),
    ("synth: fractions over 1", ["synth", "--num-videos", "10", "--splits", "train=0.8,test=0.3", "--out", "{synth}",
                                 "--overwrite", *TINY_SYNTH], "add up to 1.1, not 1", "synth"),
    ("synth: empty split", ["synth", "--splits", "train=2,test=0", "--out", "{synth}", "--overwrite", *TINY_SYNTH],
     "Split 'test'", "synth"),
    ("eval: zero frames", ["eval", "--model", "{model}", "--dataset", "{synth}", "--output-dir", "{eval}",
                           "--num-frames", "0"], "num_frames=0", "eval"),
    ("eval: zero pixels", ["eval", "--model", "{model}", "--dataset", "{synth}", "--output-dir", "{eval}",
                           "--max-pixels", "0"], "max_pixels=0", "eval"),
    ("eval: missing model folder", ["eval", "--model", "{root}/no-model", "--dataset", "{synth}", "--output-dir",
                                    "{eval}"], "does not exist (it is a local path", "eval"),
    ("eval: another run's folder", ["eval", "--model", "{model}", "--dataset", "{synth}", "--output-dir", "{eval}"],
     "holds predictions of a different run", "eval"),
    ("merge: truncated weights", ["merge", "--base", "{base}", "--finetuned", "{truncated}", "--alpha", "0.5",
                                  "--output", "{merged}", "--overwrite"], "is truncated or corrupt", "merged"),
    ("merge: missing base", ["merge", "--base", "{root}/nowhere", "--finetuned", "{base}", "--alpha", "0.5",
                             "--output", "{merged}", "--overwrite"], "neither an existing path", "merged"),
    ("proxy: missing source", ["proxy", "pd", "--source", "synthetic", "--source-dir", "{root}/nowhere",
                               "--teacher", "oracle", "--out", "{proxy}", "--overwrite"], "does not exist", "proxy"),
    ("train: unknown config", ["train", "{root}/recipe-unknown-config.yaml"],
     "has name 'qaa', which is not a config we can train on", "train"),
    ("train: broken YAML", ["train", "{root}/broken.yaml"], "broken.yaml' is not valid YAML at line", None),
    ("train: missing recipe", ["train", "{root}/nowhere.yaml"], "nowhere.yaml' not found", None),
    ("merge: broken config", ["merge", "--config", "{root}/broken.yaml", "--output", "{merged}", "--overwrite"],
     "broken.yaml' is not valid YAML at line", "merged"),
    ("train: missing split", ["train", "{root}/recipe-missing-split.yaml"],
     "dataset_mixture[0]", "train"),
]  # fmt: skip


@pytest.mark.parametrize("argv, expected, protected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_is_one_line_exit_2_and_loses_nothing(work, capsys, argv, expected, protected):
    argv = [part.format(**work) for part in argv]
    before = snapshot(work[protected]) if protected else None
    capsys.readouterr()
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith(f"actionart-hf {argv[0]}: error: ")]
    assert len(lines) == 1 and expected in lines[0], err
    if protected:
        assert snapshot(work[protected]) == before


def test_debug_shows_the_traceback_and_bugs_keep_theirs(work, monkeypatch):
    bad = ["--num-videos", "-5", "--out", str(work["root"] / "never")]
    with pytest.raises(ValueError, match="num_videos=-5"):
        cli_main(["--debug", "synth", *bad])
    with pytest.raises(ValueError, match="num_videos=-5"):
        cli_main(["synth", *bad, "--debug"])
    from actionart_hf.synthetic import cli as synth_cli

    monkeypatch.setattr(synth_cli, "config_from_args", lambda args: 1 / 0)
    with pytest.raises(ZeroDivisionError):  # not a user's mistake: the traceback stays
        cli_main(["synth", *bad])
    assert not (work["root"] / "never").exists()


def test_readme_build_commands_work_with_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli_main(["build-actionart", "--example-release", "outputs/example_release"]) == 0
    argv = ["build-actionart", "--release", "outputs/example_release", "--out", "outputs/ActionArt-example"]
    assert cli_main(argv) == 0
    assert len(load_actionart("outputs/ActionArt-example", "qa")) == 8


def test_failed_model_load_does_not_block_a_retry(work, tmp_path, capsys):
    argv = ["eval", "--model", str(work["model"]), "--dataset", str(work["synth"]), "--output-dir", str(tmp_path)]
    errors = []
    for extra in ([], ["--num-frames", "4"]):  # the retry with other flags meets the same error, not "another run"
        assert cli_main([*argv, *extra]) == 2
        errors.append(capsys.readouterr().err.splitlines()[-1])
    assert errors[0] == errors[1] and errors[0].startswith("actionart-hf eval: error: ") and "empty-model" in errors[0]


def test_video_api_refuses_settings_that_cannot_work(tmp_path):
    video = write_video(tmp_path / "clip.mp4", np.zeros((4, 16, 16, 3), np.uint8))
    for kwargs, match in [
        ({"max_pixels": 0}, "max_pixels=0"),  # used to loop forever
        ({"max_pixels": -1}, "max_pixels=-1"),  # used to fail with "math domain error"
        ({"num_frames": "8"}, "num_frames='8'"),  # used to fail with a TypeError
        ({"num_frames": 0}, "num_frames=0"),
    ]:
        with pytest.raises(ValueError, match=match):
            load_video(video, **kwargs)
    with pytest.raises(ValueError, match=r"hold no pixel"):
        write_video(tmp_path / "empty.mp4", np.zeros((1, 0, 0, 3), np.uint8))
    with pytest.raises(ValueError, match="fps=0"):
        write_video(tmp_path / "still.mp4", np.zeros((1, 8, 8, 3), np.uint8), fps=0)


def test_table_errors_name_the_file_and_the_line(tmp_path):
    table = tmp_path / "qa.jsonl"
    table.write_text('{"id": 1}\n\n{"id": 2}\n{"id": 3}\n{"id": \n')
    with pytest.raises(ValueError, match=r"qa.jsonl': line 5: "):
        read_table(table)
    table.write_text('{"id": 1}\n[1, 2]\n')
    with pytest.raises(ValueError, match=r"line 2 is list"):
        read_table(table)
    csv_table = tmp_path / "captions.csv"
    csv_table.write_text("video,caption\na,one\nb,two, with a comma\n")
    with pytest.raises(ValueError, match=r"captions.csv': line 3 has more cells than the header"):
        read_table(csv_table)


def test_leftovers_of_killed_runs_are_removed_and_logged(work, tmp_path, caplog):
    out = tmp_path / "synth"
    staging = tmp_path / ".synth.staging-deadbeef"  # what `kill -9` during the move left
    (staging / "videos").mkdir(parents=True)
    (staging / "videos" / "half.mp4").write_bytes(b"\0" * 1000)
    other = tmp_path / ".other.staging-deadbeef"  # another output's: not ours to remove
    other.mkdir()
    with caplog.at_level(logging.WARNING, logger="actionart_hf.atomic"):
        tiny_synth(out)
    assert not staging.exists() and other.exists() and out.is_dir()
    assert any(".synth.staging-deadbeef" in r.getMessage() and "interrupted" in r.getMessage() for r in caplog.records)

    merged = tmp_path / "merged"
    (tmp_path / ".merged.staging-0badf00d").mkdir()
    argv = ["merge", "--base", str(work["base"]), "--finetuned", str(work["base"]), "--alpha", "0.5"]
    assert cli_main([*argv, "--output", str(merged)]) == 0
    assert not (tmp_path / ".merged.staging-0badf00d").exists() and (merged / "model.safetensors").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".other.staging-deadbeef"]


def test_rejects_are_counted_one_for_one_and_a_stale_list_is_removed(tmp_path):
    release = write_example_release(tmp_path / "release")
    qa_file = release / "annotations" / "actionart_qa.jsonl"
    good_rows = qa_file.read_text()
    first = json.loads(good_rows.splitlines()[0])
    qa_file.write_text(good_rows + json.dumps(first) + "\n")  # the same id twice
    out = build_actionart(release, tmp_path / "out", drop_invalid=True)
    rejects = [json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    rows_in = len(good_rows.splitlines()) + 1
    assert rejects == [{"table": "qa", "row": 8, "id": first["id"], "reason": "duplicate id"}]
    assert rows_in == len(load_actionart(out, "qa")) + len(rejects)  # 9 rows in, 8 kept, 1 listed

    qa_file.write_text(good_rows)
    build_actionart(release, out, overwrite=True, drop_invalid=True)
    assert not (tmp_path / "out.rejects.jsonl").exists()  # the clean rebuild removed the old list


def test_folders_rebuilt_in_place_are_read_fresh(tmp_path):
    from actionart_hf.proxy.sources import synthetic_source
    from actionart_hf.training.arguments import DatasetSpec
    from actionart_hf.training.mixture import _load_raw, load_dataset_entry

    synth = tiny_synth(tmp_path / "synth", num_videos=2)
    spec = {"path": str(synth), "name": "captions", "split": "test"}
    assert len(load_actionart(synth, "captions")) == 2
    assert len(load_dataset_entry(DatasetSpec.from_entry(spec))) == 2  # mixtures, as `train` reads them
    assert len(synthetic_source(synth)) == 2  # proxy sources
    tiny_synth(synth, num_videos=3, seed=1, overwrite=True)
    assert len(load_actionart(synth, "captions")) == 3  # also what the eval runner reads
    assert len(load_dataset_entry(DatasetSpec.from_entry(spec))) == 3
    assert len(synthetic_source(synth)) == 3

    foreign = tmp_path / "foreign"  # a folder of our users' own, read by `datasets.load_dataset`
    foreign.mkdir()
    table = foreign / "train.jsonl"
    table.write_text(json.dumps({"messages": "first build"}) + "\n")
    first = table.stat()
    spec = DatasetSpec.from_entry({"path": str(foreign), "format": "messages"})
    assert _load_raw(spec, "entry")[0]["messages"] == ["first build"]
    # rebuilt with the same modification time (a copy that keeps times, or a build within the clock's resolution):
    # the `datasets` cache alone returns the first build's rows here
    table.write_text(json.dumps({"messages": "the rebuilt rows"}) + "\n")
    os.utime(table, ns=(first.st_atime_ns, first.st_mtime_ns))
    assert _load_raw(spec, "entry")[0]["messages"] == ["the rebuilt rows"]
