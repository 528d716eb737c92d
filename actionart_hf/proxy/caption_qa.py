"""Captions → multiple-choice questions per sub-task, for stage-3 training (paper §5.2), as a `qa` config.

    captions (a Hub folder with a `captions` config: manual ActionArt captions, or synthetic ones)
      → the action sequence: the row's time-stamped `events` when present, else a text teacher lists the
        actions of the caption (`caption_events` prompt; no times, so no TL questions)
      → a text teacher (or the oracle's templates) writes MCQ per sub-task (`fgqa_mcq` prompt)
      → the same validator as FGQA
    and, for the spatial sub-tasks (GS, LS), the caption's sentences about the start and end pose
      → the teacher writes MCQ about them (`caption_pose_mcq` prompt)
      → kept when the caption states the marked answer and no other option (`pose_mcq.validate_pose_question`)
    → `qa` config (id, video_id, video, task, question, options, answer)

The videos referenced by the kept rows are copied (hard-linked when possible) into `videos/` of the output.

Sharded (`shard=`): each shard asks the questions of its block of the captions. The action sequences of all
captions are read first in every shard (the oracle draws distractors from the vocabulary of all of them, so the
questions do not depend on the sharding); their teacher calls, text only, are shared through the call cache.
"""

from __future__ import annotations

import logging
import os
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..data.hub_folder import DATA_DIR, VIDEO_DIR, check_output_dir, staged_output_dir, task_count_table, write_split
from ..data.schemas import QA_FEATURES
from ..sharding import Shard
from .cache import CallCache, CallResult, TeacherRequest
from .common import (
    BuildReport,
    ResultTracker,
    RunSettings,
    check_not_empty,
    dataset_from_rows,
    exclusive_build,
    link_or_copy,
    reject_table,
    run_requests,
    teacher_tag,
    user_message,
    write_proxy_card,
    write_rejects,
)
from .fgqa import check_questions, mcq_request
from .labels import LabelSpan, split_count
from .mcq_parsing import MCQ, Rejection, parse_events_json
from .mcq_validation import validate_question
from .pose_mcq import CAPTION_QA_TASKS, MOMENTS, POSE_TASKS, pose_sentences, validate_pose_question
from .prompts import Prompt, load_prompt
from .teachers import Teacher


logger = logging.getLogger(__name__)


def read_caption_rows(folder: str | os.PathLike, split: str = "train") -> list[dict]:
    """Rows of `data/captions/<split>-*.parquet` in a local Hub folder (read directly: no stale `datasets` cache).

    Raises:
        ValueError: no such config or split (lists the splits present).
    """
    import pyarrow.parquet as pq

    folder = Path(folder)
    files = sorted((folder / DATA_DIR / "captions").glob(f"{split}-*.parquet"))
    if not files:
        present = sorted({p.name.split("-")[0] for p in (folder / DATA_DIR / "captions").glob("*.parquet")})
        raise ValueError(
            f"No captions split {split!r} in {str(folder)!r} (data/captions/{split}-*.parquet); "
            f"splits present: {present or 'none'}. Pass --split."
        )
    rows = []
    for file in files:
        rows += pq.read_table(file).to_pylist()
    return rows


def pose_request(
    row_id: str,
    sentences: Mapping[str, str],
    tasks: Sequence[str],
    prompt: Prompt,
    run: RunSettings,
    *,
    seed: int,
    num_options: int = 4,
) -> TeacherRequest:
    """The question-writing request for one caption's pose sentences (text only; the oracle reads `context`)."""
    poses = "\n".join(f"- {MOMENTS[moment]}: {sentence}" for moment, sentence in sorted(sentences.items()))
    text = prompt.teacher.format(poses=poses, tasks=prompt.task_lines(tasks))
    context = {"poses": dict(sentences), "tasks": list(tasks), "seed": seed, "num_options": num_options}
    return TeacherRequest(row_id, "caption_pose_mcq", prompt.tag, user_message(text), (), context, run.generation)


def _sample_rows(rows: list[dict], max_videos: int | None, seed: int) -> list[dict]:
    """A seeded random subset of `max_videos` rows, in their original order (all rows without a limit)."""
    if max_videos is None or max_videos >= len(rows):
        return rows
    return [rows[i] for i in sorted(random.Random(seed).sample(range(len(rows)), max_videos))]


