"""Clips: a planned sequence of action units on a frame timeline, with per-frame 3D/2D joints and objects.

    >>> from actionart_hf.synthetic import SynthConfig, generate_clip
    >>> clip = generate_clip(seed=0, config=SynthConfig(height=64, width=64, num_frames=32))
    >>> clip.joints3d.shape, [e.label for e in clip.events]
    ((32, 16, 3), ['raises the left arm above the head', ...])
    >>> frames = clip.render()          # uint8 (32, 64, 64, 3)

A clip is a pure function of `(seed, config)`: planning, timing, style and rendering use separate random streams
derived from the seed.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..tasks import TASK_CODES
from .actions import (
    OBJECT_KINDS,
    STEP_DIRECTIONS,
    STEP_LENGTH,
    UNITS,
    WALK_DIRECTIONS,
    WALK_STEP_LENGTH,
    BodyState,
    BuildContext,
    Keys,
    UnitCall,
    arm_values,
    posture_values,
    step_vector,
    walk_vector,
)
from .camera import Camera
from .config import SynthConfig
from .objects import ObjectEvent, simulate_object
from .skeleton import DOF_INDEX, JOINT_NAMES, NUM_DOFS, SIDES, forward_kinematics, pose_from_dict


# Random streams derived from a clip seed.
_PLAN, _STYLE, _QUESTIONS, _RENDER = 0, 1, 2, 3

# Where the person may stand, in camera ground coordinates (metres): lateral (image right) and toward the camera.
LATERAL_RANGE = (-0.85, 0.85)
DEPTH_RANGE = (-1.8, 0.9)

# weight of each group when choosing the next unit: unmet needs (material for a task), follow-ups, anything
GROUP_WEIGHTS = {
    "object": 3.0,
    "follow_up": 2.5,
    "count": 1.5,
    "motion": 2.5,
    "posture": 1.0,
    "arm": 1.0,
    "leg": 0.7,
    "any": 1.0,
}
CATEGORY_WEIGHTS = {
    "arm": 1.0,
    "arms": 0.6,
    "leg": 0.8,
    "body": 0.9,
    "turn": 0.5,
    "locomotion": 0.9,
    "posture": 0.7,
    "object": 1.0,
}


def derive_seed(*parts: int) -> int:
    """A 63-bit seed from integers, e.g. `derive_seed(dataset_seed, clip_index)`; independent of process or order."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), stream]))


@dataclass
class Event:
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
    def from_dict(cls, data: dict, fps: float) -> Event:
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
        events (`list[Event]`): the action units in time order.
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
    events: list[Event]
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
            from .render import render_clip

            self.frames = render_clip(self)
        return self.frames

    def events_in_range(self, start_frame: int, end_frame: int) -> list[Event]:
        """Events overlapping frames `[start_frame, end_frame]` (inclusive)."""
        return [e for e in self.events if e.start_frame <= end_frame and e.end_frame >= start_frame]

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
        from .descriptions import describe_pose

        return describe_pose(self, frame)

    def describe_pose_difference(self, frame_a: int, frame_b: int) -> str:
        """What changed between two frames (see `descriptions.describe_pose_difference`)."""
        from .descriptions import describe_pose_difference

        return describe_pose_difference(self, frame_a, frame_b)

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
            "initial_state": json.dumps(_state_to_dict(self.initial_state), sort_keys=True),
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
            events=[Event.from_dict(e, fps) for e in row["events"]],
            initial_state=_state_from_dict(json.loads(row["initial_state"])),
            objects=objects,
            object_positions=positions if objects else np.zeros((len(row["joints3d"]), 0, 3)),
            object_holders=[list(h) for h in row["object_holders"]],
            object_events=[
                ObjectEvent(int(e["frame"]), e["action"], e["object"], e["side"], int(e["unit_index"]))
                for e in row["object_events"]
            ],
            style=_style_for(int(row["seed"]), config, camera),
        )


def _state_to_dict(state: BodyState) -> dict:
    return {"posture": state.posture, "arms": state.arms, "held": state.held}


def _state_from_dict(data: dict) -> BodyState:
    return BodyState(data["posture"], dict(data["arms"]), dict(data["held"]))


