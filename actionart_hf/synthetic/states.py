"""Discrete body states read back from 3D joints: posture, facing, hand height, arm direction, torso, legs.

These functions look only at joint positions (and the camera for facing), never at the plan that produced them,
so the question checker can re-derive answers independently of the generator. Each returns `None` for frames
that are in between categories (transitions or borderline poses); questions are only asked about frames where
the state is clear.
"""

from __future__ import annotations

import numpy as np

from .camera import Camera
from .skeleton import JOINT_INDEX, SIDES


J = JOINT_INDEX

POSTURE_PHRASES = {
    "standing": "standing",
    "squatting": "squatting",
    "sitting": "sitting on the floor",
    "kneeling": "kneeling",
    "lying": "lying on the back",
}
FACING_PHRASES = {
    "camera": "facing the camera",
    "away": "facing away from the camera",
    "frame_left": "facing the left side of the frame",
    "frame_right": "facing the right side of the frame",
}
HAND_HEIGHT_PHRASES = {
    "above_head": "above the head",
    "shoulder": "at shoulder height",
    "waist": "at waist height",
    "below_hips": "below the hips",
}
ARM_DIRECTION_PHRASES = {
    "up": "pointing straight up",
    "forward": "stretched straight forward",
    "side": "stretched out to the side",
    "down": "hanging straight down",
}
TORSO_PHRASES = {
    "upright": "upright",
    "bent_forward": "bent forward",
    "leaning_back": "leaning back",
    "leaning_left": "leaning to the left",
    "leaning_right": "leaning to the right",
}
LEG_PHRASES = {
    "straight": "straight",
    "bent": "bent at the knee",
    "raised": "lifted off the ground",
}


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def torso_tilt(joints: np.ndarray) -> np.ndarray:
    """Angle in degrees between the pelvis→neck axis and the vertical, shape `(T,)`."""
    axis = _unit(joints[:, J["neck"]] - joints[:, J["pelvis"]])
    return np.degrees(np.arccos(np.clip(axis[:, 1], -1.0, 1.0)))


def posture_states(joints: np.ndarray) -> list[str | None]:
    """Whole-body posture per frame: `standing`, `squatting`, `sitting`, `kneeling`, `lying` or None.

    Args:
        joints (`np.ndarray` of shape `(num_frames, num_joints, 3)`): world joints in metres (y up, ground at 0).
    """
    pelvis = joints[:, J["pelvis"], 1]
    head = joints[:, J["head"], 1]
    knees = np.maximum(joints[:, J["left_knee"], 1], joints[:, J["right_knee"], 1])
    low_knees = np.minimum(joints[:, J["left_knee"], 1], joints[:, J["right_knee"], 1])
    feet = np.maximum(joints[:, J["left_foot"], 1], joints[:, J["right_foot"], 1])
    tilt = torso_tilt(joints)
    out: list[str | None] = []
    for i in range(len(joints)):
        airborne = joints[i, [J["left_foot"], J["right_foot"]], 1].min() > 0.12
        if tilt[i] > 70 and head[i] < 0.35 and pelvis[i] < 0.3:
            out.append("lying")
        elif tilt[i] > 40 or airborne:
            out.append(None)
        elif pelvis[i] > 0.82 and low_knees[i] > 0.4:
            out.append("standing")
        elif pelvis[i] < 0.22 and knees[i] > pelvis[i] + 0.12:
            out.append("sitting")
        elif knees[i] < 0.1 and pelvis[i] > 0.35 and feet[i] < 0.15:
            out.append("kneeling")
        elif 0.3 < pelvis[i] < 0.62 and feet[i] < 0.12 and low_knees[i] > pelvis[i] - 0.05:
            out.append("squatting")
        else:
            out.append(None)
    return out


