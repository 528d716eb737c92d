"""Labels agree with pixels: decoded MP4 frames show what the labels say at the labelled times."""

import numpy as np
import pytest

from actionart_hf.synthetic import SynthConfig, generate_clip, generate_unit_clip
from actionart_hf.synthetic.skeleton import JOINT_INDEX
from actionart_hf.synthetic.states import hand_height_states
from actionart_hf.video import load_video, write_video


CONFIG = SynthConfig(height=96, width=96, num_frames=24, fps=8, clutter=0, camera_yaw=0.0)
LEFT, RIGHT = np.array(CONFIG.left_color), np.array(CONFIG.right_color)


def _mask(frames: np.ndarray, color: np.ndarray, tolerance: float = 60.0) -> np.ndarray:
    return np.linalg.norm(frames.astype(np.float32) - color, axis=-1) < tolerance


def _decoded(clip, tmp_path, name="clip.mp4"):
    path = write_video(tmp_path / name, clip.render(), fps=clip.fps)
    frames = load_video(path, num_frames=clip.num_frames).frames
    assert frames.shape == (clip.num_frames, clip.config.height, clip.config.width, 3)
    return frames


def _top_row(mask: np.ndarray) -> int:
    rows = np.where(mask.any(axis=1))[0]
    return int(rows[0]) if len(rows) else 10**6


@pytest.mark.parametrize("side", ["left", "right"])
def test_raised_hand_is_drawn_above_the_head_at_the_labelled_times(tmp_path, side):
    clip = generate_unit_clip("raise_arm", seed=2, config=CONFIG, side=side)
    frames = _decoded(clip, tmp_path)
    skin = np.array([236, 200, 164])
    heights = hand_height_states(clip.joints3d, side)
    color = LEFT if side == "left" else RIGHT
    event = clip.events[0]
    checked = 0
    for t in range(clip.num_frames):
        limb_top, head_top = _top_row(_mask(frames[t], color)), _top_row(_mask(frames[t], skin, 40))
        if t > event.end_frame:  # labelled above the head: the arm's colour reaches above the head
            assert heights[t] == "above_head" and limb_top < head_top, t
            checked += 1
        elif t < event.start_frame:
            assert heights[t] == "below_hips" and limb_top > head_top, t
    assert checked >= 2


def test_left_limbs_are_red_and_right_limbs_blue_where_the_joints_project(tmp_path):
    clip = generate_clip(11, CONFIG)
    frames = _decoded(clip, tmp_path)
    depth = clip.camera.to_camera(clip.joints3d.astype(np.float64))[..., 2]
    hits, seen = 0, 0
    for t in range(clip.num_frames):
        for joint in ("knee", "elbow"):
            # the nearer of the two joints is not hidden by the other limb
            side = min(("left", "right"), key=lambda s: depth[t, JOINT_INDEX[f"{s}_{joint}"]])
            color, other = (LEFT, RIGHT) if side == "left" else (RIGHT, LEFT)
            x, y = np.round(clip.joints2d[t, JOINT_INDEX[f"{side}_{joint}"]]).astype(int)
            pixel = frames[t, np.clip(y, 0, 95), np.clip(x, 0, 95)].astype(np.float32)
            hits += np.linalg.norm(pixel - color) < np.linalg.norm(pixel - other)
            seen += 1
    assert hits >= 0.9 * seen, (hits, seen)


def test_person_facing_the_camera_has_left_limbs_on_the_image_right(tmp_path):
    clip = generate_unit_clip("stretch_arm_side", seed=0, config=CONFIG, side="left")
    frames = _decoded(clip, tmp_path)
    last = frames[-1]
    red_x = np.where(_mask(last, LEFT))[1].mean()
    blue_x = np.where(_mask(last, RIGHT))[1].mean()
    assert red_x > blue_x  # the person's left is the viewer's right
    assert clip.joints2d[-1, JOINT_INDEX["left_hand"], 0] > clip.joints2d[-1, JOINT_INDEX["right_hand"], 0]


def test_no_color_cues_draws_both_sides_alike(tmp_path):
    config = SynthConfig(height=48, width=48, num_frames=16, fps=8, color_cues=False)
    frames = generate_clip(1, config).render()
    assert not _mask(frames, LEFT, 40).any() and not _mask(frames, RIGHT, 40).any()
