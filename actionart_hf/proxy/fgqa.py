"""Synthesized fine-grained QA (FGQA, paper §4.3).

1. units:    two frames of a video = one action unit → a (vision) teacher names the action ("raise right arm")
             → a unit set, saved as JSONL and reusable by later builds (`unit_set=`). On sources without known
             events the two frames are `unit_window_s` apart (1 s by default), spread evenly over the video
2. videos:   units drawn from different videos are concatenated into pseudo-long MP4s, with exact unit times. By
             default a unit contributes exactly its two labelled frames, as the paper's pseudo-long video is made
             "by concatenating these pairwise frames"; `frames_per_unit > 2` adds evenly spaced frames between
             them, which the teacher never saw (a deviation from the paper)
3. questions: a (text) teacher — or the oracle's templates — writes MCQ from the label sequence (AS, TL, AC,
             AR, and HOI / MV where labels allow), as JSON
4. validator: `actionart_hf.proxy.mcq_validation.validate_question` keeps a question only if its answer follows
             unambiguously from the labels; rejects are counted by reason in the card and listed beside it
→ `fgqa` config: video, units[{label, source_video, frame_indices}], question, options, answer, task, teacher

Sharded (`shard=`): every shard composes the same plan from the same unit set and renders and asks about its block
of the pseudo-long videos, so a sharded build needs a saved unit set. [`build_unit_set`] makes it, itself sharded
over the source videos if needed: the unit set files of the shards, read in shard order, are the unit set of a
single process.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..data.hub_folder import VIDEO_DIR, check_output_dir, staged_output_dir, task_count_table, write_split
from ..data.schemas import FGQA_FEATURES
from ..sharding import Shard
from ..video import DEFAULT_MAX_PIXELS, VideoDecodeError, probe_video, write_video
from .cache import CallCache, CallResult, TeacherRequest
from .common import (
    BuildReport,
    ResultTracker,
    RunSettings,
    check_not_empty,
    chunked,
    dataset_from_rows,
    exclusive_build,
    reject_table,
    run_requests,
    teacher_tag,
    user_message,
    write_jsonl,
    write_proxy_card,
    write_rejects,
)
from .frame_pairs import DEFAULT_UNIT_WINDOW_S, check_gap_range, nearby_frame_pairs
from .labels import LabelSpan, format_events, normalize_label
from .mcq_parsing import parse_questions_json
from .mcq_templates import ORACLE_TASKS
from .mcq_validation import validate_question
from .prompts import Prompt, load_prompt
from .sources import SourceVideo, png_bytes, read_frames
from .teachers import Teacher


logger = logging.getLogger(__name__)

MAX_LABEL_WORDS = 10


@dataclass(frozen=True)
class ActionUnit:
    """Two frames of one video and the action they show.

    Args:
        unit_id (`str`): `<video_id>-u<start>-<end>`.
        label (`str`): normalised action label.
        source_video (`str`): the video's path relative to its source root (stored in rows).
        path (`str`): absolute path of the video (to read frames when composing).
        frame_indices (`tuple[int, int]`): the two frames the teacher saw (the unit spans them).
        teacher (`str`): teacher id and prompt version that named it.
    """

    unit_id: str
    label: str
    source_video: str
    path: str
    frame_indices: tuple[int, int]
    teacher: str


def unit_windows(
    source: SourceVideo,
    total_frames: int,
    fps: float,
    units_per_video: int,
    unit_window_s: float = DEFAULT_UNIT_WINDOW_S,
) -> list[tuple[int, int]]:
    """Frame pairs of one video: one per known event (synthetic sources, inset by an eighth of the event so both
    frames lie inside it), otherwise `units_per_video` pairs `unit_window_s` seconds apart, spread evenly over the
    video (`actionart_hf.proxy.frame_pairs.nearby_frame_pairs`)."""
    if source.events:
        windows = []
        for event in source.events:
            start = int(round(event.start_s * fps))
            end = min(total_frames - 1, int(round(event.end_s * fps)) - 1)
            inset = (end - start) // 8
            if end - inset > start + inset:
                windows.append((start + inset, end - inset))
        return windows
    pairs = nearby_frame_pairs(total_frames, fps, units_per_video, (unit_window_s, unit_window_s))
    return [(a, b) for a, b in pairs]


def check_unit_label(response: str, request: TeacherRequest):
    """Runner check: a short non-empty phrase (first line, normalised)."""
    lines = [line for line in response.strip().splitlines() if line.strip()]
    label = normalize_label(lines[0]) if lines else ""
    if not label:
        return None, "empty label"
    if len(label.split()) > MAX_LABEL_WORDS:
        return None, f"label has {len(label.split())} words; expected a short phrase"
    return label, None


def label_units(
    sources: Sequence[SourceVideo],
    teacher: Teacher,
    run: RunSettings,
    cache: CallCache,
    tracker: ResultTracker,
    units_per_video: int = 2,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    prompt: Prompt | None = None,
    unit_window_s: float = DEFAULT_UNIT_WINDOW_S,
) -> list[ActionUnit]:
    """Step 1: names the action of every frame pair of `sources` (cached calls; failures go to `tracker`)."""
    prompt = prompt or load_prompt("unit_label")
    runner = run.runner(teacher, cache, check=check_unit_label)
    tag = teacher_tag(teacher, prompt)
    jobs = []
    for source in sources:
        try:
            info = probe_video(source.path)
        except VideoDecodeError as error:
            request = TeacherRequest(source.relative_path, "unit_label", prompt.tag, [])
            tracker.failed.append(CallResult(request, error=f"video cannot be decoded: {error.reason}"))
            continue
        windows = unit_windows(source, info.total_frames, info.fps, units_per_video, unit_window_s)
        jobs += [(source, window) for window in windows]
    units = []
    for chunk in chunked(jobs, run.chunk_size):
        requests, kept = [], []
        for source, (a, b) in chunk:
            try:
                frames = read_frames(source.path, [a, b], max_pixels)
            except VideoDecodeError as error:
                request = TeacherRequest(f"{source.video_id}-u{a}-{b}", "unit_label", prompt.tag, [])
                tracker.failed.append(CallResult(request, error=f"video cannot be decoded: {error.reason}"))
                continue
            context = {"source_video": source.relative_path, "frame_indices": [a, b]}
            unit_id = f"{source.video_id}-u{a:06d}-{b:06d}"
            images = (png_bytes(frames[0]), png_bytes(frames[1]))
            messages = user_message(prompt.teacher, 2)
            requests.append(
                TeacherRequest(unit_id, "unit_label", prompt.tag, messages, images, context, run.generation)
            )
            kept.append((unit_id, source, (a, b)))
        for (unit_id, source, window), result in zip(kept, run_requests(runner, requests, tracker, "unit labels")):
            if result.ok:
                units.append(ActionUnit(unit_id, result.parsed, source.relative_path, str(source.path), window, tag))
    return units


def save_unit_set(path: str | os.PathLike, units: Sequence[ActionUnit]) -> Path:
    """Writes the unit set as JSONL (atomic)."""
    return write_jsonl(Path(path), ({**asdict(u), "frame_indices": list(u.frame_indices)} for u in units))


def load_unit_set(path: str | os.PathLike) -> list[ActionUnit]:
    """Reads a unit set written by `save_unit_set`.

    Raises:
        ValueError: a line that is not a unit (names the line number).
    """
    units = []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                data["frame_indices"] = tuple(int(i) for i in data["frame_indices"])
                units.append(ActionUnit(**data))
            except (ValueError, TypeError, KeyError) as error:
                raise ValueError(f"Unit set {str(path)!r} line {number} is not a unit: {error}") from error
    if not units:
        raise ValueError(f"Unit set {str(path)!r} is empty.")
    return units


def compose_videos(
    units: Sequence[ActionUnit], num_videos: int, min_units: int = 3, max_units: int = 6, seed: int = 0
) -> list[list[ActionUnit]]:
    """Step 2 plan: each pseudo-long video is `min_units`..`max_units` units, each from a video not used yet in
    that clip when possible (never the same video twice in a row). Seeded, so the plan is reproducible."""
    if not 1 <= min_units <= max_units:
        raise ValueError(f"Need 1 <= min_units ({min_units}) <= max_units ({max_units}).")
    if not units:
        raise ValueError("The unit set is empty: no unit could be labelled.")
    plans = []
    for index in range(num_videos):
        rng = random.Random(f"{seed}:{index}")
        length = rng.randint(min_units, max_units)
        chosen: list[ActionUnit] = []
        for _ in range(length):
            used = {u.source_video for u in chosen}
            fresh = [u for u in units if u.source_video not in used]
            if not fresh:
                last = chosen[-1].source_video if chosen else None
                fresh = [u for u in units if u.source_video != last] or list(units)
            chosen.append(rng.choice(fresh))
        plans.append(chosen)
    return plans


def _letterbox(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image

    h, w = frame.shape[:2]
    scale = min(height / h, width / w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    resized = np.asarray(Image.fromarray(frame).resize((new_w, new_h), Image.BILINEAR))
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = resized
    return canvas


def render_pseudo_video(
    units: Sequence[ActionUnit], path: Path, frames_per_unit: int, fps: float, size: tuple[int, int]
) -> list[LabelSpan]:
    """Step 2: concatenates the units into one MP4 (letterboxed to `size` = (height, width)).

    Returns:
        `list[LabelSpan]`: each unit's label and exact time span in the new video.
    """
    frames, events = [], []
    for position, unit in enumerate(units):
        a, b = unit.frame_indices
        indices = np.round(np.linspace(a, b, frames_per_unit)).astype(int).tolist()
        for frame in read_frames(unit.path, indices):
            frames.append(_letterbox(frame, *size))
        start = position * frames_per_unit / fps
        events.append(LabelSpan(unit.label, round(start, 3), round(start + frames_per_unit / fps, 3)))
    write_video(path, np.stack(frames), fps=fps)
    return events


def mcq_request(
    row_id: str,
    events: Sequence[LabelSpan],
    tasks: Sequence[str],
    prompt: Prompt,
    run: RunSettings,
    *,
    vocabulary: Sequence[str],
    seed: int,
    num_options: int = 4,
    timed: bool = True,
) -> TeacherRequest:
    """The question-writing request for one action sequence (text only; the oracle reads `context`)."""
    text = prompt.teacher.format(events=format_events(events, timed), tasks=prompt.task_lines(tasks))
    context = {
        "events": [[e.label, e.start_s, e.end_s] for e in events],
        "counts": [e.count for e in events],
        "tasks": list(tasks),
        "vocabulary": list(vocabulary),
        "seed": seed,
        "num_options": num_options,
        "timed": timed,
    }
    return TeacherRequest(row_id, "fgqa_mcq", prompt.tag, user_message(text), (), context, run.generation)


def check_questions(response: str, request: TeacherRequest):
    """Runner check for question-writing answers: parsable JSON holding at least one question object."""
    return parse_questions_json(response)


@dataclass(frozen=True)
class PseudoVideo:
    """One rendered pseudo-long video.

    Args:
        index (`int`): its position in the composition plan.
        video_id (`str`): `fgqa-<index>`.
        relative_path (`str`): its path in the output folder.
        units (`tuple[ActionUnit, ...]`): the concatenated units, in order.
        events (`tuple[LabelSpan, ...]`): each unit's label and exact time span in the video.
    """

    index: int
    video_id: str
    relative_path: str
    units: tuple[ActionUnit, ...]
    events: tuple[LabelSpan, ...]


def obtain_units(
    unit_set: str | os.PathLike | Sequence[str | os.PathLike] | None,
    sources: Sequence[SourceVideo],
    unit_teacher: Teacher | None,
    run: RunSettings,
    cache: CallCache,
    tracker: ResultTracker,
    cache_dir: Path,
    *,
    units_per_video: int,
    unit_window_s: float,
    max_pixels: int | None,
    prompt: Prompt | None,
) -> tuple[list[ActionUnit], Path]:
    """Step 1: the saved `unit_set` when given (one file, or the files of a sharded [`build_unit_set`] in shard
    order), else the units of `sources` named by `unit_teacher` (`label_units`), saved as
    `<cache_dir>/unit_set.jsonl`. Returns the units and the (first) unit set's path."""
    if unit_set is not None:
        paths = [Path(unit_set)] if isinstance(unit_set, (str, os.PathLike)) else [Path(p) for p in unit_set]
        if not paths:
            raise ValueError("unit_set is an empty list; pass a unit set file (or the files of its shards, in order).")
        return [unit for path in paths for unit in load_unit_set(path)], paths[0]
    if unit_teacher is None or not sources:
        raise ValueError("build_fgqa needs sources and a unit teacher, or an existing unit_set.")
    units = label_units(
        sources, unit_teacher, run, cache, tracker, units_per_video, max_pixels, prompt, unit_window_s=unit_window_s
    )
    return units, save_unit_set(unit_set_path(cache_dir), units)


