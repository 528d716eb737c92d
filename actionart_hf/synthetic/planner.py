"""The planner: draws a clip's initial state and a sequence of action units that respects every precondition and fits
the clip, favouring units that give each sub-task material (a count, a motion, an object to pick up).

    >>> from actionart_hf.synthetic.planner import plan_units
    >>> initial, start_pose, units, targets, distractors = plan_units(config, plan_rng, camera)
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

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
    step_vector,
    walk_vector,
)
from .camera import Camera
from .config import SynthConfig
from .skeleton import DOF_INDEX, SIDES


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
    return state, state.pose(
        heading=heading, root_x=float(rng.uniform(-0.5, 0.5)), root_z=float(rng.uniform(-0.7, 0.4))
    )


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


__all__ = ["CATEGORY_WEIGHTS", "DEPTH_RANGE", "GROUP_WEIGHTS", "LATERAL_RANGE", "plan_units"]
