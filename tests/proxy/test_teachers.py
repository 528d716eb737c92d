"""Teachers over real transports: OpenAITeacher against a real HTTP server on 127.0.0.1 (through
actionart_hf.inference.OpenAIClient, no mocks), TransformersTeacher with a tiny random LLaVA saved offline."""

import base64
import json
import logging

import numpy as np
import pytest

from actionart_hf.proxy.cache import CallCache, CallRunner, TeacherRequest
from actionart_hf.proxy.prompts import PROMPT_NAMES, load_prompt
from actionart_hf.proxy.sources import png_bytes
from actionart_hf.proxy.teachers import GenerationSettings, OpenAITeacher, TeacherError, TransformersTeacher


IMAGE = png_bytes(np.full((6, 8, 3), 200, dtype=np.uint8))
MESSAGES = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe the pose."}]}]


def recording(seen):
    def responder(payload):
        seen.append(payload)
        return "The person stands."

    return responder


def test_openai_teacher_sends_data_urls_settings_and_the_key(chat_server, monkeypatch, caplog):
    seen = []
    server = chat_server(responder=recording(seen))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret")
    with caplog.at_level(logging.DEBUG):
        teacher = OpenAITeacher(server.base_url, model="qwen-vl")
        answer = teacher.generate(MESSAGES, [IMAGE], GenerationSettings(max_new_tokens=33, temperature=0.5, seed=4))
    assert answer == "The person stands."
    payload = seen[0]
    assert payload["model"] == "qwen-vl" and payload["max_tokens"] == 33 and payload["seed"] == 4
    assert payload["temperature"] == 0.5
    image_part, text_part = payload["messages"][0]["content"]
    assert text_part == {"type": "text", "text": "Describe the pose."}
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,") and base64.b64decode(url.split(",", 1)[1]) == IMAGE
    assert server.authorizations == {"Bearer sk-test-secret"}
    assert "sk-test-secret" not in caplog.text and "sk-test-secret" not in repr(teacher)
    assert "OPENAI_API_KEY" in caplog.text and teacher.id == "openai:qwen-vl"


def test_openai_teacher_never_sends_a_stored_token(chat_server, monkeypatch):
    server = chat_server()
    for name in ("OPENAI_API_KEY", "HF_TOKEN", "MY_KEY"):
        monkeypatch.delenv(name, raising=False)
    OpenAITeacher(server.base_url).generate(MESSAGES, [IMAGE], GenerationSettings())
    assert server.authorizations == {"Bearer EMPTY"}
    monkeypatch.setenv("MY_KEY", "k2")
    OpenAITeacher(server.base_url, api_key_envs=("MY_KEY",)).generate(MESSAGES, [IMAGE], GenerationSettings())
    assert "Bearer k2" in server.authorizations


def test_openai_errors_are_classified_and_retried(chat_server, tmp_path):
    server = chat_server()
    teacher = OpenAITeacher(server.base_url)
    server.fail_statuses = [503, 429]
    requests = [TeacherRequest("r0", "pose_description", "p.v1", MESSAGES, (IMAGE,))]
    result = CallRunner(teacher, CallCache(tmp_path), retries=3, backoff_s=0.01).run(requests)[0]
    assert result.ok and result.attempts == 3
    server.fail_statuses = [400]
    with pytest.raises(TeacherError, match="HTTP 400") as info:
        teacher.generate(MESSAGES, [IMAGE], GenerationSettings())
    assert not info.value.retryable
    with pytest.raises(TeacherError) as info:  # nothing listens there
        OpenAITeacher("http://127.0.0.1:9/v1").generate(MESSAGES, [IMAGE], GenerationSettings(), timeout=2)
    assert info.value.retryable
    with pytest.raises(ValueError, match="placeholder"):
        teacher.generate(MESSAGES, [], GenerationSettings())
    with pytest.raises(ValueError, match="http"):
        OpenAITeacher("127.0.0.1:8000")


def test_per_call_timeout(chat_server, tmp_path):
    server = chat_server(delay_s=1.5)
    teacher = OpenAITeacher(server.base_url)
    runner = CallRunner(teacher, CallCache(tmp_path), retries=1, backoff_s=0.01, timeout_s=0.3)
    result = runner.run([TeacherRequest("slow", "pose_description", "p.v1", MESSAGES, (IMAGE,))])[0]
    assert not result.ok and "timed out" in result.error and result.attempts == 2


def test_offline_mode_does_not_block_a_local_server(chat_server, monkeypatch):
    import huggingface_hub.constants

    server = chat_server(responder=recording([]))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    assert OpenAITeacher(server.base_url).generate(MESSAGES, [IMAGE], GenerationSettings()) == "The person stands."


def test_models_route_and_digest_counting(chat_server):
    import urllib.request

    server = chat_server()
    with urllib.request.urlopen(f"{server.base_url}/models") as response:
        assert json.loads(response.read())["data"][0]["id"] == "sim"
    teacher = OpenAITeacher(server.base_url)
    for _ in range(2):
        teacher.generate(MESSAGES, [IMAGE], GenerationSettings())
    assert server.received == 2 and list(server.answered.values()) == [2]


def test_transformers_teacher_runs_a_local_model(tiny_llava):
    teacher = TransformersTeacher(str(tiny_llava), device="cpu", dtype="float32")
    assert teacher.id == f"transformers:{tiny_llava}" and teacher.max_concurrency == 1
    greedy = teacher.generate(MESSAGES, [IMAGE], GenerationSettings(max_new_tokens=4))
    assert isinstance(greedy, str)
    assert greedy == teacher.generate(MESSAGES, [IMAGE], GenerationSettings(max_new_tokens=4))  # deterministic
    sampled = teacher.generate(MESSAGES, [IMAGE], GenerationSettings(max_new_tokens=4, temperature=1.0), timeout=10)
    assert isinstance(sampled, str)
    two = [{"role": "user", "content": [{"type": "image"}, {"type": "image"}, {"type": "text", "text": "diff"}]}]
    assert isinstance(teacher.generate(two, [IMAGE, IMAGE], GenerationSettings(max_new_tokens=2)), str)


def test_prompts_are_versioned_files(tmp_path):
    for name in PROMPT_NAMES:
        prompt = load_prompt(name)
        assert prompt.tag == f"{name}.v1" and prompt.teacher.strip()
    assert "\n" not in load_prompt("pose_description").student
    assert set(load_prompt("fgqa_mcq").extra["task_hints"]) == {"AS", "TL", "AC", "AR", "HOI", "MV"}
    assert set(load_prompt("caption_pose_mcq").extra["task_hints"]) == {"GS", "LS"}
    (tmp_path / "pose_description.v1.yaml").write_text("teacher: old\n")
    (tmp_path / "pose_description.v2.yaml").write_text("teacher: new\nstudent: s\n")
    assert load_prompt("pose_description", directory=tmp_path).teacher == "new"
    assert load_prompt("pose_description", version=1, directory=tmp_path).tag == "pose_description.v1"
    with pytest.raises(ValueError, match="no version 3"):
        load_prompt("pose_description", version=3, directory=tmp_path)
    with pytest.raises(ValueError, match="No prompt file"):
        load_prompt("nothing")
