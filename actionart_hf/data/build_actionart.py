"""Raw ActionArt release → Hub-ready dataset folder with configs `qa` and `captions`.

    >>> from actionart_hf.data.build_actionart import build_actionart
    >>> build_actionart("path/to/raw_release", "outputs/ActionArt", license="cc-by-nc-4.0")

The release folder holds videos in any common container (any sub-folder), a QA file and a captions file (JSON,
JSONL or CSV; found by name, or given with `qa_file` / `captions_file`). Field spellings are normalised (see
`actionart_hf.data.raw_release`). Videos that appear in the QA file form the `test` split of `captions`, all
others `train` (the source of stage-3 training QA); `split_file` (JSON `{video: split}` or a table with video and
split columns) overrides this. The command line is `actionart-hf build-actionart` (`actionart_hf.data.cli`).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import Counter
from pathlib import Path

import datasets
from tqdm.auto import tqdm

from ..tasks import TASKS
from ..video import DEFAULT_NUM_FRAMES
from .hub_folder import (
    VIDEO_DIR,
    check_output_dir,
    staged_output_dir,
    task_count_table,
    write_dataset_card,
    write_rejects,
    write_split,
)
from .raw_release import (
    RawRowError,
    find_table,
    find_videos,
    normalize_caption_row,
    normalize_qa_row,
    pick,
    read_table,
    video_key,
)
from .schemas import CAPTIONS_FEATURES, QA_FEATURES
from .validation import DatasetValidationError, RowProblem, VideoProber, validate_rows


logger = logging.getLogger(__name__)


KNOWN_SPLITS = ("train", "validation", "test")


def _read_splits(split_file: Path | None, videos: dict[str, Path]) -> dict[str, str]:
    """`{video key: split}` of a split file, every video in the release and every split one of `KNOWN_SPLITS`."""
    if split_file is None:
        return {}
    entries = None
    if split_file.suffix.lower() == ".json":
        try:
            data = json.loads(split_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"Cannot read --split-file {str(split_file)!r}: {error}") from None
        if isinstance(data, dict) and data and all(isinstance(value, str) for value in data.values()):
            entries = [(str(key), value, f"key {key!r}") for key, value in data.items()]
    if entries is None:
        try:
            entries = [
                (str(pick(row, "video", row_id=f"#{i}")), str(pick(row, "split", row_id=f"#{i}")), f"row {i}")
                for i, row in enumerate(read_table(split_file))
            ]
        except RawRowError as error:
            raise ValueError(f"--split-file {str(split_file)!r}: {error}") from None
    splits, unknown = {}, []
    for video, split, place in entries:
        if split not in KNOWN_SPLITS:
            raise ValueError(
                f"--split-file {str(split_file)!r}: {place} puts {video!r} in split {split!r}, which is not one of "
                f"{', '.join(KNOWN_SPLITS)}; fix the spelling."
            )
        if video_key(video) not in videos:
            unknown.append(video)
        splits[video_key(video)] = split
    if unknown:
        raise ValueError(
            f"--split-file {str(split_file)!r} names {len(unknown)} video(s) that are not in the release folder "
            f"({', '.join(map(repr, unknown[:5]))}{', ...' if len(unknown) > 5 else ''}); fix or remove them."
        )
    return splits


def _caption_row(row: dict, position: int) -> dict:
    normalized = normalize_caption_row(row, position)
    return {**normalized, "id": normalized["video_id"]}


def _read_rows(path: Path, normalize, videos: dict[str, Path], table: str) -> tuple[list[dict], list[RowProblem]]:
    """The valid rows of one table (normalised, `video` set to the file) and one problem per invalid row, with the
    row's position in the file.

    Raises:
        RuntimeError: rows read != rows kept + rows rejected (a bug: each row must be accounted for once).
    """
    raw_rows = read_table(path)
    rows, positions, problems = [], [], []
    for position, raw in enumerate(raw_rows):
        try:
            row = normalize(raw, position)
        except RawRowError as error:
            problems.append(RowProblem(error.row_id, error.reason, position))
            continue
        video = videos.get(row["video_id"])
        if video is None:
            problems.append(RowProblem(row["id"], f"video {row['video_id']!r} is not in the release folder", position))
            continue
        rows.append({**row, "video": str(video)})
        positions.append(position)
    invalid = {problem.position: problem for problem in validate_rows(rows, "/")}
    problems += [RowProblem(p.row_id, p.reason, positions[index]) for index, p in invalid.items()]
    rows = [row for index, row in enumerate(rows) if index not in invalid]
    if len(rows) + len(problems) != len(raw_rows):
        raise RuntimeError(f"{table}: {len(raw_rows)} rows read but {len(rows)} kept + {len(problems)} rejected.")
    return rows, sorted(problems, key=lambda problem: problem.position)


def _given_file(path: str | os.PathLike | None, flag: str) -> Path | None:
    if path is None:
        return None
    path = Path(path).absolute()
    if not path.is_file():
        raise ValueError(f"{flag} {str(path)!r} does not exist (or is not a file); check the path.")
    return path


def _rejects(table: str, problems: list[RowProblem]) -> list[dict]:
    return [{"table": table, "row": p.position, "id": p.row_id, "reason": p.reason} for p in problems]


def build_actionart(
    release_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    qa_file: str | os.PathLike | None = None,
    captions_file: str | os.PathLike | None = None,
    split_file: str | os.PathLike | None = None,
    license: str | None = None,
    drop_invalid: bool = False,
    overwrite: bool = False,
) -> Path:
    """Builds the Hub folder (docs/DESIGN.md §4) from a raw release. See the module docstring.

    Raises:
        DatasetValidationError: bad rows (each named by id with the reason), unless `drop_invalid`.
        ValueError: missing files, an existing output without `overwrite`.
    """
    release_dir = Path(release_dir).absolute()  # relative paths are relative to the current folder
    out_dir = check_output_dir(Path(out_dir).absolute(), overwrite)
    if not release_dir.is_dir():
        raise ValueError(f"Release folder {str(release_dir)!r} does not exist; check --release.")
    qa_path = _given_file(qa_file, "--qa-file") or find_table(release_dir, "qa")
    captions_path = _given_file(captions_file, "--captions-file") or find_table(release_dir, "caption")
    split_path = _given_file(split_file, "--split-file")
    if qa_path is None:
        raise ValueError(f"No QA file (*qa*.json|jsonl|csv) in {str(release_dir)!r}; pass --qa-file.")
    videos = find_videos(release_dir)
    splits = _read_splits(split_path, videos)

    qa_rows, problems = _read_rows(qa_path, normalize_qa_row, videos, "qa")
    rejects, caption_rows = _rejects("qa", problems), []
    if captions_path is not None:
        caption_rows, caption_problems = _read_rows(captions_path, _caption_row, videos, "captions")
        problems, rejects = problems + caption_problems, rejects + _rejects("captions", caption_problems)
    if problems and not drop_invalid:
        raise DatasetValidationError(problems, f"release {str(release_dir)!r}")
    if not qa_rows:
        raise ValueError(f"No valid QA rows in {str(qa_path)!r}.")

    qa_videos = {row["video_id"] for row in qa_rows}
    split_of = {key: splits.get(key, "test" if key in qa_videos else "train") for key in videos}
    probe = VideoProber("/")
    with staged_output_dir(out_dir, overwrite) as stage:
        copied: dict[str, str] = {}
        sources = {row["video_id"]: Path(row["video"]) for row in [*qa_rows, *caption_rows]}
        (stage / VIDEO_DIR).mkdir(exist_ok=True)
        for video_id, source in tqdm(sources.items(), desc="Copying videos", unit="video", disable=None):
            copied[video_id] = f"{VIDEO_DIR}/{video_id}{source.suffix.lower()}"
            shutil.copy2(source, stage / copied[video_id])
        for split, rows in _group(qa_rows, split_of).items():
            table = [{k: row[k] for k in QA_FEATURES} | {"video": copied[row["video_id"]]} for row in rows]
            write_split(stage, "qa", split, datasets.Dataset.from_list(table, features=QA_FEATURES))
        for split, rows in _group(caption_rows, split_of).items():
            table = []
            for row in tqdm(rows, desc=f"Probing {split} videos", unit="video", disable=None):
                info = probe(row["video"])
                table.append(
                    {
                        "id": row["id"],
                        "video_id": row["video_id"],
                        "video": copied[row["video_id"]],
                        "caption": row["caption"],
                        "duration_s": info.duration_s,
                        "num_frames": info.total_frames,
                        "fps": info.fps,
                        "events": [],
                    }
                )
            write_split(stage, "captions", split, datasets.Dataset.from_list(table, features=CAPTIONS_FEATURES))
        _write_card(stage, qa_rows, caption_rows, split_of, license)
    rejects_file = write_rejects(out_dir, rejects)  # or removes the list of an earlier build
    if rejects_file is not None:
        logger.warning("Dropped %d invalid row(s); listed one per line in %s", len(rejects), rejects_file)
    logger.info(
        "Wrote %s: %d questions, %d captions, %d videos.", out_dir, len(qa_rows), len(caption_rows), len(copied)
    )
    return out_dir


def _group(rows: list[dict], split_of: dict[str, str]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(split_of[row["video_id"]], []).append(row)
    return dict(sorted(groups.items()))


def _write_card(stage: Path, qa_rows, caption_rows, split_of, license) -> None:
    caption_splits = Counter(split_of[row["video_id"]] for row in caption_rows)
    write_dataset_card(
        stage,
        pretty_name="ActionArt",
        license=license,
        default_config="qa",
        summary=(
            "ActionArt is a benchmark for fine-grained, human-centric video understanding by multimodal LLMs: "
            "videos of human actions with manual, limb-level captions and multiple-choice questions in eight "
            "sub-tasks. This folder was built with `actionart-hf build-actionart`; videos are referenced by "
            "relative path and decoded with `actionart_hf.load_video`."
        ),
        sections={
            "Configs": (
                "- `qa`: multiple-choice questions (`id, video_id, video, task, question, options, answer`).\n"
                "- `captions`: one fine-grained caption per video (`id, video_id, video, caption, duration_s, "
                "num_frames, fps, events`); `test` holds the benchmark videos, `train` the others "
                f"({dict(sorted(caption_splits.items()))})."
            ),
            "Sub-tasks": task_count_table([row["task"] for row in qa_rows]),
            "Usage": (
                "```python\nfrom actionart_hf import load_actionart, load_video\n"
                'ds = load_actionart("<this folder or repo id>", "qa", split="test")\n'
                f'clip = load_video(ds[0]["video"], num_frames={DEFAULT_NUM_FRAMES})\n```\n\n'
                f"The paper's Avg. Acc. is question-weighted over the {len(TASKS)} sub-tasks."
            ),
        },
    )


__all__ = ["build_actionart"]
