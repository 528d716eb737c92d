"""Frame-sampling speed: decord vs PyAV vs `transformers.video_utils.load_video` vs ours, in one run.

    python benchmarks/video_decode.py                  # writes benchmarks/results/video_decode.json, prints a table
    python benchmarks/video_decode.py --repeats 5

Clips: 10 s and 60 s of 854×480 H.264 at 30 fps (x264 defaults: keyframe interval up to 250, B-frames), made once
under outputs/bench_videos. Each method samples 8/16/32/64 evenly spaced frames, resized under 480×480 pixels
(transformers' loader has no resize: its frames stay 854×480, which favours it; the "transformers + resize" cell
resizes them to the same size, as its video processors do, with torch's antialiased bilinear interpolation, for a
like-for-like comparison). Reported: median seconds of `--repeats` runs; ratio = ours / best of decord, PyAV and
transformers without resize, and like-for-like ratio = ours / best of decord, PyAV and transformers + resize
(target ≤ 0.9 in every cell).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from actionart_hf.video import DEFAULT_MAX_PIXELS, fit_to_max_pixels, load_video, sample_frame_indices, write_video


ROOT = Path(__file__).resolve().parents[1]
FRAME_COUNTS = (8, 16, 32, 64)
CLIPS = {"10s": 10, "60s": 60}
FPS, HEIGHT, WIDTH = 30, 480, 854


def make_clip(path: Path, seconds: int) -> Path:
    if path.exists():
        return path
    rng = np.random.default_rng(seconds)
    base = rng.integers(0, 255, (HEIGHT // 8 + 1, WIDTH // 8 + 1, 3), dtype=np.uint8).repeat(8, 0).repeat(8, 1)
    base = base[:HEIGHT, :WIDTH]
    frames = np.empty((seconds * FPS, HEIGHT, WIDTH, 3), dtype=np.uint8)
    for t in range(len(frames)):
        frames[t] = np.roll(base, (t * 3, t * 5), axis=(0, 1))
        frames[t, 200:280, (t * 7) % (WIDTH - 80) :][:, :80] = 255  # a moving block: real motion to encode
    return write_video(path, frames, fps=FPS, options={"crf": "23", "preset": "veryfast"})


def decord_batch(path: Path, num_frames: int) -> np.ndarray:
    import decord

    height, width = fit_to_max_pixels(HEIGHT, WIDTH, DEFAULT_MAX_PIXELS)
    reader = decord.VideoReader(str(path), width=width, height=height, num_threads=0)
    return reader.get_batch(sample_frame_indices(len(reader), num_frames).tolist()).asnumpy()


def pyav_sequential(path: Path, num_frames: int) -> np.ndarray:
    import av

    height, width = fit_to_max_pixels(HEIGHT, WIDTH, DEFAULT_MAX_PIXELS)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        wanted = set(sample_frame_indices(stream.frames, num_frames).tolist())
        frames = [
            frame.to_ndarray(format="rgb24", width=width, height=height)
            for i, frame in enumerate(container.decode(stream))
            if i in wanted
        ]
    return np.stack(frames)


def transformers_load_video(path: Path, num_frames: int) -> np.ndarray:
    from transformers.video_utils import load_video as hf_load_video

    frames, _ = hf_load_video(str(path), num_frames=num_frames, backend="pyav")
    return frames


def transformers_load_video_resized(path: Path, num_frames: int) -> np.ndarray:
    """transformers' `load_video`, then its frames resized under the cap (uint8 out, like every other method)."""
    import torch

    height, width = fit_to_max_pixels(HEIGHT, WIDTH, DEFAULT_MAX_PIXELS)
    frames = torch.from_numpy(transformers_load_video(path, num_frames)).permute(0, 3, 1, 2).float()
    resized = torch.nn.functional.interpolate(frames, size=(height, width), mode="bilinear", antialias=True)
    return resized.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()


def ours(path: Path, num_frames: int) -> np.ndarray:
    return load_video(path, num_frames=num_frames).frames


METHODS = {
    "decord": decord_batch,
    "pyav": pyav_sequential,
    "transformers": transformers_load_video,
    "transformers_resized": transformers_load_video_resized,
    "ours": ours,
}


def timed(function, *args, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "video_decode.json")
    args = parser.parse_args()

    cache = ROOT / "outputs" / "bench_videos"
    cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for clip, seconds in CLIPS.items():
        path = make_clip(cache / f"clip_{clip}_480p.mp4", seconds)
        for num_frames in FRAME_COUNTS:
            row = {"clip": clip, "frames": num_frames}
            for name, function in METHODS.items():
                function(path, num_frames)  # warm the page cache
                row[name] = timed(function, path, num_frames, repeats=args.repeats)
            row["ratio"] = row["ours"] / min(row["decord"], row["pyav"], row["transformers"])
            row["ratio_like_for_like"] = row["ours"] / min(row["decord"], row["pyav"], row["transformers_resized"])
            rows.append(row)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"repeats": args.repeats, "rows": rows}, indent=2) + "\n")
    print(
        "| clip | frames | decord (s) | PyAV (s) | transformers (s) | transformers + resize (s) | ours auto (s) "
        "| ours / best | ours / best, like for like |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['clip']} | {row['frames']} | {row['decord']:.3f} | {row['pyav']:.3f} | "
            f"{row['transformers']:.3f} | {row['transformers_resized']:.3f} | {row['ours']:.3f} | "
            f"{row['ratio']:.2f} | {row['ratio_like_for_like']:.2f} |"
        )


if __name__ == "__main__":
    main()
