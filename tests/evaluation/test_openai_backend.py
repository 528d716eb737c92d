"""The openai backend against a real OpenAI-compatible HTTP server on 127.0.0.1 (no mocked client), and a real kill
of `actionart-hf eval` in the middle of a run."""

import json
import logging
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from actionart_hf.evaluation import evaluate_model
from actionart_hf.evaluation.backends import Query, detect_backend
from actionart_hf.evaluation.backends.openai_backend import OpenAIBackend, query_to_openai_messages


SECRET = "sk-test-not-a-real-key-1234"


def test_end_to_end_over_http(tiny_benchmark, tmp_path, chat_server, scripted, monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    out = tmp_path / "openai"
    with caplog.at_level(logging.DEBUG):
        result = evaluate_model(
            "tiny-vlm",
            str(tiny_benchmark),
            backend="openai",
            backend_kwargs={"base_url": chat_server.base_url, "concurrency": 3, "max_new_tokens": 12},
            output_dir=out,
            num_frames=4,
            batch_size=4,
            bootstrap_samples=0,
            progress=False,
        )
    for key, value in {**scripted.plain, **scripted.plain_tasks}.items():
        assert result.metrics[key] == pytest.approx(value), key
    assert len(chat_server.requests) == 10
    assert sorted(r["images"] for r in chat_server.requests) == [3, 3] + [4] * 8  # the short video has 3 frames
    assert {tuple(r["image_prefixes"]) for r in chat_server.requests} == {("data:image/jpeg;base64",)}
    assert {r["model"] for r in chat_server.requests} == {"tiny-vlm"}
    assert {r["max_tokens"] for r in chat_server.requests} == {12}
    assert set(chat_server.authorizations) == {f"Bearer {SECRET}"}
    # The key is sent, never written or logged.
    for path in out.iterdir():
        if path.suffix != ".png":
            assert SECRET not in path.read_text(), path.name
    assert SECRET not in caplog.text
    run = json.loads((out / "run.json").read_text())
    assert run["backend"]["base_url"] == chat_server.base_url and "api_key" not in json.dumps(run).lower()


def test_url_as_model_no_key_and_retries(chat_server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend = OpenAIBackend(chat_server.base_url, retry_delay_s=0.01, max_retries=2)
    assert backend.model is None and detect_backend(chat_server.base_url) == "openai"
    query = Query(
        "q",
        [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "What?\nA. x\nB. y"}]}],
        "What?\nA. x\nB. y",
        "v.mp4",
        np.zeros((2, 8, 8, 3), dtype=np.uint8),
    )
    chat_server.fail_statuses = [400]
    with pytest.raises(RuntimeError, match="answered HTTP 400: .*scripted failure 400"):
        backend.generate([query])
    assert chat_server.authorizations == [""]  # no key: no Authorization header
    assert "sk-" not in repr(backend)


def test_retries_then_answers(chat_server, tiny_benchmark, scripted, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    chat_server.fail_statuses = [503, 429]
    result = evaluate_model(
        "m",
        str(tiny_benchmark),
        backend="openai",
        backend_kwargs={"base_url": chat_server.base_url, "concurrency": 1, "retry_delay_s": 0.01},
        num_frames=2,
        limit=2,
        bootstrap_samples=0,
        progress=False,
    )
    assert result.metrics["accuracy"] == 1.0
    assert len(chat_server.requests) == 4  # two failures, then one answer per question


def test_unreachable_server_and_bad_arguments(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ValueError, match="needs the server: pass --base-url"):
        OpenAIBackend("gpt-4o")
    with pytest.raises(ValueError, match="must start with http"):
        OpenAIBackend("gpt-4o", base_url="127.0.0.1:8000")
    backend = OpenAIBackend("m", base_url="http://127.0.0.1:9/v1", max_retries=0, timeout_s=2)
    query = Query(
        "q", [{"role": "user", "content": [{"type": "text", "text": "hi"}]}], "hi", "v", np.zeros((0, 1, 1, 3))
    )
    with pytest.raises(RuntimeError, match="could not be reached"):
        backend.generate([query])


def test_messages_with_timestamps():
    frames = np.full((2, 4, 4, 3), 128, dtype=np.uint8)
    query = Query(
        "q",
        [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "Q"}]}],
        "Q",
        "v",
        frames,
        np.array([0.0, 1.5]),
    )
    (message,) = query_to_openai_messages(query, image_format="png", with_timestamps=True)
    kinds = [p["type"] for p in message["content"]]
    assert kinds == ["text", "image_url", "text", "image_url", "text"]
    assert message["content"][2]["text"] == "Frame at 1.5 s:"
    assert message["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_killed_cli_run_resumes_without_asking_again(tiny_benchmark, tmp_path, chat_server, scripted):
    """`actionart-hf eval` is SIGKILLed while the server holds its 5th request; the rerun asks only the rest."""
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "actionart_hf.cli",
        "eval",
        "--backend",
        "openai",
        "--model",
        "tiny-vlm",
        "--base-url",
        chat_server.base_url,
        "--dataset",
        str(tiny_benchmark),
        "--output-dir",
        str(out),
        "--num-frames",
        "2",
        "--bootstrap",
        "0",
        "--concurrency",
        "1",
        "--no-plot",
    ]
    env = {**os.environ, "OPENAI_API_KEY": ""}
    chat_server.hold_after = 4
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while len(chat_server.requests) < 5 and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert len(chat_server.requests) == 5, process.communicate()[1].decode()[-2000:]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    answered = [json.loads(line)["id"] for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert answered == ["q0", "q1", "q2", "q3"]

    chat_server.hold_after = None
    chat_server.gate.set()
    before = len(chat_server.requests)
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    asked_again = [r["question"] for r in chat_server.requests[before:]]
    questions = {q[3]: q[0] for q in scripted.questions}
    assert [questions[q] for q in asked_again] == ["q4", "q5", "q6", "q7", "q8", "q9"]
    assert "| **tiny-vlm** | **100.0** |" in rerun.stdout and "accuracy 80.0%" in rerun.stdout
    assert "| Human (10%) |" in rerun.stdout
    metrics = json.loads((out / "metrics.json").read_text())["metrics"]
    assert metrics["accuracy"] == pytest.approx(0.8)
