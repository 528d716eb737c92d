"""Synthetic benchmark generation speed: clips per second (64 frames, 224×224) with 1 and 2 workers.

    python benchmarks/synthetic_generation.py                      # 100 clips per run; JSON + markdown table
    python benchmarks/synthetic_generation.py --num-videos 1000    # the full 1,000-clip target (under 3 minutes)

Each run is a complete `build_synthetic_dataset` call (plan, render, encode MP4, questions, captions, then the
tables, validation and the card), timed end to end (wall clock) and in CPU seconds of the process and its workers.
On a machine shared with other jobs the wall clock mostly measures the others; CPU seconds / workers is what the
run takes on otherwise idle cores. The per-clip stages are also timed (CPU) in one process on a few clips.
Results go to benchmarks/results/synthetic_generation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from actionart_hf.synthetic import (
    SynthConfig,
    build_synthetic_dataset,
    candidate_questions,
    caption_clip,
    derive_seed,
    generate_clip,
)
from actionart_hf.synthetic.dataset import ENCODER_OPTIONS
from actionart_hf.video import write_video


ROOT = Path(__file__).resolve().parents[1]
TARGET_CLIPS, TARGET_SECONDS = 1000, 180.0


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def stage_times(config: SynthConfig, clips: int, folder: Path) -> dict[str, float]:
    """Mean CPU seconds per clip of each stage, in one process."""
    totals = dict.fromkeys(("plan", "render", "encode", "questions", "caption"), 0.0)
    clock = time.process_time  # CPU time: robust to other jobs on a shared machine
    for index in range(clips):
        t0 = clock()
        clip = generate_clip(derive_seed(123, index), config)
        t1 = clock()
        frames = clip.render()
        t2 = clock()
        write_video(folder / f"{index}.mp4", frames, fps=config.fps, options=dict(ENCODER_OPTIONS))
        t3 = clock()
        candidate_questions(clip)
        t4 = clock()
        caption_clip(clip)
        t5 = clock()
        for key, seconds in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            totals[key] += seconds
    return {key: round(value / clips, 4) for key, value in totals.items()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num-videos", type=int, default=100, help="clips per run (default 100)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (default 1 2)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks/results/synthetic_generation.json")
    args = parser.parse_args(argv)
    config = SynthConfig()  # 224x224, 64 frames at 8 fps
    scratch = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    try:
        stages = stage_times(config, 20, scratch)
        runs = []
        for workers in args.workers:
            out = scratch / f"w{workers}"
            load = os.getloadavg()[0]
            cpu_before = _cpu_seconds()
            start = time.perf_counter()
            build_synthetic_dataset(
                out, num_videos=args.num_videos, seed=0, config=config, workers=workers, show_progress=False
            )
            seconds = time.perf_counter() - start
            cpu = _cpu_seconds() - cpu_before
            # what the run would take with `workers` otherwise idle cores: CPU time spread over the workers
            dedicated = cpu / workers
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            runs.append(
                {
                    "workers": workers,
                    "clips": args.num_videos,
                    "seconds": round(seconds, 2),
                    "clips_per_s": round(args.num_videos / seconds, 2),
                    "seconds_for_1000": round(TARGET_CLIPS * seconds / args.num_videos, 1),
                    "cpu_seconds": round(cpu, 2),
                    "cpu_ms_per_clip": round(1000 * cpu / args.num_videos, 1),
                    "dedicated_cores_seconds_for_1000": round(TARGET_CLIPS * dedicated / args.num_videos, 1),
                    "load_average_at_start": round(load, 2),
                    "mb_per_1000": round(size / args.num_videos * TARGET_CLIPS / 1e6, 1),
                }
            )
            shutil.rmtree(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = {
        "config": {"height": config.height, "width": config.width, "num_frames": config.num_frames, "fps": config.fps},
        "stage_seconds_per_clip": stages,
        "runs": runs,
        "target": f"{TARGET_CLIPS} clips in under {TARGET_SECONDS:.0f} s with 2 workers",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "note": "CPU shared with other jobs"},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(result))
    return result


def markdown(result: dict) -> str:
    lines = [
        "| workers | clips | wall s | clips/s | wall s for 1,000 | CPU ms/clip | s for 1,000 on idle cores | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in result["runs"]:
        lines.append(
            f"| {run['workers']} | {run['clips']} | {run['seconds']} | {run['clips_per_s']} | "
            f"{run['seconds_for_1000']} | {run['cpu_ms_per_clip']} | {run['dedicated_cores_seconds_for_1000']} | "
            f"{run['load_average_at_start']} |"
        )
    stages = ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in result["stage_seconds_per_clip"].items())
    return "\n".join(lines) + f"\n\nCPU per clip, one process: {stages}."


if __name__ == "__main__":
    main()