def _timed_sequence(row: dict) -> list[LabelSpan]:
    """The row's time-stamped `events` as a sorted action sequence (empty when the row has none)."""
    events = []
    for raw in row["events"]:
        label, count = split_count(raw["label"])  # "waves the left hand three times" → ("wave ...", 3)
        events.append(LabelSpan(label, float(raw["start_s"]), float(raw["end_s"]), count))
    return sorted((e for e in events if e.label), key=lambda e: e.start_s)


def _events_request(row: dict, prompt: Prompt, run: RunSettings) -> TeacherRequest:
    """The request that asks the events teacher to list the actions of a caption without events."""
    messages = user_message(prompt.teacher.format(caption=row["caption"].strip()))
    return TeacherRequest(row["video_id"], "caption_events", prompt.tag, messages, (), {}, run.generation)


def _action_sequences(
    rows: Sequence[dict],
    events_teacher: Teacher,
    prompt: Prompt,
    run: RunSettings,
    cache: CallCache,
    tracker: ResultTracker,
) -> tuple[dict[str, tuple[list[LabelSpan], bool]], int]:
    """Every caption's action sequence: its time-stamped events, else the actions the events teacher lists.

    Returns:
        `({video_id: (sequence, timed)}, number of captions sent to the events teacher)`; captions whose request
        failed have no sequence.
    """
    sequences: dict[str, tuple[list[LabelSpan], bool]] = {}
    untimed = []
    for row in rows:
        if events := _timed_sequence(row):
            sequences[row["video_id"]] = (events, True)
        else:
            untimed.append(_events_request(row, prompt, run))
    if untimed:
        runner = run.runner(events_teacher, cache, check=lambda response, request: parse_events_json(response))
        for request, result in zip(untimed, run_requests(runner, untimed, tracker, "caption events")):
            if result.ok:  # no times: one pseudo second per action keeps the order
                events = [LabelSpan(label, i, i + 1.0) for i, label in enumerate(result.parsed)]
                sequences[request.row_id] = (events, False)
    return sequences, len(untimed)


class _PendingQuestions(NamedTuple):
    """One question request's caption row, its row-id prefix ("q" sequence, "p" pose) and its validator."""

    row: dict
    prefix: str
    validate: Callable[[dict], tuple[MCQ | None, Rejection | None]]


def _question_requests(
    rows: Sequence[dict],
    sequences: Mapping[str, tuple[list[LabelSpan], bool]],
    event_tasks: Sequence[str],
    spatial_tasks: Sequence[str],
    qa_prompt: Prompt,
    pose_prompt: Prompt,
    run: RunSettings,
    *,
    seed: int,
    num_options: int,
) -> tuple[list[TeacherRequest], list[_PendingQuestions]]:
    """Per caption, the request for questions from its action sequence and, for GS/LS, the one from its pose
    sentences, each with the validator its answers go through."""
    vocabulary = sorted({e.label for events, _ in sequences.values() for e in events})
    requests, pending = [], []
    for row in rows:
        seed_i = random.Random(f"{seed}:{row['video_id']}:qa").randrange(2**31)
        if row["video_id"] in sequences:
            events, timed = sequences[row["video_id"]]
            row_tasks = [t for t in event_tasks if timed or t != "TL"]
            requests.append(
                mcq_request(
                    row["video_id"],
                    events,
                    row_tasks,
                    qa_prompt,
                    run,
                    vocabulary=vocabulary,
                    seed=seed_i,
                    num_options=num_options,
                    timed=timed,
                )
            )
            pending.append(
                _PendingQuestions(row, "q", lambda q, events=events, timed=timed: validate_question(q, events, timed))
            )
        if spatial_tasks and (sentences := pose_sentences(row["caption"])):
            requests.append(
                pose_request(
                    row["video_id"], sentences, spatial_tasks, pose_prompt, run, seed=seed_i, num_options=num_options
                )
            )
            pending.append(
                _PendingQuestions(row, "p", lambda q, sentences=sentences: validate_pose_question(q, sentences))
            )
    return requests, pending


