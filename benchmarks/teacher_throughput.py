"""Teacher-call throughput of the proxy pipelines: `CallRunner` + `OpenAITeacher` against a local server.

    python benchmarks/teacher_throughput.py                # writes benchmarks/results/teacher_throughput.json
    python benchmarks/teacher_throughput.py --delay-ms 200 --rounds 10

The server (`python -m actionart_hf.proxy.testing`, a threaded OpenAI-compatible server in its own process)
answers every request after a fixed delay, like a remote model with constant latency. Each level sends
`rounds × concurrency` distinct requests (a 32×32 PNG as a data URL plus text) through the full path used by the
builders — cache lookup, `actionart_hf.inference.OpenAIClient`, retries wrapper, atomic fsync'ed cache write — with
`workers = concurrency`. The ideal is `concurrency / delay` calls/s; the target is ≥ 80% of it up to 16. The
cache-hit path replays the 16-worker requests from the filled cache (no network).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np


ROOT = Path(__file__).resolve().parents[1]
LEVELS = (1, 4, 16, 64)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(delay_ms: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "actionart_hf.proxy.testing", "--port", str(port), "--delay-ms", str(delay_ms)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base_url}/models", timeout=1).read()
            return process, base_url
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the benchmark server did not start")


def make_requests(tag: str, count: int):
    from actionart_hf.proxy.cache import TeacherRequest
    from actionart_hf.proxy.sources import png_bytes

    image = png_bytes(np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8))
    requests = []
    for i in range(count):
        content = [{"type": "image"}, {"type": "text", "text": f"Describe the pose. ({tag} #{i})"}]
        messages = [{"role": "user", "content": content}]
        requests.append(TeacherRequest(f"{tag}-{i}", "pose_description", "bench.v1", messages, (image,)))
    return requests


def timed_run(runner, requests) -> float:
    start = time.perf_counter()
    results = runner.run(requests, desc="bench")
    elapsed = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"{len(failed)} benchmark calls failed: {failed[0].error}")
    return elapsed


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay-ms", type=float, default=200.0, help="server latency per call (default 200)")
    parser.add_argument("--rounds", type=int, default=8, help="calls per worker at each level (default 8)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "teacher_throughput.json")
    args = parser.parse_args(argv)
    from actionart_hf.proxy.cache import CallCache, CallRunner
    from actionart_hf.proxy.teachers import OpenAITeacher

    delay = args.delay_ms / 1000
    process, base_url = start_server(args.delay_ms)
    rows = []
    try:
        teacher = OpenAITeacher(base_url, model="bench")
        with tempfile.TemporaryDirectory(prefix="teacher-bench-") as tmp:
            warm = CallRunner(teacher, CallCache(Path(tmp) / "warm"), workers=4)
            timed_run(warm, make_requests("warm", 8))  # imports, first connections
            hit_requests, hit_cache = None, None
            for concurrency in LEVELS:
                cache = CallCache(Path(tmp) / f"c{concurrency}")
                runner = CallRunner(teacher, cache, workers=concurrency, timeout_s=30)
                requests = make_requests(f"c{concurrency}", args.rounds * concurrency)
                elapsed = timed_run(runner, requests)
                ideal = concurrency / delay
                rows.append(
                    {
                        "path": "teacher call",
                        "concurrency": concurrency,
                        "calls": len(requests),
                        "seconds": round(elapsed, 3),
                        "calls_per_s": round(len(requests) / elapsed, 2),
                        "ideal_calls_per_s": round(ideal, 2),
                        "efficiency": round(len(requests) / elapsed / ideal, 3),
                    }
                )
                if concurrency == 16:
                    hit_requests, hit_cache = requests, cache
            runner = CallRunner(teacher, hit_cache, workers=16)
            elapsed = timed_run(runner, hit_requests)
            assert runner.calls_made == 0
            rows.append(
                {
                    "path": "cache hit",
                    "concurrency": 16,
                    "calls": len(hit_requests),
                    "seconds": round(elapsed, 4),
                    "calls_per_s": round(len(hit_requests) / elapsed, 1),
                    "ideal_calls_per_s": None,
                    "efficiency": None,
                }
            )
    finally:
        process.terminate()
        process.wait()
    in_target = [r for r in rows if r["path"] == "teacher call" and r["concurrency"] <= 16]
    result = {
        "benchmark": "teacher_throughput",
        "delay_ms": args.delay_ms,
        "rounds": args.rounds,
        "target": "calls/s >= 0.8 * concurrency / delay for concurrency <= 16",
        "target_met": all(r["efficiency"] >= 0.8 for r in in_target),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(markdown_table(result))
    print(f"\nwrote {args.out}")
    return result


def markdown_table(result: dict) -> str:
    lines = [
        f"| path | workers | calls | calls/s | ideal ({result['delay_ms']:g} ms delay) | efficiency |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        ideal = "-" if r["ideal_calls_per_s"] is None else f"{r['ideal_calls_per_s']:g}"
        efficiency = "-" if r["efficiency"] is None else f"{100 * r['efficiency']:.0f}%"
        lines.append(
            f"| {r['path']} | {r['concurrency']} | {r['calls']} | {r['calls_per_s']:g} | {ideal} | {efficiency} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
