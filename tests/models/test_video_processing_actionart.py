"""ActionArtVideoProcessor: the sampling of docs/DESIGN.md §5, resize + normalise, flat layout for videos of
different lengths."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actionart_hf.models.actionart import ActionArtVideoProcessor
from actionart_hf.models.actionart.video_processing_actionart import sample_frame_indices
from actionart_hf.video import sample_frame_indices as design_sample_frame_indices


def indexed_video(num_frames: int, size: int = 16) -> np.ndarray:
    """Frame t is filled with the value t, so the sampled indices can be read back from the pixels."""
    return np.broadcast_to(
        np.arange(num_frames, dtype=np.uint8)[:, None, None, None], (num_frames, size, size, 3)
    ).copy()


@pytest.mark.parametrize("total, wanted", [(1, 8), (5, 8), (10, 4), (64, 64), (100, 64), (333, 16), (7, 7)])
def test_sampling_matches_design(total, wanted):
    assert sample_frame_indices(total, wanted).tolist() == design_sample_frame_indices(total, wanted).tolist()


def test_sampled_frames_and_flat_layout():
    processor = ActionArtVideoProcessor(
        size={"height": 16, "width": 16}, num_frames=4, do_normalize=False, do_rescale=False
    )
    out = processor([indexed_video(10), indexed_video(3)], return_tensors="pt")
    assert out["video_num_frames"].tolist() == [4, 3]
    assert out["pixel_values_videos"].shape == (7, 3, 16, 16)
    values = out["pixel_values_videos"][:, 0, 0, 0].round().long().tolist()
    assert values == [0, 3, 6, 9, 0, 1, 2]  # round(linspace(0, 9, 4)), then all 3 frames of the short video


def test_resize_and_normalise_defaults():
    processor = ActionArtVideoProcessor()
    assert processor.size == {"height": 384, "width": 384} and processor.num_frames == 64
    video = np.full((2, 20, 30, 3), 255, dtype=np.uint8)
    out = processor(video, size={"height": 28, "width": 28})
    pixels = out["pixel_values_videos"]
    assert pixels.shape == (2, 3, 28, 28) and pixels.dtype == torch.float32
    assert torch.allclose(pixels, torch.ones_like(pixels))  # (255 / 255 - 0.5) / 0.5


def test_grayscale_channels_first_and_fps():
    processor = ActionArtVideoProcessor(size={"height": 16, "width": 16})
    gray = torch.zeros(5, 1, 20, 20, dtype=torch.uint8)
    assert processor(gray)["pixel_values_videos"].shape == (5, 3, 16, 16)
    metadata = {"total_num_frames": 30, "fps": 10.0, "duration": 3.0}
    out = processor(indexed_video(30), fps=2, video_metadata=[metadata])
    assert out["video_num_frames"].tolist() == [6]


def test_too_many_frames():
    processor = ActionArtVideoProcessor(size={"height": 16, "width": 16}, max_frames=8, num_frames=8)
    with pytest.raises(ValueError, match="more than max_frames=8; set do_sample_frames=True"):
        processor(indexed_video(9), do_sample_frames=False)
    with pytest.raises(ValueError, match="num_frames=9 exceeds max_frames=8"):
        processor(indexed_video(20), num_frames=9)
    assert processor(indexed_video(20))["video_num_frames"].tolist() == [8]


def test_round_trip(tmp_path):
    processor = ActionArtVideoProcessor(size={"height": 32, "width": 32}, num_frames=6, max_frames=12)
    processor.save_pretrained(tmp_path)
    loaded = ActionArtVideoProcessor.from_pretrained(tmp_path)
    assert (loaded.size, loaded.num_frames, loaded.max_frames) == ({"height": 32, "width": 32}, 6, 12)
    video = indexed_video(9)
    assert torch.equal(processor(video)["pixel_values_videos"], loaded(video)["pixel_values_videos"])
