"""A small raw release in the messy shapes real releases come in, to try `build-actionart` and to test it.

Videos in three containers (MP4/H.264, AVI/MPEG-4, MKV) in nested folders; a QA file in JSONL that mixes field
spellings, option formats (list, `"A. ..."` string, letter-keyed dict), answer forms (letter, `(B)`, 0-based
index, option text) and task names (codes, aliases, full names); a captions file in CSV. The videos show a
coloured square moving on a plain background: enough to decode, not a benchmark.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np

from ..video import write_video
from .hub_folder import check_output_dir, staged_output_dir


# (video file, codec, frames, height, width)
EXAMPLE_VIDEOS = (
    ("videos/part1/dance_001.mp4", "libx264", 24, 48, 64),
    ("videos/part1/kungfu_002.avi", "mpeg4", 20, 64, 48),
    ("videos/part2/yoga_003.mkv", "libx264", 16, 40, 40),
    ("videos/part2/boxing_004.mp4", "libx264", 30, 36, 64),
    ("videos/extra/walk_005.mp4", "libx264", 12, 32, 32),
    ("videos/extra/jump_006.avi", "mpeg4", 12, 32, 48),
)

EXAMPLE_QA = (
    {
        "id": "q1",
        "video": "dance_001",
        "task": "AC",
        "question": "How many times does the person raise the left arm?",
        "options": ["1", "2", "3", "4"],
        "answer": "B",
    },
    {
        "qid": "q2",
        "video_name": "dance_001.mp4",
        "task_type": "Action Recognition",
        "question": "What does the right hand do?",
        "candidates": "A. Waves\nB. Claps\nC. Points\nD. Rests",
        "answer": "(A)",
    },
    {
        "question_id": "q3",
        "video_path": "videos/part1/kungfu_002.avi",
        "category": "action sequence",
        "query": "What happens after the kick?",
        "choices": {"A": "A punch", "B": "A bow", "C": "A jump"},
        "gt": 1,
    },
    {
        "id": "q4",
        "video_id": "kungfu_002",
        "sub_task": "GS",
        "question": "What is the person's posture at the end?",
        "options": ["Standing", "Lying down", "Squatting", "Sitting"],
        "correct_answer": "Squatting",
    },
    {
        "id": "q5",
        "video": "yoga_003.mkv",
        "task": "HOI",
        "question": "What does the person do with the mat?",
        "options": "A. Rolls it up B. Sits on it C. Lifts it",
        "answer": "B.",
    },
    {
        "id": "q6",
        "video": "yoga_003",
        "task": "local spatial understanding",
        "question": "Where is the left hand at the start?",
        "options": ["On the knee", "Above the head"],
        "answer": 0,
    },
    {
        "id": "q7",
        "video": "boxing_004",
        "task": "MD",
        "question": "Which way does the person move?",
        "options": ["Left", "Right", "Forward", "Backward"],
        "answer": "d",
    },
    {
        "id": "q8",
        "video": "boxing_004",
        "task": "Temporal Localization",
        "question": "When does the person duck?",
        "options": ["Beginning", "Middle", "End"],
        "answer": "C",
    },
)

EXAMPLE_CAPTIONS = (
    ("videos/part1/dance_001.mp4", "The person raises the left arm twice while the right hand waves."),
    ("kungfu_002.avi", "The person kicks with the right leg, bows, then squats down."),
    ("yoga_003", "The person sits on a mat with the left hand resting on the knee."),
    ("boxing_004.mp4", "The person steps backward with both fists up and ducks at the end."),
    ("walk_005", "The person walks from left to right with arms swinging."),
    ("jump_006", "The person jumps twice with both arms raised."),
)


def _frames(num_frames: int, height: int, width: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 255, size=3, dtype=np.uint8)
    colour = 255 - background
    frames = np.broadcast_to(background, (num_frames, height, width, 3)).copy()
    side = max(4, min(height, width) // 4)
    for t in range(num_frames):
        top = (t * 2) % max(1, height - side)
        left = (t * 3) % max(1, width - side)
        frames[t, top : top + side, left : left + side] = colour
    return frames


def write_example_release(out_dir: str | os.PathLike, overwrite: bool = False) -> Path:
    """Writes the example release (videos, `annotations/actionart_qa.jsonl`, `annotations/captions.csv`)."""
    out_dir = check_output_dir(out_dir, overwrite)
    with staged_output_dir(out_dir, overwrite, check=None) as stage:  # a raw release, not a Hub folder
        for seed, (relative, codec, num_frames, height, width) in enumerate(EXAMPLE_VIDEOS):
            write_video(stage / relative, _frames(num_frames, height, width, seed), fps=8, codec=codec)
        (stage / "annotations").mkdir()
        with open(stage / "annotations" / "actionart_qa.jsonl", "w", encoding="utf-8") as handle:
            for row in EXAMPLE_QA:
                handle.write(json.dumps(row) + "\n")
        with open(stage / "annotations" / "captions.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["video_path", "description"])
            writer.writerows(EXAMPLE_CAPTIONS)
    return Path(out_dir)


__all__ = ["EXAMPLE_CAPTIONS", "EXAMPLE_QA", "EXAMPLE_VIDEOS", "write_example_release"]
