"""A linear probe of the benchmark's body states on a model's visual tokens: where perception changed.

For each frame of the benchmark's clips, the model's visual tokens of that frame (the projected patch features
pooled as the fast branch pools them, flattened) are the input of one logistic regression per state (posture,
facing, left and right hand height, read back from the 3D joints). The probe trains on the frames of the benchmark's
`train` split and is scored on its `test` split. It reads the model, never trains it: a measurement, like the
evaluation.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import torch


logger = logging.getLogger(__name__)

PROBE_STATES = ("posture", "facing", "left_hand", "right_hand")


def _split_rows(folder: Path, split: str, limit: int | None) -> list[dict]:
    import pyarrow.parquet as pq

    files = sorted((folder / "data" / "motion").glob(f"{split}-*.parquet"))
    rows = [row for f in files for row in pq.read_table(f, columns=["video", "joints3d", "camera"]).to_pylist()]
    return rows[:limit] if limit else rows


def _state_labels(rows: list[dict]) -> dict[str, np.ndarray]:
    """`{state: class index per frame}` (-1 where the state is unclear), frames of all rows in order."""
    from ..synthetic.camera import Camera
    from ..synthetic.states import BODY_STATES, body_states

    labels = {state: [] for state in PROBE_STATES}
    for row in rows:
        states = body_states(np.asarray(row["joints3d"], dtype=np.float64), Camera(**json.loads(row["camera"])))
        for state in PROBE_STATES:
            values = list(BODY_STATES[state])
            labels[state] += [values.index(value) if value else -1 for value in states[state]]
    return {state: np.asarray(values) for state, values in labels.items()}


@torch.no_grad()
def frame_tokens(model, processor, folder: Path, rows: list[dict], max_pixels: int) -> torch.Tensor:
    """The visual tokens of every frame of `rows`, pooled like the fast branch and flattened: `(frames, dim)`."""
    from ..models.actionart.modeling_actionart import pool_frame_grid
    from ..video import load_video

    config = model.config
    stride = config.fast_pool_stride or config.slow_pool_stride
    tokens = []
    for row in rows:
        joints = np.asarray(row["joints3d"])
        clip = load_video(folder / row["video"], num_frames=joints.shape[0], max_pixels=max_pixels)
        pixels = processor.video_processor(videos=[clip.frames], return_tensors="pt", do_sample_frames=False)
        pixels = pixels["pixel_values_videos"]
        features = model.model.get_frame_features(pixels)  # (frames, grid_h * grid_w, hidden)
        grid_h, grid_w = (side // config.patch_size for side in pixels.shape[-2:])
        pooled = pool_frame_grid(features, grid_h, grid_w, stride, config.spatial_pool_mode)
        tokens.append(pooled.flatten(1).float())
    return torch.cat(tokens)


def _fit_and_score(x_train, y_train, x_test, y_test, num_classes: int, steps: int = 300) -> float:
    """Accuracy on the clear test frames of a softmax regression fitted on the clear training frames."""
    keep, keep_test = y_train >= 0, y_test >= 0
    x, y = x_train[keep], torch.as_tensor(y_train[keep])
    mean, std = x.mean(0), x.std(0) + 1e-6
    weights = torch.zeros(x.shape[1], num_classes, requires_grad=True)
    bias = torch.zeros(num_classes, requires_grad=True)
    optimizer = torch.optim.Adam([weights, bias], lr=0.05)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(((x - mean) / std) @ weights + bias, y)
        loss = loss + 1e-3 * weights.pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        predicted = ((x_test[keep_test] - mean) / std @ weights + bias).argmax(-1).numpy()
    return float((predicted == y_test[keep_test]).mean())


def probe_states(model_dir: str | Path, benchmark: str | Path, max_pixels: int, limit: int | None = None) -> dict:
    """Fits and scores the linear probe of `PROBE_STATES` on the visual tokens of `model_dir`.

    Args:
        model_dir (`str` or `Path`): an ActionArt checkpoint.
        benchmark (`str` or `Path`): the synthetic benchmark folder (`motion` config, `train` and `test` splits).
        max_pixels (`int`): decoding cap, as in training.
        limit (`int`, *optional*): clips per split at most.

    Returns:
        `dict`: `{state: {"accuracy": probe accuracy on test frames, "prior": accuracy of the most frequent
        training class}}`.
    """
    from transformers import AutoModelForImageTextToText, AutoProcessor

    import actionart_hf.models.actionart  # noqa: F401  (registers the model)

    from ..synthetic.states import BODY_STATES

    benchmark = Path(benchmark)
    model = AutoModelForImageTextToText.from_pretrained(model_dir, dtype=torch.float32).eval()
    processor = AutoProcessor.from_pretrained(model_dir)
    train_rows, test_rows = _split_rows(benchmark, "train", limit), _split_rows(benchmark, "test", limit)
    x_train = frame_tokens(model, processor, benchmark, train_rows, max_pixels)
    x_test = frame_tokens(model, processor, benchmark, test_rows, max_pixels)
    y_train, y_test = _state_labels(train_rows), _state_labels(test_rows)
    result = {}
    for state in PROBE_STATES:
        num_classes = len(BODY_STATES[state])
        clear_train = y_train[state][y_train[state] >= 0]
        majority = np.bincount(clear_train, minlength=num_classes).argmax()
        clear_test = y_test[state][y_test[state] >= 0]
        accuracy = _fit_and_score(x_train, y_train[state], x_test, y_test[state], num_classes)
        result[state] = {"accuracy": round(accuracy, 3), "prior": round(float((clear_test == majority).mean()), 3)}
    logger.info("Linear probe of %s: %s", Path(model_dir).name, result)
    return result


__all__ = ["PROBE_STATES", "frame_tokens", "probe_states"]
