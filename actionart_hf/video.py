"""Video decoding and frame sampling (decord first, PyAV fallback) and MP4 encoding.

    >>> clip = load_video("clip.mp4", num_frames=64, max_pixels=480 * 480)
    >>> clip.frames.shape  # (num_frames, height, width, 3), uint8, RGB
    (64, 270, 480, 3)

Backends:

- ``"decord"``: random access with `decord.VideoReader.get_batch` (fast for sparse sampling of long clips).
- ``"pyav"``: a planned PyAV decode. Packets are demuxed once (cheap: no decoding) to learn every frame's
  timestamp and the keyframes; frames are then decoded forward and a seek is made only when the next wanted
  frame lies in a later group of pictures than the decoder's position, so no frame is decoded twice and
  whole groups of unwanted frames are skipped.
- ``"auto"`` (default): estimates, from the packet index, how many frames each strategy must decode and
  picks decord's random access for sparse sampling and PyAV's planned decode otherwise; if the chosen
  backend fails, the other one is tried and both errors are reported.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np

from .atomic import atomic_file


Backend = Literal["auto", "decord", "pyav"]
BACKENDS: tuple[str, ...] = ("auto", "decord", "pyav")
# The paper's input: 64 frames per video, each at most 480x480 pixels.
DEFAULT_NUM_FRAMES = 64
DEFAULT_MAX_PIXELS = 480 * 480
# libx264 defaults of `write_video`: near-lossless, no B-frames (replaced by the caller's `options`).
X264_DEFAULT_OPTIONS = {"crf": "18", "bf": "0"}
# Always applied to libx264 unless the caller's `options` name them: one thread, and no macroblock-tree rate control,
# which on small frames reads memory left over by earlier work in the process, so the same frames could give
# different bytes (after a video decode, say).
X264_DETERMINISTIC_OPTIONS = {"threads": "1", "mbtree": "0"}


class VideoDecodeError(ValueError):
    """A video file that cannot be decoded: empty, truncated, not a video, or unsupported.

    Args:
        path (`str` or `os.PathLike`): the file.
        reason (`str`): what went wrong, including each backend's error when several were tried.
    """

    def __init__(self, path: str | os.PathLike, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot decode video {self.path!r}: {reason}")


@dataclass
class VideoClip:
    """Frames sampled from a video.

    Args:
        frames (`np.ndarray` of shape `(num_frames, height, width, 3)`, uint8): RGB frames.
        indices (`np.ndarray` of shape `(num_frames,)`, int64): positions of the frames in the video.
        timestamps_s (`np.ndarray` of shape `(num_frames,)`, float64): presentation time of each frame.
        fps (`float`): average frame rate of the video.
        duration_s (`float`): length of the video (`total_frames / fps`).
        total_frames (`int`): number of frames in the whole video.
    """

    frames: np.ndarray
    indices: np.ndarray
    timestamps_s: np.ndarray
    fps: float
    duration_s: float
    total_frames: int


def check_sampling(num_frames: int, max_pixels: int | None = None) -> None:
    """Refuses sampling settings that cannot work: `num_frames` must be an integer >= 1, `max_pixels` an integer >= 1
    or `None` (no cap).

    Raises:
        ValueError: naming the setting, its value and what it must be.
    """
    for name, value, none_ok in (("num_frames", num_frames, False), ("max_pixels", max_pixels, True)):
        if value is None and none_ok:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            allowed = "an integer >= 1" + (" or None (no cap)" if none_ok else "")
            raise ValueError(f"{name}={value!r} is invalid: it must be {allowed}.")


def sample_frame_indices(total_frames: int, num_frames: int) -> np.ndarray:
    """`linspace(0, total_frames - 1, min(num_frames, total_frames))` rounded: evenly spaced, no duplicates.

    Returns:
        `np.ndarray` of shape `(min(num_frames, total_frames),)`, int64.
    """
    if total_frames < 1:
        raise ValueError(f"total_frames={total_frames} must be >= 1.")
    check_sampling(num_frames)
    count = min(num_frames, total_frames)
    return np.round(np.linspace(0, total_frames - 1, count)).astype(np.int64)


def fit_to_max_pixels(height: int, width: int, max_pixels: int | None) -> tuple[int, int]:
    """The largest `(height, width)` with the same aspect ratio and at most `max_pixels` pixels (never upscales).

    Raises:
        ValueError: `max_pixels` is not `None` or an integer >= 1.
    """
    check_sampling(1, max_pixels)
    if max_pixels is None or height * width <= max_pixels:
        return height, width
    scale = math.sqrt(max_pixels / (height * width))
    new_height, new_width = max(1, int(height * scale)), max(1, int(width * scale))
    while new_height * new_width > max_pixels:  # guard against rounding up past the cap
        new_height, new_width = max(1, new_height - 1), max(1, new_width - 1)
    return new_height, new_width


@dataclass
class _StreamIndex:
    """Frame timestamps and keyframe positions of a video stream, from demuxing only."""

    pts: np.ndarray  # (total_frames,) presentation timestamps in stream time base, sorted
    keyframe_positions: np.ndarray  # frame positions (display order) that are keyframes, sorted
    time_base: Fraction
    start_pts: int
    fps: float
    height: int
    width: int

    @property
    def total_frames(self) -> int:
        return len(self.pts)

    def keyframe_before(self, position: int) -> int:
        """Display position of the last keyframe at or before `position`."""
        return int(self.keyframe_positions[np.searchsorted(self.keyframe_positions, position, side="right") - 1])

    def frames_to_decode_forward(self, indices: np.ndarray) -> int:
        """Frames the planned forward decode touches: from each wanted frame's keyframe, or the last position."""
        decoded, position = 0, -1
        for target in indices:
            keyframe = self.keyframe_before(int(target))
            start = keyframe if keyframe > position + 1 else position + 1
            decoded += int(target) - start + 1
            position = int(target)
        return decoded

    def frames_to_decode_random_access(self, indices: np.ndarray) -> int:
        """Frames random access decodes when each wanted frame is reached from its own keyframe."""
        return sum(int(target) - self.keyframe_before(int(target)) + 1 for target in indices)


