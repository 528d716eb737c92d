"""Stage 0, a stand-in for a pretrained vision encoder (not part of the paper's recipe).

A tiny ActionArt model from random weights has no pretrained SigLIP, and from random weights it stays at chance on
the synthetic questions. Stage 0 is a generic vision pretext: for a fixed wall-clock budget, the vision tower
regresses the exact 2D joints of every frame of the generic and proxy pools (the `motion` config's `joints2d`)
through a throw-away linear head over the patch tokens. No head names the benchmark's answer states (posture,
facing, hand heights): that is what the proxy tasks teach. The benchmark's clips are not used for training; its
validation split measures the joint error.

It then saves the model with the trained tower.
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


def _read_split(folder: Path, split: str) -> list[dict]:
    import pyarrow.parquet as pq

    rows = []
    for f in sorted((folder / "data" / "motion").glob(f"{split}-*.parquet")):
        rows += pq.read_table(f, columns=["video", "joints2d", "width", "height"]).to_pylist()
    return [row | {"folder": folder} for row in rows]


def _frames_and_joints(rows: list[dict], processor, max_pixels: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixels `(frames, 3, H, W)` and joints in [-1, 1] `(frames, 2 * joints)`."""
    from ..video import load_video

    pixels, joints_2d = [], []
    for row in rows:
        joints = np.asarray(row["joints2d"], dtype=np.float32)  # (T, J, 2) pixels
        clip = load_video(row["folder"] / row["video"], num_frames=joints.shape[0], max_pixels=max_pixels)
        out = processor.video_processor(videos=[clip.frames], return_tensors="pt", do_sample_frames=False)
        pixels.append(out["pixel_values_videos"])
        scale = np.array([row["width"], row["height"]], dtype=np.float32)
        joints_2d.append(torch.from_numpy(joints[clip.indices] / scale * 2 - 1).flatten(1))
    return torch.cat(pixels), torch.cat(joints_2d)


def train_stage0(
    base: str | Path,
    train_folders: list[str | Path],
    validation_folder: str | Path,
    out: str | Path,
    *,
    seconds: float = 90.0,
    batch_size: int = 64,
    lr: float = 1e-3,
    max_pixels: int = 64 * 64,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Trains the vision tower of `base` to regress 2D joints and saves the whole model to `out` (atomically).

    Args:
        base (`str` or `Path`): the untrained tiny checkpoint.
        train_folders (`list`): synthetic folders whose `train` split (`motion` config) trains the tower.
        validation_folder (`str` or `Path`): a synthetic folder whose `validation` split measures the joint error.
        out (`str` or `Path`): output checkpoint folder.
        seconds (`float`): wall-clock training budget.
        batch_size (`int`), lr (`float`), max_pixels (`int`), seed (`int`): training settings.
        progress (`bool`): show a progress bar.

    Returns:
        `dict` with `steps`, `train_frames`, `train_mse`, `val_error_px` (mean joint error on validation frames) and
        `val_error_px_mean_pose` (error of predicting the mean training pose).
    """
    from transformers import AutoModelForImageTextToText, AutoProcessor

    import actionart_hf.models.actionart  # noqa: F401  (registers the model)

    from ..atomic import staged_dir

    torch.manual_seed(seed)
    out = Path(out)
    processor = AutoProcessor.from_pretrained(base)
    model = AutoModelForImageTextToText.from_pretrained(base, dtype=torch.float32)
    tower = model.model.vision_tower
    train_rows = [row for folder in train_folders for row in _read_split(Path(folder), "train")]
    x, y = _frames_and_joints(train_rows, processor, max_pixels)
    vx, vy = _frames_and_joints(_read_split(Path(validation_folder), "validation"), processor, max_pixels)

    def features(pixels):  # (frames, patches, hidden_size)
        return model.model.get_vision_features(pixels)

    with torch.no_grad():
        shape = features(x[:1]).shape
    head = torch.nn.Linear(shape[1] * shape[2], y.shape[1])
    params = [p for n, p in tower.named_parameters() if "post_layernorm" not in n] + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    tower.train()
    start, step, losses = time.perf_counter(), 0, []
    bar = tqdm(total=int(seconds), desc="stage 0 (2D joints)", unit="s", disable=not progress)
    generator = torch.Generator().manual_seed(seed)
    while time.perf_counter() - start < seconds:
        warm = min(1.0, (step + 1) / 30)
        for group in optimizer.param_groups:
            done = min(1.0, (time.perf_counter() - start) / seconds)
            group["lr"] = lr * warm * (0.5 + 0.5 * math.cos(math.pi * done))
        index = torch.randint(0, len(x), (batch_size,), generator=generator)
        loss = torch.nn.functional.mse_loss(head(features(x[index]).flatten(1)), y[index])
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
        pred = torch.cat([head(features(vx[i : i + 256]).flatten(1)) for i in range(0, len(vx), 256)])
    size = float(np.sqrt(max_pixels))  # square frames
    error = ((pred - vy).view(len(vy), -1, 2) * size / 2).norm(dim=-1).mean().item()
    mean_pose = ((y.mean(0, keepdim=True) - vy).view(len(vy), -1, 2) * size / 2).norm(dim=-1).mean().item()
    result = {
        "steps": step,
        "train_frames": len(x),
        "train_mse": round(float(np.mean(losses[-20:])), 5),
        "val_error_px": round(error, 2),
        "val_error_px_mean_pose": round(mean_pose, 2),
    }
    with staged_dir(out) as stage:
        model.save_pretrained(stage)
        processor.save_pretrained(stage)
        _write_card(stage, base, result)
    logger.info("Stage 0 (stand-in for a pretrained vision encoder): %s", result)
    return result


def _write_card(folder: Path, base: str | Path, result: dict) -> None:
    """The project's card of the stage-0 model: the base's card facts plus this stage."""
    from ..cards import read_card_metadata, write_model_card

    parent = read_card_metadata(base)
    stage = {
        "name": "stage0",
        "description": f"2D joint regression by the vision tower, a stand-in for a pretrained vision encoder "
        f"({result['steps']} steps, {result['val_error_px']} px mean joint error on validation frames)",
        "datasets": [],
    }
    write_model_card(folder, {**parent, "stages": [*parent.get("stages", []), stage]}, model_name="stage0")


__all__ = ["train_stage0"]
