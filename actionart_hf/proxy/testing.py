"""A small, real OpenAI-compatible HTTP server for tests, benchmarks and dry runs of the proxy pipelines.

It answers `POST /v1/chat/completions` (and `GET /v1/models`) over real sockets on 127.0.0.1 with a
`ThreadingHTTPServer`, so [`OpenAITeacher`] is exercised end to end through [`actionart_hf.inference.OpenAIClient`]
— no mocked client. Answers are deterministic functions of the request ([`simulated_teacher`] by default: it
plays a competent teacher for each prompt of `actionart_hf/proxy/prompts/`), optionally after a fixed delay.
The server counts requests, remembers how often each request body was answered, can hold requests behind a gate
(to kill a client mid-build), and never logs the Authorization header.

    python -m actionart_hf.proxy.testing --port 8011 --delay-ms 200     # serve until Ctrl-C
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


Responder = Callable[[dict], str]

UNIT_VOCABULARY = (
    "raise right arm",
    "raise left arm",
    "wave right hand",
    "squat down",
    "step to the left",
    "step to the right",
    "bend over",
    "jump up",
    "clap hands",
    "kick right leg",
)


def _texts(payload: dict) -> str:
    parts = []
    for message in payload.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [p.get("text", "") for p in content if p.get("type") == "text"]
    return "\n".join(parts)


def _image_digests(payload: dict) -> list[str]:
    digests = []
    for message in payload.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                if part.get("type") == "image_url":
                    url = part["image_url"]["url"]
                    data = base64.b64decode(url.split(",", 1)[1]) if url.startswith("data:") else url.encode()
                    digests.append(hashlib.sha256(data).hexdigest())
    return digests


def request_digest(payload: dict) -> str:
    """A stable digest of a chat request (messages, images and settings) for counting repeated calls."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def _pose_questions(text: str, seed: int) -> list[dict]:
    from .pose_mcq import MOMENTS, POSE_TASKS, oracle_pose_questions, synthetic_pose_vocabularies

    found = {moment: re.search(rf"^- {phrase}: (.+)$", text, flags=re.M) for moment, phrase in MOMENTS.items()}
    sentences = {moment: match[1] for moment, match in found.items() if match}
    tasks = [t for t in POSE_TASKS if re.search(rf"^\s*- {t}:", text, flags=re.M)]
    questions = oracle_pose_questions(sentences, synthetic_pose_vocabularies(), tasks, seed=seed)
    guess = ["standing", "kneeling", "squatting", "sitting on the floor"]
    return questions or [{"task": "GS", "question": f"{MOMENTS['start']}, what is the person's posture?",
                          "options": guess, "answer": "A"}]  # fmt: skip


