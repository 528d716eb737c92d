"""A 16-joint 3D stick figure driven by joint angles, with vectorised forward kinematics.

World coordinates are metres: `x` points to the right of the default camera, `y` up, `z` toward the default camera.
A person with heading 0 faces the camera (+z), so their left side is +x. A positive heading change turns the person
to *their* left (counter-clockwise seen from above).

Body-local coordinates are `(lateral, up, forward)`. Each limb segment's direction comes from two angles:

- `pitch`: rotation in the sagittal plane, 0 = pointing down, 90 = pointing forward, 180 = pointing up,
  negative = backward;
- `abduct`: rotation out to the side, 0 = in the sagittal plane, 90 = horizontal out to the side, 180 = up via
  the side, negative = across the body.

so `direction = (side * sin(abduct), -cos(abduct) * cos(pitch), cos(abduct) * sin(pitch))` with `side` +1 for the
left and -1 for the right limb. Arms hang from the (bendable) torso, legs from the pelvis.
"""

from __future__ import annotations

import numpy as np


JOINT_NAMES: tuple[str, ...] = (
    "pelvis",
    "chest",
    "neck",
    "head",
    "left_shoulder",
    "left_elbow",
    "left_hand",
    "right_shoulder",
    "right_elbow",
    "right_hand",
    "left_hip",
    "left_knee",
    "left_foot",
    "right_hip",
    "right_knee",
    "right_foot",
)
JOINT_INDEX: dict[str, int] = {name: index for index, name in enumerate(JOINT_NAMES)}
NUM_JOINTS = len(JOINT_NAMES)

# Bone lengths in metres (a person about 1.74 m tall).
SPINE = 0.50  # pelvis -> chest (shoulder line)
NECK = 0.08  # chest -> neck
HEAD_CENTER = 0.17  # neck -> centre of the head
HEAD_RADIUS = 0.11
SHOULDER_HALF_WIDTH = 0.19
HIP_HALF_WIDTH = 0.10
UPPER_ARM = 0.29
FOREARM = 0.29
THIGH = 0.44
SHIN = 0.44
LIMB_RADIUS = 0.045
PELVIS_RADIUS = 0.08

SIDES: tuple[str, ...] = ("left", "right")
SIDE_SIGN = {"left": 1.0, "right": -1.0}
SEGMENTS: tuple[str, ...] = ("upper_arm", "forearm", "thigh", "shin")

# Degrees of freedom of a pose vector, in order.
DOF_NAMES: tuple[str, ...] = (
    "root_x",  # metres
    "root_z",  # metres
    "heading",  # degrees, positive = turned to the person's left
    "body_pitch",  # degrees, whole-body rotation backward (90 = lying on the back)
    "airborne",  # metres above the ground (jumps)
    "torso_bend",  # degrees, forward bend of the upper body at the hips
    "torso_lean",  # degrees, sideways lean of the upper body, positive = to the person's left
    *(f"{side}_{segment}_{angle}" for side in SIDES for segment in SEGMENTS for angle in ("pitch", "abduct")),
)
DOF_INDEX: dict[str, int] = {name: index for index, name in enumerate(DOF_NAMES)}
NUM_DOFS = len(DOF_NAMES)


def neutral_pose() -> np.ndarray:
    """A person standing at the origin, facing the camera, arms hanging slightly away from the body.

    Returns:
        `np.ndarray` of shape `(num_dofs,)`, float64.
    """
    pose = np.zeros(NUM_DOFS)
    for side in SIDES:
        pose[DOF_INDEX[f"{side}_upper_arm_abduct"]] = 8.0
        pose[DOF_INDEX[f"{side}_forearm_abduct"]] = 6.0
        pose[DOF_INDEX[f"{side}_forearm_pitch"]] = 8.0
    return pose


