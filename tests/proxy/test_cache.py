"""The call cache and the runner: keys, atomic files, retries with back-off, malformed answers, bounded concurrency."""

import json
import threading
import time

import pytest

from actionart_hf.proxy.cache import (
    CallCache,
    CallRunner,
    TeacherRequest,
    call_key,
    variant_settings,
    write_failure_report,
)
from actionart_hf.proxy.teachers import GenerationSettings, Teacher, TeacherError


class ScriptedTeacher(Teacher):
    """Answers from a script per row id: strings are answers, exceptions are raised; then `default`."""

    def __init__(self, script=None, default="fine", delay_s=0.0, id="scripted"):
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.default, self.delay_s, self.id = default, delay_s, id
        self.calls, self.settings_seen = [], []
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()

    def generate(self, messages, images, settings, *, context=None, timeout=None):
        row = messages[0]["content"][-1]["text"]
        with self.lock:
            self.calls.append(row)
            self.settings_seen.append((row, settings))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay_s)
            steps = self.script.get(row)
            item = steps.pop(0) if steps else self.default
            if isinstance(item, Exception):
                raise item
            return item
        finally:
            with self.lock:
                self.in_flight -= 1


def request(row: str, images=(), **kwargs) -> TeacherRequest:
    messages = [{"role": "user", "content": [*({"type": "image"} for _ in images), {"type": "text", "text": row}]}]
    return TeacherRequest(row, "pose_description", "pose_description.v1", messages, tuple(images), **kwargs)


def json_check(response, request):
    try:
        return json.loads(response), None
    except ValueError:
        return None, "bad JSON"


def test_key_covers_teacher_prompt_images_settings():
    teacher = ScriptedTeacher()
    base = call_key(teacher, request("a", [b"img"]))
    assert base == call_key(teacher, request("a", [b"img"]))
    assert base != call_key(ScriptedTeacher(id="other"), request("a", [b"img"]))
    assert base != call_key(teacher, request("a", [b"img2"]))
    assert base != call_key(teacher, request("b", [b"img"]))
    assert base != call_key(teacher, request("a", [b"img"], settings=GenerationSettings(max_new_tokens=7)))
    assert base != call_key(teacher, request("a", [b"img"]), variant=1)
    changed_prompt = TeacherRequest(
        "a", "pose_description", "pose_description.v2", request("a", [b"img"]).messages, (b"img",)
    )
    assert base != call_key(teacher, changed_prompt)
    # the row id and the context (unless the teacher answers from it) are not part of the key
    moved = TeacherRequest(
        "other-row", "pose_description", "pose_description.v1", request("a", [b"img"]).messages, (b"img",)
    )
    assert base == call_key(teacher, moved)
    assert base == call_key(teacher, request("a", [b"img"], context={"source_video": "x.mp4"}))
    teacher.uses_context = True
    assert call_key(teacher, request("a", context={"x": 1})) != call_key(teacher, request("a", context={"x": 2}))


def test_variant_settings_change_seed_and_sample():
    settings = GenerationSettings(seed=5)
    assert variant_settings(settings, 0) is settings
    assert variant_settings(settings, 2).seed == 7 and variant_settings(settings, 2).temperature > 0


def test_cache_files_are_atomic_and_damage_is_a_miss(tmp_path):
    cache = CallCache(tmp_path)
    key = "ab" + "0" * 62
    assert cache.get(key) is None
    cache.put(key, {"response": "hello"})
    assert cache.get(key)["response"] == "hello" and key in cache and len(cache) == 1
    assert not list(tmp_path.rglob("*.tmp"))
    (tmp_path / "ab" / ".leftover.tmp").write_text('{"response": "half')  # what a kill before rename leaves
    assert len(cache) == 1
    cache.path(key).write_text('{"response": "trunc')
    assert cache.get(key) is None