def unit_set_path(cache_dir: Path, shard: Shard | None = None) -> Path:
    """`<cache_dir>/unit_set.jsonl`, or `<cache_dir>/unit_set-0000i-of-0000N.jsonl` for shard `i` of `N` (names that
    sort in shard order, so `--unit-set <cache>/unit_set-*.jsonl` reads them in order)."""
    if shard is None:
        return cache_dir / "unit_set.jsonl"
    return cache_dir / f"unit_set-{shard.index:05d}-of-{shard.count:05d}.jsonl"


def build_unit_set(
    out_dir: str | os.PathLike,
    unit_teacher: Teacher,
    sources: Sequence[SourceVideo],
    *,
    units_per_video: int = 2,
    unit_window_s: float = DEFAULT_UNIT_WINDOW_S,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    run: RunSettings | None = None,
    prompt: Prompt | None = None,
    shard: Shard | None = None,
) -> BuildReport:
    """Step 1 alone: names the units of `sources` (or of this `shard`'s block of them) and saves the unit set in the
    call cache of `out_dir` (see [`unit_set_path`]), for FGQA builds with `unit_set=` (sharded ones need it).

    Returns:
        [`BuildReport`] whose `out_dir` is the unit set file and `rows` its number of units; requests that failed
        are listed in `<unit set>.failures.jsonl`.
    """
    out_dir = Path(out_dir).absolute()
    run = run or RunSettings()
    check_gap_range((unit_window_s, unit_window_s), "unit_window_s")
    cache_dir = run.resolve_cache_dir(out_dir)
    path = unit_set_path(cache_dir, shard)
    report = BuildReport(path, "unit_set")
    sources = report.take_shard(shard, list(sources), "source videos")
    tracker = ResultTracker()
    units = label_units(
        sources, unit_teacher, run, CallCache(cache_dir / "calls"), tracker, units_per_video, max_pixels, prompt,
        unit_window_s=unit_window_s,
    )  # fmt: skip
    report.rows = len(units)
    check_not_empty(report, tracker, path)
    save_unit_set(path, units)
    tracker.finish(report, path)
    return report


