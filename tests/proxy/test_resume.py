"""`actionart-hf proxy` as a user runs it: a build killed with SIGKILL (twice, in both phases of FGQA) and started
again repeats no answered teacher call — counted on the server — and produces the same dataset as an
uninterrupted build."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import datasets

from actionart_hf.cli import main as cli_main


def fgqa_command(source: Path, out: Path, base_url: str) -> list[str]:
    return [
        "proxy", "fgqa", "--source", "folder", "--source-dir", str(source), "--out", str(out),
        "--teacher", "openai", "--base-url", base_url, "--workers", "2", "--num-videos", "4",
        "--units-per-video", "2", "--frames-per-unit", "2", "--size", "24x16", "--backoff", "0.01",
    ]  # fmt: skip


def cache_entries(cache_dir: Path) -> int:
    return sum(1 for _ in (cache_dir / "calls").glob("??/*.json")) if cache_dir.exists() else 0


def run_until_killed(command: list[str], server, cache_dir: Path, stop_after: int, tmp_path: Path) -> None:
    """Starts the build in a subprocess, holds every request after the `stop_after`-th answer, waits until those
    answers are on disk and a held request is pending, then kills the process with SIGKILL."""
    answered_before, received_before = server.answered_total, server.received
    original = server.responder

    def responder(payload):
        answer = original(payload)
        if server.answered_total + 1 - answered_before >= stop_after:
            server.gate.clear()  # later requests wait at the gate
        return answer

    server.responder = responder
    env = dict(os.environ)  # HF_HUB_OFFLINE=1 (set for the suite) must not block the local teacher server
    log = open(tmp_path / f"build-{stop_after}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "actionart_hf.cli", *command], env=env, stdout=log, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        held = server.received - received_before > stop_after
        if held and not server.answering and cache_entries(cache_dir) >= server.answered_total:
            break
        assert process.poll() is None, (tmp_path / f"build-{stop_after}.log").read_text()
        time.sleep(0.05)
    else:
        raise AssertionError("the build never reached the kill point")
    process.send_signal(signal.SIGKILL)
    process.wait()
    log.close()
    server.responder = original
    server.release_held()


def test_killed_build_resumes_without_repeating_calls(chat_server, folder_dir, tmp_path):
    server = chat_server()
    out = tmp_path / "fgqa"
    command = fgqa_command(folder_dir, out, server.base_url)
    cache_dir = tmp_path / "fgqa.cache"
    # 4 videos x 2 units = 8 unit labels, then 4 question requests: kill during each phase
    # (with two workers, a second answer can slip through before the gate closes)
    run_until_killed(command, server, cache_dir, stop_after=5, tmp_path=tmp_path)
    assert not out.exists() and 5 <= cache_entries(cache_dir) == server.answered_total <= 6
    run_until_killed(command, server, cache_dir, stop_after=4, tmp_path=tmp_path)  # the rest of the units + questions
    assert not out.exists() and 9 <= cache_entries(cache_dir) == server.answered_total <= 11
    assert list((tmp_path).glob(".fgqa.staging-*"))  # the kill left a staging folder behind

    assert cli_main(command) == 0
    assert out.is_dir() and not list(tmp_path.glob(".fgqa.staging-*"))  # resumed, and cleaned up
    assert server.answered_total == len(server.answered) == 12  # every request answered exactly once
    assert max(server.answered.values()) == 1

    # the same command on a fresh cache (an uninterrupted build) gives the same dataset
    clean_server = chat_server()
    clean = tmp_path / "clean"
    assert cli_main(fgqa_command(folder_dir, clean, clean_server.base_url)) == 0
    load = lambda folder: datasets.load_dataset(str(folder), "fgqa", split="train", cache_dir=str(folder) + "-hf")  # noqa: E731
    resumed_rows, clean_rows = load(out).to_list(), load(clean).to_list()
    assert resumed_rows == clean_rows and len(resumed_rows) > 0
    for video in sorted((clean / "videos").iterdir()):
        assert (out / "videos" / video.name).read_bytes() == video.read_bytes()


def test_cli_builds_each_task_and_reports_failures(chat_server, ntu_dir, captions_dir, tmp_path, monkeypatch, capsys):
    server = chat_server()
    url = ["--teacher", "openai", "--base-url", server.base_url, "--model", "m"]
    assert cli_main(["proxy", "pd", "--source", "ntu", "--source-dir", str(ntu_dir), "--out", str(tmp_path / "pd"),
                     "--frames-per-video", "1", *url]) == 0  # fmt: skip
    assert "3 pose_description rows" in capsys.readouterr().out
    assert cli_main(["proxy", "sd", "--source", "ntu", "--source-dir", str(ntu_dir), "--out", str(tmp_path / "sd"),
                     "--max-videos", "2", "--max-pixels", "0", *url]) == 0  # fmt: skip
    assert "2 spatial_difference rows" in capsys.readouterr().out
    again = ["proxy", "sd", "--source", "ntu", "--source-dir", str(ntu_dir), "--out", str(tmp_path / "sd"), *url]
    assert cli_main(again) == 2 and "--overwrite" in capsys.readouterr().err  # existing output: a message, no trace
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # offline mode does not block the server
    assert cli_main([*again, "--overwrite"]) == 0
    # caption-qa with the oracle: the caption without events cannot be read → listed, exit code 1
    code = cli_main(["proxy", "caption-qa", "--captions", str(captions_dir), "--out", str(tmp_path / "qa"),
                     "--tasks", "AS,TL,AC"])  # fmt: skip
    assert code == 1 and (tmp_path / "qa.failures.jsonl").is_file()
    assert "1 failed requests" in capsys.readouterr().out
