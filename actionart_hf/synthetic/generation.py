"""Generating clips: a planned sequence of units (`generate_clip`) or one unit on its own (`generate_unit_clip`).

    >>> from actionart_hf.synthetic import SynthConfig, generate_clip, generate_unit_clip
    >>> clip = generate_clip(seed=0, config=SynthConfig(height=64, width=64, num_frames=32))
    >>> wave = generate_unit_clip("wave", seed=1, side="left", count=3)

Each clip draws its camera, units, timeline and distractor objects from the seed's `Stream.PLAN` and its style from
`Stream.STYLE` (see `random_streams`).
"""

from __future__ import annotations

import math

import numpy as np

from .actions import (
    OBJECT_KINDS,
    STEP_DIRECTIONS,
    UNITS,
    WALK_DIRECTIONS,
    BodyState,
    BuildContext,
    Keys,
    UnitCall,
)
from .assembly import assemble_clip, unit_frame_spans
from .camera import Camera
from .clip import Clip
from .config import SynthConfig
from .objects import OBJECT_STYLES
from .planner import plan_units
from .random_streams import Stream, stream_rng
from .render import clip_style
from .skeleton import SIDES


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
    plan_rng = stream_rng(seed, Stream.PLAN)
    yaw = float(plan_rng.uniform(-config.camera_yaw, config.camera_yaw))
    camera = Camera(config.width, config.height, yaw_deg=yaw)
    initial, start_pose, units, targets, distractors = plan_units(config, plan_rng, camera)
    if not units:
        raise RuntimeError(f"seed {seed}: no action unit fits a {config.duration_s:.1f} s clip; use a longer clip.")
    nominal = [call.spec.nominal_seconds(call.count) for call, _, _ in units]
    spans = unit_frame_spans(config, plan_rng, nominal)
    picked = [t for t in targets if any(c.name == "pick_up" and c.obj == t for c, _, _ in units)]
    style = clip_style(seed, config)
    clip = assemble_clip(seed, config, camera, initial, start_pose, units, spans, picked, {}, style)
    if distractors:
        taken = [clip.object_positions[0, k].astype(np.float64) for k in range(len(picked))]
        rest = _place_distractors(plan_rng, camera, clip.joints3d, distractors, taken)
        kept = picked + [d for d in distractors if d in rest]
        clip = assemble_clip(seed, config, camera, initial, start_pose, units, spans, kept, rest, style)
    return clip


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
    rng = stream_rng(seed, Stream.PLAN)
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
        raise ValueError(f"Unit {call.to_dict()} cannot start from {state.to_dict()}.")
    heading = float(rng.uniform(-10, 10))
    start_pose = state.pose(heading=90.0 if state.posture == "lying" else heading)
    initial = state.copy()
    right, toward = camera.ground_axes()
    keys = Keys(start_pose)
    ctx = BuildContext(call, state, rng, right, toward, call.spec.phases(call.count))
    call.spec.build(keys, ctx)
    spans = unit_frame_spans(config, rng, [call.spec.nominal_seconds(call.count)])
    objects = [call.obj] if call.obj else []
    holders = {call.obj: initial.holding_side} if call.obj and call.name != "pick_up" else {}
    style = clip_style(seed, config)
    return assemble_clip(
        seed, config, camera, initial, start_pose, [(call, keys, ctx)], spans, objects, {}, style, holders
    )


__all__ = ["generate_clip", "generate_unit_clip"]