def render_plans(
    plans: Sequence[tuple[int, list[ActionUnit]]],
    stage: Path,
    frames_per_unit: int,
    fps: float,
    size: tuple[int, int],
    tracker: ResultTracker,
    qa_prompt: Prompt,
) -> list[PseudoVideo]:
    """Step 2 for a chunk of `(index, units)` plans: writes each pseudo-long video under `stage`. A plan whose unit
    video cannot be decoded is recorded in `tracker` as a failed request and skipped."""
    rendered = []
    for index, plan in plans:
        video_id = f"fgqa-{index:06d}"
        relative = f"{VIDEO_DIR}/{video_id}.mp4"
        try:
            events = render_pseudo_video(plan, stage / relative, frames_per_unit, fps, size)
        except VideoDecodeError as error:
            request = TeacherRequest(video_id, "fgqa_mcq", qa_prompt.tag, [])
            tracker.failed.append(CallResult(request, error=f"unit video cannot be decoded: {error.reason}"))
            continue
        rendered.append(PseudoVideo(index, video_id, relative, tuple(plan), tuple(events)))
    return rendered


def validated_rows(
    video: PseudoVideo, questions: Sequence[dict], qa_tag: str, report: BuildReport, rejects: list[dict]
) -> Iterator[dict]:
    """Step 4: the `fgqa` rows of the questions whose answer follows unambiguously from `video`'s labels; rejected
    questions are counted by reason in `report` and appended to `rejects`."""
    unit_rows = [
        {"label": u.label, "source_video": u.source_video, "frame_indices": list(u.frame_indices)} for u in video.units
    ]
    teacher = f"units={'+'.join(sorted({u.teacher for u in video.units}))};qa={qa_tag}"
    for number, question in enumerate(questions):
        mcq, rejection = validate_question(question, list(video.events))
        if rejection:
            report.rejected[rejection.code] += 1
            rejects.append(
                {"video": video.video_id, "reason": rejection.code, "detail": rejection.detail, "question": question}
            )
            continue
        report.rows += 1
        yield {
            "id": f"{video.video_id}-q{number}",
            "video": video.relative_path,
            "units": unit_rows,
            "question": mcq.question,
            "options": mcq.options,
            "answer": mcq.answer,
            "task": mcq.task,
            "teacher": teacher,
        }