# ------------------------------------------------------------------------------------------------------ planning
def _sample_initial(rng: np.random.Generator) -> tuple[BodyState, np.ndarray]:
    state = BodyState()
    roll = rng.random()
    if roll > 0.7:
        state.posture = str(rng.choice(["squatting", "sitting", "kneeling", "lying"]))
    roll = rng.random()
    if roll < 0.25:
        side = str(rng.choice(SIDES))
        state.arms[side] = str(rng.choice(["up", "forward", "side", "hip"]))
    elif roll < 0.4:
        pose = str(rng.choice(["up", "hip", "side"]))
        state.arms = {"left": pose, "right": pose}
    if state.posture == "lying":
        state.arms = {"left": "down", "right": "down"}
    heading = float(rng.choice([0.0, 0.0, 0.0, 90.0, -90.0, 180.0]) + rng.uniform(-8, 8))
    if state.posture == "lying":
        heading = float(rng.choice([90.0, -90.0]))
    values = {
        **posture_values(state.posture),
        "heading": heading,
        "root_x": float(rng.uniform(-0.5, 0.5)),
        "root_z": float(rng.uniform(-0.7, 0.4)),
    }
    for side in SIDES:
        values.update(arm_values(side, state.arms[side]))
    return state, pose_from_dict(values)


def _in_bounds(point: np.ndarray, camera: Camera) -> bool:
    right, toward = camera.ground_axes()
    lateral, depth = float(point @ right), float(point @ toward)
    return LATERAL_RANGE[0] <= lateral <= LATERAL_RANGE[1] and DEPTH_RANGE[0] <= depth <= DEPTH_RANGE[1]


def _candidates(state: BodyState, pose: np.ndarray, camera: Camera, targets: list[str], rng) -> list[UnitCall]:
    position = np.array([pose[DOF_INDEX["root_x"]], 0.0, pose[DOF_INDEX["root_z"]]])
    heading = float(pose[DOF_INDEX["heading"]])
    right, toward = camera.ground_axes()
    calls = []
    for name, spec in UNITS.items():
        sides = SIDES if spec.sided else (None,)
        for side in sides:
            if name == "pick_up":
                options = [UnitCall(name, side, obj=o) for o in targets if o not in state.used_objects]
            elif spec.category == "object":
                options = [UnitCall(name, obj=state.holding)] if state.holding else []
            elif name == "walk":
                options = []
                for direction in WALK_DIRECTIONS:
                    for steps in (3, 2) if rng.random() < 0.5 else (2,):  # the longest walk that stays in view
                        end = position + walk_vector(direction, right, toward) * WALK_STEP_LENGTH * steps
                        if _in_bounds(end, camera):
                            options.append(UnitCall(name, count=steps, direction=direction))
                            break
            elif name == "step":
                options = [
                    UnitCall(name, direction=d)
                    for d in STEP_DIRECTIONS
                    if _in_bounds(position + step_vector(d, heading) * STEP_LENGTH, camera)
                ]
            else:
                options = [UnitCall(name, side)]
            calls += [c for c in options if spec.allowed(state, c)]
    return calls


def _needs(config: SynthConfig, rng: np.random.Generator) -> dict[str, bool]:
    w = config.task_weights
    return {
        "count": w["AC"] > 0,
        "motion": w["MV"] > 0 and rng.random() < 0.9,
        "posture": w["GS"] > 0 and rng.random() < 0.5,
        "arm": (w["AR"] > 0 or w["LS"] > 0) and rng.random() < 0.7,
        "leg": w["AR"] > 0 and rng.random() < 0.3,
    }


def _weight_key(call: UnitCall) -> str:
    return f"{call.name}|{call.side}" if call.name in ("lean", "turn") else call.name


def _need_of(call: UnitCall) -> str | None:
    spec = call.spec
    if call.name == "pick_up":
        return "object"
    if spec.repeatable and call.name != "walk":
        return "count"
    if call.name in ("walk", "step", "turn", "turn_around", "spin", "lean", "lean_back"):
        return "motion"
    if spec.category == "posture":
        return "posture"
    if spec.category in ("arm", "arms"):
        return "arm"
    if spec.category == "leg":
        return "leg"
    return None


