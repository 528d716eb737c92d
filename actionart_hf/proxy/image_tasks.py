"""Pose description (PD, paper §4.1) and spatial difference mining (SD, §4.2) builders.

    PD: sample frames of each video → teacher describes the pose → `pose_description` config
        (image, prompt, response, source_video, frame_index, teacher)
    SD: pairs of nearby frames of a video (0.5-1 s apart by default) → teacher describes what changed →
        `spatial_difference` config (images[2], prompt, response, source_video, frame_indices, teacher)

The paper describes SD pairs twice: "differences between human poses in adjacent frames" (§4.2) and "pose
differences between two evenly sampled frames in the K700 videos" (§5.2). We read both as two frames close in time
(adjacent in a video sampled evenly, a fraction of a second apart): `pair_gap_s` sets the gap, and several pairs per
video are spread evenly over it. The paper's "200K frames" for SD is read as 200K pairs (rows).

Frames are decoded a chunk of requests at a time and rows are streamed to disk, so 50K frames or 200K pairs
never sit in memory together. Every call goes through the call cache: run the same command again after a crash
and only the missing answers are requested.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable, Sequence

from ..data.hub_folder import check_output_dir, staged_output_dir, write_split
from ..data.schemas import POSE_DESCRIPTION_FEATURES, SPATIAL_DIFFERENCE_FEATURES
from ..sharding import Shard
from ..video import DEFAULT_MAX_PIXELS, VideoDecodeError, VideoInfo, probe_video
from .cache import CallCache, CallResult, TeacherRequest
from .common import (
    BuildReport,
    ResultTracker,
    RunSettings,
    check_not_empty,
    chunked,
    dataset_from_rows,
    exclusive_build,
    run_requests,
    teacher_tag,
    user_message,
    write_proxy_card,
)
from .frame_pairs import DEFAULT_PAIR_GAP_S, check_gap_range, nearby_frame_pairs
from .prompts import Prompt, load_prompt
from .sources import SourceVideo, png_bytes, read_frames
from .teachers import Teacher


logger = logging.getLogger(__name__)


def pd_frame_indices(total_frames: int, frames_per_video: int, seed: int, video_id: str) -> list[list[int]]:
    """Random distinct frames of one video (seeded by `seed` and the video id), each as a one-frame job."""
    rng = random.Random(f"{seed}:{video_id}")
    count = min(frames_per_video, total_frames)
    return [[i] for i in sorted(rng.sample(range(total_frames), count))]


def _decode_failure(source: SourceVideo, kind: str, prompt: Prompt, reason: str) -> CallResult:
    request = TeacherRequest(source.relative_path, kind, prompt.tag, [])
    return CallResult(request, error=f"video cannot be decoded: {reason}")


def _build_image_task(
    *,
    config: str,
    sources: Sequence[SourceVideo],
    out_dir: str | os.PathLike,
    teacher: Teacher,
    prompt: Prompt,
    jobs_of: Callable[[SourceVideo, VideoInfo], list[list[int]]],
    make_row: Callable[[str, SourceVideo, list[int], list[bytes], str, str], dict],
    features,
    run: RunSettings,
    max_pixels: int | None,
    split: str,
    overwrite: bool,
    pretty_name: str,
    summary: str,
    method: str,
    license: str | None,
    shard: Shard | None,
) -> BuildReport:
    out_dir = check_output_dir(out_dir, overwrite).absolute()
    cache_dir = run.resolve_cache_dir(out_dir)
    runner = run.runner(teacher, CallCache(cache_dir / "calls"))
    tracker = ResultTracker()
    report = BuildReport(out_dir, config)
    sources = report.take_shard(shard, list(sources), "source videos")
    tag = teacher_tag(teacher, prompt)

    jobs = []
    for source in sources:
        try:
            info = probe_video(source.path)
        except VideoDecodeError as error:
            tracker.failed.append(_decode_failure(source, config, prompt, error.reason))
            continue
        jobs += [(source, indices) for indices in jobs_of(source, info)]
    logger.info("%s: %d requests from %d videos", config, len(jobs), len(sources))

    def rows():
        for chunk in chunked(jobs, run.chunk_size):
            requests, kept = [], []
            by_source: dict[str, list] = {}
            for source, indices in chunk:
                by_source.setdefault(source.relative_path, []).append((source, indices))
            for group in by_source.values():
                source = group[0][0]
                wanted = sorted({i for _, indices in group for i in indices})
                try:
                    decoded = dict(zip(wanted, read_frames(source.path, wanted, max_pixels)))
                except VideoDecodeError as error:
                    tracker.failed.append(_decode_failure(source, config, prompt, error.reason))
                    continue
                for _, indices in group:
                    images = [png_bytes(decoded[i]) for i in indices]
                    row_id = f"{source.video_id}-f" + "-".join(f"{i:06d}" for i in indices)
                    context = {"source_video": source.relative_path, "frame_indices": indices}
                    requests.append(
                        TeacherRequest(
                            row_id,
                            config,
                            prompt.tag,
                            user_message(prompt.teacher, len(images)),
                            tuple(images),
                            context,
                            run.generation,
                        )
                    )
                    kept.append((row_id, source, indices, images))
            results = run_requests(runner, requests, tracker, desc=f"{config} teacher calls")
            for (row_id, source, indices, images), result in zip(kept, results):
                if result.ok:
                    report.rows += 1
                    yield make_row(row_id, source, indices, images, result.parsed, tag)

    work = cache_dir / f"tmp-rows-{out_dir.name}"  # per output (builds may share a cache), under its lock
    with exclusive_build(out_dir, scratch=work), staged_output_dir(out_dir, overwrite) as stage:
        dataset = dataset_from_rows(rows, features, work)
        check_not_empty(report, tracker, out_dir)
        write_split(stage, config, split, dataset)
        tracker.finish(report, out_dir)
        write_proxy_card(
            stage,
            report,
            pretty_name=pretty_name,
            summary=summary,
            method=method,
            teacher_lines=[f"`{tag}` (teacher id | prompt file version)"],
            extra_sections={"Prompt": f"Teacher prompt (`{prompt.tag}`):\n\n> {prompt.teacher}"},
            license=license,
        )
    logger.info(report.summary())
    return report


def build_pose_description(
    sources: Sequence[SourceVideo],
    out_dir: str | os.PathLike,
    teacher: Teacher,
    *,
    frames_per_video: int = 4,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    seed: int = 0,
    run: RunSettings | None = None,
    prompt: Prompt | None = None,
    split: str = "train",
    overwrite: bool = False,
    license: str | None = None,
    shard: Shard | None = None,
) -> BuildReport:
    """Builds the `pose_description` config (docs/DESIGN.md §4) from random frames of `sources`.

    Args:
        sources (`Sequence[SourceVideo]`): videos (see `actionart_hf.proxy.sources.load_sources`).
        out_dir (`str` or `os.PathLike`): output Hub folder.
        teacher ([`Teacher`]): who describes the poses.
        frames_per_video (`int`, *optional*, defaults to 4): random frames per video.
        max_pixels (`int`, *optional*, defaults to `480 * 480`): frames larger than this are resized.
        seed (`int`, *optional*, defaults to 0): frame choice.
        run ([`RunSettings`], *optional*): cache folder, workers, retries, timeout, generation settings.
        prompt ([`Prompt`], *optional*): defaults to the newest `pose_description` prompt.
        split (`str`, *optional*, defaults to `"train"`): split name.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing output.
        license (`str`, *optional*): license id for the card.
        shard ([`Shard`], *optional*): build only this block of `sources` (see `actionart_hf.sharding`); join the
            shards with [`join_proxy_shards`].

    Returns:
        [`BuildReport`].
    """
    if frames_per_video < 1:
        raise ValueError(f"frames_per_video={frames_per_video} must be >= 1.")
    prompt = prompt or load_prompt("pose_description")

    def make_row(row_id, source, indices, images, response, tag):
        return {
            "id": row_id,
            "image": {"bytes": images[0], "path": None},
            "prompt": prompt.student,
            "response": response,
            "source_video": source.relative_path,
            "frame_index": indices[0],
            "teacher": tag,
        }

    return _build_image_task(
        config="pose_description",
        sources=sources,
        out_dir=out_dir,
        teacher=teacher,
        prompt=prompt,
        jobs_of=lambda source, info: pd_frame_indices(info.total_frames, frames_per_video, seed, source.video_id),
        make_row=make_row,
        features=POSE_DESCRIPTION_FEATURES,
        run=run or RunSettings(),
        max_pixels=max_pixels,
        split=split,
        overwrite=overwrite,
        pretty_name="ActionArt proxy task: pose description",
        summary=(
            "Single frames of human videos with a description of the person's pose written by a teacher model "
            "(ActionArt paper §4.1, proxy task 1: static spatial understanding)."
        ),
        method=(
            f"{frames_per_video} random frame(s) per video (seed {seed}), resized under {max_pixels} pixels, were "
            "sent to the teacher with the prompt below. The `prompt` column holds the shorter training prompt."
        ),
        license=license,
        shard=shard,
    )


def build_spatial_difference(
    sources: Sequence[SourceVideo],
    out_dir: str | os.PathLike,
    teacher: Teacher,
    *,
    pairs_per_video: int = 1,
    pair_gap_s: tuple[float, float] = DEFAULT_PAIR_GAP_S,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    seed: int = 0,
    run: RunSettings | None = None,
    prompt: Prompt | None = None,
    split: str = "train",
    overwrite: bool = False,
    license: str | None = None,
    shard: Shard | None = None,
) -> BuildReport:
    """Builds the `spatial_difference` config (docs/DESIGN.md §4) from pairs of nearby frames of `sources`.

    Args:
        sources (`Sequence[SourceVideo]`): videos.
        out_dir (`str` or `os.PathLike`): output Hub folder.
        teacher ([`Teacher`]): who describes the pose changes.
        pairs_per_video (`int`, *optional*, defaults to 1): pairs per video, spread evenly over it (see
            `actionart_hf.proxy.frame_pairs.nearby_frame_pairs`).
        pair_gap_s (`tuple[float, float]`, *optional*, defaults to `(0.5, 1.0)`): shortest and longest time between
            the two frames of a pair, in seconds; each pair's gap is drawn in this range.
        max_pixels (`int`, *optional*, defaults to `480 * 480`): resize cap; `None` sends full frames.
        seed (`int`, *optional*, defaults to 0): the gaps' draws.
        run ([`RunSettings`], *optional*): cache folder, workers, retries, timeout, generation settings.
        prompt ([`Prompt`], *optional*): defaults to the newest `spatial_difference` prompt.
        split (`str`, *optional*, defaults to `"train"`): split name.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing output.
        license (`str`, *optional*): license id for the card.
        shard ([`Shard`], *optional*): build only this block of `sources` (see `actionart_hf.sharding`); join the
            shards with [`join_proxy_shards`].

    Returns:
        [`BuildReport`].
    """
    if pairs_per_video < 1:
        raise ValueError(f"pairs_per_video={pairs_per_video} must be >= 1.")
    check_gap_range(pair_gap_s)
    prompt = prompt or load_prompt("spatial_difference")

    def make_row(row_id, source, indices, images, response, tag):
        return {
            "id": row_id,
            "images": [{"bytes": image, "path": None} for image in images],
            "prompt": prompt.student,
            "response": response,
            "source_video": source.relative_path,
            "frame_indices": list(indices),
            "teacher": tag,
        }

    return _build_image_task(
        config="spatial_difference",
        sources=sources,
        out_dir=out_dir,
        teacher=teacher,
        prompt=prompt,
        jobs_of=lambda source, info: nearby_frame_pairs(
            info.total_frames, info.fps, pairs_per_video, pair_gap_s, seed, source.video_id
        ),
        make_row=make_row,
        features=SPATIAL_DIFFERENCE_FEATURES,
        run=run or RunSettings(),
        max_pixels=max_pixels,
        split=split,
        overwrite=overwrite,
        pretty_name="ActionArt proxy task: spatial difference mining",
        summary=(
            "Pairs of frames of one human video with a description of how the pose changed between them, written "
            "by a teacher model (ActionArt paper §4.2, proxy task 2: pose transitions)."
        ),
        method=(
            f"Each row is one pair of frames (two images), not one frame. {pairs_per_video} pair(s) of nearby frames "
            f"per video, {_seconds(pair_gap_s)} s apart (seed {seed}) and spread evenly over the video, resized under "
            f"{max_pixels} pixels, were sent to the teacher in order with the prompt below."
        ),
        license=license,
        shard=shard,
    )


def _seconds(gap_s: tuple[float, float]) -> str:
    low, high = gap_s
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


__all__ = ["build_pose_description", "build_spatial_difference", "pd_frame_indices"]
