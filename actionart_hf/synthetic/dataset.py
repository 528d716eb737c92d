"""The synthetic benchmark as a Hub-ready dataset folder: `qa`, `captions` (same features as ActionArt) and
`motion` (per-frame joints, events, objects: the oracle teacher's input).

    >>> from actionart_hf.synthetic import SynthConfig, build_synthetic_dataset
    >>> build_synthetic_dataset("outputs/ActionArt-Synthetic", num_videos=100, seed=0,
    ...                         splits={"train": 80, "validation": 10, "test": 10}, workers=2)

Each clip is generated from `derive_seed(seed, clip_index)`, so the output does not depend on the number of
workers. Clips are first written to a work folder beside the output (one MP4 + one JSON each, atomically); a
stopped build started again with the same settings skips the clips already there. Tables are then assembled
(question selection and answer-letter balancing over each split), validated, and the folder is moved into place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import datasets
import numpy as np
from datasets import Features, List, Value
from tqdm.auto import tqdm

from ..atomic import write_text_atomic
from ..data.dataset_card import PROJECT_URL
from ..data.hub_folder import (
    VIDEO_DIR,
    check_output_dir,
    staged_output_dir,
    task_count_table,
    write_dataset_card,
    write_split,
)
from ..data.schemas import CAPTIONS_FEATURES, QA_FEATURES
from ..data.validation import DatasetValidationError, validate_rows
from ..tasks import OPTION_LETTERS, TASK_CODES, TASKS
from .captions import caption_clip
from .clip import Clip
from .config import SynthConfig
from .generation import generate_clip
from .questions import Question, balance_answer_letters, candidate_questions, check_question, select_questions
from .random_streams import derive_seed


logger = logging.getLogger(__name__)

# x264 "superfast": 4x faster than the default preset on these flat-coloured frames, files about 1.7x larger.
ENCODER_OPTIONS = {"crf": "18", "bf": "0", "threads": "1", "preset": "superfast"}

MOTION_EVENT = {
    "index": Value("int32"),
    "name": Value("string"),
    "label": Value("string"),
    "category": Value("string"),
    "part": Value("string"),
    "side": Value("string"),
    "count": Value("int32"),
    "direction": Value("string"),
    "object": Value("string"),
    "start_frame": Value("int32"),
    "end_frame": Value("int32"),
    "start_s": Value("float32"),
    "end_s": Value("float32"),
    "reps": List(List(Value("int32"))),
}

MOTION_FEATURES = Features(
    {
        "id": Value("string"),
        "video_id": Value("string"),
        "video": Value("string"),
        "seed": Value("string"),
        "num_frames": Value("int32"),
        "fps": Value("float32"),
        "width": Value("int32"),
        "height": Value("int32"),
        "joint_names": List(Value("string")),
        "joints3d": List(List(List(Value("float32")))),
        "joints2d": List(List(List(Value("float32")))),
        "poses": List(List(Value("float32"))),
        "events": List(MOTION_EVENT),
        "objects": List(Value("string")),
        "object_positions": List(List(List(Value("float32")))),
        "object_holders": List(List(Value("string"))),
        "object_events": List(
            {
                "frame": Value("int32"),
                "action": Value("string"),
                "object": Value("string"),
                "side": Value("string"),
                "unit_index": Value("int32"),
            }
        ),
        "initial_state": Value("string"),
        "camera": Value("string"),
        "generation": Value("string"),
        "questions": List(
            {
                "id": Value("string"),
                "task": Value("string"),
                "kind": Value("string"),
                "values": List(Value("string")),
                "spec": Value("string"),
            }
        ),
    }
)


def parse_splits(text: str | dict | None, num_videos: int | None) -> dict[str, int]:
    """Split sizes from `"train=800,validation=100,test=100"`, fractions (`"train=0.8,test=0.2"`) or a dict.

    Args:
        text (`str`, `dict` or None): the spec; None means every clip in `test`.
        num_videos (`int`, *optional*): total clips; required for fractions, checked against counts.

    Raises:
        ValueError: malformed spec, sizes that do not add up, or no clips at all.
    """
    if num_videos is not None and (isinstance(num_videos, bool) or not isinstance(num_videos, int) or num_videos < 1):
        raise ValueError(f"num_videos={num_videos!r} (--num-videos) is invalid: it must be an integer >= 1.")
    if text is None:
        if not num_videos:
            raise ValueError("Give --num-videos N (or --splits with counts).")
        return {"test": int(num_videos)}
    if isinstance(text, dict):
        items = list(text.items())
    else:
        items = []
        for entry in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = entry.partition("=")
            if not sep:
                raise ValueError(f"Split {entry!r} must look like NAME=COUNT or NAME=FRACTION, e.g. 'train=800'.")
            try:
                items.append((name.strip(), float(value)))
            except ValueError:
                raise ValueError(f"Split {entry!r}: {value!r} is not a number.") from None
    if not items:
        raise ValueError(f"No splits in {text!r}.")
    values = [float(v) for _, v in items]
    fractions = any(v != int(v) for v in values) and all(0 <= v <= 1 for v in values)
    if fractions:
        if not num_videos:
            raise ValueError(f"Split fractions {text!r} need --num-videos.")
        if not math.isclose(sum(values), 1.0, abs_tol=1e-6):
            raise ValueError(f"Split fractions {text!r} add up to {sum(values):g}, not 1; fix them (or give counts).")
        counts = [int(np.floor(v * num_videos)) for v in values]
        counts[0] += int(num_videos) - sum(counts)  # remainder to the first split
    else:
        if any(v != int(v) or v < 0 for v in values):
            raise ValueError(f"Split sizes in {text!r} must be whole numbers (or fractions that add up to 1).")
        counts = [int(v) for v in values]
        if num_videos is not None and sum(counts) != num_videos:
            raise ValueError(f"Split sizes {text!r} add up to {sum(counts)}, not --num-videos {num_videos}.")
    splits = {}
    for (name, _), count in zip(items, counts):
        if name in splits:
            raise ValueError(f"Split {name!r} is given twice in {text!r}.")
        if count < 1:
            raise ValueError(f"Split {name!r} of {text!r} gets {count} clips; give it at least 1 or leave it out.")
        splits[name] = count
    return splits


def video_id_for(seed: int, index: int) -> str:
    return f"synth-{seed}-{index:06d}"


def make_clip_record(index: int, seed: int, config: SynthConfig, split: str, work_dir: Path | None) -> dict:
    """Generates, renders and encodes clip `index` of a dataset; returns (and writes) its record.

    The record holds the caption row, the motion row and every candidate question. With `work_dir`, the video goes
    to `work_dir/videos/<id>.mp4` and the record to `work_dir/clips/<id>.json`, both atomically; an existing
    record is returned without regenerating.
    """
    from ..video import write_video

    video_id = video_id_for(seed, index)
    record_path = work_dir / "clips" / f"{video_id}.json" if work_dir else None
    video_rel = f"{VIDEO_DIR}/{video_id}.mp4"
    if record_path is not None and record_path.exists() and (work_dir / video_rel).exists():
        with open(record_path) as file:
            return json.load(file)
    clip = generate_clip(derive_seed(seed, index), config)
    if work_dir is not None:
        write_video(work_dir / video_rel, clip.render(), fps=config.fps, options=dict(ENCODER_OPTIONS))
    candidates = candidate_questions(clip)
    record = {
        "index": index,
        "video_id": video_id,
        "video": video_rel,
        "split": split,
        "caption": caption_clip(clip),
        "events": [{"start_s": e.start_s, "end_s": e.end_s, "label": e.label} for e in clip.events],
        "motion": clip.to_motion_row(),
        "candidates": [q.to_dict() for q in candidates],
    }
    if record_path is not None:
        record_path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(record_path, json.dumps(record, separators=(",", ":")))
    return record


def _worker(args: tuple) -> int:
    index, seed, config_dict, split, work_dir = args
    make_clip_record(index, seed, SynthConfig.from_dict(config_dict), split, Path(work_dir))
    return index


def _work_dir_for(out_dir: Path, seed: int, splits: dict[str, int], config: SynthConfig) -> Path:
    key = json.dumps({"seed": seed, "splits": splits, "config": config.to_dict()}, sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return out_dir.absolute().parent / f".{out_dir.name}.synth-work-{digest}"


def assemble_split(records: list[dict], config: SynthConfig, seed: int, split: str) -> list[tuple[dict, Question]]:
    """Selects and letter-balances the questions of one split.

    Returns:
        `list[(record, Question)]` in clip order.
    """
    split_seed = derive_seed(seed, int(hashlib.sha256(split.encode()).hexdigest()[:8], 16))
    candidates = [[Question.from_dict(q) for q in r["candidates"]] for r in records]
    chosen = select_questions(candidates, config.task_weights, config.questions_per_clip, split_seed)
    flat = [(record, question) for record, questions in zip(records, chosen) for question in questions]
    balanced = balance_answer_letters([q for _, q in flat], split_seed)
    return [(record, question) for (record, _), question in zip(flat, balanced)]


def _rows_for_split(pairs: list[tuple[dict, Question]], records: list[dict]):
    qa_rows, per_clip = [], Counter()
    questions_by_video: dict[str, list[dict]] = {}
    for record, question in pairs:
        number = per_clip[record["video_id"]]
        per_clip[record["video_id"]] += 1
        row_id = f"{record['video_id']}-q{number}"
        qa_rows.append(
            {
                "id": row_id,
                "video_id": record["video_id"],
                "video": record["video"],
                "task": question.task,
                "question": question.question,
                "options": list(question.options),
                "answer": question.answer,
            }
        )
        questions_by_video.setdefault(record["video_id"], []).append(
            {
                "id": row_id,
                "task": question.task,
                "kind": question.kind,
                "values": list(question.values),
                "spec": json.dumps(question.spec, sort_keys=True),
            }
        )
    caption_rows, motion_rows = [], []
    for record in records:
        motion = record["motion"]
        caption_rows.append(
            {
                "id": record["video_id"],
                "video_id": record["video_id"],
                "video": record["video"],
                "caption": record["caption"],
                "duration_s": motion["num_frames"] / motion["fps"],
                "num_frames": motion["num_frames"],
                "fps": motion["fps"],
                "events": record["events"],
            }
        )
        motion_rows.append(
            {
                "id": record["video_id"],
                "video_id": record["video_id"],
                "video": record["video"],
                **motion,
                "questions": questions_by_video.get(record["video_id"], []),
            }
        )
    return qa_rows, caption_rows, motion_rows


def build_synthetic_dataset(
    out_dir: str | os.PathLike,
    num_videos: int | None = None,
    seed: int = 0,
    splits: str | dict[str, int] | None = None,
    config: SynthConfig | None = None,
    workers: int = 1,
    overwrite: bool = False,
    preview: bool = False,
    keep_work_dir: bool = False,
    license: str | None = None,
    show_progress: bool = True,
) -> Path:
    """Generates the synthetic benchmark as a Hub-ready folder.

    Args:
        out_dir (`str` or `os.PathLike`): output folder (replaced only with `overwrite`).
        num_videos (`int`, *optional*): number of clips (may be omitted when `splits` gives counts).
        seed (`int`, *optional*, defaults to 0): dataset seed; clip `i` uses `derive_seed(seed, i)`.
        splits (`str` or `dict[str, int]`, *optional*): e.g. `"train=800,validation=100,test=100"` or
            `{"train": 0.8, "test": 0.2}`; by default every clip is in `test`. Clips are numbered in split order,
            so splits never share a clip.
        config (`SynthConfig`, *optional*): generation settings.
        workers (`int`, *optional*, defaults to 1): processes generating clips (the output does not depend on it).
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing `out_dir`.
        preview (`bool`, *optional*, defaults to `False`): also write `preview.png` (one clip per sub-task with its
            question) into the folder.
        keep_work_dir (`bool`, *optional*, defaults to `False`): keep the per-clip work folder after success.
        license (`str`, *optional*): license id for the card.
        show_progress (`bool`, *optional*, defaults to `True`): tqdm progress bar.

    Returns:
        `Path` of the dataset folder.

    Raises:
        ValueError: bad arguments or an existing output without `overwrite`.
        DatasetValidationError: a generated row fails the foundation validator (a bug: please report it).
    """
    config = config or SynthConfig()
    config.check_clip_length()
    out_dir = check_output_dir(Path(out_dir), overwrite)
    split_sizes = parse_splits(splits, num_videos)
    if workers < 1:
        raise ValueError(f"workers={workers} must be at least 1.")
    work_dir = _work_dir_for(out_dir, seed, split_sizes, config)
    (work_dir / "clips").mkdir(parents=True, exist_ok=True)
    (work_dir / VIDEO_DIR).mkdir(parents=True, exist_ok=True)
    jobs, start = [], 0
    for split, size in split_sizes.items():
        jobs += [(index, seed, config.to_dict(), split, str(work_dir)) for index in range(start, start + size)]
        start += size
    done = {p.stem for p in (work_dir / "clips").glob("*.json")}
    todo = [job for job in jobs if video_id_for(seed, job[0]) not in done]
    if len(todo) < len(jobs):
        logger.info("Resuming: %d of %d clips already in %s", len(jobs) - len(todo), len(jobs), work_dir)
    progress = tqdm(total=len(jobs), initial=len(jobs) - len(todo), desc="Synthetic clips", disable=not show_progress)
    if workers == 1:
        for job in todo:
            _worker(job)
            progress.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(_worker, todo, chunksize=4):
                progress.update()
    progress.close()

    records_by_split: dict[str, list[dict]] = {}
    for index, _, _, split, _ in jobs:
        with open(work_dir / "clips" / f"{video_id_for(seed, index)}.json") as file:
            records_by_split.setdefault(split, []).append(json.load(file))

    with staged_output_dir(out_dir, overwrite) as stage:
        (stage / VIDEO_DIR).mkdir()
        all_qa, all_pairs = [], []
        for split, records in records_by_split.items():
            pairs = assemble_split(records, config, seed, split)
            qa_rows, caption_rows, motion_rows = _rows_for_split(pairs, records)
            for record in records:
                source, target = work_dir / record["video"], stage / record["video"]
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
            problems = validate_rows(qa_rows, stage) + validate_rows(caption_rows, stage)
            if problems:
                raise DatasetValidationError(problems, f"synthetic split {split!r}")
            write_split(stage, "qa", split, datasets.Dataset.from_list(qa_rows, features=QA_FEATURES))
            write_split(stage, "captions", split, datasets.Dataset.from_list(caption_rows, features=CAPTIONS_FEATURES))
            write_split(stage, "motion", split, datasets.Dataset.from_list(motion_rows, features=MOTION_FEATURES))
            all_qa += qa_rows
            all_pairs += pairs
        if preview:
            from .preview import write_preview

            write_preview(stage / "preview.png", all_pairs, stage)
        _write_card(stage, config, seed, split_sizes, all_qa, preview, license)
    if not keep_work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)
    return out_dir


def _letter_table(rows: list[dict]) -> str:
    letters = Counter(row["answer"] for row in rows)
    total = max(1, len(rows))
    used = [letter for letter in OPTION_LETTERS if letters[letter]]
    head = "| " + " | ".join(used) + " |"
    return "\n".join(
        [head, "|" + "---|" * len(used), "| " + " | ".join(f"{100 * letters[x] / total:.1f}%" for x in used) + " |"]
    )


def _write_card(
    stage: Path, config: SynthConfig, seed: int, splits: dict, qa_rows: list[dict], preview: bool, license: str | None
) -> None:
    settings = json.dumps(config.to_dict(), indent=1, sort_keys=True)
    split_text = ",".join(f"{k}={v}" for k, v in splits.items())
    sections = {
        "Generation": (
            "Procedural stick-figure videos with exact labels, generated by "
            "actionart-hf `actionart_hf.synthetic`: a 16-joint 3D skeleton driven "
            "by keyframed joint angles performs a sequence of action units (arm and leg movements, repetitions such "
            "as waves, claps, squats and jumps, walking, stepping and turning, posture changes, picking up, putting "
            "down, throwing and lifting a ball, box, cup or bottle), is projected by a pinhole camera and drawn with "
            "thick limbs (the person's left side in one colour, the right in another).\n\n"
            f"Rebuild this folder exactly with `actionart-hf synth --seed {seed} --splits {split_text}` and the "
            f"settings below.\n\n```json\n{settings}\n```"
        ),
        "Configs": (
            "- `qa`: the ActionArt MCQ format (`id, video_id, video, task, question, options, answer`); every "
            "question has exactly one true option, re-derived from the labels by a checker.\n"
            "- `captions`: the ActionArt caption format; `events` are the action units with exact times.\n"
            "- `motion`: per-frame `joints3d` (metres, y up) and `joints2d` (pixels), joint-angle `poses`, events "
            "with repetition frames, object tracks and events, camera, generation settings, and each question's "
            "machine-readable spec (`questions`). `actionart_hf.synthetic.Clip.from_motion_row(row)` rebuilds a "
            "clip from it (pose descriptions, pose differences, re-rendering)."
        ),
        "Sub-tasks": task_count_table([row["task"] for row in qa_rows]),
        "Answer letters": _letter_table(qa_rows),
    }
    if preview:
        sections["Preview"] = "![one clip per sub-task with its question](preview.png)"
    sections["Limitations"] = (
        "Stick figures on simple backgrounds, one person, a small library of movements: a controlled test of "
        "fine-grained spatial and temporal understanding, not a substitute for real videos."
    )
    write_dataset_card(
        stage,
        pretty_name="ActionArt-Synthetic",
        summary=(
            "A procedural benchmark in the format of ActionArt (8 sub-tasks: "
            + ", ".join(f"{code} {TASKS[code].name}" for code in TASK_CODES)
            + ") whose answers are exact, because every frame's pose and every event are known."
        ),
        sections=sections,
        license=license,
        default_config="qa",
        tags=["synthetic", "procedural"],
        license_name="actionart-hf",
        license_link=PROJECT_URL,
    )


def verify_folder(folder: str | os.PathLike, split: str = "test") -> list[str]:
    """Re-checks every `qa` question of a built folder against its `motion` labels; returns the problems."""
    from ..data.loading import load_actionart  # caches by content, so a folder rebuilt in place is never stale

    qa = load_actionart(folder, "qa", split)
    names = qa.features["task"].names
    motion = {row["video_id"]: row for row in load_actionart(folder, "motion", split)}
    clips: dict[str, Clip] = {}
    problems = []
    for row in qa:
        m = motion[row["video_id"]]
        clip = clips.setdefault(row["video_id"], Clip.from_motion_row(m))
        spec = next(q for q in m["questions"] if q["id"] == row["id"])
        question = Question(
            names[row["task"]],
            spec["kind"],
            row["question"],
            row["options"],
            spec["values"],
            row["answer"],
            json.loads(spec["spec"]),
        )
        reason = check_question(clip, question)
        if reason:
            problems.append(f"{row['id']}: {reason}")
    return problems


__all__ = [
    "ENCODER_OPTIONS",
    "MOTION_FEATURES",
    "assemble_split",
    "build_synthetic_dataset",
    "make_clip_record",
    "parse_splits",
    "verify_folder",
    "video_id_for",
]
