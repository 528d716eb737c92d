"""Stage 0, a stand-in for a pretrained vision encoder (not part of the paper's recipe).

A tiny ActionArt model from random weights has no pretrained SigLIP, and from random weights it stays at chance on
the synthetic questions. Stage 0 trains the vision tower on every frame of the synthetic train clips, for a fixed
wall-clock budget, through two throw-away linear heads:

- one over the patch tokens regresses the exact 2D joints (the `motion` config's `joints2d`);
- one over the mean of the patch tokens classifies the body states read back from the 3D joints (posture, facing,
  torso, and per side hand height, arm direction and leg; `actionart_hf.synthetic.states.BODY_STATES`), the way a
  pretrained encoder's pooled features name what they see. Without it the pooled features, which are what the
  small model's one-token-a-frame layout keeps, hold the pose only non-linearly, and the language model never
  learned to read the posture from them.

It then saves the model with the trained tower. Later stages keep the tower frozen.
"""

from __future__ import annotations

import json
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
        rows += pq.read_table(f, columns=["video", "joints2d", "joints3d", "camera", "width", "height"]).to_pylist()
    return rows[:limit] if limit else rows


def _state_labels(row: dict, indices: np.ndarray) -> torch.Tensor:
    """`(len(indices), len(BODY_STATES))` class indices of the frames' body states; -100 where a state is unclear."""
    from ..synthetic.camera import Camera
    from ..synthetic.states import BODY_STATES, body_states

    joints = np.asarray(row["joints3d"], dtype=np.float64)[indices]
    states = body_states(joints, Camera(**json.loads(row["camera"])))
    labels = [
        [list(values).index(state) if state else -100 for state in states[key]] for key, values in BODY_STATES.items()
    ]
    return torch.tensor(labels, dtype=torch.long).T


def _frames_and_targets(synth: Path, rows: list[dict], processor, max_pixels: int) -> tuple[torch.Tensor, ...]:
    """Pixels `(frames, 3, H, W)`, joints in [-1, 1] `(frames, 2 * joints)` and state labels `(frames, states)`."""
    from ..video import load_video

    pixels, joints_2d, states = [], [], []
    for row in rows:
        joints = np.asarray(row["joints2d"], dtype=np.float32)  # (T, J, 2) pixels
        clip = load_video(synth / row["video"], num_frames=joints.shape[0], max_pixels=max_pixels)
        out = processor.video_processor(videos=[clip.frames], return_tensors="pt", do_sample_frames=False)
        pixels.append(out["pixel_values_videos"])
        scale = np.array([row["width"], row["height"]], dtype=np.float32)
        joints_2d.append(torch.from_numpy(joints[clip.indices] / scale * 2 - 1).flatten(1))
        states.append(_state_labels(row, np.asarray(clip.indices)))
    return torch.cat(pixels), torch.cat(joints_2d), torch.cat(states)


class _Heads(torch.nn.Module):
    """The throw-away heads: joints from the patch tokens, body-state logits from their mean."""

    def __init__(self, num_patches: int, hidden_size: int, num_joint_values: int):
        from ..synthetic.states import BODY_STATES

        super().__init__()
        self.joints = torch.nn.Linear(num_patches * hidden_size, num_joint_values)
        self.sizes = [len(values) for values in BODY_STATES.values()]
        self.states = torch.nn.Linear(hidden_size, sum(self.sizes))

    def forward(self, hidden: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        # hidden: (frames, patches, hidden_size)
        return self.joints(hidden.flatten(1)), list(self.states(hidden.mean(1)).split(self.sizes, dim=-1))

    def state_loss(self, logits: list[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        """Mean over states of the cross-entropy (unclear states ignored)."""
        losses = [
            torch.nn.functional.cross_entropy(logit, labels[:, k], ignore_index=-100)
            for k, logit in enumerate(logits)
            if (labels[:, k] != -100).any()
        ]
        return torch.stack(losses).mean()


def train_stage0(
    base: str | Path,
    synth: str | Path,
    out: str | Path,
    *,
    seconds: float = 90.0,
    batch_size: int = 64,
    lr: float = 1e-3,
    state_weight: float = 3.0,
    max_pixels: int = 64 * 64,
    seed: int = 0,
    progress: bool = True,
) -> dict:
    """Trains the vision tower of `base` on joints and body states and saves the whole model to `out` (atomically).

    Args:
        base (`str` or `Path`): the untrained tiny checkpoint.
        synth (`str` or `Path`): the synthetic folder (`motion` config: train split for training, validation for
            the reported error).
        out (`str` or `Path`): output checkpoint folder.
        seconds (`float`): wall-clock training budget.
        batch_size (`int`), lr (`float`), max_pixels (`int`), seed (`int`): training settings.
        state_weight (`float`): weight of the body-state cross-entropy beside the joints' mean squared error (at
            0.1 a linear probe on the mean patch feature named the hand heights no better than the most frequent
            height; at 3.0 it names 86% of left and 74% of right hand heights, the joints 1-2 px less exactly).
        progress (`bool`): show a progress bar.

    Returns:
        `dict` with `steps`, `train_mse`, `val_error_px` (mean joint error on validation frames),
        `val_error_px_mean_pose` (error of predicting the mean training pose) and `val_state_accuracy` (body states
        named right on validation frames, where clear).
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
    x, y, labels = _frames_and_targets(synth, train_rows, processor, max_pixels)
    if val_rows:
        vx, vy, vlabels = _frames_and_targets(synth, val_rows, processor, max_pixels)
    else:
        vx, vy, vlabels = x[:64], y[:64], labels[:64]

    def features(pixels):  # (frames, patches, hidden_size)
        hidden = tower(pixels, output_hidden_states=True, return_dict=True).hidden_states[layer]
        return hidden[:, 1:] if model.config.vision_feature_select_strategy == "default" else hidden

    with torch.no_grad():
        shape = features(x[:1]).shape
    heads = _Heads(shape[1], shape[2], y.shape[1])
    params = [p for n, p in tower.named_parameters() if "post_layernorm" not in n] + list(heads.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    tower.train()
    start, step, losses = time.perf_counter(), 0, []
    bar = tqdm(total=int(seconds), desc="stage 0 (joints and body states)", unit="s", disable=not progress)
    generator = torch.Generator().manual_seed(seed)
    while time.perf_counter() - start < seconds:
        warm = min(1.0, (step + 1) / 30)
        for group in optimizer.param_groups:
            done = min(1.0, (time.perf_counter() - start) / seconds)
            group["lr"] = lr * warm * (0.5 + 0.5 * math.cos(math.pi * done))
        index = torch.randint(0, len(x), (batch_size,), generator=generator)
        joints, states = heads(features(x[index]))
        mse = torch.nn.functional.mse_loss(joints, y[index])
        loss = mse + state_weight * heads.state_loss(states, labels[index])
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        losses.append(mse.item())
        step += 1
        bar.n = min(int(time.perf_counter() - start), int(seconds))
        bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
        bar.refresh()
    bar.close()
    tower.eval()
    with torch.no_grad():
        outputs = [heads(features(vx[i : i + 256])) for i in range(0, len(vx), 256)]
    pred = torch.cat([joints for joints, _ in outputs])
    predicted_states = torch.cat([torch.stack([s.argmax(-1) for s in states], 1) for _, states in outputs])
    clear = vlabels != -100
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
        "val_state_accuracy": round((predicted_states == vlabels)[clear].float().mean().item(), 3),
    }
    logger.info("Stage 0 (stand-in for a pretrained vision encoder): %s", result)
    return result


__all__ = ["train_stage0"]