def plan_units(
    config: SynthConfig, rng: np.random.Generator, camera: Camera
) -> tuple[BodyState, np.ndarray, list[tuple[UnitCall, Keys, BuildContext]], list[str], list[str]]:
    """Draws the initial state and a sequence of units that respects every precondition and fits the clip.

    Returns:
        `(initial_state, initial_pose, units, target_objects, distractor_objects)` where `units` holds each call
        with its keyframes and build context.
    """
    state, pose = _sample_initial(rng)
    initial, start_pose = state.copy(), pose.copy()
    needs = _needs(config, rng)
    kinds = [str(k) for k in rng.permutation(OBJECT_KINDS)]
    with_object = config.task_weights["HOI"] > 0 and rng.random() < config.object_prob
    targets = kinds[:1] if with_object else []
    distractors = kinds[1 : 1 + int(rng.integers(0, config.distractor_objects + 1))]
    if with_object:
        needs["object"] = True
    budget = config.duration_s - 0.8  # leave lead-in, gaps and the final hold
    target_units = int(rng.integers(config.min_units, config.max_units + 1))
    right, toward = camera.ground_axes()
    units: list[tuple[UnitCall, Keys, BuildContext]] = []
    used = 0.0
    while len(units) < target_units:
        calls = _candidates(state, pose, camera, targets, rng)
        # each unit name weighs the same however many sides/directions it offers, except where the side changes the
        # answer of a direction question (a lean or quarter turn to the left and to the right count as two units)
        per_name = Counter(_weight_key(call) for call in calls)
        weights = []
        for call in calls:
            weight = CATEGORY_WEIGHTS[call.spec.category] / per_name[_weight_key(call)]
            if any(u[0].key == call.key for u in units):
                weight *= 0.05
            elif any(u[0].name == call.name for u in units):
                weight *= 0.4
            if call.spec.nominal_seconds(1) > (budget - used) / 0.8:
                weight = 0.0
            weights.append(weight)
        weights = np.asarray(weights)
        if not len(calls) or weights.sum() <= 0:
            break
        # first pick a group (an unmet need, a follow-up on a held object, or anything), then a unit in it
        groups = {"any": (GROUP_WEIGHTS["any"], np.ones(len(calls), dtype=bool))}
        for need, open_ in needs.items():
            members = np.array([_need_of(c) == need for c in calls])
            if need == "object" and (weights * members).sum() == 0:  # stand up or free a hand first
                members = np.array([c.name in ("stand_up", "lower_arm", "lower_both_arms") for c in calls])
            if open_ and (weights * members).sum() > 0:
                groups[need] = (GROUP_WEIGHTS[need], members)
        if state.holding:
            members = np.array([c.spec.category == "object" for c in calls])
            if (weights * members).sum() > 0:
                groups["follow_up"] = (GROUP_WEIGHTS["follow_up"], members)
        names = list(groups)
        group_p = np.array([groups[n][0] for n in names])
        group = names[int(rng.choice(len(names), p=group_p / group_p.sum()))]
        weights = weights * groups[group][1]
        call = calls[int(rng.choice(len(calls), p=weights / weights.sum()))]
        if call.spec.repeatable and call.name != "walk":
            room = math.floor(((budget - used) / 0.8 - call.spec.nominal_seconds(0)) / call.spec.rep_s)
            call.count = int(rng.integers(1, max(1, min(config.max_count, room)) + 1))
        if call.spec.nominal_seconds(call.count) > (budget - used) / 0.8:
            break
        keys = Keys(pose)
        ctx = BuildContext(call, state, rng, right, toward, call.spec.phases(call.count))
        call.spec.build(keys, ctx)
        units.append((call, keys, ctx))
        used += call.spec.nominal_seconds(call.count)
        pose = keys.pose
        need = _need_of(call)
        if need:
            needs[need] = False
    return initial, start_pose, units, targets, distractors