def pose_from_dict(values: dict[str, float], base: np.ndarray | None = None) -> np.ndarray:
    """A pose vector from `{dof_name: value}`, starting from `base` (or the neutral pose).

    Raises:
        ValueError: an unknown degree-of-freedom name.
    """
    pose = (neutral_pose() if base is None else base).astype(np.float64).copy()
    for name, value in values.items():
        if name not in DOF_INDEX:
            raise ValueError(f"Unknown pose degree of freedom {name!r}; known: {', '.join(DOF_NAMES)}.")
        pose[DOF_INDEX[name]] = value
    return pose


def _rot_lateral(angle_deg: np.ndarray) -> np.ndarray:
    """Rotation in the (up, forward) plane; positive angles take `down` toward `forward`. Shape `(T, 3, 3)`."""
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    m = np.zeros((len(a), 3, 3))
    m[:, 0, 0] = 1.0
    m[:, 1, 1], m[:, 1, 2] = c, s
    m[:, 2, 1], m[:, 2, 2] = -s, c
    return m


def _rot_forward(angle_deg: np.ndarray) -> np.ndarray:
    """Rotation in the (lateral, up) plane; positive angles take `down` toward +lateral. Shape `(T, 3, 3)`."""
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    m = np.zeros((len(a), 3, 3))
    m[:, 0, 0], m[:, 0, 1] = c, -s
    m[:, 1, 0], m[:, 1, 1] = s, c
    m[:, 2, 2] = 1.0
    return m


def heading_basis(heading_deg: np.ndarray) -> np.ndarray:
    """Columns are the person's left, up and forward axes in world coordinates. Shape `(T, 3, 3)`."""
    h = np.radians(heading_deg)
    m = np.zeros((len(h), 3, 3))
    m[:, 0, 0], m[:, 2, 0] = np.cos(h), -np.sin(h)  # left
    m[:, 1, 1] = 1.0  # up
    m[:, 0, 2], m[:, 2, 2] = np.sin(h), np.cos(h)  # forward
    return m


def segment_direction(pitch_deg: np.ndarray, abduct_deg: np.ndarray, side_sign: float) -> np.ndarray:
    """Unit direction of a limb segment in body-local `(lateral, up, forward)` coordinates. Shape `(T, 3)`."""
    p, a = np.radians(pitch_deg), np.radians(abduct_deg)
    return np.stack([side_sign * np.sin(a), -np.cos(a) * np.cos(p), np.cos(a) * np.sin(p)], axis=-1)


