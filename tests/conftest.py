"""Shared test setup: offline Hub, a private `datasets` cache per run, and small real videos made on the fly."""

import os
import tempfile


# Before anything imports datasets/transformers: no network, and no stale cache across rebuilt folders.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["HF_DATASETS_CACHE"] = tempfile.mkdtemp(prefix="actionart-test-datasets-")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


def moving_square_frames(num_frames: int, height: int, width: int) -> np.ndarray:
    """Frames whose red channel encodes the frame index (10 * t) so tests can tell which frames were decoded."""
    frames = np.zeros((num_frames, height, width, 3), dtype=np.uint8)
    for t in range(num_frames):
        frames[t, :, :, 0] = min(255, 10 * t)
        frames[t, : height // 3, : width // 3, 1] = 200
    return frames


@pytest.fixture
def make_video(tmp_path):
    """`make_video(name, num_frames, height, width, codec="libx264", fps=8)` → path of a real encoded video."""
    from actionart_hf.video import write_video

    def make(
        name: str = "clip.mp4",
        num_frames: int = 12,
        height: int = 32,
        width: int = 64,
        codec: str = "libx264",
        fps: float = 8.0,
    ):
        return write_video(tmp_path / name, moving_square_frames(num_frames, height, width), fps=fps, codec=codec)

    return make


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


@pytest.fixture
def check_model_card():
    """`check_model_card(folder)`: the folder's `README.md` is the project's card (loaded with `ModelCard.load`, with
    the usage snippet), and its metadata holds no local path and no "None"; returns the card."""
    from pathlib import Path

    from huggingface_hub import ModelCard

    def check(folder):
        card = ModelCard.load(Path(folder) / "README.md")
        metadata = card.data.to_dict()
        assert "actionart-hf" in metadata["tags"], metadata
        for value in _strings(metadata):
            assert value != "None" and "huggingface.co/None" not in value, metadata
            assert not value.startswith(("/", "~", ".")) and not os.path.exists(value), value
        assert "AutoModelForImageTextToText" in card.text and "trust_remote_code=True" in card.text
        return card

    return check