def facing_states(joints: np.ndarray, camera: Camera) -> list[str | None]:
    """Which way the person faces, relative to the camera: `camera`, `away`, `frame_left`, `frame_right` or None.

    Uses the hips (so a bent or turned torso does not count); None while lying or between directions.
    """
    left = joints[:, J["left_hip"]] - joints[:, J["right_hip"]]
    left[:, 1] = 0.0
    forward = _unit(np.cross(_unit(left), np.array([0.0, 1.0, 0.0])))
    to_camera = camera.position[None, :] - joints[:, J["pelvis"]]
    to_camera[:, 1] = 0.0
    to_camera = _unit(to_camera)
    right, _ = camera.ground_axes()
    angle = np.degrees(np.arccos(np.clip((forward * to_camera).sum(-1), -1.0, 1.0)))
    side = forward @ right
    postures = posture_states(joints)
    out: list[str | None] = []
    for i in range(len(joints)):
        if postures[i] in (None, "lying"):
            out.append(None)
        elif angle[i] < 35:
            out.append("camera")
        elif angle[i] > 145:
            out.append("away")
        elif 55 < angle[i] < 125:
            out.append("frame_right" if side[i] > 0 else "frame_left")
        else:
            out.append(None)
    return out


def hand_height_states(joints: np.ndarray, side: str) -> list[str | None]:
    """Height of one hand relative to the body: `above_head`, `shoulder`, `waist`, `below_hips` or None.

    Only for upright bodies (torso tilt under 40 degrees); None in the gaps between categories.
    """
    hand = joints[:, J[f"{side}_hand"], 1]
    head = joints[:, J["head"], 1]
    shoulder = joints[:, [J["left_shoulder"], J["right_shoulder"]], 1].mean(axis=1)
    pelvis = joints[:, J["pelvis"], 1]
    tilt = torso_tilt(joints)
    out: list[str | None] = []
    for i in range(len(joints)):
        if tilt[i] > 40:
            out.append(None)
        elif hand[i] > head[i] + 0.06:
            out.append("above_head")
        elif abs(hand[i] - shoulder[i]) < 0.1:
            out.append("shoulder")
        elif pelvis[i] + 0.06 < hand[i] < pelvis[i] + 0.3:
            out.append("waist")
        elif hand[i] < pelvis[i] - 0.03:
            out.append("below_hips")
        else:
            out.append(None)
    return out