@dataclass
class _KeptQuestions:
    """The validated questions as `qa` rows, with what the card and the side files need: rejections, the count per
    sub-task, and the videos the kept rows use."""

    captions_dir: Path
    report: BuildReport
    rejects: list[dict] = field(default_factory=list)
    tasks_seen: Counter = field(default_factory=Counter)
    used_videos: dict[str, Path] = field(default_factory=dict)

    def rows(self, pending: Sequence[_PendingQuestions], results: Sequence[CallResult]) -> Iterator[dict]:
        for (row, prefix, validate), result in zip(pending, results):
            if not result.ok:
                continue
            relative = f"{VIDEO_DIR}/{Path(row['video']).name}"
            for number, question in enumerate(result.parsed):
                mcq, rejection = validate(question)
                if rejection:
                    self.report.rejected[rejection.code] += 1
                    self.rejects.append(
                        {"video_id": row["video_id"], "reason": rejection.code, "detail": rejection.detail}
                        | {"question": question}
                    )
                    continue
                self.used_videos[relative] = self.captions_dir / row["video"]
                self.report.rows += 1
                self.tasks_seen[mcq.task] += 1
                yield {
                    "id": f"{row['video_id']}-{prefix}{number}",
                    "video_id": row["video_id"],
                    "video": relative,
                    "task": mcq.task,
                    "question": mcq.question,
                    "options": mcq.options,
                    "answer": mcq.answer,
                }


def _method_text(
    num_captions: int,
    split: str,
    captions_dir: Path,
    sequences: Mapping[str, tuple[list[LabelSpan], bool]],
    event_tasks: Sequence[str],
    spatial_tasks: Sequence[str],
) -> str:
    """The card's "How it was made": where the action sequences came from and which sub-tasks were asked."""
    timed_count = sum(1 for _, timed in sequences.values() if timed)
    return (
        f"{num_captions} captions from the `{split}` split of `{captions_dir.name}`: {timed_count} with "
        f"time-stamped events used directly, {len(sequences) - timed_count} turned into an action list by "
        f"the events teacher. The question teacher wrote MCQ for {', '.join(event_tasks) or 'no sub-task'} from "
        f"each action sequence, and for {', '.join(spatial_tasks) or 'no sub-task'} from the caption's sentences "
        "about the start and end pose; the validator kept a question only when its answer follows unambiguously "
        "from the sequence or is the one option the pose sentence states."
    )


