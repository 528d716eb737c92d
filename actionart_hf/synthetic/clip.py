"""Clips: a planned sequence of action units on a frame timeline, with per-frame 3D/2D joints and objects.

    >>> from actionart_hf.synthetic import SynthConfig, generate_clip
    >>> clip = generate_clip(seed=0, config=SynthConfig(height=64, width=64, num_frames=32))
    >>> clip.joints3d.shape, [e.label for e in clip.events]
    ((32, 16, 3), ['raises the left arm above the head', ...])
    >>> frames = clip.render()          # uint8 (32, 64, 64, 3)

This module holds the values (`Clip` and its `ActionEvent`s); `generation` makes them, from the units `planner` draws
and `assembly` places on the timeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from . import descriptions
from .actions import BodyState, UnitCall
from .camera import Camera
from .config import SynthConfig
from .objects import ObjectEvent
from .render import clip_style, render_clip
from .skeleton import JOINT_NAMES


@dataclass
class ActionEvent:
    """One action unit placed on the clip's timeline.

    Args:
        index (`int`): position in the clip (0-based).
        call (`UnitCall`): the unit and its arguments.
        start_frame (`int`), end_frame (`int`): first and last frame of the movement (inclusive).
        reps (`list[tuple[int, int]]`): frame spans of each repetition (repeatable units).
        fps (`float`): frame rate, for times in seconds.
    """

    index: int
    call: UnitCall
    start_frame: int
    end_frame: int
    reps: list[tuple[int, int]]
    fps: float

    @property
    def name(self) -> str:
        return self.call.name

    @property
    def category(self) -> str:
        return self.call.spec.category

    @property
    def part(self) -> str:
        return self.call.part

    @property
    def label(self) -> str:
        """Third-person phrase with the count, e.g. `"waves the left hand three times"`."""
        return self.call.phrase("third", with_count=True)

    @property
    def start_s(self) -> float:
        return self.start_frame / self.fps

    @property
    def end_s(self) -> float:
        return self.end_frame / self.fps

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "name": self.call.name,
            "label": self.label,
            "category": self.category,
            "part": self.part,
            "side": self.call.side or "",
            "count": self.call.count,
            "direction": self.call.direction or "",
            "object": self.call.obj or "",
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
            "start_s": float(self.start_s),
            "end_s": float(self.end_s),
            "reps": [list(r) for r in self.reps],
        }

    @classmethod
    def from_dict(cls, data: dict, fps: float) -> ActionEvent:
        call = UnitCall(
            data["name"],
            data.get("side") or None,
            int(data.get("count") or 1),
            data.get("direction") or None,
            data.get("object") or None,
        )
        reps = [(int(a), int(b)) for a, b in data.get("reps") or []]
        return cls(int(data["index"]), call, int(data["start_frame"]), int(data["end_frame"]), reps, fps)


@dataclass
class Clip:
    """A generated clip: motion, labels and (after `render()`) frames.

    Args:
        seed (`int`): the clip seed.
        config (`SynthConfig`): generation settings.
        camera (`Camera`): the camera.
        poses (`np.ndarray` of shape `(num_frames, num_dofs)`): joint-angle pose per frame (see `skeleton.DOF_NAMES`).
        joints3d (`np.ndarray` of shape `(num_frames, 16, 3)`): world joint positions in metres (`JOINT_NAMES`).
        joints2d (`np.ndarray` of shape `(num_frames, 16, 2)`): pixel coordinates `(x, y)` in the rendered frames.
        events (`list[ActionEvent]`): the action units in time order.
        initial_state (`BodyState`): posture, arm states and held objects at frame 0.
        objects (`list[str]`): object kinds in the scene.
        object_positions (`np.ndarray` of shape `(num_frames, num_objects, 3)`): object centres in metres.
        object_holders (`list[list[str]]`): per object, per frame: `""`, `"left_hand"` or `"right_hand"`.
        object_events (`list[ObjectEvent]`): pick-ups, put-downs, throws and lifts.
        style (`dict`): background and clutter drawn by the renderer.
        frames (`np.ndarray` of shape `(num_frames, height, width, 3)`, *optional*): uint8 RGB, once rendered.
    """

    seed: int
    config: SynthConfig
    camera: Camera
    poses: np.ndarray
    joints3d: np.ndarray
    joints2d: np.ndarray
    events: list[ActionEvent]
    initial_state: BodyState
    objects: list[str] = field(default_factory=list)
    object_positions: np.ndarray | None = None
    object_holders: list[list[str]] = field(default_factory=list)
    object_events: list[ObjectEvent] = field(default_factory=list)
    style: dict = field(default_factory=dict)
    frames: np.ndarray | None = None

    @property
    def num_frames(self) -> int:
        return len(self.joints3d)

    @property
    def fps(self) -> float:
        return self.config.fps

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps

    def render(self) -> np.ndarray:
        """Draws (once) and returns the frames, uint8 of shape `(num_frames, height, width, 3)`."""
        if self.frames is None:
            self.frames = render_clip(self)
        return self.frames

    def label_at(self, frame: int) -> str:
        """The action label at a frame, or `"still"` between units."""
        for event in self.events:
            if event.start_frame <= frame <= event.end_frame:
                return event.label
        return "still"

    def unit_labels(self) -> list[str]:
        """Per-frame action label (`"still"` between units), length `num_frames`."""
        labels = ["still"] * self.num_frames
        for event in self.events:
            for frame in range(event.start_frame, min(event.end_frame, self.num_frames - 1) + 1):
                labels[frame] = event.label
        return labels

    def describe_pose(self, frame: int) -> str:
        """A pose description of one frame (see `descriptions.describe_pose`)."""
        return descriptions.describe_pose(self, frame)

    def describe_pose_difference(self, frame_a: int, frame_b: int) -> str:
        """What changed between two frames (see `descriptions.describe_pose_difference`)."""
        return descriptions.describe_pose_difference(self, frame_a, frame_b)

    def object_holder(self, obj: str, frame: int) -> str:
        return self.object_holders[self.objects.index(obj)][frame]

    def to_motion_row(self) -> dict:
        """The clip's labels as a row of the `motion` config (see `dataset.MOTION_FEATURES`), without video paths."""
        return {
            "seed": str(self.seed),
            "num_frames": self.num_frames,
            "fps": float(self.fps),
            "width": self.config.width,
            "height": self.config.height,
            "joint_names": list(JOINT_NAMES),
            "joints3d": np.round(self.joints3d, 4).astype(np.float32).tolist(),
            "joints2d": np.round(self.joints2d, 2).astype(np.float32).tolist(),
            "poses": np.round(self.poses, 3).astype(np.float32).tolist(),
            "events": [e.to_dict() for e in self.events],
            "objects": list(self.objects),
            "object_positions": (
                np.round(self.object_positions, 4).astype(np.float32).tolist() if self.objects else []
            ),
            "object_holders": [list(h) for h in self.object_holders],
            "object_events": [e.to_dict() for e in self.object_events],
            "initial_state": json.dumps(self.initial_state.to_dict(), sort_keys=True),
            "camera": json.dumps(self.camera.to_dict(), sort_keys=True),
            "generation": json.dumps(self.config.to_dict(), sort_keys=True),
        }

    @classmethod
    def from_motion_row(cls, row: dict) -> Clip:
        """Rebuilds a clip's labels from a `motion` row (frames are not stored; `render()` redraws them)."""
        config = SynthConfig.from_dict(json.loads(row["generation"]))
        camera = Camera(**json.loads(row["camera"]))
        fps = float(row["fps"])
        positions = np.asarray(row["object_positions"], dtype=np.float64)
        objects = list(row["objects"])
        return cls(
            seed=int(row["seed"]),
            config=config,
            camera=camera,
            poses=np.asarray(row["poses"], dtype=np.float64),
            joints3d=np.asarray(row["joints3d"], dtype=np.float64),
            joints2d=np.asarray(row["joints2d"], dtype=np.float64),
            events=[ActionEvent.from_dict(e, fps) for e in row["events"]],
            initial_state=BodyState.from_dict(json.loads(row["initial_state"])),
            objects=objects,
            object_positions=positions if objects else np.zeros((len(row["joints3d"]), 0, 3)),
            object_holders=[list(h) for h in row["object_holders"]],
            object_events=[
                ObjectEvent(int(e["frame"]), e["action"], e["object"], e["side"], int(e["unit_index"]))
                for e in row["object_events"]
            ],
            style=clip_style(int(row["seed"]), config),
        )


__all__ = ["ActionEvent", "Clip"]
