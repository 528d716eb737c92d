"""The training input's pixel path: videos decoded straight to the size the video processor resizes them to (uint8,
one resize), then padded and normalised in one fused op, give the processor's output of the old path (decode under
the cap, float32 bicubic resize, rescale, normalise) within the interpolation's tolerance."""

import numpy as np
import pytest
import torch

from actionart_hf.models.actionart import ActionArtVideoProcessor
from actionart_hf.video import load_video, write_video


def smooth_frames(num_frames: int, height: int, width: int) -> np.ndarray:
    """Gradients and a soft moving disc: content that any good interpolation reproduces closely."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    frames = np.empty((num_frames, height, width, 3), dtype=np.uint8)
    for t in range(num_frames):
        disc = 120 * np.exp(
            -(((y - height / 2) / (height / 5)) ** 2 + ((x - width * (t + 1) / (num_frames + 1)) / (width / 6)) ** 2)
        )
        frames[t, ..., 0] = np.clip(40 + 150 * x / width + disc, 0, 255)
        frames[t, ..., 1] = np.clip(200 - 140 * y / height + disc / 2, 0, 255)
        frames[t, ..., 2] = np.clip(90 + 60 * np.sin(x / width * 6 + t) + disc / 3, 0, 255)
    return frames


@pytest.mark.parametrize("resize_mode", ["pad", "squash"])
@pytest.mark.parametrize("backend", ["pyav", "auto"])
def test_decoding_to_the_tower_size_keeps_the_processor_output(tmp_path, resize_mode, backend):
    path = write_video(tmp_path / "clip.mp4", smooth_frames(6, 120, 200), fps=6)
    processor = ActionArtVideoProcessor(size={"height": 48, "width": 48}, resize_mode=resize_mode)
    old = load_video(path, num_frames=4, max_pixels=80 * 80, backend=backend).frames
    new = load_video(
        path, num_frames=4, max_pixels=80 * 80, backend=backend, frame_size=processor.resized_frame_size
    ).frames
    content = (28, 48) if resize_mode == "pad" else (48, 48)  # 120x200 capped to 61x103 (80*80), fit in 48x48
    assert old.shape[1:3] == (61, 103) and new.shape[1:3] == content and new.dtype == np.uint8
    expected = processor(old, do_sample_frames=False, return_tensors="pt")["pixel_values_videos"]
    actual = processor(new, do_sample_frames=False, return_tensors="pt")["pixel_values_videos"]
    assert actual.shape == expected.shape == (4, 3, 48, 48)
    difference = (actual - expected).abs()  # normalised units: 2 / 255 per pixel level
    assert difference.mean() < 3 * 2 / 255 and difference.max() < 16 * 2 / 255, (difference.mean(), difference.max())


def test_fused_normalisation_equals_rescale_then_normalise():
    frames = torch.randint(0, 256, (3, 3, 16, 16), dtype=torch.uint8)
    processor = ActionArtVideoProcessor(size={"height": 16, "width": 16}, image_mean=[0.2, 0.4, 0.6])
    actual = processor([frames], do_sample_frames=False, return_tensors="pt")["pixel_values_videos"]
    mean = torch.tensor([0.2, 0.4, 0.6]).view(1, 3, 1, 1)
    expected = (frames.float() / 255 - mean) / torch.tensor(processor.image_std).view(1, 3, 1, 1)
    torch.testing.assert_close(actual, expected, rtol=0, atol=1e-6)
    plain = processor([frames], do_sample_frames=False, do_normalize=False, return_tensors="pt")["pixel_values_videos"]
    torch.testing.assert_close(plain, frames.float() * (1 / 255), rtol=0, atol=1e-7)


def test_collator_decodes_at_the_tower_size(monkeypatch, tmp_path):
    from actionart_hf.training import collator as collator_module

    processor = ActionArtVideoProcessor(size={"height": 48, "width": 48})
    holder = type("Processor", (), {"video_processor": processor})()
    sizes = {}

    def spy(path, frame_size=None, **kwargs):
        sizes["frame_size"] = frame_size
        return type("Clip", (), {"frames": np.zeros((2, 8, 8, 3), dtype=np.uint8)})()

    monkeypatch.setattr(collator_module, "load_video", spy)
    collator = collator_module.ActionArtDataCollator.__new__(collator_module.ActionArtDataCollator)
    collator.processor, collator.processor_kwargs = holder, {"resize_mode": "squash"}
    collator.num_frames, collator.max_pixels, collator.video_backend, collator.images_as_videos = (
        2,
        None,
        "pyav",
        False,
    )
    collator._prepare({"messages": [], "videos": ["clip.mp4"]})
    assert sizes["frame_size"](120, 200) == (48, 48)  # the per-call resize_mode wins over the processor's "pad"
    collator.processor_kwargs = {"do_resize": False}
    collator._prepare({"messages": [], "videos": ["clip.mp4"]})
    assert sizes["frame_size"] is None