def torso_frame(joints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The upper body's left (between the shoulders), up (pelvis→neck) and forward axes, each `(T, 3)`."""
    left = _unit(joints[:, J["left_shoulder"]] - joints[:, J["right_shoulder"]])
    up = joints[:, J["neck"]] - joints[:, J["pelvis"]]
    up = _unit(up - (up * left).sum(-1, keepdims=True) * left)
    return left, up, np.cross(left, up)


def arm_direction_states(joints: np.ndarray, side: str) -> list[str | None]:
    """Direction of a straight arm relative to the upper body: `up`, `forward`, `side`, `down` or None.

    None when the elbow is bent (shoulder-to-hand distance under 90% of the arm's length) or the direction is
    between categories.
    """
    vector = joints[:, J[f"{side}_hand"]] - joints[:, J[f"{side}_shoulder"]]
    length = np.linalg.norm(vector, axis=-1)
    reach = np.linalg.norm(joints[:, J[f"{side}_elbow"]] - joints[:, J[f"{side}_shoulder"]], axis=-1) + np.linalg.norm(
        joints[:, J[f"{side}_hand"]] - joints[:, J[f"{side}_elbow"]], axis=-1
    )
    left, up, forward = torso_frame(joints)
    direction = _unit(vector)
    outward = (direction * left).sum(-1) * (1.0 if side == "left" else -1.0)
    along_up = (direction * up).sum(-1)
    along_forward = (direction * forward).sum(-1)
    out: list[str | None] = []
    for i in range(len(joints)):
        if length[i] < 0.9 * reach[i]:
            out.append(None)
        elif along_up[i] > 0.85:
            out.append("up")
        elif along_up[i] < -0.85:
            out.append("down")
        elif along_forward[i] > 0.85:
            out.append("forward")
        elif outward[i] > 0.85:
            out.append("side")
        else:
            out.append(None)
    return out


def torso_states(joints: np.ndarray) -> list[str | None]:
    """Upper body relative to the hips: `upright`, `bent_forward`, `leaning_back`, `leaning_left/right` or None."""
    left = _unit(joints[:, J["left_hip"]] - joints[:, J["right_hip"]])
    body_up = np.array([0.0, 1.0, 0.0])
    postures = posture_states(joints)
    forward = _unit(np.cross(left, body_up))
    axis = _unit(joints[:, J["neck"]] - joints[:, J["pelvis"]])
    along_forward = (axis * forward).sum(-1)
    along_left = (axis * left).sum(-1)
    out: list[str | None] = []
    for i in range(len(joints)):
        if postures[i] == "lying":
            out.append(None)
        elif abs(along_forward[i]) < 0.17 and abs(along_left[i]) < 0.17:
            out.append("upright")
        elif along_forward[i] > 0.5 and abs(along_left[i]) < 0.2:
            out.append("bent_forward")
        elif along_forward[i] < -0.3 and abs(along_left[i]) < 0.2:
            out.append("leaning_back")
        elif along_left[i] > 0.3 and abs(along_forward[i]) < 0.2:
            out.append("leaning_left")
        elif along_left[i] < -0.3 and abs(along_forward[i]) < 0.2:
            out.append("leaning_right")
        else:
            out.append(None)
    return out


def leg_states(joints: np.ndarray, side: str) -> list[str | None]:
    """One leg: `raised` (foot clearly off the ground while the other is on it), `straight`, `bent` or None."""
    hip, knee, foot = (joints[:, J[f"{side}_{n}"]] for n in ("hip", "knee", "foot"))
    other = "right" if side == "left" else "left"
    length = np.linalg.norm(foot - hip, axis=-1)
    out: list[str | None] = []
    for i in range(len(joints)):
        if foot[i, 1] > 0.15 and joints[i, J[f"{other}_foot"], 1] < 0.08:
            out.append("raised")
        elif length[i] > 0.86:
            out.append("straight")
        elif length[i] < 0.75:
            out.append("bent")
        else:
            out.append(None)
    return out


BODY_STATES = {
    "posture": POSTURE_PHRASES,
    "facing": FACING_PHRASES,
    "torso": TORSO_PHRASES,
    "left_hand": HAND_HEIGHT_PHRASES,
    "right_hand": HAND_HEIGHT_PHRASES,
    "left_arm": ARM_DIRECTION_PHRASES,
    "right_arm": ARM_DIRECTION_PHRASES,
    "left_leg": LEG_PHRASES,
    "right_leg": LEG_PHRASES,
}
"""The discrete states of a body, each with its possible values (the keys of its phrase table)."""


def body_states(joints: np.ndarray, camera: Camera) -> dict[str, list[str | None]]:
    """Every state of `BODY_STATES` for every frame of `joints` (shape `(frames, joints, 3)`); None where unclear."""
    states = {
        "posture": posture_states(joints),
        "facing": facing_states(joints, camera),
        "torso": torso_states(joints),
    }
    for side in SIDES:
        states[f"{side}_hand"] = hand_height_states(joints, side)
        states[f"{side}_arm"] = arm_direction_states(joints, side)
        states[f"{side}_leg"] = leg_states(joints, side)
    return states


def stable_state(states: list[str | None], start: int, stop: int) -> str | None:
    """The state shared by every frame in `[start, stop)`, or None if they differ or any is unclear."""
    window = states[max(0, start) : max(0, stop)]
    if not window or window[0] is None or any(s != window[0] for s in window):
        return None
    return window[0]


__all__ = [
    "ARM_DIRECTION_PHRASES",
    "FACING_PHRASES",
    "HAND_HEIGHT_PHRASES",
    "LEG_PHRASES",
    "POSTURE_PHRASES",
    "TORSO_PHRASES",
    "arm_direction_states",
    "facing_states",
    "hand_height_states",
    "leg_states",
    "posture_states",
    "stable_state",
    "torso_frame",
    "torso_states",
]
