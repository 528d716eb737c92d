"""Fixtures of the model tests: a tiny ActionArt model + processor built offline, and small uint8 videos.

Tiny config (`build_tiny_actionart` defaults): SigLIP and Qwen2 with hidden size 32 and 2 layers, 32x32 frames in a
4x4 patch grid, `slow_frame_stride=2`, so a video of T frames has `ceil(T / 2) * 4 + T * 1` visual tokens.
"""

from __future__ import annotations

import numpy as np
import pytest


WORDS = "What does the person do ? The person raises the left arm and waves . Which hand moves ?"


def random_video(num_frames: int, height: int = 40, width: int = 48, seed: int = 0) -> np.ndarray:
    """uint8 frames of shape `(num_frames, height, width, 3)`."""
    return np.random.default_rng(seed).integers(0, 256, size=(num_frames, height, width, 3), dtype=np.uint8)


def video_messages(question: str = "What does the person do ?", answer: str | None = None, part: str = "video"):
    messages = [{"role": "user", "content": [{"type": part}, {"type": "text", "text": question}]}]
    if answer is not None:
        messages.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    return messages


@pytest.fixture
def tiny_tokenizer():
    """A fresh word-level tokenizer (fresh, since tokenizer calls can leave state such as truncation behind)."""
    from actionart_hf.models.tiny import build_tiny_tokenizer

    return build_tiny_tokenizer([WORDS])


@pytest.fixture
def tiny(tiny_tokenizer):
    """A fresh `(model, processor)` pair (float32, eval mode, seed 0)."""
    from actionart_hf.models.tiny import build_tiny_actionart

    return build_tiny_actionart(tokenizer=tiny_tokenizer, num_frames=8)


@pytest.fixture(scope="session")
def frames():
    """`frames(num_frames, height=40, width=48, seed=0)` → a random uint8 video."""
    return random_video


@pytest.fixture(scope="session")
def messages():
    """`messages(question=..., answer=None, part="video")` → chat messages with one media part."""
    return video_messages
