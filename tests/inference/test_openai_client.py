"""The shared OpenAI-compatible client against a real HTTP server on 127.0.0.1 (no mocks)."""

import logging
import time

import pytest

from actionart_hf.inference import OpenAIClient, ServerError, image_data_url, to_openai_messages
from actionart_hf.proxy.testing import ChatCompletionServer


def echo(payload: dict) -> str:
    return payload["messages"][0]["content"][-1]["text"]


def ask(text: str) -> dict:
    return {"messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]}


def test_pool_keeps_order_retries_and_hides_the_key(monkeypatch, caplog):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # not huggingface_hub: a local server stays reachable
    monkeypatch.setenv("MY_KEY", "sk-secret-123")
    with ChatCompletionServer(responder=echo) as server:
        server.fail_statuses = [503, 429]
        with caplog.at_level(logging.DEBUG):
            client = OpenAIClient(server.base_url, api_key_envs=("MY_KEY",), retry_delay_s=0.01, concurrency=3)
            answers = client.complete_all(ask(str(i)) for i in range(7))
        assert answers == [str(i) for i in range(7)]
        assert server.received == 9 and server.authorizations == {"Bearer sk-secret-123"}
        assert "sk-secret-123" not in caplog.text + repr(client) and "$MY_KEY" in caplog.text
        server.fail_statuses = [400]
        with pytest.raises(ServerError, match="answered HTTP 400") as info:
            client.complete(ask("x"))
        assert info.value.status == 400 and not info.value.retryable and server.received == 10


def test_timeout_unreachable_and_placeholders():
    with ChatCompletionServer(responder=echo, delay_s=1.0) as server:
        start = time.perf_counter()
        with pytest.raises(ServerError, match="timed out after 0.2 s"):
            OpenAIClient(server.base_url, max_retries=0).complete(ask("slow"), timeout_s=0.2)
        assert time.perf_counter() - start < 1.0
    with pytest.raises(ServerError, match="could not be reached") as info:
        OpenAIClient("http://127.0.0.1:9/v1", max_retries=0, timeout_s=2).complete(ask("x"))
    assert info.value.retryable
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "video"}, {"type": "text", "text": "q"}]}]
    frames = [{"type": "image_url", "image_url": {"url": "f0"}}, {"type": "image_url", "image_url": {"url": "f1"}}]
    (converted,) = to_openai_messages(messages, images=[image_data_url(b"png")], videos=[frames])
    assert [p["type"] for p in converted["content"]] == ["image_url", "image_url", "image_url", "text"]
    assert converted["content"][0]["image_url"]["url"] == "data:image/png;base64,cG5n"
    with pytest.raises(ValueError, match="1 video placeholder"):
        to_openai_messages(messages, images=["u"])
