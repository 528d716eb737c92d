"""A PNG contact sheet: one clip per sub-task, a strip of its frames, its question and options (answer marked)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..atomic import atomic_file
from ..tasks import TASK_CODES, TASKS
from .questions import Question


FRAMES_PER_ROW = 6
TILE = 128
TEXT_WIDTH = 560
BACKGROUND = (255, 255, 255)


def write_preview(
    path: str | os.PathLike,
    pairs: list[tuple[dict, Question]],
    root: str | os.PathLike,
    frames_per_row: int = FRAMES_PER_ROW,
) -> Path:
    """Writes the contact sheet.

    Args:
        path (`str` or `os.PathLike`): PNG file to write (atomically).
        pairs (`list[tuple[dict, Question]]`): `(record, question)` pairs; records hold the relative `video` path.
            The first question of each sub-task is shown.
        root (`str` or `os.PathLike`): folder the video paths are relative to.
        frames_per_row (`int`, *optional*, defaults to 6): frames sampled evenly from each clip.

    Returns:
        `Path` of the PNG.
    """
    from ..video import load_video

    font = ImageFont.load_default(size=13)
    bold = ImageFont.load_default(size=15)
    shown: dict[str, tuple[dict, Question]] = {}
    used: set[str] = set()
    for task in TASK_CODES:  # a different clip for each task where possible
        options = [(r, q) for r, q in pairs if q.task == task]
        fresh = [(r, q) for r, q in options if r["video_id"] not in used]
        if options:
            shown[task] = (fresh or options)[0]
            used.add(shown[task][0]["video_id"])
    rows = []
    for task in TASK_CODES:
        if task not in shown:
            continue
        record, question = shown[task]
        clip = load_video(Path(root) / record["video"], num_frames=frames_per_row)
        tiles = [Image.fromarray(frame).resize((TILE, TILE)) for frame in clip.frames]
        row = Image.new("RGB", (frames_per_row * TILE + TEXT_WIDTH, TILE), BACKGROUND)
        for i, tile in enumerate(tiles):
            row.paste(tile, (i * TILE, 0))
        draw = ImageDraw.Draw(row)
        x, y = frames_per_row * TILE + 8, 4
        draw.text((x, y), f"{task} ({TASKS[task].name}) - {record['video_id']}", fill=(0, 0, 0), font=bold)
        y += 19
        for line in textwrap.wrap(question.question, 80)[:2]:
            draw.text((x, y), line, fill=(30, 30, 30), font=font)
            y += 15
        for letter, option in zip("ABCDEF", question.options):
            correct = letter == question.answer
            text = textwrap.shorten(f"{letter}. {option}", 82, placeholder="...")
            draw.text(
                (x, y), ("* " if correct else "  ") + text, fill=(0, 120, 0) if correct else (60, 60, 60), font=font
            )
            y += 15
        times = ", ".join(f"{t:.1f}s" for t in clip.timestamps_s)
        draw.text((x, TILE - 16), f"frames at {times}", fill=(120, 120, 120), font=font)
        rows.append(np.asarray(row))
    if not rows:
        raise ValueError("No questions to preview: the dataset has no qa rows.")
    sheet = Image.fromarray(np.concatenate(rows, axis=0))
    path = Path(path)
    with atomic_file(path) as temporary:
        sheet.save(temporary)
    return path


__all__ = ["write_preview"]
