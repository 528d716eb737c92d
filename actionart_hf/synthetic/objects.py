"""Props the person interacts with (ball, box, cup, bottle): appearance and per-frame trajectories."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .skeleton import JOINT_INDEX


GRAVITY = 9.81
THROW_FORWARD_SPEED = 2.6  # m/s
THROW_UP_SPEED = 2.4  # m/s


@dataclass(frozen=True)
class ObjectKind:
    """Appearance of an object kind.

    Args:
        name (`str`): `ball`, `box`, `cup` or `bottle`.
        shape (`str`): how it is drawn: `circle`, `square`, `cup` (trapezoid) or `bottle` (tall rectangle).
        half_height (`float`): half its height in metres (also its resting height above the floor).
        half_width (`float`): half its width in metres.
        color (`tuple[int, int, int]`): RGB.
        color_name (`str`): the colour in words, for captions.
    """

    name: str
    shape: str
    half_height: float
    half_width: float
    color: tuple[int, int, int]
    color_name: str


OBJECT_STYLES: dict[str, ObjectKind] = {
    "ball": ObjectKind("ball", "circle", 0.11, 0.11, (255, 150, 20), "orange"),
    "box": ObjectKind("box", "square", 0.13, 0.13, (150, 100, 50), "brown"),
    "cup": ObjectKind("cup", "cup", 0.08, 0.06, (40, 170, 80), "green"),
    "bottle": ObjectKind("bottle", "bottle", 0.14, 0.045, (150, 60, 190), "purple"),
}


@dataclass
class ObjectEvent:
    """Something done to an object at a frame: `pick_up`, `put_down`, `throw` or `lift`.

    Args:
        frame (`int`): frame of contact or release.
        action (`str`): `pick_up`, `put_down`, `throw` or `lift`.
        obj (`str`): object kind.
        side (`str`): the hand used.
        unit_index (`int`): index of the clip event (action unit) that did it.
    """

    frame: int
    action: str
    obj: str
    side: str
    unit_index: int

    def to_dict(self) -> dict:
        return {
            "frame": self.frame,
            "action": self.action,
            "object": self.obj,
            "side": self.side,
            "unit_index": self.unit_index,
        }


def simulate_object(
    kind: str,
    joints: np.ndarray,
    events: list[ObjectEvent],
    fps: float,
    rest_position: np.ndarray | None,
    initial_holder: str | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Per-frame position and holder of one object.

    Args:
        kind (`str`): object kind.
        joints (`np.ndarray` of shape `(num_frames, num_joints, 3)`): the person's joints.
        events (`list[ObjectEvent]`): this object's events in time order.
        fps (`float`): frame rate (for thrown objects).
        rest_position (`np.ndarray` of shape `(3,)`, *optional*): where it lies before it is first touched; by
            default, under the hand at the first pick-up.
        initial_holder (`str`, *optional*): `"left"` or `"right"` when the object is in that hand from frame 0.

    Returns:
        `(positions, holders)`: centre positions `(num_frames, 3)` and, per frame, `""`, `"left_hand"` or
        `"right_hand"`.
    """
    style = OBJECT_STYLES[kind]
    num_frames = len(joints)
    positions = np.zeros((num_frames, 3))
    holders = [""] * num_frames
    if initial_holder is not None:
        rest_position = _held_position(joints, 0, initial_holder, style)
    elif rest_position is None:
        pick = next(e for e in events if e.action == "pick_up")
        rest_position = _on_floor(_held_position(joints, pick.frame, pick.side, style), style)
    current = np.asarray(rest_position, dtype=np.float64)
    holder: str | None = initial_holder
    flight: tuple[int, np.ndarray, np.ndarray] | None = None
    by_frame = {}
    for event in events:
        by_frame.setdefault(event.frame, []).append(event)
    for frame in range(num_frames):
        for event in by_frame.get(frame, []):
            if event.action == "pick_up":
                holder, flight = event.side, None
            elif event.action == "put_down":
                current, holder = _on_floor(_held_position(joints, frame, event.side, style), style), None
            elif event.action == "throw":
                start = _held_position(joints, frame, event.side, style)
                left = joints[frame, JOINT_INDEX["left_hip"]] - joints[frame, JOINT_INDEX["right_hip"]]
                forward = np.cross(left, [0.0, 1.0, 0.0])
                forward /= max(np.linalg.norm(forward), 1e-9)
                velocity = forward * THROW_FORWARD_SPEED + np.array([0.0, THROW_UP_SPEED, 0.0])
                flight, holder = (frame, start, velocity), None
        if holder is not None:
            current = _held_position(joints, frame, holder, style)
            holders[frame] = f"{holder}_hand"
        elif flight is not None:
            start_frame, start, velocity = flight
            t = (frame - start_frame) / fps
            point = start + velocity * t + np.array([0.0, -0.5 * GRAVITY * t * t, 0.0])
            if point[1] <= style.half_height and t > 0:
                # landed: stays where the parabola meets the floor
                a, b, c = -0.5 * GRAVITY, velocity[1], start[1] - style.half_height
                t_land = (-b - np.sqrt(b * b - 4 * a * c)) / (2 * a)
                point = start + velocity * t_land
                point[1] = style.half_height
                flight = None
            current = point
        positions[frame] = current
    return positions, holders


def _held_position(joints: np.ndarray, frame: int, side: str, style: ObjectKind) -> np.ndarray:
    """Object centre in the hand: past the hand along the forearm, by the object's half size."""
    hand = joints[frame, JOINT_INDEX[f"{side}_hand"]]
    elbow = joints[frame, JOINT_INDEX[f"{side}_elbow"]]
    direction = (hand - elbow) / max(np.linalg.norm(hand - elbow), 1e-9)
    return hand + direction * max(style.half_height, style.half_width) * 0.8


def _on_floor(point: np.ndarray, style: ObjectKind) -> np.ndarray:
    return np.array([point[0], style.half_height, point[2]])


__all__ = ["OBJECT_STYLES", "ObjectEvent", "ObjectKind", "simulate_object"]
