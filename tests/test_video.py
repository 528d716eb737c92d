from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from actionart_hf.video import (
    VideoDecodeError,
    fit_to_max_pixels,
    load_video,
    probe_video,
    sample_frame_indices,
    write_video,
)


BACKENDS = ["auto", "decord", "pyav"]


def red_index(clip):
    """Frame number encoded by `moving_square_frames` in the red channel (10 per frame)."""
    return np.round(clip.frames[:, -1, -1, 0].astype(float) / 10).astype(int)


def test_sample_frame_indices():
    assert sample_frame_indices(100, 5).tolist() == [0, 25, 50, 74, 99]
    assert sample_frame_indices(3, 64).tolist() == [0, 1, 2]
    assert sample_frame_indices(1, 8).tolist() == [0]
    with pytest.raises(ValueError):
        sample_frame_indices(0, 8)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, codec", [("clip.mp4", "libx264"), ("clip.avi", "mpeg4")])
def test_samples_the_right_frames(make_video, backend, name, codec):
    path = make_video(name, num_frames=20, codec=codec)
    clip = load_video(path, num_frames=5, backend=backend)
    assert clip.frames.shape == (5, 32, 64, 3) and clip.frames.dtype == np.uint8
    assert clip.indices.tolist() == [0, 5, 10, 14, 19]
    assert (np.abs(red_index(clip) - clip.indices) <= 1).all()
    np.testing.assert_allclose(clip.timestamps_s, clip.indices / 8.0, atol=1e-3)
    assert clip.total_frames == 20 and clip.fps == pytest.approx(8.0) and clip.duration_s == pytest.approx(2.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_frame_video(make_video, backend):
    clip = load_video(make_video("one.mp4", num_frames=1), num_frames=64, backend=backend)
    assert clip.frames.shape[0] == 1 and clip.indices.tolist() == [0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_more_frames_asked_than_exist(make_video, backend):
    clip = load_video(make_video(num_frames=7), num_frames=64, backend=backend)
    assert clip.indices.tolist() == list(range(7))
    assert (np.abs(red_index(clip) - clip.indices) <= 1).all()


@pytest.mark.parametrize("backend", ["auto", "pyav"])
@pytest.mark.parametrize("height, width", [(64, 36), (33, 17), (32, 48)])
def test_portrait_and_odd_sizes(make_video, backend, height, width):
    clip = load_video(make_video(num_frames=4, height=height, width=width), num_frames=4, backend=backend)
    assert clip.frames.shape == (4, height, width, 3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pixel_cap_keeps_aspect_ratio(make_video, backend):
    path = make_video(num_frames=3, height=120, width=200)
    clip = load_video(path, num_frames=3, max_pixels=60 * 100, backend=backend)
    height, width = clip.frames.shape[1:3]
    assert height * width <= 60 * 100 and abs(width / height - 200 / 120) < 0.05
    assert load_video(path, num_frames=1, max_pixels=None, backend=backend).frames.shape[1:3] == (120, 200)


def test_auto_falls_back_when_decord_fails(make_video):
    # decord 0.6 cannot copy frames of some widths (48 px here); auto must still decode them, even sparsely.
    path = make_video(num_frames=200, height=32, width=48)
    with pytest.raises(VideoDecodeError, match="decord"):
        load_video(path, num_frames=4, backend="decord")
    clip = load_video(path, num_frames=4)
    assert clip.frames.shape == (4, 32, 48, 3)


def test_fit_to_max_pixels():
    assert fit_to_max_pixels(1080, 1920, 480 * 480) == (360, 640)
    assert fit_to_max_pixels(100, 100, 480 * 480) == (100, 100)
    height, width = fit_to_max_pixels(1920, 1080, 480 * 480)
    assert height * width <= 480 * 480 and height > width


@pytest.mark.parametrize("backend", BACKENDS)
def test_zero_byte_file(tmp_path, backend):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(VideoDecodeError, match="empty.mp4.*empty") as error:
        load_video(path, backend=backend)
    assert error.value.path == str(path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_truncated_file(make_video, tmp_path, backend):
    data = make_video(num_frames=30).read_bytes()
    path = tmp_path / "truncated.mp4"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoDecodeError, match="truncated.mp4") as error:
        load_video(path, backend=backend)
    assert error.value.reason


@pytest.mark.parametrize("backend", BACKENDS)
def test_text_file_named_mp4(tmp_path, backend):
    path = tmp_path / "notes.mp4"
    path.write_text("these are my notes, not a video\n")
    with pytest.raises(VideoDecodeError, match="notes.mp4") as error:
        load_video(path, backend=backend)
    if backend != "decord":
        assert "text" in error.value.reason


def test_auto_reports_both_backends(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("not a video")
    with pytest.raises(VideoDecodeError, match="pyav: .*decord: "):
        load_video(path)


def test_missing_file_and_bad_backend(tmp_path):
    with pytest.raises(VideoDecodeError, match="does not exist"):
        load_video(tmp_path / "nope.mp4")
    with pytest.raises(ValueError, match="backend"):
        load_video(tmp_path / "nope.mp4", backend="opencv")


def test_probe_video(make_video):
    info = probe_video(make_video(num_frames=10, height=20, width=30))
    assert (info.total_frames, info.height, info.width) == (10, 20, 30)
    assert info.duration_s == pytest.approx(10 / 8)


def test_write_video_is_deterministic_and_atomic(tmp_path):
    frames = np.random.default_rng(0).integers(0, 255, (6, 16, 16, 3), dtype=np.uint8)
    first = write_video(tmp_path / "a.mp4", frames).read_bytes()
    second = write_video(tmp_path / "b.mp4", frames).read_bytes()
    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "b.mp4"]  # no temporary files left
    with pytest.raises(ValueError, match="uint8"):
        write_video(tmp_path / "c.mp4", frames.astype(np.float32))


def drawn_figure_frames(num_frames: int) -> np.ndarray:
    """A 32x32 stick figure moving in front of a wall and a floor (what the synthetic and FGQA videos look like)."""
    from PIL import Image, ImageDraw

    frames = []
    for t in range(num_frames):
        image = Image.new("RGB", (32, 32), (200, 190, 170))
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 20, 32, 32], fill=(120, 110, 100))
        draw.line([(16, 8), (16 + t % 6 - 3, 22)], fill=(220, 40, 40), width=3)
        draw.ellipse([12 + t % 4, 3, 20 + t % 4, 11], fill=(236, 200, 164))
        frames.append(np.asarray(image))
    return np.stack(frames)


def test_write_video_gives_the_same_bytes_whatever_ran_before(tmp_path):
    # Decoded frames re-encoded between video decodes on two threads, as the FGQA builder does: x264's macroblock tree
    # used to read memory left over by the decodes, so the same frames gave different bytes.
    source = write_video(tmp_path / "source.mp4", drawn_figure_frames(24), fps=4.0)
    frames = load_video(source, num_frames=6, backend="pyav").frames

    def encode_after_decodes(worker: int) -> set[bytes]:
        encoded = set()
        for k in range(30):
            load_video(source, backend="pyav")
            encoded.add(write_video(tmp_path / f"{worker}-{k}.mp4", frames, fps=4.0).read_bytes())
        return encoded

    with ThreadPoolExecutor(2) as pool:
        assert len(set().union(*pool.map(encode_after_decodes, range(2)))) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_sparse_sampling_with_b_frames_and_long_gops(tmp_path, backend):
    # x264 with B-frames and 60-frame groups: the planned decode skips non-reference frames far from a target.
    frames = np.zeros((150, 32, 64, 3), dtype=np.uint8)
    for t in range(len(frames)):
        frames[t] = int(1.5 * t)
    path = write_video(tmp_path / "long.mp4", frames, fps=25, options={"crf": "10", "bf": "3", "g": "60"})
    clip = load_video(path, num_frames=6, backend=backend)
    assert clip.indices.tolist() == [0, 30, 60, 89, 119, 149]
    decoded = np.round(clip.frames[:, 16, 32, 0].astype(float) / 1.5)
    assert (np.abs(decoded - clip.indices) <= 1).all(), decoded


def test_a_seek_that_lands_early_does_not_loop():
    # A synthetic clip where seeking to the keyframe before frame 5 returns frame 0 first: it used to re-seek forever.
    path = Path(__file__).parent / "fixtures" / "seek_lands_early.mp4"
    pyav, decord = load_video(path, num_frames=4, backend="pyav"), load_video(path, num_frames=4, backend="decord")
    assert pyav.indices.tolist() == decord.indices.tolist()
    assert np.abs(pyav.frames.astype(int) - decord.frames).mean() < 2