def _timeline(config: SynthConfig, rng: np.random.Generator, nominal: list[float]) -> list[tuple[int, int]]:
    """Integer frame spans `(start, end)` of each unit, with holds before, between and after."""
    fps, last = config.fps, config.num_frames - 1
    hold = max(2, int(round(0.3 * fps)))
    gaps = np.concatenate([[rng.uniform(0.3, 0.7)], rng.uniform(0.05, 0.5, len(nominal) - 1), [rng.uniform(0.3, 0.7)]])
    gaps_frames = gaps * fps
    gaps_frames[0] = max(gaps_frames[0], hold)
    gaps_frames[-1] = max(gaps_frames[-1], hold)
    unit_frames = np.asarray(nominal) * fps
    scale = np.clip((last - gaps_frames.sum()) / unit_frames.sum(), 0.75, 1.35)
    unit_frames = unit_frames * scale
    leftover = last - unit_frames.sum() - gaps_frames.sum()
    if leftover >= 0:
        gaps_frames += leftover * gaps_frames / gaps_frames.sum()
    else:  # shrink the gaps, keeping the lead-in and final hold
        inner = gaps_frames[1:-1]
        gaps_frames[1:-1] = np.maximum(inner + leftover * inner / max(inner.sum(), 1e-9), 0)
        unit_frames *= (last - gaps_frames.sum()) / unit_frames.sum()
    spans, position = [], gaps_frames[0]
    for i, length in enumerate(unit_frames):
        start = int(round(position))
        end = max(start + 2, int(round(position + length)))
        spans.append((start, end))
        position += length + gaps_frames[i + 1]
    # never run past the final hold
    final = last - hold
    if spans and spans[-1][1] > final:
        shift = spans[-1][1] - final
        spans = [(max(0, s - shift), max(1, e - shift)) for s, e in spans]
    return spans


def _interpolate(times: np.ndarray, poses: np.ndarray, eases: list[str], num_frames: int) -> np.ndarray:
    frames = np.arange(num_frames, dtype=np.float64)
    segment = np.clip(np.searchsorted(times, frames, side="right") - 1, 0, len(times) - 2)
    span = np.maximum(times[segment + 1] - times[segment], 1e-9)
    alpha = np.clip((frames - times[segment]) / span, 0.0, 1.0)
    smooth = np.array([eases[s + 1] == "smooth" for s in segment])
    alpha = np.where(smooth, alpha * alpha * (3 - 2 * alpha), alpha)
    return poses[segment] + alpha[:, None] * (poses[segment + 1] - poses[segment])


def assemble_clip(
    seed: int,
    config: SynthConfig,
    camera: Camera,
    initial: BodyState,
    start_pose: np.ndarray,
    units: list[tuple[UnitCall, Keys, BuildContext]],
    spans: list[tuple[int, int]],
    objects: list[str],
    rest_positions: dict[str, np.ndarray],
    style: dict,
    initial_holders: dict[str, str] | None = None,
) -> Clip:
    """Places units on their frame spans, interpolates poses, runs kinematics, objects and projection."""
    times, poses, eases = [0.0], [start_pose], ["smooth"]
    events, object_events = [], []
    for index, ((call, keys, ctx), (start, end)) in enumerate(zip(units, spans)):
        length = end - start
        if start > times[-1]:  # hold the pose until the unit starts
            times.append(float(start))
            poses.append(poses[-1])
            eases.append("smooth")
        for t, pose, ease in zip(keys.times[1:], keys.poses[1:], keys.eases[1:]):
            times.append(start + t * length)
            poses.append(pose)
            eases.append(ease)
        reps = [(int(round(start + a * length)), int(round(start + b * length))) for a, b in ctx.reps]
        events.append(Event(index, call, start, end, reps, config.fps))
        for t, action, obj, side in ctx.object_actions:
            object_events.append(ObjectEvent(int(round(start + t * length)), action, obj, side, index))
    times.append(float(max(config.num_frames - 1, times[-1] + 1)))
    poses.append(poses[-1])
    eases.append("smooth")
    times_array = np.asarray(times)
    # keyframes that share a frame position: keep them ordered by nudging later ones forward
    for i in range(1, len(times_array)):
        times_array[i] = max(times_array[i], times_array[i - 1] + 1e-6)
    pose_seq = _interpolate(times_array, np.asarray(poses), eases, config.num_frames)
    joints = forward_kinematics(pose_seq)
    positions = np.zeros((config.num_frames, len(objects), 3))
    holders = []
    for k, obj in enumerate(objects):
        obj_events = [e for e in object_events if e.obj == obj]
        positions[:, k], obj_holders = simulate_object(
            obj, joints, obj_events, config.fps, rest_positions.get(obj), (initial_holders or {}).get(obj)
        )
        holders.append(obj_holders)
    joints2d, _ = camera.project(joints)
    return Clip(
        seed=seed,
        config=config,
        camera=camera,
        poses=pose_seq.astype(np.float32),
        joints3d=joints.astype(np.float32),
        joints2d=joints2d.astype(np.float32),
        events=events,
        initial_state=initial,
        objects=objects,
        object_positions=positions.astype(np.float32),
        object_holders=holders,
        object_events=object_events,
        style=style,
    )


