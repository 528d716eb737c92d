"""ActionArt forward cost: SlowFast vs per-frame concatenation at 16/32/64 frames, in one run.

    python benchmarks/model_forward.py                    # CPU, writes benchmarks/results/model_forward.json
    python benchmarks/model_forward.py --device cuda      # bfloat16 on a GPU
    python benchmarks/model_forward.py --repeats 5 --output outputs/model_forward.json

Model: a small randomly initialised ActionArt (SigLIP 112 px / patch 14, an 8x8 patch grid, hidden 64, 2 layers; Qwen2
hidden 512, 4 layers), one video plus a 32-token prompt, batch size 1, `torch.no_grad()`, SDPA attention.
Arrangements, on the same weights:

- `slowfast`: the paper's (every 4th frame pooled 2x2 → 16 tokens, every frame pooled 4x4 → 4 tokens);
- `concat`: plain per-frame concatenation (every frame, every patch: 64 tokens a frame).

Every frame goes through the vision tower in both, so the difference is the LLM's sequence. Reported: the fastest and
the median forward seconds over `--repeats` runs after one warm-up (the fastest is the steadier figure on a shared
machine), and peak memory allocated during one forward (CUDA:
`max_memory_allocated`; CPU: the largest running total of the profiler's allocation events), plus the token budget
of the full-size SigLIP-384/14 tower computed with `num_video_tokens`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch


ROOT = Path(__file__).resolve().parents[1]
FRAME_COUNTS = (16, 32, 64)
PROMPT_TOKENS = 32
ARRANGEMENTS = {
    "slowfast": {"slow_frame_stride": 4, "slow_pool_stride": 2, "fast_pool_stride": 4},
    "concat": {"slow_frame_stride": 1, "slow_pool_stride": 1, "fast_pool_stride": None},
}
SMALL_CONFIG = {
    "image_size": 112,
    "patch_size": 14,
    "vision_hidden_size": 64,
    "vision_intermediate_size": 256,
    "vision_layers": 2,
    "vision_heads": 4,
    "hidden_size": 512,
    "intermediate_size": 1408,
    "num_layers": 4,
    "num_heads": 8,
    "num_kv_heads": 2,
}


def token_budget(frame_counts=FRAME_COUNTS) -> list[dict]:
    """Visual tokens of SigLIP-384/14 (27x27 patches a frame) per arrangement, and the LLM's relative attention cost.

    Returns:
        `list[dict]` with `frames`, the `concat`, `concat_pool2` and `slowfast` token counts, and
        `attention_concat_vs_slowfast` / `attention_pool2_vs_slowfast` (ratios of squared visual token counts).
    """
    from actionart_hf.models.actionart import ActionArtConfig

    slowfast = ActionArtConfig()  # slow_frame_stride=4, slow_pool_stride=2, fast_pool_stride=4
    concat = ActionArtConfig(slow_frame_stride=1, slow_pool_stride=1, fast_pool_stride=None)
    pool2 = ActionArtConfig(slow_frame_stride=1, slow_pool_stride=2, fast_pool_stride=None)
    rows = []
    for frames in frame_counts:
        counts = {
            name: config.num_video_tokens(frames) for name, config in (("slowfast", slowfast), ("concat", concat))
        }
        counts["concat_pool2"] = pool2.num_video_tokens(frames)
        rows.append(
            {
                "frames": frames,
                **counts,
                "attention_concat_vs_slowfast": round((counts["concat"] / counts["slowfast"]) ** 2, 1),
                "attention_pool2_vs_slowfast": round((counts["concat_pool2"] / counts["slowfast"]) ** 2, 1),
            }
        )
    return rows


def _cpu_peak_bytes(function) -> int:
    """Peak of the running total of CPU allocations made while `function()` runs (torch profiler memory events)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as profiler:
        function()
    events = [event for event in profiler.profiler.kineto_results.events() if event.name() == "[memory]"]
    total = peak = 0
    for event in sorted(events, key=lambda event: event.start_ns()):
        total += event.nbytes()
        peak = max(peak, total)
    return peak


def _forward_fn(model, inputs: dict, device: torch.device):
    def forward():
        with torch.no_grad():
            model(**inputs)
        if device.type == "cuda":
            torch.cuda.synchronize()

    return forward


def peak_bytes(forward, device: torch.device) -> int:
    """Peak bytes allocated during one call of `forward` (beyond what was allocated before it)."""
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        baseline = torch.cuda.memory_allocated()
        forward()
        return torch.cuda.max_memory_allocated() - baseline
    return _cpu_peak_bytes(forward)


