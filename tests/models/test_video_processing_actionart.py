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
    assert processor.resize_mode == "pad"
    video = np.full((2, 20, 30, 3), 255, dtype=np.uint8)
    out = processor(video, size={"height": 28, "width": 28})
    pixels = out["pixel_values_videos"]
    assert pixels.shape == (2, 3, 28, 28) and pixels.dtype == torch.float32
    # 20x30 fits as 19x28 (rows 4..22); the padding is the normalisation's zero (the mean, 127.5)
    content, padding = pixels[:, :, 4:23], torch.cat([pixels[:, :, :4], pixels[:, :, 23:]], dim=2)
    assert torch.allclose(content, torch.ones_like(content))  # (255 / 255 - 0.5) / 0.5
    assert padding.abs().max() < 1e-6
    squashed = processor(video, size={"height": 28, "width": 28}, resize_mode="squash")["pixel_values_videos"]
    assert torch.allclose(squashed, torch.ones_like(squashed))


def line_frame(height: int, width: int, angle_deg: float, half_length: float = 30.0) -> np.ndarray:
    """A black uint8 frame `(1, height, width, 3)` with a white segment through its centre at `angle_deg` (counter-
    clockwise from the horizontal, as a limb drawn on the image)."""
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    dy, dx = rows - (height - 1) / 2, cols - (width - 1) / 2
    theta = np.deg2rad(angle_deg)
    across = np.abs(dx * np.sin(theta) + dy * np.cos(theta))  # distance to the line of direction (cos, -sin)
    along = np.abs(dx * np.cos(theta) - dy * np.sin(theta))
    mask = (across <= 1.5) & (along <= half_length)
    return np.repeat((mask * 255).astype(np.uint8)[None, :, :, None], 3, axis=-1)


def line_angle(plane: torch.Tensor) -> float:
    """Angle in degrees (counter-clockwise from the horizontal) of the bright pixels' principal axis."""
    rows, cols = torch.nonzero(plane > 0, as_tuple=True)
    x, y = cols.double() - cols.double().mean(), rows.double() - rows.double().mean()
    return -np.degrees(0.5 * np.arctan2(2 * (x * y).mean().item(), ((x * x).mean() - (y * y).mean()).item()))


@pytest.mark.parametrize("angle", [20.0, 35.0, 60.0])
def test_padding_keeps_the_angle_of_a_limb_in_a_16_9_clip(angle):
    frame = line_frame(90, 160, angle)
    assert abs(line_angle(torch.from_numpy(frame[0, :, :, 0]).float() - 127.5) - angle) < 1.0  # the drawing itself
    processor = ActionArtVideoProcessor(size={"height": 64, "width": 64})
    padded = processor(frame)["pixel_values_videos"][0, 0]
    assert abs(line_angle(padded) - angle) < 1.5
    assert padded[:14].abs().max() < 1e-6 and padded[50:].abs().max() < 1e-6  # 16:9 in 64x64: rows 14..49
    squashed = processor(frame, resize_mode="squash")["pixel_values_videos"][0, 0]
    stretched = np.degrees(np.arctan(np.tan(np.radians(angle)) * 160 / 90))  # height scaled 64/90, width 64/160
    assert abs(line_angle(squashed) - stretched) < 2.0 and abs(stretched - angle) > 9


def test_resize_mode_is_checked_and_saved(tmp_path):
    with pytest.raises(ValueError, match="resize_mode='crop' is not supported; use 'pad'"):
        ActionArtVideoProcessor(resize_mode="crop")
    with pytest.raises(ValueError, match="resize_mode='crop' is not supported"):
        ActionArtVideoProcessor()(indexed_video(2), resize_mode="crop")
    ActionArtVideoProcessor(resize_mode="squash").save_pretrained(tmp_path)
    assert ActionArtVideoProcessor.from_pretrained(tmp_path).resize_mode == "squash"


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