def _place_distractors(
    rng: np.random.Generator, camera: Camera, joints: np.ndarray, kinds: list[str], taken: list[np.ndarray]
) -> dict[str, np.ndarray]:
    """Floor spots for untouched objects, away from the person's path and from other objects."""
    right, toward = camera.ground_axes()
    path = joints[:, 0][:, [0, 2]]
    placed: dict[str, np.ndarray] = {}
    for kind in kinds:
        for _ in range(50):
            lateral, depth = rng.uniform(-1.1, 1.1), rng.uniform(-1.2, 0.6)
            point = right * lateral + toward * depth
            ground = point[[0, 2]]
            if np.min(np.linalg.norm(path - ground, axis=1)) < 0.75:
                continue
            if any(np.linalg.norm(ground - p[[0, 2]]) < 0.5 for p in taken):
                continue
            from .objects import OBJECT_STYLES

            placed[kind] = np.array([point[0], OBJECT_STYLES[kind].half_height, point[2]])
            taken.append(placed[kind])
            break
    return placed


def generate_clip(seed: int, config: SynthConfig | None = None) -> Clip:
    """Generates one clip's motion and labels (no pixels yet: call `clip.render()`).

    Args:
        seed (`int`): the clip seed (for datasets: `derive_seed(dataset_seed, clip_index)`).
        config (`SynthConfig`, *optional*): settings; defaults to `SynthConfig()`.

    Returns:
        `Clip`.
    """
    config = config or SynthConfig()
    config.check_clip_length()
    plan_rng = _rng(seed, _PLAN)
    yaw = float(plan_rng.uniform(-config.camera_yaw, config.camera_yaw))
    camera = Camera(config.width, config.height, yaw_deg=yaw)
    initial, start_pose, units, targets, distractors = plan_units(config, plan_rng, camera)
    if not units:
        raise RuntimeError(f"seed {seed}: no action unit fits a {config.duration_s:.1f} s clip; use a longer clip.")
    nominal = [call.spec.nominal_seconds(call.count) for call, _, _ in units]
    spans = _timeline(config, plan_rng, nominal)
    picked = [t for t in targets if any(c.name == "pick_up" and c.obj == t for c, _, _ in units)]
    style = _style_for(seed, config, camera)
    clip = assemble_clip(seed, config, camera, initial, start_pose, units, spans, picked, {}, style)
    if distractors:
        taken = [clip.object_positions[0, k].astype(np.float64) for k in range(len(picked))]
        rest = _place_distractors(plan_rng, camera, clip.joints3d, distractors, taken)
        kept = picked + [d for d in distractors if d in rest]
        clip = assemble_clip(seed, config, camera, initial, start_pose, units, spans, kept, rest, style)
    return clip


def _style_for(seed: int, config: SynthConfig, camera: Camera) -> dict:
    from .render import sample_style

    return sample_style(_rng(seed, _STYLE), config)


