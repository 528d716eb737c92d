"""Stage 0, a stand-in for a pretrained vision encoder (not part of the paper's recipe).

A tiny ActionArt model from random weights has no pretrained SigLIP, and from random weights it stays at chance on
the synthetic questions. Stage 0 trains the vision tower to regress the exact 2D joints of every frame of the synthetic
train clips (the `motion` config's `joints2d`) through a throw-away linear head over the patch tokens, for a fixed
wall-clock budget, then saves the model with the trained tower. Later stages keep the tower frozen.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm


logger = logging.getLogger(__name__)


def _read_split(synth: Path, split: str, limit: int | None = None) -> list[dict]:
    import pyarrow.parquet as pq

    rows = []
    for f in sorted((synth / "data" / "motion").glob(f"{split}-*.parquet")):
        rows += pq.read_table(f, columns=["video", "joints2d", "width", "height"]).to_pylist()
    return rows[:limit] if limit else rows


def _frames_and_targets(synth: Path, rows: list[dict], processor, max_pixels: int) -> tuple[torch.Tensor, ...]:
    from ..video import load_video

    pixels, targets = [], []
    for row in rows:
        joints = np.asarray(row["joints2d"], dtype=np.float32)  # (T, J, 2) pixels
        clip = load_video(synth / row["video"], num_frames=joints.shape[0], max_pixels=max_pixels)
        out = processor.video_processor(videos=[clip.frames], return_tensors="pt", do_sample_frames=False)
        pixels.append(out["pixel_values_videos"])
        scale = np.array([row["width"], row["height"]], dtype=np.float32)
        targets.append(torch.from_numpy(joints[clip.indices] / scale * 2 - 1).flatten(1))
    return torch.cat(pixels), torch.cat(targets)


def train_stage0(
    base: str | Path,
    synth: str | Path,
    out: str | Path,
    *,
    seconds: float = 90.0,
    batch_size: int = 64,
    lr: float = 1e-3,
    max_pixels: int = 64 * 64,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Trains the vision tower of `base` on joint regression and saves the whole model to `out` (atomically).

    Args:
        base (`str` or `Path`): the untrained tiny checkpoint.
        synth (`str` or `Path`): the synthetic folder (`motion` config: train split for training, validation for
            the reported error).
        out (`str` or `Path`): output checkpoint folder.
        seconds (`float`): wall-clock training budget.
        batch_size (`int`), lr (`float`), max_pixels (`int`), seed (`int`): training settings.
        progress (`bool`): show a progress bar.

    Returns:
        `dict` with `steps`, `train_mse`, `val_error_px` (mean joint error on validation frames) and
        `val_error_px_mean_pose` (error of predicting the mean training pose).
    """
    from transformers import AutoModelForImageTextToText, AutoProcessor

    import actionart_hf.models.actionart  # noqa: F401  (registers the model)

    from ..atomic import staged_dir

    torch.manual_seed(seed)
    synth, out = Path(synth), Path(out)
    processor = AutoProcessor.from_pretrained(base)
    model = AutoModelForImageTextToText.from_pretrained(base, dtype=torch.float32)
    tower = model.model.vision_tower
    layer = model.config.vision_feature_layer
    train_rows, val_rows = _read_split(synth, "train"), _read_split(synth, "validation")
    x, y = _frames_and_targets(synth, train_rows, processor, max_pixels)
    vx, vy = _frames_and_targets(synth, val_rows, processor, max_pixels) if val_rows else (x[:64], y[:64])

    def features(pixels):
        hidden = tower(pixels, output_hidden_states=True, return_dict=True).hidden_states[layer]
        if model.config.vision_feature_select_strategy == "default":
            hidden = hidden[:, 1:]
        return hidden.flatten(1)

    with torch.no_grad():
        dim = features(x[:1]).shape[1]
    head = torch.nn.Linear(dim, y.shape[1])
    params = [p for n, p in tower.named_parameters() if "post_layernorm" not in n] + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    tower.train()
    start, step, losses = time.perf_counter(), 0, []
    bar = tqdm(total=int(seconds), desc="stage 0 (joint regression)", unit="s", disable=not progress)
    generator = torch.Generator().manual_seed(seed)
    while time.perf_counter() - start < seconds:
        warm = min(1.0, (step + 1) / 30)
        for group in optimizer.param_groups:
            done = min(1.0, (time.perf_counter() - start) / seconds)
            group["lr"] = lr * warm * (0.5 + 0.5 * math.cos(math.pi * done))
        index = torch.randint(0, len(x), (batch_size,), generator=generator)
        loss = torch.nn.functional.mse_loss(head(features(x[index])), y[index])
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        losses.append(loss.item())
        step += 1
        bar.n = min(int(time.perf_counter() - start), int(seconds))
        bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
        bar.refresh()
    bar.close()
    tower.eval()
    with torch.no_grad():
        pred = torch.cat([head(features(vx[i : i + 256])) for i in range(0, len(vx), 256)])
    size = float(np.sqrt(max_pixels))  # square frames
    error = ((pred - vy).view(len(vy), -1, 2) * size / 2).norm(dim=-1).mean().item()
    mean_pose = ((y.mean(0, keepdim=True) - vy).view(len(vy), -1, 2) * size / 2).norm(dim=-1).mean().item()
    with staged_dir(out) as stage:
        model.save_pretrained(stage)
        processor.save_pretrained(stage)
    result = {
        "steps": step,
        "train_frames": len(x),
        "train_mse": round(float(np.mean(losses[-20:])), 5),
        "val_error_px": round(error, 2),
        "val_error_px_mean_pose": round(mean_pose, 2),
    }
    logger.info("Stage 0 (stand-in for a pretrained vision encoder): %s", result)
    return result


__all__ = ["train_stage0"]
