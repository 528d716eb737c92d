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

from ..atomic import write_jsonl_atomic
from ..tasks import TASKS
from ..video import DEFAULT_NUM_FRAMES
from .hub_folder import (
    VIDEO_DIR,
    check_output_dir,
    staged_output_dir,
    task_count_table,
    write_dataset_card,
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


def _read_splits(split_file: Path | None) -> dict[str, str]:
    if split_file is None:
        return {}
    if split_file.suffix.lower() == ".json":
        data = json.loads(split_file.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return {video_key(k): str(v) for k, v in data.items()}
    rows = read_table(split_file)
    return {
        video_key(pick(r, "video", row_id=str(i))): str(pick(r, "split", row_id=str(i))) for i, r in enumerate(rows)
    }


def _normalize(rows: list[dict], normalize, problems: list[RowProblem]) -> list[dict]:
    good = []
    for position, row in enumerate(rows):
        try:
            good.append(normalize(row, position))
        except RawRowError as error:
            problems.append(RowProblem(error.row_id, error.reason))
    return good


def _attach_videos(rows: list[dict], videos: dict[str, Path], problems: list[RowProblem], id_key: str) -> list[dict]:
    kept = []
    for row in rows:
        path = videos.get(row["video_id"])
        if path is None:
            problems.append(RowProblem(str(row[id_key]), f"video {row['video_id']!r} is not in the release folder"))
            continue
        kept.append({**row, "video": str(path)})
    return kept


def _drop(rows: list[dict], problems: list[RowProblem], id_key: str = "id") -> list[dict]:
    bad = {p.row_id for p in problems}
    return [row for row in rows if str(row[id_key]) not in bad]


def _write_rejects(out_dir: Path, problems: list[RowProblem]) -> Path:
    path = out_dir.parent / f"{out_dir.name}.rejects.jsonl"
    return write_jsonl_atomic(path, ({"id": problem.row_id, "reason": problem.reason} for problem in problems))


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
    release_dir, out_dir = Path(release_dir), check_output_dir(out_dir, overwrite)
    if not release_dir.is_dir():
        raise ValueError(f"Release folder {str(release_dir)!r} does not exist.")
    qa_path = Path(qa_file) if qa_file else find_table(release_dir, "qa")
    captions_path = Path(captions_file) if captions_file else find_table(release_dir, "caption")
    if qa_path is None:
        raise ValueError(f"No QA file (*qa*.json|jsonl|csv) in {str(release_dir)!r}; pass --qa-file.")
    videos = find_videos(release_dir)
    problems: list[RowProblem] = []

    qa_rows = _attach_videos(_normalize(read_table(qa_path), normalize_qa_row, problems), videos, problems, "id")
    caption_rows = []
    if captions_path is not None:
        caption_rows = _normalize(read_table(captions_path), normalize_caption_row, problems)
        for row in caption_rows:
            row["id"] = row["video_id"]
        caption_rows = _attach_videos(caption_rows, videos, problems, "id")
    problems += validate_rows(qa_rows, "/") + validate_rows(caption_rows, "/")
    if problems and not drop_invalid:
        raise DatasetValidationError(problems, f"release {str(release_dir)!r}")
    qa_rows, caption_rows = _drop(qa_rows, problems), _drop(caption_rows, problems)
    if not qa_rows:
        raise ValueError(f"No valid QA rows in {str(qa_path)!r}.")

    splits = _read_splits(Path(split_file) if split_file else None)
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
    if problems:
        logger.warning("Dropped %d invalid row(s); see %s", len(problems), _write_rejects(out_dir, problems))
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