def test_runner_caches_and_resumes_without_calls(tmp_path):
    teacher = ScriptedTeacher()
    requests = [request(f"r{i}") for i in range(10)]
    runner = CallRunner(teacher, CallCache(tmp_path), workers=4)
    results = runner.run(requests)
    assert [r.request.row_id for r in results] == [f"r{i}" for i in range(10)]
    assert all(r.ok and not r.cached for r in results) and runner.calls_made == 10
    again = CallRunner(teacher, CallCache(tmp_path), workers=4)
    results = again.run(requests)
    assert all(r.ok and r.cached for r in results) and again.calls_made == 0 and len(teacher.calls) == 10


def test_errors_retry_with_backoff_then_succeed_or_are_reported(tmp_path):
    teacher = ScriptedTeacher(
        {
            "flaky": [TeacherError("503"), TeacherError("reset"), "ok"],
            "dead": [TeacherError("503")] * 10,
            "bad-request": [TeacherError("HTTP 400", retryable=False)],
        }
    )
    runner = CallRunner(teacher, CallCache(tmp_path), workers=2, retries=3, backoff_s=0.01)
    start = time.perf_counter()
    flaky, dead, bad = runner.run([request("flaky"), request("dead"), request("bad-request")])
    assert flaky.ok and flaky.response == "ok" and flaky.attempts == 3
    assert not dead.ok and dead.attempts == 4 and "503" in dead.error
    assert not bad.ok and bad.attempts == 1 and "400" in bad.error
    assert time.perf_counter() - start >= 0.01 * (1 + 2 + 4) * 0.5  # jittered exponential back-off
    report = write_failure_report(tmp_path / "failures.jsonl", [flaky, dead, bad])
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["row_id"] for r in rows] == ["dead", "bad-request"] and rows[0]["attempts"] == 4
    assert write_failure_report(tmp_path / "failures.jsonl", [flaky]) is None
    assert not (tmp_path / "failures.jsonl").exists()
    # failures are not cached: the next run tries them again, and only them
    teacher.script["dead"] = ["finally"]
    teacher.calls.clear()
    retry = CallRunner(teacher, CallCache(tmp_path), workers=2, retries=3, backoff_s=0.01)
    assert [r.ok for r in retry.run([request("flaky"), request("dead")])] == [True, True]
    assert teacher.calls == ["dead"]


def test_malformed_answers_are_cached_and_retried_as_variants(tmp_path):
    teacher = ScriptedTeacher({"q": ["", "not json", '{"ok": 1}'], "never": ["x"] * 10})
    runner = CallRunner(teacher, CallCache(tmp_path), retries=3, check=json_check)
    good, never = runner.run([request("q"), request("never")])
    assert good.ok and good.parsed == {"ok": 1} and good.variant == 2
    assert [(s.seed, s.temperature > 0) for row, s in teacher.settings_seen if row == "q"] == [
        (0, False),
        (1, True),
        (2, True),
    ]
    assert not never.ok and "malformed answer: bad JSON" in never.error
    calls = len(teacher.calls)
    resumed = CallRunner(teacher, CallCache(tmp_path), retries=3, check=json_check)
    good, never = resumed.run([request("q"), request("never")])
    assert good.ok and good.cached and good.variant == 2 and not never.ok
    assert resumed.calls_made == 0 and len(teacher.calls) == calls  # every malformed answer came from the cache


def test_concurrency_is_bounded(tmp_path):
    teacher = ScriptedTeacher(delay_s=0.03)
    runner = CallRunner(teacher, CallCache(tmp_path), workers=3)
    assert all(r.ok for r in runner.run([request(f"r{i}") for i in range(15)]))
    assert 2 <= teacher.max_in_flight <= 3
    teacher.max_concurrency = 1
    serial = ScriptedTeacher(delay_s=0.01)
    serial.max_concurrency = 1
    assert CallRunner(serial, CallCache(tmp_path / "s"), workers=8).workers == 1


def test_runner_rejects_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="workers"):
        CallRunner(ScriptedTeacher(), CallCache(tmp_path), workers=0)
    with pytest.raises(ValueError, match="retries"):
        CallRunner(ScriptedTeacher(), CallCache(tmp_path), retries=-1)
    with pytest.raises(ValueError, match="temperature"):
        GenerationSettings(temperature=-1)
