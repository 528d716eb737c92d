"""Synthesized fine-grained QA (FGQA, paper §4.3).

1. units:    two frames of a video = one action unit → a (vision) teacher names the action ("raise right arm")
             → a unit set, saved as JSONL and reusable by later builds (`unit_set=`)
2. videos:   units drawn from different videos are concatenated into pseudo-long MP4s (each unit contributes
             `frames_per_unit` evenly spaced frames between its two frames), with exact unit times
3. questions: a (text) teacher — or the oracle's templates — writes MCQ from the label sequence (AS, TL, AC,
             AR, and HOI / MV where labels allow), as JSON
4. validator: `actionart_hf.proxy.mcq_validation.validate_question` keeps a question only if its answer follows
             unambiguously from the labels; rejects are counted by reason in the card and listed beside it
→ `fgqa` config: video, units[{label, source_video, frame_indices}], question, options, answer, task, teacher
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..data.hub_folder import VIDEO_DIR, check_output_dir, staged_output_dir, task_count_table, write_split
from ..data.schemas import FGQA_FEATURES
from ..video import DEFAULT_MAX_PIXELS, VideoDecodeError, probe_video, sample_frame_indices, write_video
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


def unit_windows(source: SourceVideo, total_frames: int, fps: float, units_per_video: int) -> list[tuple[int, int]]:
    """Frame pairs of one video: one per known event (synthetic sources, inset by an eighth of the event so
    both frames lie inside it), otherwise the boundaries of `units_per_video` equal segments."""
    if source.events:
        windows = []
        for event in source.events:
            start = int(round(event.start_s * fps))
            end = min(total_frames - 1, int(round(event.end_s * fps)) - 1)
            inset = (end - start) // 8
            if end - inset > start + inset:
                windows.append((start + inset, end - inset))
        return windows
    points = sample_frame_indices(total_frames, units_per_video + 1).tolist()
    return [(a, b) for a, b in zip(points, points[1:]) if b > a]


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
        jobs += [(source, w) for w in unit_windows(source, info.total_frames, info.fps, units_per_video)]
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


def build_fgqa(
    out_dir: str | os.PathLike,
    unit_teacher: Teacher | None,
    qa_teacher: Teacher,
    *,
    sources: Sequence[SourceVideo] = (),
    unit_set: str | os.PathLike | None = None,
    num_videos: int = 100,
    units_per_video: int = 2,
    min_units: int = 3,
    max_units: int = 6,
    frames_per_unit: int = 8,
    fps: float = 8.0,
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
) -> BuildReport:
    """Builds the `fgqa` config (docs/DESIGN.md §4). See the module docstring for the steps.

    Args:
        out_dir (`str` or `os.PathLike`): output Hub folder.
        unit_teacher ([`Teacher`], *optional*): names the units (not needed with `unit_set`).
        qa_teacher ([`Teacher`]): writes the questions (an LLM, or the oracle's templates).
        sources (`Sequence[SourceVideo]`, *optional*): videos to cut units from (step 1).
        unit_set (`str` or `os.PathLike`, *optional*): reuse a saved unit set instead of step 1.
        num_videos (`int`, *optional*, defaults to 100): pseudo-long videos to make.
        units_per_video (`int`, *optional*, defaults to 2): units per source video without known events.
        min_units (`int`), max_units (`int`), *optional*, defaults to 3 and 6: units per pseudo-long video.
        frames_per_unit (`int`, *optional*, defaults to 8): frames each unit contributes.
        fps (`float`, *optional*, defaults to 8.0): frame rate of the pseudo-long videos.
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

    Returns:
        [`BuildReport`]; the unit set is saved at `<cache_dir>/unit_set.jsonl`.
    """
    out_dir = check_output_dir(out_dir, overwrite).absolute()
    run = run or RunSettings()
    tasks = [t.upper() for t in tasks]
    cache_dir = run.resolve_cache_dir(out_dir)
    cache = CallCache(cache_dir / "calls")
    tracker = ResultTracker()
    report = BuildReport(out_dir, "fgqa")
    qa_prompt = qa_prompt or load_prompt("fgqa_mcq")

    if unit_set is not None:
        units = load_unit_set(unit_set)
        unit_set_path = Path(unit_set)
    else:
        if unit_teacher is None or not sources:
            raise ValueError("build_fgqa needs sources and a unit teacher, or an existing unit_set.")
        units = label_units(sources, unit_teacher, run, cache, tracker, units_per_video, max_pixels, unit_prompt)
        unit_set_path = save_unit_set(cache_dir / "unit_set.jsonl", units)
    vocabulary = sorted({u.label for u in units})
    unit_teachers = sorted({u.teacher for u in units})
    logger.info("fgqa: %d units, %d distinct labels (unit set %s)", len(units), len(vocabulary), unit_set_path)
    plans = compose_videos(units, num_videos, min_units, max_units, seed)
    runner = run.runner(qa_teacher, cache, check=check_questions)
    qa_tag = teacher_tag(qa_teacher, qa_prompt)
    rejects: list[dict] = []

    def rows(stage: Path):
        for chunk in chunked(list(enumerate(plans)), run.chunk_size):
            requests, kept = [], []
            for index, plan in chunk:
                video_id = f"fgqa-{index:06d}"
                relative = f"{VIDEO_DIR}/{video_id}.mp4"
                try:
                    events = render_pseudo_video(plan, stage / relative, frames_per_unit, fps, size)
                except VideoDecodeError as error:
                    request = TeacherRequest(video_id, "fgqa_mcq", qa_prompt.tag, [])
                    tracker.failed.append(CallResult(request, error=f"unit video cannot be decoded: {error.reason}"))
                    continue
                seed_i = random.Random(f"{seed}:{index}:qa").randrange(2**31)
                requests.append(
                    mcq_request(
                        video_id,
                        events,
                        tasks,
                        qa_prompt,
                        run,
                        vocabulary=vocabulary,
                        seed=seed_i,
                        num_options=num_options,
                    )
                )
                kept.append((video_id, relative, plan, events))
            for (video_id, relative, plan, events), result in zip(
                kept, run_requests(runner, requests, tracker, "fgqa questions")
            ):
                if not result.ok:
                    continue
                unit_rows = [
                    {"label": u.label, "source_video": u.source_video, "frame_indices": list(u.frame_indices)}
                    for u in plan
                ]
                teacher = f"units={'+'.join(sorted({u.teacher for u in plan}))};qa={qa_tag}"
                for number, question in enumerate(result.parsed):
                    mcq, rejection = validate_question(question, events)
                    if rejection:
                        report.rejected[rejection.code] += 1
                        rejects.append({"video": video_id, "reason": rejection.code, "detail": rejection.detail})
                        rejects[-1]["question"] = question
                        continue
                    report.rows += 1
                    tasks_seen[mcq.task] += 1
                    yield {
                        "id": f"{video_id}-q{number}",
                        "video": relative,
                        "units": unit_rows,
                        "question": mcq.question,
                        "options": mcq.options,
                        "answer": mcq.answer,
                        "task": mcq.task,
                        "teacher": teacher,
                    }

    tasks_seen: Counter = Counter()
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
            f"pseudo-long videos of {min_units}-{max_units} units ({frames_per_unit} frames per unit at {fps:g} "
            f"fps, {size[1]}x{size[0]}), units drawn from different source videos. The question teacher wrote "
            f"MCQ from each label sequence for {', '.join(tasks)}; the validator kept a question only when its "
            "answer follows unambiguously from the labels."
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
            teacher_lines=[f"units: `{t}`" for t in unit_teachers] + [f"questions: `{qa_tag}`"],
            extra_sections={"Questions per sub-task": counts, "Rejected questions": reject_table(report.rejected)},
            license=license,
        )
    logger.info(report.summary())
    return report


__all__ = [
    "ActionUnit",
    "build_fgqa",
    "check_questions",
    "check_unit_label",
    "compose_videos",
    "label_units",
    "load_unit_set",
    "mcq_request",
    "render_pseudo_video",
    "save_unit_set",
    "unit_windows",
]