def forward_kinematics(poses: np.ndarray) -> np.ndarray:
    """World joint positions for a sequence of pose vectors, with the body resting on the ground (`y = 0`).

    The pelvis height is not a degree of freedom: each frame is lifted so that its lowest point (feet, knees,
    pelvis, head, ...; not the hands) touches the ground, then `airborne` is added, so feet stay on the floor while
    squatting, kneeling, sitting or lying.

    Args:
        poses (`np.ndarray` of shape `(num_frames, num_dofs)`): pose vectors (see `DOF_NAMES`).

    Returns:
        `np.ndarray` of shape `(num_frames, num_joints, 3)`, float64: joint positions in metres (`JOINT_NAMES`).
    """
    poses = np.atleast_2d(np.asarray(poses, dtype=np.float64))
    if poses.shape[-1] != NUM_DOFS:
        raise ValueError(f"poses must have {NUM_DOFS} degrees of freedom in the last axis, got shape {poses.shape}.")
    num_frames = len(poses)

    def dof(name: str) -> np.ndarray:
        return poses[:, DOF_INDEX[name]]

    body = heading_basis(dof("heading")) @ _rot_lateral(dof("body_pitch"))
    torso = body @ _rot_lateral(-dof("torso_bend")) @ _rot_forward(-dof("torso_lean"))

    def apply(frame: np.ndarray, local: np.ndarray) -> np.ndarray:  # (T,3,3) x (T,3) -> (T,3)
        return np.einsum("tij,tj->ti", frame, local)

    joints = np.zeros((num_frames, NUM_JOINTS, 3))
    up = np.tile([0.0, 1.0, 0.0], (num_frames, 1))
    joints[:, JOINT_INDEX["chest"]] = apply(torso, up * SPINE)
    joints[:, JOINT_INDEX["neck"]] = apply(torso, up * (SPINE + NECK))
    joints[:, JOINT_INDEX["head"]] = apply(torso, up * (SPINE + NECK + HEAD_CENTER))
    for side in SIDES:
        sign = SIDE_SIGN[side]
        lateral = np.tile([sign, 0.0, 0.0], (num_frames, 1))
        shoulder = joints[:, JOINT_INDEX["chest"]] + apply(torso, lateral * SHOULDER_HALF_WIDTH)
        upper = segment_direction(dof(f"{side}_upper_arm_pitch"), dof(f"{side}_upper_arm_abduct"), sign)
        fore = segment_direction(dof(f"{side}_forearm_pitch"), dof(f"{side}_forearm_abduct"), sign)
        elbow = shoulder + UPPER_ARM * apply(torso, upper)
        joints[:, JOINT_INDEX[f"{side}_shoulder"]] = shoulder
        joints[:, JOINT_INDEX[f"{side}_elbow"]] = elbow
        joints[:, JOINT_INDEX[f"{side}_hand"]] = elbow + FOREARM * apply(torso, fore)
        hip = apply(body, lateral * HIP_HALF_WIDTH)
        thigh = segment_direction(dof(f"{side}_thigh_pitch"), dof(f"{side}_thigh_abduct"), sign)
        shin = segment_direction(dof(f"{side}_shin_pitch"), dof(f"{side}_shin_abduct"), sign)
        knee = hip + THIGH * apply(body, thigh)
        joints[:, JOINT_INDEX[f"{side}_hip"]] = hip
        joints[:, JOINT_INDEX[f"{side}_knee"]] = knee
        joints[:, JOINT_INDEX[f"{side}_foot"]] = knee + SHIN * apply(body, shin)

    # Rest on the ground: the lowest body point (joint minus its drawn radius) at y = 0; hands may hover.
    support = [JOINT_INDEX[n] for n in JOINT_NAMES if not n.endswith("_hand") and not n.endswith("_elbow")]
    radius = np.full(NUM_JOINTS, LIMB_RADIUS)
    radius[JOINT_INDEX["pelvis"]] = PELVIS_RADIUS
    radius[JOINT_INDEX["head"]] = HEAD_RADIUS
    lowest = (joints[:, support, 1] - radius[support]).min(axis=1)
    joints[:, :, 1] += (-lowest + dof("airborne"))[:, None]
    joints[:, :, 0] += dof("root_x")[:, None]
    joints[:, :, 2] += dof("root_z")[:, None]
    return joints


def body_axes(joints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The person's left, up (pelvis to neck) and forward unit axes recovered from joint positions.

    Args:
        joints (`np.ndarray` of shape `(num_frames, num_joints, 3)`): world joint positions.

    Returns:
        three `np.ndarray`s of shape `(num_frames, 3)`: left (from the right hip to the left hip), up and
        forward (= left × up).
    """
    left = joints[:, JOINT_INDEX["left_hip"]] - joints[:, JOINT_INDEX["right_hip"]]
    left = left / np.linalg.norm(left, axis=-1, keepdims=True)
    up = joints[:, JOINT_INDEX["neck"]] - joints[:, JOINT_INDEX["pelvis"]]
    up = up - (up * left).sum(-1, keepdims=True) * left
    up = up / np.linalg.norm(up, axis=-1, keepdims=True)
    forward = np.cross(left, up)
    return left, up, forward


__all__ = [
    "DOF_INDEX",
    "DOF_NAMES",
    "HEAD_RADIUS",
    "JOINT_INDEX",
    "JOINT_NAMES",
    "LIMB_RADIUS",
    "NUM_DOFS",
    "NUM_JOINTS",
    "SIDES",
    "SIDE_SIGN",
    "body_axes",
    "forward_kinematics",
    "heading_basis",
    "neutral_pose",
    "pose_from_dict",
    "segment_direction",
]
