"""Training data speed: the ActionArt collator's samples/s, and how much of a tiny training step waits on data.

    python benchmarks/training_data.py             # writes benchmarks/results/training_data.json, prints the tables
    python benchmarks/training_data.py --samples 6

Part 1, collator throughput. Clips of 8 s at 16 fps (128 frames, H.264), square at 224 and 480 px, made once under
outputs/bench_videos/training_data. Each row is a QA example (`load_mixture` format); a `DataLoader` with batch
size 1 and 0/1/2 workers runs `ActionArtDataCollator`: decode `num_frames` (16/32/64) evenly spaced frames under
the 480×480 cap, resize to the paper-size vision input (SigLIP 384×384, `ActionArtConfig()` defaults), normalise,
render the chat template and tokenize the prompt with its `num_video_tokens` placeholders (6,272 at 64 frames).
Reported: steady-state samples/s (the first sample, which pays worker start-up, is not timed).

Part 2, data wait. The tiny recipes' setting (tiny model, 4 frames, 64×64 cap, batch 4, one torch thread) trained
with a plain loop; the share of wall time spent in `next(dataloader)` vs forward + backward + optimizer step, with
0/1/2 workers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch


ROOT = Path(__file__).resolve().parents[1]
VIDEO_DIR = ROOT / "outputs" / "bench_videos" / "training_data"
SIZES = (224, 480)
FRAME_COUNTS = (16, 32, 64)
WORKERS = (0, 1, 2)
CLIP_FRAMES, CLIP_FPS, CLIPS_PER_SIZE = 128, 16, 3


def make_clip(path: Path, size: int, seed: int) -> Path:
    from actionart_hf.video import write_video

    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    cell = max(4, size // 28)
    base = rng.integers(0, 255, (size // cell + 1, size // cell + 1, 3), dtype=np.uint8).repeat(cell, 0)
    base = base.repeat(cell, 1)[:size, :size]
    frames = np.empty((CLIP_FRAMES, size, size, 3), dtype=np.uint8)
    block = size // 6
    for t in range(CLIP_FRAMES):
        frames[t] = np.roll(base, (t * 2, t * 3), axis=(0, 1))
        y, x = (t * 5) % (size - block), (t * 7) % (size - block)
        frames[t, y : y + block, x : x + block] = 255  # a moving block: real motion to encode
    return write_video(path, frames, fps=CLIP_FPS, options={"crf": "23", "preset": "veryfast"})


def qa_rows(paths: list[Path], count: int) -> list[dict]:
    from actionart_hf.training.formats import row_to_example

    rows = []
    for index in range(count):
        row = {
            "id": f"q{index}",
            "video": str(paths[index % len(paths)]),
            "question": "What does the person do with the left hand after turning around?",
            "options": ["Waves", "Claps", "Raises it above the head", "Puts it on the hip"],
            "answer": "ABCD"[index % 4],
        }
        rows.append(row_to_example(row, "qa", "bench"))
    return rows


def paper_processor():
    """`ActionArtProcessor` of the paper-size model (SigLIP-384/14, SlowFast 2/4, 64 frames) with a tiny tokenizer."""
    from actionart_hf.models.actionart import ActionArtConfig, ActionArtProcessor
    from actionart_hf.models.tiny import build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer(["What does the person do with the left hand after turning around ?"])
    config = ActionArtConfig(video_token_id=tokenizer.convert_tokens_to_ids("<video>"))
    return ActionArtProcessor.from_model_config(config, tokenizer)


def collator_throughput(processor, rows: list[dict], num_frames: int, workers: int) -> float:
    from actionart_hf.training.collator import ActionArtDataCollator

    collator = ActionArtDataCollator(processor, num_frames=num_frames, max_pixels=480 * 480)
    loader = torch.utils.data.DataLoader(rows, batch_size=1, collate_fn=collator, num_workers=workers)
    times = []
    for _ in loader:
        times.append(time.perf_counter())
    return (len(times) - 1) / (times[-1] - times[0])


def data_wait_share(rows: list[dict], workers: int, steps: int) -> dict:
    from actionart_hf.models.tiny import build_tiny_actionart
    from actionart_hf.training.collator import ActionArtDataCollator

    model, processor = build_tiny_actionart(texts=[json.loads(rows[0]["messages"])[0]["content"][1]["text"]])
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    collator = ActionArtDataCollator(processor, num_frames=4, max_pixels=64 * 64)
    loader = torch.utils.data.DataLoader(rows, batch_size=4, collate_fn=collator, num_workers=workers)
    iterator = iter(loader)
    next(iterator)  # worker start-up and the first decode are not a steady-state step
    wait = compute = 0.0
    for _ in range(steps):
        start = time.perf_counter()
        batch = next(iterator)
        middle = time.perf_counter()
        model(**batch).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        end = time.perf_counter()
        wait, compute = wait + middle - start, compute + end - middle
    return {
        "wait_s_per_step": wait / steps,
        "compute_s_per_step": compute / steps,
        "wait_share": wait / (wait + compute),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=7, help="samples per collator configuration (default 7)")
    parser.add_argument("--steps", type=int, default=20, help="tiny training steps per worker count (default 20)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "training_data.json")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the tiny recipes (num_threads: 1); DataLoader workers use one thread each too

    VIDEO_DIR.mkdir(parents=True, exist_ok=True)
    clips = {
        size: [make_clip(VIDEO_DIR / f"clip_{size}_{i}.mp4", size, seed=size + i) for i in range(CLIPS_PER_SIZE)]
        for size in SIZES
    }
    processor = paper_processor()
    throughput = []
    for size in SIZES:
        rows = qa_rows(clips[size], args.samples)
        for num_frames in FRAME_COUNTS:
            for workers in WORKERS:
                rate = collator_throughput(processor, rows, num_frames, workers)
                throughput.append({"px": size, "num_frames": num_frames, "workers": workers, "samples_per_s": rate})
                print(f"{size} px, {num_frames} frames, {workers} workers: {rate:.2f} samples/s", flush=True)
    wait = []
    rows = qa_rows(clips[224], 4 * (args.steps + 2))
    for workers in WORKERS:
        result = {"workers": workers, **data_wait_share(rows, workers, args.steps)}
        wait.append(result)
        print(f"tiny step, {workers} workers: {result['wait_share']:.0%} waiting on data", flush=True)

    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "torch": torch.__version__},
        "clips": {"frames": CLIP_FRAMES, "fps": CLIP_FPS, "sizes_px": list(SIZES), "per_size": CLIPS_PER_SIZE},
        "processor": "ActionArtConfig() defaults: SigLIP 384x384 patch 14, slow stride 4 pooled 2, fast pooled 4",
        "collator_samples_per_s": throughput,
        "tiny_step_data_wait": wait,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n")
    temporary.replace(args.output)

    print("\n| clip | frames | 0 workers | 1 worker | 2 workers |\n|---|---|---|---|---|")
    for size in SIZES:
        for num_frames in FRAME_COUNTS:
            rates = [r["samples_per_s"] for r in throughput if r["px"] == size and r["num_frames"] == num_frames]
            print(f"| {size}×{size} | {num_frames} | " + " | ".join(f"{rate:.2f}" for rate in rates) + " |")
    print("\n| tiny step (batch 4, 4 frames) | 0 workers | 1 worker | 2 workers |\n|---|---|---|---|")
    print("| waiting on data | " + " | ".join(f"{r['wait_share']:.0%}" for r in wait) + " |")
    print(
        "| data / compute ms per step | "
        + " | ".join(f"{1000 * r['wait_s_per_step']:.0f} / {1000 * r['compute_s_per_step']:.0f}" for r in wait)
        + " |"
    )
    print(f"\nWrote {args.output}")


if __name__ == "__main__":
    main()