def describe_units_in_videos(frames_per_unit: int) -> str:
    """How a unit's frames enter a pseudo-long video, for the dataset card."""
    if frames_per_unit == 2:
        return "each unit contributes exactly its two labelled frames (as in the paper)"
    return (
        f"each unit contributes {frames_per_unit} frames evenly spaced from its first to its second labelled frame "
        f"({frames_per_unit - 2} in between that the teacher did not see: a deviation from the paper)"
    )


def build_fgqa(
    out_dir: str | os.PathLike,
    unit_teacher: Teacher | None,
    qa_teacher: Teacher,
    *,
    sources: Sequence[SourceVideo] = (),
    unit_set: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    num_videos: int = 100,
    units_per_video: int = 2,
    unit_window_s: float = DEFAULT_UNIT_WINDOW_S,
    min_units: int = 3,
    max_units: int = 6,
    frames_per_unit: int = 2,
    fps: float = 2.0,
    size: tuple[int, int] = (240, 320),
    tasks: Sequence[str] = ORACLE_TASKS,
    num_options: int = 4,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    seed: int = 0,
    run: RunSettings | None = None,
    unit_prompt: Prompt | None = None,
    qa_prompt: Prompt | None = None,
    split: str = "train",
    overwrite: bool = False,
    license: str | None = None,
    shard: Shard | None = None,
) -> BuildReport:
    """Builds the `fgqa` config (docs/DESIGN.md §4). See the module docstring for the steps.

    Args:
        out_dir (`str` or `os.PathLike`): output Hub folder.
        unit_teacher ([`Teacher`], *optional*): names the units (not needed with `unit_set`).
        qa_teacher ([`Teacher`]): writes the questions (an LLM, or the oracle's templates).
        sources (`Sequence[SourceVideo]`, *optional*): videos to cut units from (step 1).
        unit_set (`str`, `os.PathLike` or a sequence of them, *optional*): reuse a saved unit set instead of step 1
            (several files: the shards of a sharded [`build_unit_set`], in shard order).
        num_videos (`int`, *optional*, defaults to 100): pseudo-long videos to make.
        units_per_video (`int`, *optional*, defaults to 2): units per source video without known events.
        unit_window_s (`float`, *optional*, defaults to 1.0): seconds between a unit's two frames on sources without
            known events (synthetic sources use each event's span).
        min_units (`int`), max_units (`int`), *optional*, defaults to 3 and 6: units per pseudo-long video.
        frames_per_unit (`int`, *optional*, defaults to 2): frames each unit contributes; 2 is exactly its two
            labelled frames (the paper), more adds evenly spaced frames between them that the teacher never saw.
        fps (`float`, *optional*, defaults to 2.0): frame rate of the pseudo-long videos (a default unit lasts 1 s).
        size (`tuple[int, int]`, *optional*, defaults to (240, 320)): (height, width) of the pseudo-long videos.
        tasks (`Sequence[str]`, *optional*): sub-tasks to ask (one question each per video where possible).
        num_options (`int`, *optional*, defaults to 4): options per question.
        max_pixels (`int`, *optional*, defaults to `480 * 480`): resize cap of the frames sent for labelling.
        seed (`int`, *optional*, defaults to 0): composition and oracle templates.
        run ([`RunSettings`], *optional*): cache folder, workers, retries, timeout, generation settings.
        unit_prompt ([`Prompt`]), qa_prompt ([`Prompt`]), *optional*: default to the newest `unit_label` and
            `fgqa_mcq` prompts.
        split (`str`, *optional*, defaults to `"train"`): split name.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing output.
        license (`str`, *optional*): license id for the card.
        shard ([`Shard`], *optional*): render and ask about only this block of the pseudo-long videos (needs
            `unit_set`); join the shards with [`join_proxy_shards`].

    Returns:
        [`BuildReport`]; the unit set is saved at `<cache_dir>/unit_set.jsonl`.
    """
    if frames_per_unit < 2:
        raise ValueError(
            f"frames_per_unit={frames_per_unit}: a unit is two labelled frames; use 2 (the paper) or more to add "
            "frames between them."
        )
    check_gap_range((unit_window_s, unit_window_s), "unit_window_s")
    if shard is not None and unit_set is None:
        raise ValueError(
            f"A sharded fgqa build (shard {shard.index} of {shard.count}) needs a saved unit set, the same for every "
            "shard: label the units once with --units-only (build_unit_set) and pass --unit-set (unit_set=)."
        )
    out_dir = check_output_dir(out_dir, overwrite).absolute()
    run = run or RunSettings()
    tasks = [t.upper() for t in tasks]
    cache_dir = run.resolve_cache_dir(out_dir)
    cache = CallCache(cache_dir / "calls")
    tracker = ResultTracker()
    report = BuildReport(out_dir, "fgqa")
    qa_prompt = qa_prompt or load_prompt("fgqa_mcq")

    units, unit_set_path = obtain_units(
        unit_set, sources, unit_teacher, run, cache, tracker, cache_dir, units_per_video=units_per_video,
        unit_window_s=unit_window_s, max_pixels=max_pixels, prompt=unit_prompt,
    )  # fmt: skip
    vocabulary = sorted({u.label for u in units})
    logger.info("fgqa: %d units, %d distinct labels (unit set %s)", len(units), len(vocabulary), unit_set_path)
    plans = compose_videos(units, num_videos, min_units, max_units, seed)
    indexed_plans = report.take_shard(shard, list(enumerate(plans)), "pseudo-long videos")
    runner = run.runner(qa_teacher, cache, check=check_questions)
    qa_tag = teacher_tag(qa_teacher, qa_prompt)
    rejects: list[dict] = []
    tasks_seen: Counter = Counter()

    def rows(stage: Path):
        for chunk in chunked(indexed_plans, run.chunk_size):
            videos = render_plans(chunk, stage, frames_per_unit, fps, size, tracker, qa_prompt)
            requests = [
                mcq_request(
                    video.video_id,
                    video.events,
                    tasks,
                    qa_prompt,
                    run,
                    vocabulary=vocabulary,
                    seed=random.Random(f"{seed}:{video.index}:qa").randrange(2**31),
                    num_options=num_options,
                )
                for video in videos
            ]
            for video, result in zip(videos, run_requests(runner, requests, tracker, "fgqa questions")):
                if result.ok:
                    for row in validated_rows(video, result.parsed, qa_tag, report, rejects):
                        tasks_seen[row["task"]] += 1
                        yield row

    work = cache_dir / f"tmp-rows-{out_dir.name}"  # per output (builds may share a cache), under its lock
    with exclusive_build(out_dir, scratch=work), staged_output_dir(out_dir, overwrite) as stage:
        dataset = dataset_from_rows(lambda: rows(stage), FGQA_FEATURES, work)
        report.rejects_file = write_rejects(out_dir, rejects)
        check_not_empty(report, tracker, out_dir)
        write_split(stage, "fgqa", split, dataset)
        tracker.finish(report, out_dir)
        counts = task_count_table([t for t, n in tasks_seen.items() for _ in range(n)])
        method = (
            f"{len(units)} action units ({len(vocabulary)} distinct labels) were concatenated into {len(plans)} "
            f"pseudo-long videos of {min_units}-{max_units} units, units drawn from different source videos; "
            f"{describe_units_in_videos(frames_per_unit)}, at {fps:g} fps, {size[1]}x{size[0]}. The question "
            f"teacher wrote MCQ from each label sequence for {', '.join(tasks)}; the validator kept a question only "
            "when its answer follows unambiguously from the labels."
        )
        write_proxy_card(
            stage,
            report,
            pretty_name="ActionArt proxy task: synthesized fine-grained QA",
            summary=(
                "Multiple-choice questions on pseudo-long videos made by concatenating labelled action units "
                "from different videos (ActionArt paper §4.3, proxy task 3: temporal understanding)."
            ),
            method=method,
            teacher_lines=[f"units: `{t}`" for t in sorted({u.teacher for u in units})] + [f"questions: `{qa_tag}`"],
            extra_sections={"Questions per sub-task": counts, "Rejected questions": reject_table(report.rejected)},
            license=license,
        )
    logger.info(report.summary())
    return report


__all__ = [
    "ActionUnit",
    "PseudoVideo",
    "build_fgqa",
    "build_unit_set",
    "check_questions",
    "check_unit_label",
    "compose_videos",
    "describe_units_in_videos",
    "label_units",
    "load_unit_set",
    "mcq_request",
    "obtain_units",
    "render_plans",
    "render_pseudo_video",
    "save_unit_set",
    "unit_set_path",
    "unit_windows",
    "validated_rows",
]
