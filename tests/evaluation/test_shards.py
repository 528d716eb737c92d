"""A sharded evaluation: two shards run as two local processes at once against one OpenAI-compatible server, joined
with `actionart-hf eval-join`, give the files of a single-process run."""

import json
import subprocess
import sys

import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.evaluation.join import join_eval_shards


def eval_command(dataset, base_url, output_dir, *extra):
    return [
        "eval", "--model", "scripted-model", "--dataset", str(dataset), "--backend", "openai", "--base-url", base_url,
        "--num-frames", "4", "--circular", "--bootstrap", "50", "--no-paper-rows", "--output-dir", str(output_dir),
        *extra,
    ]  # fmt: skip


def test_two_shards_joined_equal_one_process(tiny_benchmark, chat_server, tmp_path):
    assert cli_main(eval_command(tiny_benchmark, chat_server.base_url, tmp_path / "single")) == 0
    shard_dirs = [tmp_path / "shards" / str(i) for i in range(2)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "actionart_hf.cli",
             *eval_command(tiny_benchmark, chat_server.base_url, out, "--num-shards", "2", "--shard-index", str(i))],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for i, out in enumerate(shard_dirs)
    ]  # fmt: skip
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output
    shard_metrics = [json.loads((d / "metrics.json").read_text()) for d in shard_dirs]
    assert [m["metrics"]["num_questions"] for m in shard_metrics] == [5, 5]

    assert cli_main(["eval-join", *map(str, reversed(shard_dirs)), "--output-dir", str(tmp_path / "joined")]) == 0
    single, joined = tmp_path / "single", tmp_path / "joined"
    for name in ("predictions.jsonl", "metrics.json", "table.md", "model_index.json"):
        assert (joined / name).read_text() == (single / name).read_text(), name
    identity = json.loads((joined / "run.json").read_text())["identity"]
    assert identity == json.loads((single / "run.json").read_text())["identity"]
    assert (joined / "per_task.png").is_file()


def test_refuses_an_incomplete_join(tiny_benchmark, chat_server, tmp_path, capsys):
    out = tmp_path / "shard0"
    command = eval_command(tiny_benchmark, chat_server.base_url, out, "--num-shards", "3", "--limit", "4")
    assert cli_main(command) == 0
    assert json.loads((out / "metrics.json").read_text())["metrics"]["num_questions"] == 1  # questions 0-0 of 4
    with pytest.raises(ValueError, match=r"shard\(s\) \[1, 2\] missing"):
        join_eval_shards([out], tmp_path / "joined")
    assert cli_main(eval_command(tiny_benchmark, chat_server.base_url, tmp_path / "whole")) == 0
    with pytest.raises(ValueError, match="not a shard of a sharded evaluation"):
        join_eval_shards([tmp_path / "whole"], tmp_path / "joined")
    assert cli_main(eval_command(tiny_benchmark, chat_server.base_url, tmp_path / "bad", "--shard-index", "1")) == 2
    assert "shard_index=1 must be in [0, 1)" in capsys.readouterr().err