def _describe_unreadable(path: Path) -> str:
    """A reason for a file FFmpeg cannot open, from its first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head[4:8] == b"ftyp" or head[:4] == b"RIFF" or head[:4] == b"\x1aE\xdf\xa3":
        return "the file is truncated or corrupt: its container header is there but its index or data is not"
    if all(32 <= byte < 127 or byte in b"\t\r\n" for byte in head):
        return "the file is text, not a video (check the extension and how it was downloaded)"
    return "the file is not a video FFmpeg recognises"


def _open_container(path: Path):
    import av

    try:
        container = av.open(str(path))
    except Exception as error:  # av raises many error types (InvalidDataError, FileNotFoundError, ...)
        raise VideoDecodeError(path, f"{_describe_unreadable(path)} (PyAV: {type(error).__name__})") from error
    if not container.streams.video:
        container.close()
        raise VideoDecodeError(path, "the file has no video stream")
    return container


def _index_stream(path: Path) -> _StreamIndex:
    """Demuxes every packet of the first video stream (no decoding) to index frames and keyframes."""
    container = _open_container(path)
    try:
        stream = container.streams.video[0]
        pts, keyframe_pts = [], []
        try:
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                pts.append(packet.pts)
                if packet.is_keyframe:
                    keyframe_pts.append(packet.pts)
        except Exception as error:
            raise VideoDecodeError(
                path, f"the file is truncated or corrupt ({type(error).__name__}: {error})"
            ) from error
        if not pts:
            raise VideoDecodeError(path, "the video stream has no frames")
        sorted_pts = np.sort(np.asarray(pts, dtype=np.int64))
        keyframes = np.searchsorted(sorted_pts, np.asarray(sorted(keyframe_pts) or [sorted_pts[0]], dtype=np.int64))
        if keyframes[0] != 0:
            keyframes = np.concatenate([[0], keyframes])
        rate = stream.average_rate or stream.guessed_rate or 25
        return _StreamIndex(
            pts=sorted_pts,
            keyframe_positions=keyframes,
            time_base=stream.time_base,
            start_pts=int(stream.start_time if stream.start_time is not None else sorted_pts[0]),
            fps=float(rate),
            height=stream.codec_context.height,
            width=stream.codec_context.width,
        )
    finally:
        container.close()


SKIP_MARGIN = 16  # frames before a wanted frame from which every frame is decoded again
RESIZE_INTERPOLATION = "AREA"  # swscale's area averaging: right for downscaling, and cheaper than bilinear
# FFmpeg's frame and slice threading while decoding (bit-exact: the same frames as one thread, sooner)
DECODE_THREAD_TYPE = "AUTO"


def _decode_pyav(path: Path, index: _StreamIndex, indices: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Decodes `indices` (sorted) forward, seeking only to skip whole groups of pictures.

    Far from the next wanted frame the decoder skips non-reference frames (which no other frame depends on); it
    decodes everything again `SKIP_MARGIN` frames before it. Should a wanted frame still be skipped, that part is
    decoded again without skipping.
    """
    height, width = size
    wanted = {int(index.pts[i]): slot for slot, i in enumerate(indices)}
    frames = np.empty((len(indices), height, width, 3), dtype=np.uint8)
    filled = np.zeros(len(indices), dtype=bool)
    container = _open_container(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = DECODE_THREAD_TYPE
        context = stream.codec_context
        frames_iter, position, slot, careful = None, -1, 0, False  # position: display index of the last frame
        sought = -1  # keyframe of the last seek: a seek may land earlier, and is never repeated for the same keyframe

        def worth_seeking(target: int) -> bool:
            keyframe = index.keyframe_before(target)
            return keyframe > position + 1 and keyframe > sought

        while slot < len(indices):
            target = int(indices[slot])
            if frames_iter is None or worth_seeking(target):  # skip whole groups of pictures
                sought = index.keyframe_before(target)
                container.seek(int(index.pts[sought]), stream=stream, backward=True)
                frames_iter, position = container.decode(stream), -1
            context.skip_frame = "NONREF" if not careful and target - position > SKIP_MARGIN else "DEFAULT"
            for frame in frames_iter:
                if frame.pts is None:
                    continue
                position = int(np.searchsorted(index.pts, frame.pts))
                found = wanted.get(frame.pts)
                if found is not None:
                    frames[found] = frame.to_ndarray(
                        format="rgb24", width=width, height=height, interpolation=RESIZE_INTERPOLATION
                    )
                    filled[found] = True
                while slot < len(indices) and filled[slot]:
                    slot += 1
                if slot == len(indices):
                    break
                target = int(indices[slot])
                if target <= position or worth_seeking(target):
                    break
                if target - position <= SKIP_MARGIN or careful:
                    context.skip_frame = "DEFAULT"
            else:
                break  # end of stream
            if slot < len(indices) and indices[slot] <= position:
                if careful:
                    break  # a wanted frame was passed but never produced
                careful, frames_iter, sought = True, None, -1  # decode that part again, every frame
    except Exception as error:
        raise VideoDecodeError(path, f"PyAV failed while decoding ({type(error).__name__}: {error})") from error
    finally:
        container.close()
    if not filled.all():
        missing = indices[~filled].tolist()
        raise VideoDecodeError(path, f"the file is truncated or corrupt: frames {missing[:5]} could not be decoded")
    return frames


FrameSize = Callable[[int, int], tuple[int, int]]


def _decode_size(height: int, width: int, max_pixels: int | None, frame_size: FrameSize | None) -> tuple[int, int]:
    """The size frames are decoded to: under the `max_pixels` cap, then `frame_size` of that if given."""
    size = fit_to_max_pixels(height, width, max_pixels)
    return frame_size(*size) if frame_size is not None else size


def _load_decord(
    path: Path,
    num_frames: int,
    max_pixels: int | None,
    size: tuple[int, int] | None = None,
    frame_size: FrameSize | None = None,
) -> VideoClip:
    """Random access with `decord.VideoReader.get_batch`, resizing while decoding."""
    try:
        import decord
    except ImportError as error:
        raise VideoDecodeError(path, "decord is not installed (pip install decord)") from error
    try:
        if size is None:
            reader = decord.VideoReader(str(path), num_threads=0)
            size = reader[0].shape[:2]
        height, width = _decode_size(*size, max_pixels, frame_size)
        reader = decord.VideoReader(str(path), num_threads=0, width=width, height=height)
        total = len(reader)
        if total < 1:
            raise VideoDecodeError(path, "the video stream has no frames")
        indices = sample_frame_indices(total, num_frames)
        frames = reader.get_batch(indices.tolist()).asnumpy()
        timestamps = reader.get_frame_timestamp(indices.tolist())[:, 0].astype(np.float64)
        fps = float(reader.get_avg_fps())
    except VideoDecodeError:
        raise
    except Exception as error:  # decord raises DECORDError / RuntimeError
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise VideoDecodeError(path, f"decord cannot decode it ({type(error).__name__}: {detail})") from error
    if frames.shape[0] != len(indices):
        raise VideoDecodeError(path, f"decord returned {frames.shape[0]} of {len(indices)} frames (truncated file?)")
    return VideoClip(frames, indices, timestamps, fps, total / fps, total)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise VideoDecodeError(path, "the file does not exist")
    if path.is_dir():
        raise VideoDecodeError(path, "the path is a folder, not a video file")
    if path.stat().st_size == 0:
        raise VideoDecodeError(path, "the file is empty (0 bytes)")


def _load_pyav(
    path: Path,
    num_frames: int,
    max_pixels: int | None,
    index: _StreamIndex | None = None,
    frame_size: FrameSize | None = None,
) -> VideoClip:
    index = index or _index_stream(path)
    indices = sample_frame_indices(index.total_frames, num_frames)
    size = _decode_size(index.height, index.width, max_pixels, frame_size)
    frames = _decode_pyav(path, index, indices, size)
    timestamps = (index.pts[indices] - index.start_pts) * float(index.time_base)
    return VideoClip(
        frames, indices, timestamps.astype(np.float64), index.fps, index.total_frames / index.fps, index.total_frames
    )


@dataclass
class VideoInfo:
    """Stream facts read from the packets, without decoding.

    Args:
        total_frames (`int`): frames in the first video stream.
        fps (`float`): average frame rate.
        duration_s (`float`): `total_frames / fps`.
        height (`int`), width (`int`): frame size before any resize.
    """

    total_frames: int
    fps: float
    duration_s: float
    height: int
    width: int


def probe_video(path: str | os.PathLike) -> VideoInfo:
    """Reads frame count, frame rate and size by demuxing (no decoding).

    Raises:
        VideoDecodeError: the file is missing, empty, truncated or not a video.
    """
    path = Path(path)
    _check_file(path)
    index = _index_stream(path)
    return VideoInfo(index.total_frames, index.fps, index.total_frames / index.fps, index.height, index.width)


def _prefers_random_access(index: _StreamIndex, num_frames: int) -> bool:
    """Random access pays a fixed cost per wanted frame; forward decoding pays for every frame it passes."""
    indices = sample_frame_indices(index.total_frames, num_frames)
    forward = index.frames_to_decode_forward(indices)
    random_access = index.frames_to_decode_random_access(indices)
    # decord's per-frame random access is cheaper than PyAV's seek+flush, but only worth it when it decodes
    # clearly fewer frames than the forward plan.
    return random_access * 2 < forward and len(indices) * 8 < index.total_frames


def load_video(
    path: str | os.PathLike,
    num_frames: int = DEFAULT_NUM_FRAMES,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    backend: Backend = "auto",
    frame_size: FrameSize | None = None,
) -> VideoClip:
    """Decodes `min(num_frames, total_frames)` evenly spaced frames of a video, resized under a pixel cap.

    Args:
        path (`str` or `os.PathLike`): a video file in any container FFmpeg reads (MP4, AVI, MKV, WebM, MOV, ...).
        num_frames (`int`, *optional*, defaults to 64): frames to sample (`linspace(0, n - 1, min(T, n))` rounded).
        max_pixels (`int`, *optional*, defaults to `480 * 480`): frames larger than this many pixels are resized,
            keeping the aspect ratio. `None` keeps the original size.
        backend (`str`, *optional*, defaults to `"auto"`): `"auto"`, `"decord"` or `"pyav"`.
        frame_size (`Callable[[int, int], tuple[int, int]]`, *optional*): maps the `(height, width)` under the cap to
            the size to decode to, e.g. a vision tower's input size (`ActionArtVideoProcessor.resized_frame_size`), so
            frames are resized once, in uint8, while decoding.

    Returns:
        [`VideoClip`] with `frames` of shape `(num_sampled, height, width, 3)`, uint8 RGB.

    Raises:
        VideoDecodeError: the file is missing, empty, truncated, not a video, or no backend can decode it.
        ValueError: `num_frames` or `max_pixels` is not an integer >= 1 (see [`check_sampling`]).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is not one of {BACKENDS}.")
    check_sampling(num_frames, max_pixels)
    path = Path(path)
    _check_file(path)
    if backend == "decord":
        return _load_decord(path, num_frames, max_pixels, frame_size=frame_size)
    if backend == "pyav":
        return _load_pyav(path, num_frames, max_pixels, frame_size=frame_size)

    errors = []
    try:
        index = _index_stream(path)
    except VideoDecodeError as error:
        errors.append(f"pyav: {error.reason}")
        index = None
    order = ("decord", "pyav") if index is None or _prefers_random_access(index, num_frames) else ("pyav", "decord")
    for name in order:
        try:
            if name == "decord":
                size = None if index is None else (index.height, index.width)
                return _load_decord(path, num_frames, max_pixels, size, frame_size)
            if index is not None:
                return _load_pyav(path, num_frames, max_pixels, index, frame_size)
        except VideoDecodeError as error:
            errors.append(f"{name}: {error.reason}")
    raise VideoDecodeError(path, "; ".join(errors))


def _pixel_format(codec: str, height: int, width: int) -> str:
    if codec in ("libx264", "h264") and (height % 2 or width % 2):
        return "yuv444p"  # 4:2:0 needs even sizes; 4:4:4 keeps odd ones exact
    return "yuv420p"


def write_video(
    path: str | os.PathLike,
    frames: np.ndarray,
    fps: float = 8.0,
    codec: str = "libx264",
    options: dict[str, str] | None = None,
) -> Path:
    """Encodes RGB frames into a video file with PyAV, atomically (temporary file, then rename).

    Args:
        path (`str` or `os.PathLike`): output file; the container follows the extension (`.mp4`, `.avi`, `.mkv`).
        frames (`np.ndarray` of shape `(num_frames, height, width, 3)`, uint8): RGB frames.
        fps (`float`, *optional*, defaults to 8.0): frame rate.
        codec (`str`, *optional*, defaults to `"libx264"`): FFmpeg encoder (`"libx264"`, `"mpeg4"`, ...).
        options (`dict[str, str]`, *optional*): encoder options; libx264 defaults to `X264_DEFAULT_OPTIONS`
            (`{"crf": "18", "bf": "0"}`) and always adds `X264_DETERMINISTIC_OPTIONS` (one thread, no macroblock
            tree) unless `options` sets them, so the same frames give the same bytes. Every encoder runs on one
            thread.

    Returns:
        `Path` of the written file.
    """
    import av

    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(
            f"frames must be uint8 of shape (num_frames, height, width, 3), got {frames.dtype} {frames.shape}."
        )
    num_frames, height, width, _ = frames.shape
    if num_frames == 0 or height == 0 or width == 0:
        raise ValueError(f"frames of shape {frames.shape} hold no pixel: a video needs at least one 1x1 frame.")
    if not fps > 0:
        raise ValueError(f"fps={fps!r} is invalid: it must be a number > 0.")
    path = Path(path)
    if codec == "libx264":
        options = {**X264_DETERMINISTIC_OPTIONS, **(X264_DEFAULT_OPTIONS if options is None else options)}
    rate = Fraction(fps).limit_denominator(1001)
    with atomic_file(path) as temporary, av.open(str(temporary), mode="w") as container:
        stream = container.add_stream(codec, rate=rate, options=options or {})
        stream.width, stream.height = width, height
        stream.pix_fmt = _pixel_format(codec, height, width)
        stream.codec_context.thread_count = 1
        for image in frames:
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


__all__ = [
    "BACKENDS",
    "DECODE_THREAD_TYPE",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_NUM_FRAMES",
    "VideoClip",
    "VideoDecodeError",
    "check_sampling",
    "fit_to_max_pixels",
    "VideoInfo",
    "X264_DEFAULT_OPTIONS",
    "X264_DETERMINISTIC_OPTIONS",
    "load_video",
    "probe_video",
    "sample_frame_indices",
    "write_video",
]