# ------------------------------------------------------------------------------------------ standalone units
def _initial_state_for(call: UnitCall, rng: np.random.Generator) -> BodyState:
    state = BodyState()
    spec = call.spec
    if call.name == "stand_up":
        state.posture = str(rng.choice(["squatting", "sitting", "kneeling", "lying"]))
    elif call.name == "lower_arm":
        state.arms[call.side] = str(rng.choice(["up", "forward", "side", "hip"]))
    elif call.name == "lower_both_arms":
        pose = str(rng.choice(["up", "side", "hip"]))
        state.arms = {"left": pose, "right": pose}
    elif spec.category == "object" and call.name != "pick_up":
        side = str(rng.choice(SIDES))
        state.arms[side], state.held[side] = "hold", call.obj
        state.used_objects.append(call.obj)
    return state


def generate_unit_clip(
    call: UnitCall | str,
    seed: int,
    config: SynthConfig | None = None,
    *,
    num_frames: int | None = None,
    **arguments,
) -> Clip:
    """A clip showing one action unit on its own (for FGQA-style concatenation of units).

    Args:
        call (`UnitCall` or `str`): the unit, or its name with `side=`, `count=`, `direction=`, `obj=` in
            `arguments` (missing arguments are drawn from the seed).
        seed (`int`): clip seed.
        config (`SynthConfig`, *optional*): rendering settings (its `num_frames` is replaced by `num_frames`).
        num_frames (`int`, *optional*): clip length; by default the unit's nominal duration plus short holds.

    Returns:
        `Clip` with exactly one event.

    Raises:
        ValueError: an unknown unit name or an invalid argument.
    """
    rng = _rng(seed, _PLAN)
    if isinstance(call, str):
        if call not in UNITS:
            raise ValueError(f"Unknown action unit {call!r}; known units: {', '.join(UNITS)}.")
        spec = UNITS[call]
        side = arguments.pop("side", None) or (str(rng.choice(SIDES)) if spec.sided else None)
        count = int(arguments.pop("count", 0) or (rng.integers(1, 4) if spec.repeatable else 1))
        direction = arguments.pop("direction", None)
        if call == "walk":
            direction = direction or str(rng.choice(WALK_DIRECTIONS))
        elif call == "step":
            direction = direction or str(rng.choice(STEP_DIRECTIONS))
        obj = arguments.pop("obj", None) or (str(rng.choice(OBJECT_KINDS)) if spec.category == "object" else None)
        if arguments:
            raise ValueError(f"Unknown unit arguments {sorted(arguments)}; use side, count, direction, obj.")
        call = UnitCall(call, side, count, direction, obj)
    config = config or SynthConfig()
    length = num_frames or int(math.ceil((call.spec.nominal_seconds(call.count) + 0.8) * config.fps))
    config = SynthConfig.from_dict({**config.to_dict(), "num_frames": max(4, length)})
    yaw = float(rng.uniform(-config.camera_yaw, config.camera_yaw))
    camera = Camera(config.width, config.height, yaw_deg=yaw)
    state = _initial_state_for(call, rng)
    if not call.spec.allowed(state, call):
        raise ValueError(f"Unit {call.to_dict()} cannot start from {_state_to_dict(state)}.")
    values = {**posture_values(state.posture), "heading": float(rng.uniform(-10, 10))}
    if state.posture == "lying":
        values["heading"] = 90.0
    for side in SIDES:
        values.update(arm_values(side, state.arms[side]))
    start_pose = pose_from_dict(values)
    initial = state.copy()
    right, toward = camera.ground_axes()
    keys = Keys(start_pose)
    ctx = BuildContext(call, state, rng, right, toward, call.spec.phases(call.count))
    call.spec.build(keys, ctx)
    spans = _timeline(config, rng, [call.spec.nominal_seconds(call.count)])
    objects = [call.obj] if call.obj else []
    holders = {call.obj: initial.holding_side} if call.obj and call.name != "pick_up" else {}
    style = _style_for(seed, config, camera)
    return assemble_clip(
        seed, config, camera, initial, start_pose, [(call, keys, ctx)], spans, objects, {}, style, holders
    )


__all__ = [
    "Clip",
    "Event",
    "NUM_DOFS",
    "TASK_CODES",
    "assemble_clip",
    "derive_seed",
    "generate_clip",
    "generate_unit_clip",
    "plan_units",
]
