"""Fixtures of the evaluation tests: a tiny ActionArt-layout dataset with real videos, a scripted backend whose answers
are known per question, and a real OpenAI-compatible HTTP server on 127.0.0.1.

The scripted answers give these hand-computed scores on `tiny_benchmark` (10 questions, all 8 sub-tasks):

- plain: 8/10 right (q6 wrong, q7 unanswered), answered 9/10; per task AC AR AS GS HOI LS = 1, MV = 0.5, TL = 0;
  macro = 6.5/8.
- circular: q9 is answered "A" in every rotation, right only in the original order: 7/10, MV = 0, macro = 6/8.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from actionart_hf.evaluation.backends import EvalBackend, Query
from actionart_hf.tasks import TASK_CODES


# (id, video, task, question, options, answer)
QUESTIONS = [
    ("q0", 0, "AC", "How many times does the person wave?", ["2", "3", "4", "5"], "B"),
    ("q1", 0, "AR", "What does the right hand do?", ["wave", "clap", "point"], "A"),
    ("q2", 1, "AS", "What happens first?", ["raise the arm, then squat", "squat, then raise the arm"], "B"),
    ("q3", 1, "GS", "What is the posture at the end?", ["standing", "sitting", "lying down", "squatting"], "D"),
    ("q4", 2, "HOI", "What does the person do with the ball?", ["throws it", "kicks it", "picks it up"], "C"),
    (
        "q5",
        2,
        "LS",
        "Where is the left hand at the end?",
        ["above the head", "at the waist", "below the hips", "at the shoulder", "behind the back"],
        "A",
    ),
    ("q6", 3, "MV", "Which way does the person walk?", ["left", "right", "forward", "backward"], "C"),
    ("q7", 3, "TL", "When does the person squat?", ["at the start", "in the middle", "at the end"], "B"),
    ("q8", 0, "AC", "How many claps are there?", ["1", "2", "3"], "A"),
    ("q9", 1, "MV", "Which way does the arm move?", ["up", "down"], "A"),
]
TRUTH = {question: options["ABCDEF".index(answer)] for _, _, _, question, options, answer in QUESTIONS}
VIDEO_FRAMES = (8, 8, 8, 3)  # the last video is shorter than the frames asked for, so batches mix frame counts

EXPECTED_PLAIN = {"accuracy": 0.8, "macro_accuracy": 6.5 / 8, "answered_rate": 0.9, "num_questions": 10}
EXPECTED_PLAIN_TASKS = {"AC": 1.0, "AR": 1.0, "AS": 1.0, "GS": 1.0, "HOI": 1.0, "LS": 1.0, "MV": 0.5, "TL": 0.0}
EXPECTED_CIRCULAR = {"accuracy": 0.7, "macro_accuracy": 6 / 8, "num_questions": 10, "MV": 0.0}


def scripted_answer(prompt: str) -> str:
    """The answer the scripted model gives to an MCQ prompt (question line, `A. ...` option lines, instruction)."""
    lines = prompt.splitlines()
    question = lines[0]
    options = {m[2]: m[1] for line in lines if (m := re.match(r"^([A-F])\. (.*)$", line))}
    if question.startswith("Which way does the person walk"):
        return "A"
    if question.startswith("When does the person squat"):
        return "Sorry, none of them."
    if question.startswith("How many claps"):
        return TRUTH[question]  # the option text, not the letter
    if question.startswith("Which way does the arm move"):
        return "A"
    return f"The answer is ({options[TRUTH[question]]})."


def _frames(seed: int, num_frames: int) -> np.ndarray:
    frames = np.zeros((num_frames, 32, 48, 3), dtype=np.uint8)
    for t in range(num_frames):
        frames[t, :, :, seed % 3] = 60 + 20 * t
        frames[t, 4 + t : 12 + t, 8 * seed : 8 * seed + 8] = 250
    return frames


def build_tiny_benchmark(root) -> None:
    """Writes a Hub-layout folder (`data/qa/test-*.parquet`, `videos/`, README) to `root`."""
    import datasets

    from actionart_hf.data.hub_folder import write_dataset_card, write_split
    from actionart_hf.data.schemas import QA_FEATURES
    from actionart_hf.video import write_video

    (root / "videos").mkdir(parents=True)
    for index, num_frames in enumerate(VIDEO_FRAMES):
        write_video(root / "videos" / f"v{index}.mp4", _frames(index, num_frames), fps=8)
    rows = [
        {
            "id": qid,
            "video_id": f"v{video}",
            "video": f"videos/v{video}.mp4",
            "task": TASK_CODES.index(task),
            "question": question,
            "options": options,
            "answer": answer,
        }
        for qid, video, task, question, options, answer in QUESTIONS
    ]
    write_split(root, "qa", "test", datasets.Dataset.from_list(rows, features=QA_FEATURES))
    write_dataset_card(root, pretty_name="Tiny ActionArt", summary="Ten questions for the evaluation tests.")


@pytest.fixture(scope="session")
def tiny_benchmark(tmp_path_factory):
    root = tmp_path_factory.mktemp("benchmark") / "TinyActionArt"
    build_tiny_benchmark(root)
    return root


class ScriptedBackend(EvalBackend):
    """Answers with `scripted_answer`; records what it was asked; can fail after a number of questions."""

    name = "scripted"

    def __init__(self, fail_after: int | None = None):
        self.asked: list[Query] = []
        self.fail_after = fail_after

    def describe(self):
        return {"backend": self.name, "model": "scripted-model"}

    def generate(self, queries):
        if self.fail_after is not None and len(self.asked) + len(queries) > self.fail_after:
            raise RuntimeError("scripted crash")
        self.asked += list(queries)
        return [scripted_answer(q.prompt) for q in queries]


class ChatServer:
    """A real OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 answering with `scripted_answer`.

    Attributes:
        requests (`list[dict]`): `{"question", "images", "model", "max_tokens"}` of each request, in arrival order.
        authorizations (`list[str]`): the Authorization header of each request ("" when absent).
        gate (`threading.Event`): requests wait on it before answering (set by default).
        hold_after (`int` or `None`): from that many requests on, clear the gate (to kill a client mid-run).
        fail_statuses (`list[int]`): HTTP statuses to answer the next requests with (e.g. `[503]`).
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.authorizations: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.hold_after: int | None = None
        self.fail_statuses: list[int] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet; never prints headers
                pass

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if self.path != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                parts = payload["messages"][-1]["content"]
                prompt = "\n".join(p["text"] for p in parts if p["type"] == "text")
                images = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
                with owner.lock:
                    owner.requests.append(
                        {
                            "question": prompt.splitlines()[0],
                            "images": len(images),
                            "image_prefixes": sorted({url.split(",", 1)[0] for url in images}),
                            "model": payload.get("model"),
                            "max_tokens": payload.get("max_tokens"),
                        }
                    )
                    owner.authorizations.append(self.headers.get("Authorization", ""))
                    if owner.hold_after is not None and len(owner.requests) > owner.hold_after:
                        owner.gate.clear()
                    status = owner.fail_statuses.pop(0) if owner.fail_statuses else 200
                owner.gate.wait()
                if status != 200:
                    self._send(status, {"error": {"message": f"scripted failure {status}"}})
                    return
                message = {"role": "assistant", "content": scripted_answer(prompt)}
                self._send(200, {"object": "chat.completion", "choices": [{"index": 0, "message": message}]})

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server():
    with ChatServer() as server:
        yield server


class _Scripted:
    """What the tests need from this module, handed out by the `scripted` fixture."""

    Backend = ScriptedBackend
    answer = staticmethod(scripted_answer)
    questions = QUESTIONS
    plain = EXPECTED_PLAIN
    plain_tasks = EXPECTED_PLAIN_TASKS
    circular = EXPECTED_CIRCULAR


@pytest.fixture
def scripted():
    return _Scripted
