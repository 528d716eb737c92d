"""Sharded proxy builds: two shards run as two local processes at once on one shared call cache, joined with
`actionart-hf proxy join`, give the folder of a single-process build (same rows in the same order, same card)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.data.hub_folder import read_split_rows
from actionart_hf.proxy.join import join_proxy_shards
from actionart_hf.sharding import Shard


def run_shards(commands: list[list[str]], tmp_path: Path) -> None:
    """Runs each `actionart-hf` command in its own process, all at once, and waits for them."""
    processes = []
    for number, command in enumerate(commands):
        log = open(tmp_path / f"shard-{number}.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "actionart_hf.cli", *command], stdout=log, stderr=log)
        processes.append((process, log, tmp_path / f"shard-{number}.log"))
    for process, log, path in processes:
        assert process.wait(timeout=300) == 0, path.read_text()
        log.close()


def assert_same_folder(single: Path, joined: Path, config: str) -> None:
    assert read_split_rows(joined, config, "train") == read_split_rows(single, config, "train")
    assert (joined / "README.md").read_text() == (single / "README.md").read_text()
    assert sorted(p.name for p in (joined / "videos").glob("*")) == sorted(
        p.name for p in (single / "videos").glob("*")
    )


@pytest.mark.parametrize("task", ["pd", "caption-qa"])
def test_two_shards_joined_equal_one_process(task, synth_dir, tmp_path):
    if task == "pd":
        config, command = (
            "pose_description",
            ["proxy", "pd", "--source-dir", str(synth_dir), "--frames-per-video", "2"],
        )
    else:
        config, command = "qa", ["proxy", "caption-qa", "--captions", str(synth_dir), "--captions-split", "test"]
    assert cli_main([*command, "--out", str(tmp_path / "single")]) == 0
    cache = ["--cache-dir", str(tmp_path / "shared-cache")]
    shard_dirs = [tmp_path / "shards" / f"{task}-{i}" for i in range(2)]
    run_shards(
        [
            [*command, "--out", str(out), *cache, "--num-shards", "2", "--shard-index", str(i)]
            for i, out in enumerate(shard_dirs)
        ],
        tmp_path,
    )
    assert "shard 0 of 2" in (shard_dirs[0] / "README.md").read_text()
    assert cli_main(["proxy", "join", "--out", str(tmp_path / "joined"), *map(str, reversed(shard_dirs))]) == 0
    assert_same_folder(tmp_path / "single", tmp_path / "joined", config)


def test_sharded_fgqa_from_a_sharded_unit_set(synth_dir, tmp_path):
    common = ["proxy", "fgqa", "--num-videos", "5", "--fps", "4", "--size", "32x32", "--seed", "1"]
    assert cli_main([*common, "--source-dir", str(synth_dir), "--out", str(tmp_path / "single")]) == 0
    cache = tmp_path / "cache"
    run_shards(
        [
            [*common, "--source-dir", str(synth_dir), "--out", str(tmp_path / "units"), "--cache-dir", str(cache),
             "--units-only", "--num-shards", "2", "--shard-index", str(i)]
            for i in range(2)
        ],
        tmp_path,
    )  # fmt: skip
    unit_sets = sorted(str(p) for p in cache.glob("unit_set-*-of-00002.jsonl"))
    assert len(unit_sets) == 2
    shard_dirs = [tmp_path / f"fgqa-{i}" for i in range(2)]
    run_shards(
        [
            [*common, "--unit-set", *unit_sets, "--out", str(out), "--cache-dir", str(cache), "--num-shards", "2",
             "--shard-index", str(i)]
            for i, out in enumerate(shard_dirs)
        ],
        tmp_path,
    )  # fmt: skip
    join_proxy_shards(shard_dirs, tmp_path / "joined")
    assert_same_folder(tmp_path / "single", tmp_path / "joined", "fgqa")
    for video in (tmp_path / "single" / "videos").iterdir():
        assert (tmp_path / "joined" / "videos" / video.name).read_bytes() == video.read_bytes()


def test_refusals(synth_dir, tmp_path):
    with pytest.raises(ValueError, match="shard_index=2 must be in"):
        Shard(2, 2)
    assert Shard(1, 3).select(list(range(10))) == [3, 4, 5]
    assert [x for i in range(3) for x in Shard(i, 3).select(list(range(10)))] == list(range(10))
    command = ["proxy", "fgqa", "--source-dir", str(synth_dir), "--out", str(tmp_path / "f"), "--num-shards", "2"]
    assert cli_main(command) == 2  # a sharded fgqa build without a unit set
    out = tmp_path / "pd-0"
    pd = ["proxy", "pd", "--source-dir", str(synth_dir), "--frames-per-video", "1", "--num-shards", "2"]
    assert cli_main([*pd, "--out", str(out)]) == 0
    with pytest.raises(ValueError, match=r"shard\(s\) \[1\] missing"):
        join_proxy_shards([out], tmp_path / "joined")
    with pytest.raises(ValueError, match="not the output of a sharded proxy build"):
        join_proxy_shards([synth_dir], tmp_path / "joined")
    assert os.path.exists(tmp_path / "pd-0.shard.json")
