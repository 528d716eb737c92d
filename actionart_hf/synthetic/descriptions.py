"""Pose descriptions of single frames and of the change between two frames, read from the joints.

These are the exact "teacher" answers for the proxy tasks: pose description (PD) and spatial difference (SD).

    >>> clip.describe_pose(10)
    'The person is standing, facing the camera. The left arm is pointing straight up, with the hand above the
    head; the right arm is hanging straight down, with the hand below the hips. The upper body is upright. Both
    legs are straight.'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .skeleton import JOINT_INDEX, SIDES
from .states import (
    ARM_DIRECTION_PHRASES,
    FACING_PHRASES,
    HAND_HEIGHT_PHRASES,
    LEG_PHRASES,
    POSTURE_PHRASES,
    TORSO_PHRASES,
    body_states,
)


if TYPE_CHECKING:
    from .clip import Clip

HAND_LEVELS = {
    "above_head": "above the head",
    "shoulder": "shoulder height",
    "waist": "waist height",
    "below_hips": "below the hips",
}


def frame_states(clip: Clip, frame: int) -> dict[str, str | None]:
    """All discrete states of one frame: posture, facing, torso, per side hand height, arm direction, leg, held.

    Returns:
        `dict` with keys `posture`, `facing`, `torso`, `left_hand`, `right_hand`, `left_arm`, `right_arm`,
        `left_leg`, `right_leg`, `left_held`, `right_held` (None where unclear or empty).
    """
    joints = clip.joints3d[frame : frame + 1].astype(np.float64)
    states: dict[str, str | None] = {key: values[0] for key, values in body_states(joints, clip.camera).items()}
    for side in SIDES:
        held = [k for k in clip.objects if clip.object_holder(k, frame) == f"{side}_hand"]
        states[f"{side}_held"] = held[0] if held else None
    return states


def _arm_sentence(side: str, states: dict) -> str | None:
    arm, hand = states[f"{side}_arm"], states[f"{side}_hand"]
    parts = []
    if arm:
        parts.append(f"is {ARM_DIRECTION_PHRASES[arm]}")
    elif hand:
        parts.append("is bent at the elbow")
    if hand:
        parts.append(f"with the hand {HAND_HEIGHT_PHRASES[hand]}")
    if not parts:
        return None
    return f"the {side} arm " + ", ".join(parts)


def describe_pose(clip: Clip, frame: int) -> str:
    """A few sentences describing the person's pose in one frame, from the joints (no plan knowledge).

    Args:
        clip (`Clip`): a clip (generated, or rebuilt from a `motion` row).
        frame (`int`): frame index.
    """
    if not 0 <= frame < clip.num_frames:
        raise ValueError(f"frame={frame} is outside 0..{clip.num_frames - 1}.")
    s = frame_states(clip, frame)
    posture = POSTURE_PHRASES.get(s["posture"], "moving between postures") if s["posture"] else None
    first = f"The person is {posture or 'changing posture'}"
    if s["facing"]:
        first += f", {FACING_PHRASES[s['facing']]}"
    sentences = [first + "."]
    arms = [a for a in (_arm_sentence(side, s) for side in SIDES) if a]
    if arms:
        sentences.append("; ".join(arms)[0].upper() + "; ".join(arms)[1:] + ".")
    if s["torso"]:
        sentences.append(f"The upper body is {TORSO_PHRASES[s['torso']]}.")
    legs = [s["left_leg"], s["right_leg"]]
    if legs[0] and legs[0] == legs[1] and legs[0] != "raised":
        sentences.append(f"Both legs are {LEG_PHRASES[legs[0]]}.")
    else:
        leg_parts = [f"the {side} leg is {LEG_PHRASES[state]}" for side, state in zip(SIDES, legs) if state]
        if leg_parts:
            text = " and ".join(leg_parts)
            sentences.append(text[0].upper() + text[1:] + ".")
    for side in SIDES:
        if s[f"{side}_held"]:
            sentences.append(f"The person holds the {s[f'{side}_held']} in the {side} hand.")
    return " ".join(sentences)


def describe_pose_difference(clip: Clip, frame_a: int, frame_b: int) -> str:
    """What changed from `frame_a` to `frame_b`: posture, facing, arms, legs, torso, position, held objects.

    Returns:
        `str`, e.g. `"The left arm went from hanging straight down to pointing straight up. The person moved toward
        the camera."`; `"The pose does not change."` when nothing clear changed.
    """
    for frame in (frame_a, frame_b):
        if not 0 <= frame < clip.num_frames:
            raise ValueError(f"frame={frame} is outside 0..{clip.num_frames - 1}.")
    a, b = frame_states(clip, frame_a), frame_states(clip, frame_b)
    changes = []

    def change(key: str, phrases: dict, subject: str, verb: str = "went from") -> None:
        if a[key] and b[key] and a[key] != b[key]:
            changes.append(f"{subject} {verb} {phrases[a[key]]} to {phrases[b[key]]}.")

    change("posture", POSTURE_PHRASES, "The person")
    change("facing", FACING_PHRASES, "The person", "turned from")
    for side in SIDES:
        if a[f"{side}_arm"] and b[f"{side}_arm"] and a[f"{side}_arm"] != b[f"{side}_arm"]:
            change(f"{side}_arm", ARM_DIRECTION_PHRASES, f"The {side} arm")
        else:
            change(f"{side}_hand", HAND_LEVELS, f"The {side} hand", "moved from")
    change("torso", TORSO_PHRASES, "The upper body", "went from")
    for side in SIDES:
        change(f"{side}_leg", LEG_PHRASES, f"The {side} leg")
    move = clip.joints3d[frame_b, JOINT_INDEX["pelvis"]] - clip.joints3d[frame_a, JOINT_INDEX["pelvis"]]
    right, toward = clip.camera.ground_axes()
    lateral, depth = float(move @ right), float(move @ toward)
    if max(abs(lateral), abs(depth)) > 0.2:
        if abs(lateral) >= abs(depth):
            where = "to the right side of the frame" if lateral > 0 else "to the left side of the frame"
        else:
            where = "toward the camera" if depth > 0 else "away from the camera"
        changes.append(f"The person moved {where}.")
    for side in SIDES:
        before, after = a[f"{side}_held"], b[f"{side}_held"]
        if before != after:
            if after:
                changes.append(f"The person is now holding the {after} in the {side} hand.")
            if before:
                changes.append(f"The {before} is no longer in the {side} hand.")
    return " ".join(changes) if changes else "The pose does not change."


__all__ = ["describe_pose", "describe_pose_difference", "frame_states"]