def build_inputs(processor, frames: int, device: torch.device, dtype: torch.dtype) -> dict:
    """A 32-token prompt with one random video of `frames` frames, its placeholders after the 8th token."""
    generator = torch.Generator().manual_seed(frames)
    size = SMALL_CONFIG["image_size"]
    pixel_values = torch.randn(frames, 3, size, size, generator=generator)
    text = torch.randint(10, len(processor.tokenizer), (PROMPT_TOKENS,), generator=generator)
    placeholders = torch.full((processor.num_video_tokens(frames),), processor.video_token_id)
    input_ids = torch.cat([text[:8], placeholders, text[8:]])[None]
    return {
        "input_ids": input_ids.to(device),
        "attention_mask": torch.ones_like(input_ids).to(device),
        "pixel_values_videos": pixel_values.to(device=device, dtype=dtype),
        "video_num_frames": torch.tensor([frames], device=device),
    }


def run(device_name: str, repeats: int) -> dict:
    """Times both arrangements on the same weights; their repeats alternate so background load hits both alike."""
    from actionart_hf.models.tiny import build_tiny_actionart

    device = torch.device(device_name)
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    setups = {}
    state_dict = None
    for arrangement, settings in ARRANGEMENTS.items():
        model, processor = build_tiny_actionart(**SMALL_CONFIG, **settings, seed=0)
        if state_dict is None:
            state_dict = model.state_dict()
        model.load_state_dict(state_dict)  # same weights: only the arrangement differs
        setups[arrangement] = (model.to(device=device, dtype=dtype).eval(), processor)

    results = []
    for frames in FRAME_COUNTS:
        forwards, inputs = {}, {}
        for arrangement, (model, processor) in setups.items():
            inputs[arrangement] = build_inputs(processor, frames, device, dtype)
            forwards[arrangement] = _forward_fn(model, inputs[arrangement], device)
            forwards[arrangement]()  # warm-up
        timings = {arrangement: [] for arrangement in setups}
        for _ in range(repeats):
            for arrangement, forward in forwards.items():
                start = time.perf_counter()
                forward()
                timings[arrangement].append(time.perf_counter() - start)
        for arrangement, forward in forwards.items():
            peak = peak_bytes(forward, device)
            input_ids = inputs[arrangement]["input_ids"]
            row = {
                "frames": frames,
                "arrangement": arrangement,
                "visual_tokens": setups[arrangement][1].num_video_tokens(frames),
                "sequence_length": int(input_ids.shape[1]),
                "forward_s": round(min(timings[arrangement]), 4),
                "forward_s_median": round(statistics.median(timings[arrangement]), 4),
                "peak_memory_mib": round(peak / 2**20, 1),
            }
            results.append(row)
            print(
                f"{arrangement:>8} {frames:>3} frames: {row['visual_tokens']:>5} tokens, {row['forward_s']:.3f} s, "
                f"{row['peak_memory_mib']:.1f} MiB"
            )
    return {
        "device": device_name if device.type != "cuda" else torch.cuda.get_device_name(device),
        "dtype": str(dtype).replace("torch.", ""),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "repeats": repeats,
        "prompt_tokens": PROMPT_TOKENS,
        "small_config": SMALL_CONFIG,
        "arrangements": ARRANGEMENTS,
        "results": results,
        "token_budget_siglip_384_14": token_budget(),
    }


def markdown(report: dict) -> str:
    """The two tables of the README: measured forward cost, then the SigLIP-384/14 token budget."""
    by_key = {(row["arrangement"], row["frames"]): row for row in report["results"]}
    lines = [
        f"Small config on {report['device']} ({report['dtype']}, {report['threads']} threads), fastest of "
        f"{report['repeats']} forwards:",
        "",
        "| frames | SlowFast tokens | concat tokens | SlowFast forward | concat forward | SlowFast peak | concat peak "
        "|",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for frames in FRAME_COUNTS:
        slow, concat = by_key[("slowfast", frames)], by_key[("concat", frames)]
        lines.append(
            f"| {frames} | {slow['visual_tokens']} | {concat['visual_tokens']} | {slow['forward_s']:.3f} s | "
            f"{concat['forward_s']:.3f} s ({concat['forward_s'] / slow['forward_s']:.1f}x) | "
            f"{slow['peak_memory_mib']:.0f} MiB | {concat['peak_memory_mib']:.0f} MiB |"
        )
    lines += [
        "",
        "SigLIP-384/14 (27x27 patches a frame): visual tokens per video, and the LLM's attention cost relative to "
        "SlowFast:",
        "",
        "| frames | SlowFast | per-frame concat | attention vs SlowFast | concat pooled 2x2 | attention vs SlowFast |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["token_budget_siglip_384_14"]:
        lines.append(
            f"| {row['frames']} | {row['slowfast']} | {row['concat']} | {row['attention_concat_vs_slowfast']}x | "
            f"{row['concat_pool2']} | {row['attention_pool2_vs_slowfast']}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (bfloat16 on cuda)")
    parser.add_argument("--repeats", type=int, default=5, help="timed forwards per setting (after one warm-up)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "model_forward.json"))
    args = parser.parse_args(argv)

    report = run(args.device, args.repeats)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=output.parent, suffix=".tmp", delete=False) as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    os.replace(handle.name, output)
    print()
    print(markdown(report))
    print(f"\nWrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
