"""Frozen-tower feature cache: run the vision tower once per video, then train on its stored output.

While `freeze_vision_tower: true`, the tower's output for a video is the same at every step, yet decoding the video
and running the tower are most of a small model's step. With `vision_feature_cache: FILE` in a recipe, training
first computes the tower's features (`ActionArtModel.get_vision_features`) for every training video missing from
`FILE` (a safetensors file), then the collator feeds `video_vision_features` instead of pixels. Images (PD/SD rows)
are still decoded and encoded each step.

    >>> features = compute_vision_features(model, processor, ["clip_0.mp4"], num_frames=8, max_pixels=4096)
    >>> features["clip_0.mp4"].shape                                     # (8, grid_height * grid_width, hidden)
    >>> save_vision_features("cache.safetensors", features, describe_cache(model, 8, 4096, "decord"))

The file's metadata records the frames, pixel cap, decoder and a fingerprint of the tower's weights; a file written
for other settings or another tower is refused with the fix (delete it or point the recipe elsewhere), never mixed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from tqdm.auto import tqdm
from transformers.utils import logging

from ..atomic import atomic_file
from ..video import load_video


logger = logging.get_logger(__name__)


def tower_fingerprint(model) -> str:
    """sha256 (first 16 hex digits) over the vision tower's parameter names, shapes and bytes."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.model.vision_tower.state_dict().items()):
        data = tensor.detach().to("cpu").contiguous()
        digest.update(f"{name}:{tuple(data.shape)}:{data.dtype}".encode())
        digest.update(data.view(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


def describe_cache(model, num_frames: int, max_pixels: int | None, video_backend: str) -> dict[str, str]:
    """The settings a cache file is valid for (stored as its safetensors metadata)."""
    return {
        # v2: frames sampled once (v1 files could hold the processor's saved num_frames instead of num_frames)
        "format": "actionart-vision-features-v2",
        "tower": tower_fingerprint(model),
        "num_frames": str(num_frames),
        "max_pixels": str(max_pixels),
        "video_backend": video_backend,
    }


@torch.no_grad()
def compute_vision_features(
    model,
    processor,
    videos: Iterable[str],
    num_frames: int,
    max_pixels: int | None,
    video_backend: str = "auto",
    batch_size: int = 16,
    show_progress: bool = True,
) -> dict[str, torch.Tensor]:
    """Decodes each video and runs the vision tower on its frames.

    Args:
        model (`ActionArtForConditionalGeneration`): the model whose (frozen) tower encodes the frames.
        processor (`ActionArtProcessor`): its processor (the video processor resizes and normalises).
        videos (`Iterable[str]`): video paths, as the training rows hold them.
        num_frames (`int`), max_pixels (`int` or `None`), video_backend (`str`): as the collator decodes.
        batch_size (`int`, *optional*, defaults to 16): videos per tower call.
        show_progress (`bool`, *optional*, defaults to `True`): a tqdm bar.

    Returns:
        `dict[str, torch.Tensor]`: per path, a float16 tensor of shape `(frames, grid_height * grid_width,
        vision_hidden_size)`.
    """
    paths = list(dict.fromkeys(videos))
    was_training = model.training
    model.eval()
    features = {}
    try:
        for start in tqdm(range(0, len(paths), batch_size), desc="vision features", disable=not show_progress):
            chunk = paths[start : start + batch_size]
            clips = [load_video(p, num_frames=num_frames, max_pixels=max_pixels, backend=video_backend) for p in chunk]
            frames = [clip.frames for clip in clips]  # sampled once, here: the processor keeps every frame
            inputs = processor.video_processor(frames, return_tensors="pt", do_sample_frames=False)
            pixels = inputs["pixel_values_videos"].to(model.device)
            encoded = model.model.get_vision_features(pixels).to("cpu", torch.float16)
            for path, part in zip(chunk, torch.split(encoded, inputs["video_num_frames"].tolist())):
                features[path] = part.clone()
    finally:
        model.train(was_training)
    return features


def load_vision_features(path: str | os.PathLike, expected: dict[str, str]) -> dict[str, torch.Tensor]:
    """Reads a cache file, refusing one written for other settings than `expected` (see `describe_cache`)."""
    with safe_open(str(path), framework="pt") as handle:
        found = handle.metadata() or {}
        mismatched = {key: (found.get(key), value) for key, value in expected.items() if found.get(key) != value}
        if mismatched:
            details = ", ".join(f"{key}: file {old!r} vs now {new!r}" for key, (old, new) in mismatched.items())
            raise ValueError(
                f"The vision feature cache {path} was written for other settings ({details}); delete it or set "
                "vision_feature_cache to a new file. Features of another tower or frame sampling cannot be reused."
            )
        return {key: handle.get_tensor(key) for key in handle.keys()}


def save_vision_features(path: str | os.PathLike, features: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    """Writes the cache atomically (a temporary file beside it, then a rename)."""
    with atomic_file(path) as temporary:
        save_file({key: tensor.contiguous() for key, tensor in features.items()}, str(temporary), metadata=metadata)


def prepare_vision_features(
    path: str | os.PathLike,
    model,
    processor,
    videos: Iterable[str],
    num_frames: int,
    max_pixels: int | None,
    video_backend: str = "auto",
    show_progress: bool = True,
) -> dict[str, torch.Tensor]:
    """Loads `path` if it exists, computes the features of the videos it lacks, saves the union and returns it."""
    metadata = describe_cache(model, num_frames, max_pixels, video_backend)
    features = load_vision_features(path, metadata) if Path(path).exists() else {}
    missing = [video for video in dict.fromkeys(videos) if video not in features]
    if missing:
        logger.info(
            "Vision feature cache %s: encoding %d of the videos (%d cached).", path, len(missing), len(features)
        )
        features |= compute_vision_features(
            model, processor, missing, num_frames, max_pixels, video_backend, show_progress=show_progress
        )
        save_vision_features(path, features, metadata)
    return features


__all__ = [
    "compute_vision_features",
    "describe_cache",
    "load_vision_features",
    "prepare_vision_features",
    "save_vision_features",
    "tower_fingerprint",
]
