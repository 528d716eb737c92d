"""Source adapters: where the proxy pipelines get human videos (docs/DESIGN.md §6.4), and frame reading.

- `ntu`: NTU RGB+D 120 file naming, `SsssCcccPpppRrrrAaaa_rgb.avi` (setup, camera, performer, replication, action);
  the class is `A###` (or a name from `--class-names`).
- `kinetics`: Kinetics-700 — a folder per class (`<root>/[<split>/]<class>/<youtube_id>_<start>_<end>.mp4`), and
  optionally the annotation CSV (`label,youtube_id,time_start,time_end,split`) to pick and label the clips.
- `folder`: any folder of videos (recursive; mp4, avi, mkv, webm, mov, m4v).
- `synthetic`: a folder written by `actionart-hf synth` (videos with exact events and per-frame motion).

Every adapter returns [`SourceVideo`]s sorted by relative path, so builds are deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..video import DECODE_THREAD_TYPE, VideoDecodeError, fit_to_max_pixels
from .labels import LabelSpan, normalize_label


logger = logging.getLogger(__name__)

VIDEO_EXTENSIONS = (".mp4", ".avi", ".mkv", ".webm", ".mov", ".m4v")
SOURCE_KINDS = ("ntu", "kinetics", "folder", "synthetic")
NTU_PATTERN = re.compile(
    r"^S(?P<setup>\d{3})C(?P<camera>\d{3})P(?P<performer>\d{3})R(?P<replication>\d{3})A(?P<action>\d{3})"
)
KINETICS_CLIP = re.compile(r"^(?P<youtube_id>.{11})_(?P<start>\d{6})_(?P<end>\d{6})$")


@dataclass(frozen=True)
class SourceVideo:
    """One source video.

    Args:
        video_id (`str`): unique id within the source (relative path without extension).
        path (`Path`): absolute path of the file.
        relative_path (`str`): path relative to the source root (stored in the rows' `source_video`).
        label (`str`, *optional*): class name when the source has one (NTU action, Kinetics class).
        events (`tuple[LabelSpan, ...]`): known time-stamped actions (synthetic sources), else empty.
        meta (`dict`): adapter-specific fields (NTU setup/camera/performer/replication, Kinetics youtube_id/split).
    """

    video_id: str
    path: Path
    relative_path: str
    label: str | None = None
    events: tuple[LabelSpan, ...] = ()
    meta: dict = field(default_factory=dict, hash=False, compare=False)


def _videos_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS and p.is_file())


def _source(root: Path, path: Path, label: str | None = None, **meta) -> SourceVideo:
    relative = path.relative_to(root).as_posix()
    return SourceVideo(str(Path(relative).with_suffix("")), path.absolute(), relative, label, meta=meta)


def _check_root(root: str | os.PathLike, kind: str) -> Path:
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{kind} source folder {str(root)!r} does not exist.")
    return root


def read_class_names(path: str | os.PathLike | None) -> dict[str, str]:
    """`{code: name}` from a JSON object, or a CSV/TSV/text file with `code,name` per line (header optional)."""
    if path is None:
        return {}
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix.lower() == ".json":
        return {str(k): str(v) for k, v in json.loads(text).items()}
    names = {}
    for row in csv.reader(io.StringIO(text), delimiter="\t" if "\t" in text else ","):
        if len(row) >= 2 and row[0].strip() and row[0].strip().lower() not in ("code", "id", "label"):
            names[row[0].strip()] = row[1].strip()
    return names


def ntu_source(root: str | os.PathLike, class_names: dict[str, str] | None = None) -> list[SourceVideo]:
    """NTU RGB+D (60/120) videos named `SsssCcccPpppRrrrAaaa_rgb.avi`, in any sub-folder.

    Args:
        root (`str` or `os.PathLike`): folder holding the videos.
        class_names (`dict[str, str]`, *optional*): `{"A001": "drink water", ...}`; without it the label is `A###`.

    Raises:
        ValueError: the folder holds no file following the naming.
    """
    root = _check_root(root, "NTU RGB+D")
    class_names = class_names or {}
    sources, skipped = [], 0
    for path in _videos_under(root):
        match = NTU_PATTERN.match(path.name)
        if not match:
            skipped += 1
            continue
        action = f"A{match['action']}"
        meta = {k: int(v) for k, v in match.groupdict().items()}
        sources.append(_source(root, path, class_names.get(action, action), **meta))
    if skipped:
        logger.warning("Skipped %d video(s) in %s not named like S001C001P001R001A001_rgb.avi.", skipped, root)
    if not sources:
        raise ValueError(f"No NTU RGB+D videos (S001C001P001R001A001_rgb.avi) under {str(root)!r}.")
    return sources


def kinetics_source(root: str | os.PathLike, annotations: str | os.PathLike | None = None) -> list[SourceVideo]:
    """Kinetics-700 clips: a folder per class, and optionally the annotation CSV.

    With `annotations`, exactly the clips it lists are used (label from the CSV, matched by
    `<youtube_id>_<start:06d>_<end:06d>` in any folder); clips listed but missing are counted and logged. Without
    it, every video is used and its class is its parent folder name.

    Raises:
        ValueError: no clip found, or a CSV without the `label` and `youtube_id` columns.
    """
    root = _check_root(root, "Kinetics")
    files = _videos_under(root)
    if annotations is None:
        sources = []
        for path in files:
            match = KINETICS_CLIP.match(path.stem)
            meta = {"youtube_id": match["youtube_id"]} if match else {}
            sources.append(_source(root, path, path.parent.name.replace("_", " "), **meta))
    else:
        by_stem = {path.stem: path for path in files}
        with open(annotations, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        if rows and not {"label", "youtube_id"} <= set(rows[0]):
            raise ValueError(
                f"Annotation file {str(annotations)!r} needs columns label,youtube_id[,time_start,time_end,split]; "
                f"found {list(rows[0])}."
            )
        sources, missing = [], 0
        for row in rows:
            stem = row["youtube_id"]
            if row.get("time_start") not in (None, ""):
                stem = f"{row['youtube_id']}_{int(float(row['time_start'])):06d}_{int(float(row['time_end'])):06d}"
            path = by_stem.get(stem)
            if path is None:
                missing += 1
                continue
            meta = {"youtube_id": row["youtube_id"], "split": row.get("split") or ""}
            sources.append(_source(root, path, row["label"], **meta))
        if missing:
            logger.warning("%d clip(s) listed in %s have no video under %s.", missing, annotations, root)
        sources.sort(key=lambda s: s.relative_path)
    if not sources:
        matching = f" matching {annotations}" if annotations else ""
        raise ValueError(f"No Kinetics clips under {str(root)!r}{matching}.")
    return sources


def folder_source(root: str | os.PathLike) -> list[SourceVideo]:
    """Every video file under `root` (recursive). The label is None."""
    root = _check_root(root, "Video")
    sources = [_source(root, path) for path in _videos_under(root)]
    if not sources:
        raise ValueError(f"No videos ({', '.join(VIDEO_EXTENSIONS)}) under {str(root)!r}.")
    return sources


def synthetic_source(root: str | os.PathLike) -> list[SourceVideo]:
    """Videos of a synthetic folder (`actionart-hf synth`), with their exact events from the `captions` config."""
    from .oracle import read_synthetic_events

    root = _check_root(root, "Synthetic")
    events_by_video = read_synthetic_events(root)
    sources = []
    for relative, events in sorted(events_by_video.items()):
        path = root / relative
        events = tuple(LabelSpan(normalize_label(e.label), e.start_s, e.end_s, e.count) for e in events)
        sources.append(SourceVideo(str(Path(relative).with_suffix("")), path.absolute(), relative, None, events))
    if not sources:
        raise ValueError(f"No videos with events in the synthetic folder {str(root)!r}.")
    return sources


def load_sources(
    kind: str,
    root: str | os.PathLike,
    *,
    annotations: str | os.PathLike | None = None,
    class_names: str | os.PathLike | None = None,
    max_videos: int | None = None,
    seed: int = 0,
) -> list[SourceVideo]:
    """Reads a source of `kind` (one of `SOURCE_KINDS`), keeping a seeded random subset of `max_videos`.

    Raises:
        ValueError: unknown kind or nothing found.
    """
    if kind == "ntu":
        sources = ntu_source(root, read_class_names(class_names))
    elif kind == "kinetics":
        sources = kinetics_source(root, annotations)
    elif kind == "folder":
        sources = folder_source(root)
    elif kind == "synthetic":
        sources = synthetic_source(root)
    else:
        raise ValueError(f"Unknown source kind {kind!r}; use one of {', '.join(SOURCE_KINDS)}.")
    if max_videos is not None and max_videos < len(sources):
        keep = sorted(random.Random(seed).sample(range(len(sources)), max_videos))
        sources = [sources[i] for i in keep]
    return sources


# ---------------------------------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------------------------------


def read_frames(path: str | os.PathLike, indices: Sequence[int], max_pixels: int | None = None) -> np.ndarray:
    """Decodes the frames at `indices` (decode order, counted from 0) with PyAV, resized under `max_pixels`.

    Args:
        path (`str` or `os.PathLike`): a video file.
        indices (`Sequence[int]`): wanted frame positions (any order, duplicates allowed).
        max_pixels (`int`, *optional*): resize cap keeping the aspect ratio.

    Returns:
        `np.ndarray` of shape `(len(indices), height, width, 3)`, uint8 RGB, in the order of `indices`.

    Raises:
        VideoDecodeError: unreadable file, or an index past the last frame.
    """
    import av

    wanted = sorted(set(int(i) for i in indices))
    if not wanted:
        raise ValueError("indices is empty.")
    found: dict[int, np.ndarray] = {}
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = DECODE_THREAD_TYPE
            size = fit_to_max_pixels(stream.codec_context.height, stream.codec_context.width, max_pixels)
            targets, position = iter(wanted), 0
            target = next(targets)
            for frame in container.decode(stream):
                if position == target:
                    if (frame.height, frame.width) != size:
                        frame = frame.reformat(width=size[1], height=size[0])
                    found[position] = frame.to_ndarray(format="rgb24")
                    target = next(targets, None)
                    if target is None:
                        break
                position += 1
    except (av.error.FFmpegError, IndexError, OSError) as error:
        raise VideoDecodeError(path, f"{type(error).__name__}: {error}") from error
    if len(found) != len(wanted):
        raise VideoDecodeError(path, f"frame {max(wanted)} requested but the video has fewer frames")
    return np.stack([found[int(i)] for i in indices])


def png_bytes(frame: np.ndarray) -> bytes:
    """PNG encoding of an RGB uint8 frame (deterministic for equal pixels)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(frame)).save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


__all__ = [
    "SOURCE_KINDS",
    "VIDEO_EXTENSIONS",
    "SourceVideo",
    "folder_source",
    "kinetics_source",
    "load_sources",
    "ntu_source",
    "png_bytes",
    "read_class_names",
    "read_frames",
    "synthetic_source",
]
