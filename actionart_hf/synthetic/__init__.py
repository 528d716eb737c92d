"""Procedural human-motion videos with exact labels: the synthetic ActionArt benchmark and oracle teacher.

    >>> from actionart_hf.synthetic import SynthConfig, generate_clip, generate_questions
    >>> clip = generate_clip(seed=0, config=SynthConfig(height=64, width=64))
    >>> frames = clip.render()                      # uint8 (64, 64, 64, 3)
    >>> clip.joints2d.shape                         # (64, 16, 2) pixel coordinates per frame
    >>> [e.label for e in clip.events]              # action units (`ActionEvent`) with exact frame spans
    >>> generate_questions(clip)[0].question

Modules, each importing only those listed before it: `random_streams` (seeds), `skeleton` (joints, forward
kinematics), `language`, `camera`, `config` (settings), `actions` (action-unit library), `objects`, `states` and
`descriptions` (pose states read from joints, pose descriptions and differences), `render` (drawing), `clip` (the
`Clip` and `ActionEvent` values), `planner` (choosing units), `assembly` (units on the frame timeline),
`generation` (`generate_clip`, `generate_unit_clip`), `questions` (8 sub-tasks + checker), `captions`, `preview`,
`dataset` (Hub folder), `cli`. `render` and `descriptions` take a `Clip` but import it only for type hints.
"""

from .actions import UNITS, UnitCall
from .captions import caption_clip
from .clip import ActionEvent, Clip
from .config import SynthConfig
from .dataset import MOTION_FEATURES, build_synthetic_dataset, verify_folder
from .descriptions import describe_pose, describe_pose_difference, frame_states
from .generation import generate_clip, generate_unit_clip
from .questions import (
    Question,
    balance_answer_letters,
    candidate_questions,
    check_question,
    generate_questions,
    select_questions,
)
from .random_streams import derive_seed
from .skeleton import JOINT_NAMES, forward_kinematics


__all__ = [
    "ActionEvent",
    "Clip",
    "JOINT_NAMES",
    "MOTION_FEATURES",
    "Question",
    "SynthConfig",
    "UNITS",
    "UnitCall",
    "balance_answer_letters",
    "build_synthetic_dataset",
    "candidate_questions",
    "caption_clip",
    "check_question",
    "derive_seed",
    "describe_pose",
    "describe_pose_difference",
    "forward_kinematics",
    "frame_states",
    "generate_clip",
    "generate_questions",
    "generate_unit_clip",
    "select_questions",
    "verify_folder",
]
