"""ActionArt video processor: evenly spaced frame sampling, fit to the vision tower's size, normalise.

    >>> video_processor = ActionArtVideoProcessor()        # 64 frames at most, 384x384, SigLIP mean/std
    >>> out = video_processor([frames_a, frames_b])         # uint8 (num_frames, height, width, 3) each
    >>> out["pixel_values_videos"].shape                    # (total_frames, 3, 384, 384)
    >>> out["video_num_frames"]                             # tensor([frames of a, frames of b])

Videos of a batch may differ in length: their frames are concatenated into `pixel_values_videos` and
`video_num_frames` says how many belong to each video (the layout `ActionArtModel` reads).

Geometry (`resize_mode`): `"pad"` (the default) scales a frame to fit the tower's size keeping its aspect ratio and
pads the rest with the normalisation's zero (the pixel value that becomes 0 after normalising, i.e. the mean), as
LLaVA's `image_aspect_ratio="pad"` does, so limb angles and walking directions survive; `"squash"` stretches the frame
to the size (what LLaVA-OneVision / LLaVA-Video video processors do, kept for checkpoints converted from them).

This file imports only `torch`, `transformers` and its sibling files (it is copied next to the weights).
"""

import torch
from torch.nn import functional as F
from transformers.image_processing_utils import BatchFeature
from transformers.image_utils import PILImageResampling
from transformers.processing_utils import Unpack, VideosKwargs
from transformers.utils import logging
from transformers.video_processing_utils import BaseVideoProcessor
from transformers.video_utils import VideoMetadata


logger = logging.get_logger(__name__)

SIGLIP_MEAN = [0.5, 0.5, 0.5]
SIGLIP_STD = [0.5, 0.5, 0.5]
RESIZE_MODES = ("pad", "squash")
# PIL resampling filter ids → torch interpolation modes (resizing is done in torch, without torchvision).
_INTERPOLATION = {0: "nearest", 2: "bilinear", 3: "bicubic"}


class ActionArtVideoProcessorKwargs(VideosKwargs, total=False):
    r"""
    max_frames (`int`, *optional*, defaults to 64):
        Most frames a processed video may have (the model's `max_frames`). Sampling never returns more than this;
        with `do_sample_frames=False` a longer video raises a `ValueError`.
    resize_mode (`str`, *optional*, defaults to `"pad"`):
        `"pad"`: keep the aspect ratio, pad to `size` with the normalisation's zero; `"squash"`: stretch to `size`.
    """

    max_frames: int
    resize_mode: str


def sample_frame_indices(total_num_frames: int, num_frames: int) -> "torch.Tensor":
    """`round(linspace(0, total_num_frames - 1, min(num_frames, total_num_frames)))`: evenly spaced, no duplicates.

    Args:
        total_num_frames (`int`): frames in the video, >= 1.
        num_frames (`int`): frames wanted, >= 1.

    Returns:
        `torch.LongTensor` of shape `(min(num_frames, total_num_frames),)`.
    """
    if total_num_frames < 1:
        raise ValueError(f"total_num_frames={total_num_frames}: the video has no frames.")
    if num_frames < 1:
        raise ValueError(f"num_frames={num_frames} must be >= 1.")
    count = min(num_frames, total_num_frames)
    # float64 + round-half-to-even, like numpy.round(numpy.linspace(...)).
    return torch.linspace(0, total_num_frames - 1, count, dtype=torch.float64).round().long()


def check_resize_mode(resize_mode: str) -> str:
    """Returns `resize_mode` if it is one of `RESIZE_MODES`, else raises a `ValueError` naming them."""
    if resize_mode not in RESIZE_MODES:
        raise ValueError(
            f"resize_mode={resize_mode!r} is not supported; use 'pad' (keep the aspect ratio) or 'squash' (stretch, "
            "for checkpoints trained that way, e.g. converted from LLaVA-OneVision)."
        )
    return resize_mode


def fit_within(height: int, width: int, box_height: int, box_width: int) -> tuple[int, int]:
    """The largest `(height, width)` with the frame's aspect ratio that fits in `box_height x box_width`."""
    scale = min(box_height / height, box_width / width)
    return min(box_height, max(1, round(height * scale))), min(box_width, max(1, round(width * scale)))


def pad_to_size(video: "torch.Tensor", height: int, width: int, fill: "torch.Tensor") -> "torch.Tensor":
    """Centres `video` of shape `(num_frames, channels, h, w)` on a `height x width` canvas filled with `fill`.

    Args:
        video (`torch.Tensor`): of shape `(num_frames, channels, h, w)`, `h <= height`, `w <= width`.
        height (`int`), width (`int`): canvas size.
        fill (`torch.Tensor`): of shape `(channels,)` or `(1,)`, the value of every padded pixel.

    Returns:
        `torch.Tensor` of shape `(num_frames, channels, height, width)`; odd margins put the extra pixel after the
        frame (bottom, right), like LLaVA's `expand2square`.
    """
    num_frames, channels, content_height, content_width = video.shape
    fill = fill.to(video.device, video.dtype).reshape(-1).expand(channels).view(1, channels, 1, 1)
    canvas = fill.expand(num_frames, channels, height, width).clone()
    top, left = (height - content_height) // 2, (width - content_width) // 2
    canvas[:, :, top : top + content_height, left : left + content_width] = video
    return canvas


