"""Frozen-tower feature cache: a training step with cached tower features against decoding + the tower every step.

    python benchmarks/vision_cache.py              # writes benchmarks/results/vision_cache.json, prints the table
    python benchmarks/vision_cache.py --steps 10

The quickstart's `small` setting: synthetic clips of 64×64 px and 8 frames (made once under
outputs/bench_videos/vision_cache), a model of SigLIP and Qwen2 at 4 layers × 128 with random weights, QA rows,
batch 32, tower frozen, loss on every token, a plain loop of `ActionArtDataCollator` + forward + backward + AdamW.
Two token layouts: the default SlowFast strides (2, 2, 4: 96 visual tokens a video) and the quickstart `small`
strides (8, 8, 8: 9 tokens). Reported: seconds per step (steady state, mean over `--steps` after one untimed step)
decoding each batch vs reading `compute_vision_features`'s output, the ratio, the one-off cost of building the cache
per video, and the steps after which the cache has paid for itself.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch


ROOT = Path(__file__).resolve().parents[1]
VIDEO_DIR = ROOT / "outputs" / "bench_videos" / "vision_cache"
LAYOUTS = {"slowfast (2, 2, 4)": (2, 2, 4), "small (8, 8, 8)": (8, 8, 8)}
SMALL = dict(vision_hidden_size=128, vision_intermediate_size=512, vision_layers=4, hidden_size=128,
             intermediate_size=512, num_layers=4, image_size=64, patch_size=8)  # fmt: skip


def qa_rows(num_clips: int) -> list[dict]:
    """QA rows (the training mixture's uniform format) over synthetic clips, made once."""
    import datasets

    from actionart_hf.synthetic import SynthConfig, build_synthetic_dataset
    from actionart_hf.training.formats import row_to_example

    if not (VIDEO_DIR / "README.md").exists():
        config = SynthConfig(height=64, width=64, num_frames=8, fps=2.0)
        build_synthetic_dataset(VIDEO_DIR, seed=0, splits={"train": num_clips}, config=config, overwrite=True)
    table = datasets.load_dataset("parquet", data_files=str(VIDEO_DIR / "data" / "qa" / "train-*.parquet"))["train"]
    rows = [{**row, "video": str(VIDEO_DIR / row["video"])} for row in table]
    return [row_to_example(row, "qa", "bench") for row in rows]


def step_seconds(model, collator, rows: list[dict], batch_size: int, steps: int) -> float:
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    elapsed = 0.0
    for step in range(steps + 1):
        batch_rows = [rows[int(i)] for i in torch.randint(len(rows), (batch_size,), generator=generator)]
        start = time.perf_counter()
        model(**collator(batch_rows)).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        elapsed += (time.perf_counter() - start) if step else 0.0  # the first step is not steady state
    return elapsed / steps


def measure(layout: tuple[int, int, int], rows: list[dict], batch_size: int, steps: int) -> dict:
    from actionart_hf.models.tiny import build_tiny_actionart
    from actionart_hf.training.collator import ActionArtDataCollator
    from actionart_hf.training.vision_cache import compute_vision_features

    texts = [json.loads(row["messages"])[0]["content"][1]["text"] for row in rows]
    texts += [json.loads(row["messages"])[1]["content"][0]["text"] for row in rows]
    strides = dict(zip(("slow_frame_stride", "slow_pool_stride", "fast_pool_stride"), layout))
    model, processor = build_tiny_actionart(texts=texts, num_frames=8, **strides, **SMALL)
    model.model.vision_tower.requires_grad_(False)
    model.train()
    settings = dict(num_frames=8, max_pixels=64 * 64, video_backend="decord", loss_on="all")
    decoding = step_seconds(model, ActionArtDataCollator(processor, **settings), rows, batch_size, steps)
    videos = list(dict.fromkeys(path for row in rows for path in row["videos"]))
    start = time.perf_counter()
    features = compute_vision_features(model, processor, videos, 8, 64 * 64, "decord", show_progress=False)
    build = time.perf_counter() - start
    collator = ActionArtDataCollator(processor, vision_features=features, **settings)
    cached = step_seconds(model, collator, rows, batch_size, steps)
    return {
        "visual_tokens_per_video": processor.num_video_tokens(8),
        "decoding_s_per_step": decoding,
        "cached_s_per_step": cached,
        "speedup": decoding / cached,
        "cache_build_s_per_video": build / len(videos),
        "break_even_steps": build / max(decoding - cached, 1e-9),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=200, help="synthetic clips (videos to cache)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per variant")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "vision_cache.json")
    args = parser.parse_args()

    rows = qa_rows(args.clips)
    results = {}
    for name, layout in LAYOUTS.items():
        results[name] = measure(layout, rows, args.batch_size, args.steps)
        print(f"{name}: {results[name]}", flush=True)
    report = {
        "machine": {"platform": platform.platform(), "torch": torch.__version__, "threads": torch.get_num_threads()},
        "settings": {"clips": args.clips, "batch_size": args.batch_size, "steps": args.steps, "frames": 8, "px": 64},
        "results": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.output.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n")
    temporary.replace(args.output)

    print("\n| layout | visual tokens | decode + tower (s/step) | cached (s/step) | speed-up | cache build (ms/video) "
          "| break-even (steps) |\n|---|---|---|---|---|---|---|")  # fmt: skip
    for name, r in results.items():
        print(f"| {name} | {r['visual_tokens_per_video']} | {r['decoding_s_per_step']:.3f} | "
              f"{r['cached_s_per_step']:.3f} | {r['speedup']:.2f}× | {1000 * r['cache_build_s_per_video']:.1f} | "
              f"{r['break_even_steps']:.0f} |")  # fmt: skip
    print(f"\nWrote {args.output}")


if __name__ == "__main__":
    main()
