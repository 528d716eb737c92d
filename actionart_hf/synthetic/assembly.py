"""Assembly: places planned units on the clip's frames, interpolates the poses between keyframes, and runs the
kinematics, the objects and the camera projection into a `Clip`.

    >>> from actionart_hf.synthetic.assembly import assemble_clip, unit_frame_spans
    >>> spans = unit_frame_spans(config, plan_rng, [call.spec.nominal_seconds(call.count) for call, _, _ in units])
    >>> clip = assemble_clip(seed, config, camera, initial, start_pose, units, spans, objects, {}, style)
"""

from __future__ import annotations

import numpy as np

from .actions import BodyState, BuildContext, Keys, UnitCall
from .camera import Camera
from .clip import ActionEvent, Clip
from .config import SynthConfig
from .objects import ObjectEvent, simulate_object
from .skeleton import forward_kinematics


def unit_frame_spans(config: SynthConfig, rng: np.random.Generator, nominal: list[float]) -> list[tuple[int, int]]:
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
        events.append(ActionEvent(index, call, start, end, reps, config.fps))
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


__all__ = ["assemble_clip", "unit_frame_spans"]