class ActionArtVideoProcessor(BaseVideoProcessor):
    r"""Samples, resizes and normalises videos for [`ActionArtForConditionalGeneration`].

    Defaults (class attributes, overridable at init or per call): `size={"height": 384, "width": 384}` (the vision
    tower's input, a fixed grid), `resize_mode="pad"` (fit keeping the aspect ratio, pad with the normalisation's
    zero; `"squash"` stretches), bicubic resampling, rescale by 1/255, SigLIP normalisation (mean = std = 0.5),
    `do_sample_frames=True`, `num_frames=64`, `max_frames=64`.

    Frame sampling: `round(linspace(0, n - 1, min(num_frames, n)))` of a video's `n` frames, so a video
    with fewer frames keeps all of them and none is duplicated. With `fps` (and video metadata with an fps), the
    count is `duration * fps`, still capped by `num_frames`.

    Output (`model_input_names`): `pixel_values_videos` of shape `(total_frames, channels, height, width)` and
    `video_num_frames` of shape `(num_videos,)`.
    """

    resample = PILImageResampling.BICUBIC
    image_mean = SIGLIP_MEAN
    image_std = SIGLIP_STD
    size = {"height": 384, "width": 384}
    default_to_square = True
    do_resize = True
    do_center_crop = False
    crop_size = None
    do_rescale = True
    rescale_factor = 1 / 255
    do_normalize = True
    do_convert_rgb = True
    do_sample_frames = True
    # The paper's 64 frames, written here (not imported from actionart_hf.video) since this folder stands alone.
    num_frames = 64
    max_frames = 64
    resize_mode = "pad"
    valid_kwargs = ActionArtVideoProcessorKwargs
    model_input_names = ["pixel_values_videos", "video_num_frames"]

    def __init__(self, **kwargs: Unpack[ActionArtVideoProcessorKwargs]):
        super().__init__(**kwargs)
        check_resize_mode(self.resize_mode)

    def sample_frames(
        self,
        metadata: VideoMetadata,
        num_frames: int | None = None,
        fps: int | float | None = None,
        max_frames: int | None = None,
        **kwargs,
    ) -> "torch.Tensor":
        """Indices of the frames to keep.

        Args:
            metadata (`VideoMetadata`): the video's `total_num_frames` (and `fps` when sampling by `fps`).
            num_frames (`int`, *optional*): most frames to keep; defaults to `self.num_frames`.
            fps (`int` or `float`, *optional*): frames per second to keep (needs `metadata.fps`), at most `num_frames`.
            max_frames (`int`, *optional*): the model's limit; defaults to `self.max_frames`.

        Returns:
            `numpy.ndarray` of int64 indices, increasing, without duplicates.
        """
        num_frames = num_frames if num_frames is not None else self.num_frames
        max_frames = max_frames if max_frames is not None else self.max_frames
        if num_frames > max_frames:
            raise ValueError(
                f"num_frames={num_frames} exceeds max_frames={max_frames} (the model's limit); ask for at most "
                f"{max_frames} frames."
            )
        total_num_frames = metadata.total_num_frames
        if fps is not None:
            if not metadata.fps:
                raise ValueError(
                    f"Sampling at fps={fps} needs the video's own fps, which its metadata lacks; pass video_metadata "
                    "or use num_frames."
                )
            num_frames = min(num_frames, max(1, round(total_num_frames / metadata.fps * fps)))
        return sample_frame_indices(total_num_frames, num_frames).numpy()

    def convert_to_rgb(self, video: "torch.Tensor") -> "torch.Tensor":
        """Grayscale → 3 channels, RGBA → RGB, for a video of shape `(num_frames, channels, height, width)`."""
        channels = video.shape[1]
        if channels == 1:
            return video.expand(-1, 3, -1, -1).contiguous()
        if channels == 4:
            return video[:, :3].contiguous()
        if channels != 3:
            raise ValueError(f"Frames have {channels} channels; expected 1 (gray), 3 (RGB) or 4 (RGBA).")
        return video

    def resized_frame_size(
        self, height: int, width: int, size: dict | None = None, resize_mode: str | None = None
    ) -> tuple[int, int]:
        """The `(height, width)` a frame of `height x width` is resized to before any padding: the tower's size
        (`"squash"`), or the largest size with the frame's aspect ratio that fits in it (`"pad"`). A frame decoded at
        this size is not resized again (the training collator decodes to it, in uint8).

        Args:
            height (`int`), width (`int`): the frame's size.
            size (`dict`, *optional*): `{"height", "width"}` of the tower's input; defaults to `self.size`.
            resize_mode (`str`, *optional*): defaults to `self.resize_mode`.
        """
        size = dict(size if size is not None else self.size)
        if check_resize_mode(resize_mode if resize_mode is not None else self.resize_mode) == "squash":
            return size["height"], size["width"]
        return fit_within(height, width, size["height"], size["width"])

    def _resize(self, video: "torch.Tensor", size, resample, resize_mode: str, fill: "torch.Tensor") -> "torch.Tensor":
        """Frames of shape `(num_frames, channels, h, w)` → float `(num_frames, channels, size.height, size.width)`."""
        mode = _INTERPOLATION.get(int(resample) if resample is not None else 3)
        if mode is None:
            raise ValueError(
                f"resample={resample!r} is not supported; use PILImageResampling.BICUBIC, BILINEAR or NEAREST."
            )
        height, width = size.height, size.width
        if height is None or width is None:
            raise ValueError(f"size={dict(size)} must give both height and width (the vision tower's input size).")
        if check_resize_mode(resize_mode) == "squash":
            return self._interpolate(video, (height, width), mode)
        content = self._interpolate(video, fit_within(*video.shape[-2:], height, width), mode)
        return pad_to_size(content, height, width, fill)

    @staticmethod
    def _interpolate(video: "torch.Tensor", size: tuple[int, int], mode: str) -> "torch.Tensor":
        if tuple(video.shape[-2:]) == size:
            return video.float()
        resized = F.interpolate(
            video.float(),
            size=size,
            mode=mode,
            align_corners=False if mode != "nearest" else None,
            antialias=mode != "nearest",
        )
        # Bicubic overshoots; keep pixel values in the input range before rescaling.
        return resized.clamp(0, 255) if not video.is_floating_point() else resized

    @staticmethod
    def _rescale_and_normalize(
        video: "torch.Tensor",
        do_rescale: bool,
        rescale_factor: float,
        do_normalize: bool,
        mean: "torch.Tensor",
        std: "torch.Tensor",
    ) -> "torch.Tensor":
        """`(video * rescale_factor - mean) / std` as one fused multiply-add per pixel (`video * scale + offset`)."""
        scale = torch.full_like(std, rescale_factor if do_rescale else 1.0)
        offset = torch.zeros_like(std)
        if do_normalize:
            scale, offset = scale / std, -mean / std
        channels = video.shape[1]
        scale = scale.to(video.device).reshape(-1).expand(channels).view(1, channels, 1, 1)
        offset = offset.to(video.device).reshape(-1).expand(channels).view(1, channels, 1, 1)
        return torch.addcmul(offset, video, scale)

    def _preprocess(
        self,
        videos: list["torch.Tensor"],
        do_resize: bool,
        size,
        resample,
        do_rescale: bool,
        rescale_factor: float,
        do_normalize: bool,
        image_mean,
        image_std,
        return_tensors=None,
        max_frames: int | None = None,
        resize_mode: str | None = None,
        **kwargs,
    ) -> BatchFeature:
        max_frames = max_frames if max_frames is not None else self.max_frames
        resize_mode = resize_mode if resize_mode is not None else self.resize_mode
        # The padding value that normalising maps to 0 (the mean), in the pixel units before rescaling.
        mean = torch.as_tensor(image_mean if image_mean is not None else 0.0, dtype=torch.float32)
        std = torch.as_tensor(image_std if image_std is not None else 1.0, dtype=torch.float32)
        fill = mean / (rescale_factor if do_rescale else 1.0)
        processed = []
        for index, video in enumerate(videos):
            if video.shape[0] < 1:
                raise ValueError(f"Video {index} has no frames.")
            if video.shape[0] > max_frames:
                raise ValueError(
                    f"Video {index} has {video.shape[0]} frames, more than max_frames={max_frames}; set "
                    f"do_sample_frames=True (with num_frames <= {max_frames}) to sample it down."
                )
            video = self._resize(video, size, resample, resize_mode, fill) if do_resize else video.float()
            processed.append(self._rescale_and_normalize(video, do_rescale, rescale_factor, do_normalize, mean, std))
        shapes = {tuple(video.shape[1:]) for video in processed}
        if len(shapes) > 1:
            raise ValueError(
                f"Processed frames have different shapes {sorted(shapes)}; keep do_resize=True so that every frame "
                "has the vision tower's size."
            )
        data = {
            "pixel_values_videos": torch.cat(processed, dim=0),
            "video_num_frames": torch.tensor([video.shape[0] for video in processed], dtype=torch.long),
        }
        return BatchFeature(data=data, tensor_type=return_tensors)


__all__ = [
    "RESIZE_MODES",
    "ActionArtVideoProcessor",
    "check_resize_mode",
    "fit_within",
    "pad_to_size",
    "sample_frame_indices",
]
