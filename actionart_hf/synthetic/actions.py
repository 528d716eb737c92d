"""The library of action units: keyframed joint angles, repetitions, preconditions and phrases.

Each unit (`UNITS[name]`, a `UnitSpec`) knows when it may run (posture, arm states, held objects), how long it
takes (a fixed part plus a per-repetition part), how to phrase itself, and how to write its keyframes
(`build(...)`). Keyframe times are fractions of the unit's duration; `clip.py` places units on the timeline and
interpolates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .language import inflect, times
from .skeleton import DOF_INDEX, SIDES, pose_from_dict


POSTURES: tuple[str, ...] = ("standing", "squatting", "sitting", "kneeling", "lying")
ARM_STATES: tuple[str, ...] = ("down", "up", "forward", "side", "hip", "hold")
OBJECT_KINDS: tuple[str, ...] = ("ball", "box", "cup", "bottle")
WALK_DIRECTIONS: tuple[str, ...] = ("toward_camera", "away_from_camera", "frame_left", "frame_right")
STEP_DIRECTIONS: tuple[str, ...] = ("forward", "backward", "left", "right")

WALK_PHRASES = {
    "toward_camera": "toward the camera",
    "away_from_camera": "away from the camera",
    "frame_left": "to the left side of the frame",
    "frame_right": "to the right side of the frame",
}
STEP_PHRASES = {"forward": "forward", "backward": "backward", "left": "to their left", "right": "to their right"}

# (upper arm pitch, upper arm abduct, forearm pitch, forearm abduct) in degrees, see skeleton.py.
ARM_POSES: dict[str, tuple[float, float, float, float]] = {
    "down": (0.0, 8.0, 8.0, 6.0),
    "up": (0.0, 170.0, 0.0, 176.0),
    "forward": (90.0, 0.0, 90.0, 0.0),
    "side": (0.0, 90.0, 0.0, 90.0),
    "hip": (-25.0, 35.0, 40.0, -45.0),
    "hold": (25.0, 6.0, 85.0, 0.0),
    "reach": (60.0, 6.0, 62.0, 0.0),
    "guard": (40.0, 10.0, 160.0, -10.0),
    "punch": (90.0, 0.0, 90.0, -5.0),
    "wave_out": (0.0, 95.0, 0.0, 150.0),
    "wave_in": (0.0, 95.0, 0.0, 205.0),
    "clap_open": (65.0, 0.0, 90.0, 20.0),
    "clap_closed": (65.0, 0.0, 90.0, -38.0),
    "windup": (200.0, 15.0, 235.0, 10.0),
    "release": (100.0, 5.0, 100.0, 0.0),
}

# Legs and torso of each posture: (thigh pitch, thigh abduct, shin pitch, shin abduct) for both legs, plus extras.
_LEGS = {
    "standing": (0.0, 3.0, 0.0, 0.0),
    "squatting": (100.0, 14.0, -28.0, 4.0),
    "sitting": (128.0, 10.0, 44.0, 4.0),
    "kneeling": (0.0, 4.0, -90.0, 0.0),
    "lying": (0.0, 3.0, 0.0, 0.0),
    "half_squat": (92.0, 10.0, -36.0, 3.0),
    "half_kneel": (45.0, 5.0, -65.0, 0.0),
    "crouch": (45.0, 6.0, -52.0, 2.0),
    "bend": (55.0, 6.0, -50.0, 2.0),
}
_TORSO = {"standing": 0.0, "squatting": 28.0, "sitting": -6.0, "kneeling": 0.0, "lying": 0.0, "half_squat": 30.0}


def arm_values(side: str, name: str) -> dict[str, float]:
    """Degrees of freedom of one arm in a named arm pose (`ARM_POSES`)."""
    up, ua, fp, fa = ARM_POSES[name]
    return {
        f"{side}_upper_arm_pitch": up,
        f"{side}_upper_arm_abduct": ua,
        f"{side}_forearm_pitch": fp,
        f"{side}_forearm_abduct": fa,
    }


def leg_values(side: str, name: str) -> dict[str, float]:
    """Degrees of freedom of one leg in a named leg pose."""
    tp, ta, sp, sa = _LEGS[name]
    return {f"{side}_thigh_pitch": tp, f"{side}_thigh_abduct": ta, f"{side}_shin_pitch": sp, f"{side}_shin_abduct": sa}


def posture_values(name: str) -> dict[str, float]:
    """Legs, torso bend and body pitch of a posture (or an intermediate such as `"half_squat"`)."""
    values = {**leg_values("left", name), **leg_values("right", name)}
    values["torso_bend"] = _TORSO.get(name, 0.0)
    values["torso_lean"] = 0.0
    values["body_pitch"] = 90.0 if name == "lying" else 0.0
    return values


@dataclass
class BodyState:
    """What the planner knows between units.

    Args:
        posture (`str`): one of `POSTURES`.
        arms (`dict[str, str]`): rest pose of each arm (`ARM_STATES`).
        held (`dict[str, str | None]`): object held in each hand.
        used_objects (`list[str]`): objects already picked up in this clip (each object is picked up once).
    """

    posture: str = "standing"
    arms: dict[str, str] = field(default_factory=lambda: {"left": "down", "right": "down"})
    held: dict[str, str | None] = field(default_factory=lambda: {"left": None, "right": None})
    used_objects: list[str] = field(default_factory=list)

    @property
    def holding(self) -> str | None:
        return next((obj for obj in self.held.values() if obj), None)

    @property
    def holding_side(self) -> str | None:
        return next((side for side, obj in self.held.items() if obj), None)

    def copy(self) -> BodyState:
        return BodyState(self.posture, dict(self.arms), dict(self.held), list(self.used_objects))

    def pose(self, **values: float) -> np.ndarray:
        """The joint-angle pose of this state: its posture and arm rest poses, with other degrees of freedom (e.g.
        `heading`, `root_x`) from `values`. Returns `np.ndarray` of shape `(num_dofs,)`."""
        values = {**posture_values(self.posture), **values}
        for side in SIDES:
            values.update(arm_values(side, self.arms[side]))
        return pose_from_dict(values)

    def to_dict(self) -> dict:
        """Posture, arm states and held objects (what a clip stores of its initial state)."""
        return {"posture": self.posture, "arms": self.arms, "held": self.held}

    @classmethod
    def from_dict(cls, data: dict) -> BodyState:
        """The state written by `to_dict` (no objects used yet)."""
        return cls(data["posture"], dict(data["arms"]), dict(data["held"]))


@dataclass
class UnitCall:
    """One planned action unit with its arguments.

    Args:
        name (`str`): a key of `UNITS`.
        side (`str`, *optional*): `"left"` / `"right"` for sided units (for turns and leans: the person's side).
        count (`int`, *optional*, defaults to 1): repetitions of a repeatable unit (steps for `walk`).
        direction (`str`, *optional*): `WALK_DIRECTIONS` for `walk`, `STEP_DIRECTIONS` for `step`.
        obj (`str`, *optional*): object kind for object units.
    """

    name: str
    side: str | None = None
    count: int = 1
    direction: str | None = None
    obj: str | None = None

    @property
    def spec(self) -> UnitSpec:
        return UNITS[self.name]

    def phrase(self, form: str = "third", with_count: bool = False) -> str:
        """The unit as a verb phrase, e.g. `"waves the left hand"` (`with_count`: `"... three times"`)."""
        text = inflect(self.spec.phrase.format(**self._slots()), form)
        if with_count and self.spec.repeatable and self.name not in ("walk",):
            text = f"{text} {times(self.count)}"
        if with_count and self.name == "walk":
            text = f"{text} for {self.count} steps"
        return text

    def count_phrase(self, form: str = "base") -> str | None:
        """What is counted, e.g. `"wave the left hand"`, or None for units that are not counted."""
        if not self.spec.count_phrase:
            return None
        return inflect(self.spec.count_phrase.format(**self._slots()), form)

    @property
    def part(self) -> str:
        """The body part that performs the unit: `left_arm`, `both_arms`, `right_leg`, `body` or `object`."""
        part = self.spec.part
        return f"{self.side}_{part}" if part in ("arm", "leg") else part

    @property
    def key(self) -> str:
        """Identity of the action for "same action" comparisons (name, side, direction, object; not count)."""
        return "|".join(str(v) for v in (self.name, self.side or "", self.direction or "", self.obj or ""))

    def _slots(self) -> dict[str, str]:
        slots = {"side": self.side or "", "object": self.obj or "object"}
        if self.name == "walk":
            slots["direction"] = WALK_PHRASES[self.direction or "toward_camera"]
        elif self.name == "step":
            slots["direction"] = STEP_PHRASES[self.direction or "forward"]
        else:
            slots["direction"] = self.direction or ""
        return slots

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "side": self.side,
            "count": self.count,
            "direction": self.direction,
            "obj": self.obj,
        }


class Keys:
    """Keyframes of one unit: times in [0, 1] of the unit, full pose vectors, and the easing into each key."""

    def __init__(self, start_pose: np.ndarray):
        self.times: list[float] = [0.0]
        self.poses: list[np.ndarray] = [np.asarray(start_pose, dtype=np.float64).copy()]
        self.eases: list[str] = ["smooth"]

    @property
    def pose(self) -> np.ndarray:
        return self.poses[-1]

    def get(self, name: str) -> float:
        return float(self.pose[DOF_INDEX[name]])

    def add(self, t: float, values: dict[str, float] | None = None, ease: str = "smooth") -> None:
        if t < self.times[-1] - 1e-9:
            raise RuntimeError(f"keyframes must be added in time order: {t} after {self.times[-1]}")
        pose = self.pose.copy()
        for name, value in (values or {}).items():
            pose[DOF_INDEX[name]] = value
        if t <= self.times[-1] + 1e-9:  # same time: replace
            self.poses[-1], self.eases[-1] = pose, ease
        else:
            self.times.append(float(t))
            self.poses.append(pose)
            self.eases.append(ease)


@dataclass
class BuildContext:
    """What a unit builder needs besides its keyframes.

    Args:
        call (`UnitCall`): the unit and its arguments.
        state (`BodyState`): the body state at the unit's start; builders update it to the end state.
        rng (`np.random.Generator`): for small variations.
        ground_right (`np.ndarray`), ground_toward (`np.ndarray`): camera ground axes (walk directions).
        phases (`tuple[float, list[tuple[float, float]], float]`): end of the lead-in, repetition intervals and start
            of the lead-out, as fractions of the unit.
    """

    call: UnitCall
    state: BodyState
    rng: np.random.Generator
    ground_right: np.ndarray
    ground_toward: np.ndarray
    phases: tuple[float, list[tuple[float, float]], float]
    reps: list[tuple[float, float]] = field(default_factory=list)
    object_actions: list[tuple[float, str, str, str]] = field(default_factory=list)  # (t, action, object, side)


@dataclass(frozen=True)
class UnitSpec:
    """One kind of action unit.

    Args:
        name (`str`): identifier.
        category (`str`): `arm`, `arms`, `leg`, `body`, `turn`, `locomotion`, `posture` or `object`; distractors are
            drawn from the same category.
        part (`str`): `arm`, `leg` (resolved with the side), `both_arms`, `body` or `object`.
        phrase (`str`): base-form verb phrase with `{side}`, `{object}`, `{direction}` slots.
        lead_in_s (`float`), rep_s (`float`), lead_out_s (`float`): nominal durations; a repeatable unit lasts
            `lead_in_s + count * rep_s + lead_out_s`.
        build (`Callable[[Keys, BuildContext], None]`): writes keyframes and updates the state.
        allowed (`Callable[[BodyState, UnitCall], bool]`): precondition.
        sided (`bool`): takes `side`.
        repeatable (`bool`): takes `count`.
        ar_phrase (`str`, *optional*): gerund phrase for "which action does the <part> perform" options.
        count_phrase (`str`, *optional*): base phrase for "how many times does the person ..." questions.
    """

    name: str
    category: str
    part: str
    phrase: str
    lead_in_s: float
    rep_s: float
    lead_out_s: float
    build: Callable[[Keys, BuildContext], None]
    allowed: Callable[[BodyState, UnitCall], bool]
    sided: bool = False
    repeatable: bool = False
    ar_phrase: str | None = None
    count_phrase: str | None = None

    def nominal_seconds(self, count: int = 1) -> float:
        return self.lead_in_s + (count if self.repeatable else 0) * self.rep_s + self.lead_out_s

    def phases(self, count: int) -> tuple[float, list[tuple[float, float]], float]:
        """(end of lead-in, repetition intervals, start of lead-out) as fractions of the unit."""
        total = self.nominal_seconds(count)
        start = self.lead_in_s / total
        reps = count if self.repeatable else 0
        step = self.rep_s / total
        intervals = [(start + i * step, start + (i + 1) * step) for i in range(reps)]
        return start, intervals, 1.0 - self.lead_out_s / total


# ----------------------------------------------------------------------------------------------- preconditions
def _upright(state: BodyState) -> bool:
    return state.posture != "lying"


def _standing(state: BodyState, call: UnitCall) -> bool:
    return state.posture == "standing"


def _arm_in(*states: str) -> Callable[[BodyState, UnitCall], bool]:
    def allowed(state: BodyState, call: UnitCall) -> bool:
        return _upright(state) and state.arms[call.side] in states

    return allowed


def _both_in(*states: str) -> Callable[[BodyState, UnitCall], bool]:
    def allowed(state: BodyState, call: UnitCall) -> bool:
        return _upright(state) and all(state.arms[s] in states for s in SIDES)

    return allowed


def _lower_both_allowed(state: BodyState, call: UnitCall) -> bool:
    arms = [state.arms[s] for s in SIDES]
    return _upright(state) and arms[0] == arms[1] and arms[0] in ("up", "forward", "side", "hip")


def _posture_from(*postures: str) -> Callable[[BodyState, UnitCall], bool]:
    def allowed(state: BodyState, call: UnitCall) -> bool:
        return state.posture in postures and state.holding is None

    return allowed


def _pick_allowed(state: BodyState, call: UnitCall) -> bool:
    return (
        state.posture == "standing"
        and state.holding is None
        and state.arms[call.side] == "down"
        and call.obj not in state.used_objects
    )


def _holding_allowed(state: BodyState, call: UnitCall) -> bool:
    return state.posture == "standing" and state.holding is not None and state.holding == call.obj


# ---------------------------------------------------------------------------------------------------- builders
def _arm_transition(target: str) -> Callable[[Keys, BuildContext], None]:
    def build(keys: Keys, ctx: BuildContext) -> None:
        keys.add(1.0, arm_values(ctx.call.side, target))
        ctx.state.arms[ctx.call.side] = target

    return build


def _both_arms_transition(target: str) -> Callable[[Keys, BuildContext], None]:
    def build(keys: Keys, ctx: BuildContext) -> None:
        keys.add(1.0, {**arm_values("left", target), **arm_values("right", target)})
        for side in SIDES:
            ctx.state.arms[side] = target

    return build


def _arm_reps(ready: str, peak: str, both: bool = False) -> Callable[[Keys, BuildContext], None]:
    """Lead-in to `ready`, each repetition `ready → peak → ready`, lead-out back to the rest pose."""

    def build(keys: Keys, ctx: BuildContext) -> None:
        sides = SIDES if both else (ctx.call.side,)
        rest = {s: ctx.state.arms[s] for s in sides}
        start, reps, end = ctx.phases

        def values(name: str) -> dict[str, float]:
            return {k: v for s in sides for k, v in arm_values(s, name).items()}

        keys.add(start, values(ready))
        for a, b in reps:
            keys.add((a + b) / 2, values(peak))
            keys.add(b, values(ready))
            ctx.reps.append((a, b))
        keys.add(1.0, {k: v for s in sides for k, v in arm_values(s, rest[s]).items()})

    return build


def _leg_reps(peak: dict[str, float] | Callable[[str], dict[str, float]], chamber=None):
    """Each repetition lifts one leg (optionally through a `chamber` pose) and puts it back."""

    def build(keys: Keys, ctx: BuildContext) -> None:
        side = ctx.call.side
        rest = leg_values(side, "standing")
        _, reps, _ = ctx.phases
        peak_values = peak(side) if callable(peak) else peak
        for a, b in reps:
            if chamber is not None:
                keys.add(a + 0.3 * (b - a), chamber(side))
                keys.add(a + 0.55 * (b - a), peak_values)
            else:
                keys.add((a + b) / 2, peak_values)
            keys.add(b, rest)
            ctx.reps.append((a, b))

    return build


def _kick_chamber(side: str) -> dict[str, float]:
    return {f"{side}_thigh_pitch": 70.0, f"{side}_shin_pitch": -30.0}


def _kick_peak(side: str) -> dict[str, float]:
    return {f"{side}_thigh_pitch": 80.0, f"{side}_shin_pitch": 78.0}


def _knee_peak(side: str) -> dict[str, float]:
    return {f"{side}_thigh_pitch": 95.0, f"{side}_shin_pitch": -8.0}


def _tap_peak(side: str) -> dict[str, float]:
    return {f"{side}_thigh_pitch": 24.0, f"{side}_shin_pitch": 30.0}


def _side_leg_peak(side: str) -> dict[str, float]:
    return {f"{side}_thigh_abduct": 42.0, f"{side}_shin_abduct": 42.0}


def _build_squat(keys: Keys, ctx: BuildContext) -> None:
    _, reps, _ = ctx.phases
    for a, b in reps:
        keys.add((a + b) / 2, posture_values("half_squat"))
        keys.add(b, posture_values("standing"))
        ctx.reps.append((a, b))


def _build_jump(keys: Keys, ctx: BuildContext) -> None:
    _, reps, _ = ctx.phases
    crouch = {**posture_values("crouch"), "torso_bend": 18.0}
    for a, b in reps:
        span = b - a
        keys.add(a + 0.28 * span, crouch)
        keys.add(a + 0.52 * span, {**posture_values("standing"), "airborne": 0.38, "torso_bend": 5.0})
        keys.add(a + 0.76 * span, {**crouch, "airborne": 0.0})
        keys.add(b, posture_values("standing"))
        ctx.reps.append((a, b))


def _build_bend(keys: Keys, ctx: BuildContext) -> None:
    _, reps, _ = ctx.phases
    for a, b in reps:
        keys.add(a + 0.45 * (b - a), {"torso_bend": 80.0})
        keys.add(a + 0.6 * (b - a), {"torso_bend": 80.0})
        keys.add(b, {"torso_bend": 0.0})
        ctx.reps.append((a, b))


def _build_lean(keys: Keys, ctx: BuildContext) -> None:
    angle = 26.0 if ctx.call.side == "left" else -26.0
    keys.add(0.38, {"torso_lean": angle})
    keys.add(0.62, {"torso_lean": angle})
    keys.add(1.0, {"torso_lean": 0.0})


def _build_lean_back(keys: Keys, ctx: BuildContext) -> None:
    keys.add(0.38, {"torso_bend": -24.0})
    keys.add(0.62, {"torso_bend": -24.0})
    keys.add(1.0, {"torso_bend": 0.0})


def _turn(angle_for: Callable[[BuildContext], float]) -> Callable[[Keys, BuildContext], None]:
    def build(keys: Keys, ctx: BuildContext) -> None:
        start = keys.get("heading")
        angle = angle_for(ctx)
        # small alternating foot lifts while turning
        steps = max(2, int(round(abs(angle) / 60)))
        for i in range(steps):
            side = SIDES[i % 2]
            t0, t1 = i / steps, (i + 1) / steps
            keys.add(
                (t0 + t1) / 2,
                {
                    "heading": start + angle * (t0 + t1) / 2,
                    **{f"{side}_thigh_pitch": 22.0, f"{side}_shin_pitch": -30.0},
                },
                ease="linear",
            )
            keys.add(t1, {"heading": start + angle * t1, **leg_values(side, "standing")}, ease="linear")

    return build


def _turn_angle(ctx: BuildContext) -> float:
    return 90.0 if ctx.call.side == "left" else -90.0


def _turn_around_angle(ctx: BuildContext) -> float:
    return 180.0 if ctx.call.side == "left" else -180.0


def _spin_angle(ctx: BuildContext) -> float:
    return 360.0 if ctx.call.side == "left" else -360.0


def _heading_vectors(heading_deg: float) -> tuple[np.ndarray, np.ndarray]:
    h = math.radians(heading_deg)
    return np.array([math.cos(h), 0.0, -math.sin(h)]), np.array([math.sin(h), 0.0, math.cos(h)])  # left, forward


STEP_LENGTH = 0.36
WALK_STEP_LENGTH = 0.3


def walk_vector(direction: str, ground_right: np.ndarray, ground_toward: np.ndarray) -> np.ndarray:
    """Unit world vector of a camera-relative walking direction."""
    return {
        "toward_camera": ground_toward,
        "away_from_camera": -ground_toward,
        "frame_left": -ground_right,
        "frame_right": ground_right,
    }[direction]


def step_vector(direction: str, heading_deg: float) -> np.ndarray:
    """Unit world vector of a body-relative step direction."""
    left, forward = _heading_vectors(heading_deg)
    return {"forward": forward, "backward": -forward, "left": left, "right": -left}[direction]


def _build_step(keys: Keys, ctx: BuildContext) -> None:
    direction = ctx.call.direction
    vector = step_vector(direction, keys.get("heading")) * STEP_LENGTH
    x0, z0 = keys.get("root_x"), keys.get("root_z")
    lead = {"forward": "left", "backward": "right", "left": "left", "right": "right"}[direction]
    lift = {
        "forward": {f"{lead}_thigh_pitch": 32.0, f"{lead}_shin_pitch": -28.0},
        "backward": {f"{lead}_thigh_pitch": -18.0, f"{lead}_shin_pitch": -45.0},
        "left": {f"{lead}_thigh_abduct": 26.0, f"{lead}_shin_abduct": 22.0},
        "right": {f"{lead}_thigh_abduct": 26.0, f"{lead}_shin_abduct": 22.0},
    }[direction]
    keys.add(0.45, {**lift, "root_x": x0 + 0.5 * vector[0], "root_z": z0 + 0.5 * vector[2]})
    keys.add(
        1.0,
        {
            **leg_values("left", "standing"),
            **leg_values("right", "standing"),
            "root_x": x0 + vector[0],
            "root_z": z0 + vector[2],
        },
    )


def _wrap(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def _build_walk(keys: Keys, ctx: BuildContext) -> None:
    vector = walk_vector(ctx.call.direction, ctx.ground_right, ctx.ground_toward)
    h0 = keys.get("heading")
    target = math.degrees(math.atan2(vector[0], vector[2]))
    delta = _wrap(target - h0)
    turn = 0.16 if abs(delta) > 5 else 0.0
    if turn:
        keys.add(turn, {"heading": h0 + delta})
    x0, z0 = keys.get("root_x"), keys.get("root_z")
    steps = ctx.call.count
    span = (1.0 - 2 * turn) / steps
    for i in range(steps):
        swing, other = SIDES[i % 2], SIDES[(i + 1) % 2]
        t0 = turn + i * span
        done_mid, done_end = (i + 0.5) / steps, (i + 1) / steps
        dist_mid, dist_end = done_mid * steps * WALK_STEP_LENGTH, done_end * steps * WALK_STEP_LENGTH
        keys.add(
            t0 + 0.5 * span,
            {
                f"{swing}_thigh_pitch": 30.0,
                f"{swing}_shin_pitch": -38.0,
                f"{other}_thigh_pitch": -14.0,
                f"{other}_shin_pitch": -6.0,
                f"{swing}_upper_arm_pitch": _arm_swing(ctx, swing, -18.0),
                f"{other}_upper_arm_pitch": _arm_swing(ctx, other, 18.0),
                "root_x": x0 + vector[0] * dist_mid,
                "root_z": z0 + vector[2] * dist_mid,
            },
            ease="linear",
        )
        keys.add(
            t0 + span,
            {
                **leg_values("left", "standing"),
                **leg_values("right", "standing"),
                f"{swing}_upper_arm_pitch": _arm_swing(ctx, swing, 0.0),
                f"{other}_upper_arm_pitch": _arm_swing(ctx, other, 0.0),
                "root_x": x0 + vector[0] * dist_end,
                "root_z": z0 + vector[2] * dist_end,
            },
            ease="linear",
        )
    if turn:
        keys.add(1.0, {"heading": h0})


def _arm_swing(ctx: BuildContext, side: str, swing: float) -> float:
    """Upper-arm pitch while walking: hanging arms swing, other arm poses stay put."""
    pose = ctx.state.arms[side]
    base = ARM_POSES[pose][0]
    return base + swing if pose == "down" else base


def _posture_path(start: str, target: str) -> list[str]:
    if target == "standing":
        return {
            "squatting": ["standing"],
            "sitting": ["half_squat", "standing"],
            "kneeling": ["half_kneel", "standing"],
            "lying": ["sitting", "half_squat", "standing"],
        }[start]
    if target == "lying":
        return ["sitting", "lying"] if start == "standing" else ["lying"]
    return {"squatting": ["squatting"], "sitting": ["half_squat", "sitting"], "kneeling": ["half_kneel", "kneeling"]}[
        target
    ]


def _posture_transition(target: str) -> Callable[[Keys, BuildContext], None]:
    def build(keys: Keys, ctx: BuildContext) -> None:
        start = ctx.state.posture
        path = _posture_path(start, target)
        t = 0.0
        if target == "lying":  # turn sideways to the camera first so the lying body is seen from the side
            t = 0.25
            keys.add(t, {"heading": keys.get("heading") + (90.0 if ctx.call.side == "left" else -90.0)})
        step = (1.0 - t) / len(path)
        for i, name in enumerate(path):
            keys.add(t + (i + 1) * step, posture_values(name))
        ctx.state.posture = target

    return build


def _build_pick_up(keys: Keys, ctx: BuildContext) -> None:
    side = ctx.call.side
    keys.add(0.5, {**posture_values("bend"), "torso_bend": 48.0, **arm_values(side, "reach")})
    keys.add(0.56, {})
    ctx.object_actions.append((0.53, "pick_up", ctx.call.obj, side))
    keys.add(1.0, {**posture_values("standing"), **arm_values(side, "hold")})
    ctx.state.arms[side] = "hold"
    ctx.state.held[side] = ctx.call.obj
    ctx.state.used_objects.append(ctx.call.obj)


def _build_put_down(keys: Keys, ctx: BuildContext) -> None:
    side = ctx.state.holding_side
    keys.add(0.5, {**posture_values("bend"), "torso_bend": 48.0, **arm_values(side, "reach")})
    keys.add(0.56, {})
    ctx.object_actions.append((0.53, "put_down", ctx.call.obj, side))
    keys.add(1.0, {**posture_values("standing"), **arm_values(side, "down")})
    ctx.state.arms[side] = "down"
    ctx.state.held[side] = None


def _build_throw(keys: Keys, ctx: BuildContext) -> None:
    side = ctx.state.holding_side
    keys.add(0.42, {**arm_values(side, "windup"), "torso_bend": -8.0})
    keys.add(0.62, {**arm_values(side, "release"), "torso_bend": 12.0})
    ctx.object_actions.append((0.6, "throw", ctx.call.obj, side))
    keys.add(1.0, {**arm_values(side, "down"), "torso_bend": 0.0})
    ctx.state.arms[side] = "down"
    ctx.state.held[side] = None


def _build_hold_up(keys: Keys, ctx: BuildContext) -> None:
    side = ctx.state.holding_side
    keys.add(0.42, arm_values(side, "up"))
    keys.add(0.62, arm_values(side, "up"))
    ctx.object_actions.append((0.42, "lift", ctx.call.obj, side))
    keys.add(1.0, arm_values(side, "hold"))


_CATEGORY_PARTS = {"arm": "arm", "arms": "both_arms", "leg": "leg", "object": "object"}  # the others: "body"


def _unit(
    name: str,
    category: str,
    phrase: str,
    build: Callable[[Keys, BuildContext], None],
    allowed: Callable[[BodyState, UnitCall], bool],
    lead_s: float = 0.0,
    rep_s: float = 0,
    lead_out_s: float | None = None,
    sided: bool = False,
    ar_phrase: str | None = None,
    count_phrase: str | None = None,
) -> UnitSpec:
    """A `UnitSpec` whose part follows from its category and which is repeatable when it has a repetition time.

    `lead_s` is the lead-in and, unless `lead_out_s` is given, also the lead-out; the other arguments are those of
    `UnitSpec`.
    """
    return UnitSpec(
        name,
        category,
        _CATEGORY_PARTS.get(category, "body"),
        phrase,
        lead_s,
        rep_s,
        lead_s if lead_out_s is None else lead_out_s,
        build,
        allowed,
        sided=sided,
        repeatable=rep_s > 0,
        ar_phrase=ar_phrase,
        count_phrase=count_phrase,
    )


UNITS: dict[str, UnitSpec] = {
    spec.name: spec
    for spec in (
        # one arm
        _unit(
            "raise_arm",
            "arm",
            "raise the {side} arm above the head",
            _arm_transition("up"),
            _arm_in("down", "forward", "side", "hip"),
            lead_s=0.45,
            sided=True,
            ar_phrase="raising it above the head",
        ),
        _unit(
            "lower_arm",
            "arm",
            "lower the {side} arm",
            _arm_transition("down"),
            _arm_in("up", "forward", "side", "hip"),
            lead_s=0.4,
            sided=True,
            ar_phrase="lowering it to the side of the body",
        ),
        _unit(
            "stretch_arm_forward",
            "arm",
            "stretch the {side} arm forward",
            _arm_transition("forward"),
            _arm_in("down"),
            lead_s=0.4,
            sided=True,
            ar_phrase="stretching it straight forward",
        ),
        _unit(
            "stretch_arm_side",
            "arm",
            "stretch the {side} arm out to the side",
            _arm_transition("side"),
            _arm_in("down"),
            lead_s=0.4,
            sided=True,
            ar_phrase="stretching it out to the side",
        ),
        _unit(
            "hand_on_hip",
            "arm",
            "put the {side} hand on the hip",
            _arm_transition("hip"),
            _arm_in("down"),
            lead_s=0.4,
            sided=True,
            ar_phrase="resting the hand on the hip",
        ),
        _unit(
            "wave",
            "arm",
            "wave the {side} hand",
            _arm_reps("wave_out", "wave_in"),
            _arm_in("down"),
            lead_s=0.4,
            rep_s=0.5,
            sided=True,
            ar_phrase="waving the hand from side to side",
            count_phrase="wave the {side} hand",
        ),
        _unit(
            "punch",
            "arm",
            "punch forward with the {side} fist",
            _arm_reps("guard", "punch"),
            _arm_in("down"),
            lead_s=0.3,
            rep_s=0.45,
            sided=True,
            ar_phrase="punching forward with the fist",
            count_phrase="punch with the {side} fist",
        ),
        # both arms
        _unit(
            "raise_both_arms",
            "arms",
            "raise both arms above the head",
            _both_arms_transition("up"),
            _both_in("down"),
            lead_s=0.5,
        ),
        _unit(
            "lower_both_arms",
            "arms",
            "lower both arms",
            _both_arms_transition("down"),
            _lower_both_allowed,
            lead_s=0.45,
        ),
        _unit(
            "hands_on_hips",
            "arms",
            "put both hands on the hips",
            _both_arms_transition("hip"),
            _both_in("down"),
            lead_s=0.45,
        ),
        _unit(
            "stretch_arms_side",
            "arms",
            "stretch both arms out to the sides",
            _both_arms_transition("side"),
            _both_in("down"),
            lead_s=0.45,
        ),
        _unit(
            "clap",
            "arms",
            "clap the hands",
            _arm_reps("clap_open", "clap_closed", both=True),
            _both_in("down"),
            lead_s=0.35,
            rep_s=0.42,
            count_phrase="clap",
        ),
        # legs
        _unit(
            "kick",
            "leg",
            "kick forward with the {side} leg",
            _leg_reps(_kick_peak, chamber=_kick_chamber),
            _standing,
            rep_s=0.8,
            sided=True,
            ar_phrase="kicking forward",
            count_phrase="kick with the {side} leg",
        ),
        _unit(
            "knee_raise",
            "leg",
            "raise the {side} knee",
            _leg_reps(_knee_peak),
            _standing,
            rep_s=0.7,
            sided=True,
            ar_phrase="raising the knee up high",
            count_phrase="raise the {side} knee",
        ),
        _unit(
            "foot_tap",
            "leg",
            "tap the {side} foot",
            _leg_reps(_tap_peak),
            _standing,
            rep_s=0.55,
            sided=True,
            ar_phrase="tapping the foot on the floor",
            count_phrase="tap the {side} foot",
        ),
        _unit(
            "leg_side_raise",
            "leg",
            "raise the {side} leg out to the side",
            _leg_reps(_side_leg_peak),
            _standing,
            rep_s=0.75,
            sided=True,
            ar_phrase="lifting it out to the side",
            count_phrase="raise the {side} leg out to the side",
        ),
        # whole body
        _unit(
            "squat",
            "body",
            "squat down and back up",
            _build_squat,
            _standing,
            rep_s=1.0,
            ar_phrase="doing squats",
            count_phrase="squat",
        ),
        _unit(
            "jump",
            "body",
            "jump in place",
            _build_jump,
            _standing,
            rep_s=0.8,
            ar_phrase="jumping in place",
            count_phrase="jump",
        ),
        _unit(
            "bend_forward",
            "body",
            "bend forward at the waist",
            _build_bend,
            _standing,
            rep_s=1.2,
            ar_phrase="bending forward at the waist",
            count_phrase="bend forward",
        ),
        _unit(
            "lean",
            "body",
            "lean the upper body to their {side}",
            _build_lean,
            _standing,
            lead_s=0.6,
            sided=True,
            ar_phrase="leaning the upper body sideways",
        ),
        _unit(
            "lean_back",
            "body",
            "lean the upper body back",
            _build_lean_back,
            _standing,
            lead_s=0.6,
            ar_phrase="leaning the upper body back",
        ),
        # turning
        _unit(
            "turn",
            "turn",
            "turn a quarter turn to their {side}",
            _turn(_turn_angle),
            _standing,
            lead_s=0.45,
            sided=True,
        ),
        _unit("turn_around", "turn", "turn around", _turn(_turn_around_angle), _standing, lead_s=0.6, sided=True),
        _unit(
            "spin",
            "turn",
            "spin around in a full circle",
            _turn(_spin_angle),
            _standing,
            lead_s=0.8,
            sided=True,
            ar_phrase="spinning around in a full circle",
        ),
        # locomotion
        _unit("step", "locomotion", "take a step {direction}", _build_step, _standing, lead_s=0.35),
        _unit("walk", "locomotion", "walk {direction}", _build_walk, _standing, lead_s=0.3, rep_s=0.5),
        # posture changes
        _unit(
            "sit_down",
            "posture",
            "sit down on the floor",
            _posture_transition("sitting"),
            _posture_from("standing"),
            lead_s=0.6,
            lead_out_s=0.7,
        ),
        _unit(
            "stand_up",
            "posture",
            "stand up",
            _posture_transition("standing"),
            _posture_from("squatting", "sitting", "kneeling", "lying"),
            lead_s=0.55,
            lead_out_s=0.6,
        ),
        _unit(
            "lie_down",
            "posture",
            "lie down on the back",
            _posture_transition("lying"),
            _posture_from("standing", "sitting"),
            lead_s=0.8,
            sided=True,
        ),
        _unit(
            "kneel_down",
            "posture",
            "kneel down",
            _posture_transition("kneeling"),
            _posture_from("standing"),
            lead_s=0.5,
        ),
        _unit(
            "squat_down",
            "posture",
            "squat down",
            _posture_transition("squatting"),
            _posture_from("standing"),
            lead_s=0.4,
        ),
        # objects
        _unit(
            "pick_up",
            "object",
            "pick up the {object} with the {side} hand",
            _build_pick_up,
            _pick_allowed,
            lead_s=0.7,
            sided=True,
        ),
        _unit(
            "put_down", "object", "put the {object} down on the floor", _build_put_down, _holding_allowed, lead_s=0.65
        ),
        _unit("throw", "object", "throw the {object} forward", _build_throw, _holding_allowed, lead_s=0.55),
        _unit("hold_up", "object", "lift the {object} above the head", _build_hold_up, _holding_allowed, lead_s=0.65),
    )
}


__all__ = [
    "ARM_POSES",
    "ARM_STATES",
    "BodyState",
    "BuildContext",
    "Keys",
    "OBJECT_KINDS",
    "POSTURES",
    "STEP_DIRECTIONS",
    "STEP_LENGTH",
    "STEP_PHRASES",
    "UNITS",
    "UnitCall",
    "UnitSpec",
    "WALK_DIRECTIONS",
    "WALK_PHRASES",
    "WALK_STEP_LENGTH",
    "arm_values",
    "leg_values",
    "posture_values",
    "step_vector",
    "walk_vector",
]
