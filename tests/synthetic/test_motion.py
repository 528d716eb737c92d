"""Skeleton, action units and clips: kinematics, states read back from joints, timelines, determinism."""

import numpy as np
import pytest

from actionart_hf.synthetic import UNITS, Clip, SynthConfig, derive_seed, generate_clip, generate_unit_clip
from actionart_hf.synthetic.actions import POSTURES, arm_values, posture_values
from actionart_hf.synthetic.skeleton import JOINT_INDEX, body_axes, forward_kinematics, pose_from_dict
from actionart_hf.synthetic.states import arm_direction_states, hand_height_states, posture_states


TINY = SynthConfig(height=32, width=32, num_frames=48, fps=8)


def test_neutral_pose_stands_on_the_ground_facing_the_camera():
    joints = forward_kinematics(pose_from_dict({})[None])[0]
    assert joints[JOINT_INDEX["left_foot"], 1] == pytest.approx(0.045)
    assert 1.6 < joints[JOINT_INDEX["head"], 1] < 1.75
    assert joints[JOINT_INDEX["left_hand"], 0] > 0 > joints[JOINT_INDEX["right_hand"], 0]  # left is +x
    _, _, forward = body_axes(joints[None])
    np.testing.assert_allclose(forward[0], [0, 0, 1], atol=1e-9)
    turned = forward_kinematics(pose_from_dict({"heading": 90.0})[None])
    np.testing.assert_allclose(body_axes(turned)[2][0], [1, 0, 0], atol=1e-9)  # turned to their left


@pytest.mark.parametrize("posture", POSTURES)
def test_each_posture_is_read_back_from_the_joints(posture):
    joints = forward_kinematics(pose_from_dict(posture_values(posture))[None])
    assert posture_states(joints) == [posture]
    assert joints[..., 1].min() > -0.05  # nothing sinks into the floor


@pytest.mark.parametrize(
    ("arm", "height", "direction"),
    [
        ("down", "below_hips", "down"),
        ("up", "above_head", "up"),
        ("forward", "shoulder", "forward"),
        ("side", "shoulder", "side"),
        ("hip", "waist", None),
    ],
)
def test_arm_poses_are_read_back(arm, height, direction):
    joints = forward_kinematics(pose_from_dict(arm_values("right", arm))[None])
    assert hand_height_states(joints, "right") == [height]
    assert arm_direction_states(joints, "right") == [direction]


def test_library_has_at_least_20_units_with_the_required_kinds():
    assert len(UNITS) >= 20
    for name in ("wave", "clap", "squat", "jump", "pick_up", "put_down", "throw", "hold_up", "walk", "step", "turn"):
        assert name in UNITS
    assert all(UNITS[n].repeatable for n in ("wave", "clap", "squat", "jump"))


def test_clip_is_a_pure_function_of_the_seed():
    a, b = generate_clip(7, TINY), generate_clip(7, TINY)
    np.testing.assert_array_equal(a.joints3d, b.joints3d)
    assert [e.to_dict() for e in a.events] == [e.to_dict() for e in b.events]
    np.testing.assert_array_equal(a.render(), b.render())
    assert not np.array_equal(a.joints3d, generate_clip(8, TINY).joints3d)
    assert derive_seed(0, 5) == derive_seed(0, 5) != derive_seed(0, 6)


@pytest.mark.parametrize("seed", range(6))
def test_timeline_is_exact_and_consistent(seed):
    clip = generate_clip(seed, SynthConfig(height=32, width=32))
    assert clip.joints3d.shape == (64, 16, 3) and clip.joints2d.shape == (64, 16, 2)
    previous_end = 0
    for event in clip.events:
        assert previous_end <= event.start_frame < event.end_frame < clip.num_frames
        assert event.start_s == event.start_frame / clip.fps
        if event.call.spec.repeatable and event.name != "walk":
            assert len(event.reps) == event.call.count
            assert all(event.start_frame <= a < b <= event.end_frame for a, b in event.reps)
        previous_end = event.end_frame
    labels = clip.unit_labels()
    assert labels[0] == "still" and labels[clip.events[0].start_frame] == clip.events[0].label


def test_squat_repetitions_are_visible_in_the_pelvis_height():
    clip = generate_unit_clip("squat", seed=1, config=TINY, count=3)
    pelvis = clip.joints3d[:, JOINT_INDEX["pelvis"], 1]
    low = pelvis < 0.7
    dips = int(np.sum(low[1:] & ~low[:-1]))
    assert dips == 3 == len(clip.events[0].reps)


@pytest.mark.parametrize("name", sorted(UNITS))
def test_every_unit_can_be_rendered_on_its_own(name):
    clip = generate_unit_clip(name, seed=3, config=TINY)
    assert [e.name for e in clip.events] == [name]
    if name == "pick_up":
        event = next(e for e in clip.object_events if e.action == "pick_up")
        hand = clip.joints3d[event.frame, JOINT_INDEX[f"{event.side}_hand"]]
        assert np.linalg.norm(hand - clip.object_positions[event.frame, 0]) < 0.25  # the hand reaches the object
    if name in ("put_down", "throw"):
        assert clip.object_holders[0][0] and not clip.object_holders[0][-1]


def test_motion_row_round_trip():
    clip = generate_clip(4, TINY)
    again = Clip.from_motion_row(clip.to_motion_row())
    np.testing.assert_allclose(again.joints3d, clip.joints3d, atol=1e-4)
    assert [e.label for e in again.events] == [e.label for e in clip.events]
    assert again.describe_pose(10) == clip.describe_pose(10)
    np.testing.assert_array_equal(again.render(), clip.render())


def test_invalid_settings_name_the_field():
    with pytest.raises(ValueError, match="num_frames"):
        SynthConfig(num_frames=2)
    with pytest.raises(ValueError, match="at least 2 s"):
        generate_clip(0, SynthConfig(num_frames=8, fps=8))
    with pytest.raises(ValueError, match="Unknown action unit"):
        generate_unit_clip("moonwalk", seed=0)