def build_caption_qa(
    captions_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    teacher: Teacher,
    *,
    events_teacher: Teacher | None = None,
    split: str = "train",
    out_split: str = "train",
    tasks: Sequence[str] = CAPTION_QA_TASKS,
    num_options: int = 4,
    max_videos: int | None = None,
    seed: int = 0,
    run: RunSettings | None = None,
    qa_prompt: Prompt | None = None,
    events_prompt: Prompt | None = None,
    pose_prompt: Prompt | None = None,
    overwrite: bool = False,
    license: str | None = None,
    shard: Shard | None = None,
) -> BuildReport:
    """Builds a `qa` config of training questions from a `captions` config.

    Args:
        captions_dir (`str` or `os.PathLike`): a local Hub folder with `data/captions/<split>-*.parquet` and videos.
        out_dir (`str` or `os.PathLike`): output Hub folder.
        teacher ([`Teacher`]): writes the questions (an LLM, or the oracle's templates).
        events_teacher ([`Teacher`], *optional*): lists the actions of captions without events (defaults to
            `teacher`; the oracle cannot, so such rows then fail and are listed).
        split (`str`, *optional*, defaults to `"train"`): captions split to read (stage-3 uses `train`).
        out_split (`str`, *optional*, defaults to `"train"`): split name of the output.
        tasks (`Sequence[str]`, *optional*): sub-tasks to ask (defaults to all the oracle can check: AS, TL, AC,
            AR, HOI and MV from the action sequence, GS and LS from the start and end pose sentences).
        num_options (`int`, *optional*, defaults to 4): options per question.
        max_videos (`int`, *optional*): a seeded random subset of the captions.
        seed (`int`, *optional*, defaults to 0): subset and oracle templates.
        run ([`RunSettings`], *optional*): cache folder, workers, retries, timeout, generation settings.
        qa_prompt ([`Prompt`]), events_prompt ([`Prompt`]), pose_prompt ([`Prompt`]), *optional*: prompts (newest
            versions by default).
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing output.
        license (`str`, *optional*): license id for the card (keep the captions' license).
        shard ([`Shard`], *optional*): ask the questions of only this block of the captions (after `max_videos`);
            join the shards with [`join_proxy_shards`].

    Returns:
        [`BuildReport`].
    """
    captions_dir = Path(captions_dir)
    out_dir = check_output_dir(out_dir, overwrite).absolute()
    run = run or RunSettings()
    tasks = [t.upper() for t in tasks]
    event_tasks = [t for t in tasks if t not in POSE_TASKS]
    spatial_tasks = [t for t in tasks if t in POSE_TASKS]
    events_teacher = events_teacher or teacher
    qa_prompt = qa_prompt or load_prompt("fgqa_mcq")
    events_prompt = events_prompt or load_prompt("caption_events")
    pose_prompt = pose_prompt or load_prompt("caption_pose_mcq")
    cache_dir = run.resolve_cache_dir(out_dir)
    cache = CallCache(cache_dir / "calls")
    tracker = ResultTracker()
    report = BuildReport(out_dir, "qa")
    rows = _sample_rows(read_caption_rows(captions_dir, split), max_videos, seed)

    own_rows = report.take_shard(shard, rows, "captions")

    # 1. the action sequence of every caption (for the sub-tasks asked from it); a shard reports the failures of
    # its own captions only, so that the joined shards report each failure once
    sequences, num_untimed = {}, 0
    if event_tasks:
        sequence_tracker = ResultTracker()
        sequences, num_untimed = _action_sequences(rows, events_teacher, events_prompt, run, cache, sequence_tracker)
        own_ids = {row["video_id"] for row in own_rows}
        tracker.failed += [result for result in sequence_tracker.failed if result.request.row_id in own_ids]
        tracker.cached += sequence_tracker.cached
    # 2. questions: from the action sequence, and (GS, LS) from the start and end pose sentences
    requests, pending = _question_requests(
        own_rows,
        sequences,
        event_tasks,
        spatial_tasks,
        qa_prompt,
        pose_prompt,
        run,
        seed=seed,
        num_options=num_options,
    )
    results = run_requests(run.runner(teacher, cache, check=check_questions), requests, tracker, "caption questions")
    # 3. the kept questions, their videos and the card
    kept = _KeptQuestions(captions_dir, report)
    work = cache_dir / f"tmp-rows-{out_dir.name}"  # per output (builds may share a cache), under its lock
    with exclusive_build(out_dir, scratch=work), staged_output_dir(out_dir, overwrite) as stage:
        dataset = dataset_from_rows(lambda: kept.rows(pending, results), QA_FEATURES, work)
        report.rejects_file = write_rejects(out_dir, kept.rejects)
        check_not_empty(report, tracker, out_dir)
        for relative, source in sorted(kept.used_videos.items()):
            link_or_copy(source, stage / relative)
        write_split(stage, "qa", out_split, dataset)
        tracker.finish(report, out_dir)
        teacher_lines = [f"questions: `{teacher_tag(teacher, qa_prompt)}`"]
        if spatial_tasks:
            teacher_lines.append(f"spatial questions: `{teacher_tag(teacher, pose_prompt)}`")
        if num_untimed:
            teacher_lines.append(f"events from captions: `{teacher_tag(events_teacher, events_prompt)}`")
        write_proxy_card(
            stage,
            report,
            pretty_name="ActionArt stage-3 training QA from captions",
            summary=(
                "Multiple-choice questions per ActionArt sub-task written from fine-grained captions, for the "
                "third training stage (ActionArt paper §5.2). Same `qa` schema as the benchmark."
            ),
            method=_method_text(len(rows), split, captions_dir, sequences, event_tasks, spatial_tasks),
            teacher_lines=teacher_lines,
            extra_sections={
                "Questions per sub-task": task_count_table([t for t, n in kept.tasks_seen.items() for _ in range(n)]),
                "Rejected questions": reject_table(report.rejected),
            },
            license=license,
        )
    logger.info(report.summary())
    return report


__all__ = ["CAPTION_QA_TASKS", "build_caption_qa", "read_caption_rows"]