def simulated_teacher(payload: dict) -> str:
    """Deterministic answers shaped like a good teacher's, chosen from the prompt text.

    - question writing (`fgqa_mcq`): questions from the numbered action list in the prompt, via the oracle
      templates (so they pass the validator);
    - spatial questions (`caption_pose_mcq`): the oracle's templates on the pose sentences in the prompt, or, when
      they state no known phrase, a guess ("standing") that the validator must reject;
    - caption events (`caption_events`): the caption's sentences/clauses as events;
    - unit labels: a label from `UNIT_VOCABULARY` picked by the image bytes;
    - anything else (pose description, spatial difference): a sentence naming the image digests.
    """
    from .labels import LabelSpan
    from .mcq_templates import oracle_questions

    text = _texts(payload)
    digests = _image_digests(payload)
    seed = int(request_digest(payload)[:8], 16)
    if '"questions"' in text and "pose at the start or at the end" in text:
        return json.dumps({"questions": _pose_questions(text, seed)})
    if '"questions"' in text:
        events = []
        for m in re.finditer(r"^\s*\d+\.\s+(?:([\d.]+)-([\d.]+) s: )?(.+?)(?: \((\d+) times\))?$", text, flags=re.M):
            start = float(m[1]) if m[1] else len(events)
            end = float(m[2]) if m[2] else len(events) + 1.0
            events.append(LabelSpan(m[3].strip(), start, end, int(m[4] or 1)))
        timed = bool(events) and " s: " in text
        tasks = [t for t in ("AS", "TL", "AC", "AR", "HOI", "MV") if re.search(rf"^\s*- {t}:", text, flags=re.M)]
        return json.dumps({"questions": oracle_questions(events, tasks or ["AS"], seed=seed, timed=timed)})
    if '"events"' in text:
        caption = text.split("description of a video of one person:", 1)[-1].split("List the person", 1)[0]
        clauses = [c.strip(" .,\n") for c in re.split(r"\.|,? then |;", caption) if c.strip(" .,\n")]
        return json.dumps({"events": clauses[:12]})
    if len(digests) == 2 and "fine-grained action" in text:
        return UNIT_VOCABULARY[int(digests[0][:8], 16) % len(UNIT_VOCABULARY)]
    return f"The person holds a pose ({', '.join(d[:8] for d in digests) or 'no image'})."


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection per client thread
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall

    def log_message(self, format, *args):  # quiet, and never logs headers (the API key)
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self._send(200, {"object": "list", "data": [{"id": self.server.model_name, "object": "model"}]})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self):
        server: ChatCompletionServer = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            self._send(400, {"error": {"message": "body is not JSON"}})
            return
        digest = request_digest(payload)
        with server.lock:
            server.received += 1
            server.authorizations.add(self.headers.get("Authorization", ""))
            epoch = server.epoch
        server.gate.wait()
        with server.lock:
            dropped = server.epoch != epoch  # held while its client was killed: never answered
            server.answering += not dropped
        if dropped:
            self._send(503, {"error": {"message": "dropped"}})
            return
        status, content = server.fail_statuses.pop(0) if server.fail_statuses else 200, None
        try:
            if server.delay_s:
                time.sleep(server.delay_s)
            if status == 200:
                content = server.responder(payload)
        finally:
            with server.lock:  # counted before sending, so a client that has its answer sees it counted
                server.answering -= 1
                if content is not None:
                    server.answered[digest] += 1
        if content is None:
            self._send(status, {"error": {"message": f"scripted failure {status}"}})
            return
        self._send(
            200,
            {
                "id": f"chatcmpl-{digest[:12]}",
                "object": "chat.completion",
                "created": 0,
                "model": payload.get("model") or self.server.model_name,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            },
        )


class _ThreadingServer(ThreadingHTTPServer):
    request_queue_size = 256  # 64 clients connecting at once must not overflow the listen backlog
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client killed mid-request is expected in tests
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class ChatCompletionServer:
    """A threaded OpenAI-compatible server on 127.0.0.1 (a free port unless `port` is given).

    Args:
        responder (`Callable[[dict], str]`, *optional*): request payload → answer text; [`simulated_teacher`]
            by default.
        delay_s (`float`, *optional*, defaults to 0): fixed latency added to every answer.
        port (`int`, *optional*, defaults to 0): 0 picks a free port.
        model_name (`str`, *optional*): name listed by `/v1/models`.

    Attributes:
        received (`int`): requests received. `answered` (`Counter`): answers sent per request digest.
            `answering` (`int`): requests past the gate whose answer is not counted yet.
        gate (`threading.Event`): cleared, requests wait before answering (set by default); `release_held()`
            opens it and drops the waiting requests unanswered.
        fail_statuses (`list[int]`): HTTP statuses to answer the next requests with, in order (e.g. `[503]`).
        authorizations (`set[str]`): Authorization headers seen (to test key handling; never printed).

    Use as a context manager; `base_url` is `http://127.0.0.1:<port>/v1`.
    """

    def __init__(self, responder: Responder | None = None, delay_s: float = 0.0, port: int = 0, model_name="sim"):
        self.responder = responder or simulated_teacher
        self.delay_s = delay_s
        self.lock = threading.Lock()
        self.received = 0
        self.answered: Counter[str] = Counter()
        self.answering = 0
        self.authorizations: set[str] = set()
        self.fail_statuses: list[int] = []
        self.gate = threading.Event()
        self.gate.set()
        self.epoch = 0
        self.httpd = _ThreadingServer(("127.0.0.1", port), _Handler)
        self.httpd.owner = self
        self.httpd.model_name = model_name
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="chat-server", daemon=True
        )

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def answered_total(self) -> int:
        return sum(self.answered.values())

    def release_held(self) -> None:
        """Opens the gate, answering the requests held behind it with 503 (their clients are gone)."""
        with self.lock:
            self.epoch += 1
        self.gate.set()

    def start(self) -> ChatCompletionServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ChatCompletionServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


__all__ = ["UNIT_VOCABULARY", "ChatCompletionServer", "request_digest", "simulated_teacher"]


if __name__ == "__main__":
    from .cli import make_server_parser, serve_main

    raise SystemExit(serve_main(make_server_parser().parse_args()))
