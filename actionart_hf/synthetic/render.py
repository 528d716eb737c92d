"""Drawing clips: thick limbs (left and right in different colours), a head with a nose dot that shows which way
the person faces, a floor shadow, objects, and a background with optional clutter and noise.

Everything is drawn with PIL's `ImageDraw` in painter's order (far to near), so limbs occlude each other
correctly; a 64-frame 224×224 clip draws in a few tens of milliseconds.
"""

from __future__ import annotations

import colorsys
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from .config import SynthConfig
from .objects import OBJECT_STYLES
from .random_streams import Stream, stream_rng
from .skeleton import HEAD_RADIUS, JOINT_INDEX, LIMB_RADIUS


if TYPE_CHECKING:
    from .clip import Clip

# Drawn polylines: (joints, colour group, thickness relative to a limb).
CHAINS: tuple[tuple[tuple[str, ...], str, float], ...] = (
    (("pelvis", "chest"), "body", 2.4),
    (("chest", "neck"), "body", 1.0),
    (("left_shoulder", "chest", "right_shoulder"), "body", 1.0),
    (("left_hip", "pelvis", "right_hip"), "body", 1.0),
    (("left_shoulder", "left_elbow", "left_hand"), "left", 1.0),
    (("right_shoulder", "right_elbow", "right_hand"), "right", 1.0),
    (("left_hip", "left_knee", "left_foot"), "left", 1.0),
    (("right_hip", "right_knee", "right_foot"), "right", 1.0),
)
SKIN = (236, 200, 164)
SKIN_OUTLINE = (120, 90, 70)
NOSE = (60, 40, 30)


def _muted_color(rng: np.random.Generator, value: tuple[float, float], saturation: float = 0.35) -> list[int]:
    hue = rng.uniform(0.0, 1.0)
    rgb = colorsys.hsv_to_rgb(hue, rng.uniform(0.0, saturation), rng.uniform(*value))
    return [int(255 * c) for c in rgb]


def sample_style(rng: np.random.Generator, config: SynthConfig) -> dict:
    """Background colours, clutter shapes and the noise seed of a clip (JSON-serialisable).

    Args:
        rng (`np.random.Generator`): the clip's style stream.
        config (`SynthConfig`): `clutter` sets the number of shapes.
    """
    shapes = []
    for _ in range(config.clutter):
        kind = str(rng.choice(["rectangle", "ellipse", "triangle", "bar"]))
        cx, cy = rng.uniform(0.0, 1.0), rng.uniform(0.0, 0.6)
        w, h = rng.uniform(0.04, 0.22), rng.uniform(0.04, 0.22)
        shapes.append(
            {
                "kind": kind,
                "box": [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
                "color": _muted_color(rng, (0.35, 0.9), 0.6),
            }
        )
    return {
        "wall": _muted_color(rng, (0.78, 0.95), 0.2),
        "floor": _muted_color(rng, (0.55, 0.75), 0.25),
        "shapes": shapes,
        "noise_seed": int(rng.integers(0, 2**31 - 1)),
    }


def clip_style(seed: int, config: SynthConfig) -> dict:
    """The style of the clip with this seed (`sample_style` on the seed's `Stream.STYLE`)."""
    return sample_style(stream_rng(seed, Stream.STYLE), config)


def render_background(config: SynthConfig, style: dict, horizon_y: float) -> np.ndarray:
    """The static background: wall, floor below the horizon, clutter. Shape `(height, width, 3)`, uint8."""
    height, width = config.height, config.width
    image = Image.new("RGB", (width, height), tuple(style["wall"]))
    draw = ImageDraw.Draw(image)
    horizon = int(np.clip(horizon_y, 0, height))
    draw.rectangle([0, horizon, width, height], fill=tuple(style["floor"]))
    for shape in style["shapes"]:
        x0, y0, x1, y1 = (
            shape["box"][0] * width,
            shape["box"][1] * height,
            shape["box"][2] * width,
            shape["box"][3] * height,
        )
        color = tuple(shape["color"])
        if shape["kind"] == "rectangle":
            draw.rectangle([x0, y0, x1, y1], fill=color)
        elif shape["kind"] == "ellipse":
            draw.ellipse([x0, y0, x1, y1], fill=color)
        elif shape["kind"] == "triangle":
            draw.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=color)
        else:
            draw.line([(x0, y0), (x1, y1)], fill=color, width=max(1, int(0.02 * width)))
    return np.asarray(image)


def _noise_field(config: SynthConfig, seed: int, pad: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, config.noise, (config.height + pad, config.width + pad, 3)).astype(np.float32)


def _add_noise(frame: np.ndarray, field: np.ndarray, dy: int, dx: int) -> np.ndarray:
    height, width = frame.shape[:2]
    noisy = frame.astype(np.float32) + field[dy : dy + height, dx : dx + width]
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _circle(draw: ImageDraw.ImageDraw, center, radius: float, fill, outline=None) -> None:
    x, y = center[0], center[1]
    r = max(float(radius), 0.5)
    draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=outline)


def _draw_object(draw: ImageDraw.ImageDraw, kind: str, center: np.ndarray, scale: float) -> None:
    style = OBJECT_STYLES[kind]
    x, y = float(center[0]), float(center[1])
    h, w = style.half_height * scale, style.half_width * scale
    outline = tuple(int(c * 0.55) for c in style.color)
    if style.shape == "circle":
        draw.ellipse([x - w, y - h, x + w, y + h], fill=style.color, outline=outline)
    elif style.shape == "square":
        draw.rectangle([x - w, y - h, x + w, y + h], fill=style.color, outline=outline)
    elif style.shape == "cup":
        draw.polygon(
            [(x - w, y - h), (x + w, y - h), (x + 0.7 * w, y + h), (x - 0.7 * w, y + h)],
            fill=style.color,
            outline=outline,
        )
    else:  # bottle: body and neck
        draw.rectangle([x - w, y - 0.4 * h, x + w, y + h], fill=style.color, outline=outline)
        draw.rectangle([x - 0.45 * w, y - h, x + 0.45 * w, y - 0.4 * h], fill=style.color, outline=outline)


def render_clip(clip: Clip) -> np.ndarray:
    """Draws every frame of a clip.

    Args:
        clip (`Clip`): a generated clip.

    Returns:
        `np.ndarray` of shape `(num_frames, height, width, 3)`, uint8 RGB.
    """
    config, camera = clip.config, clip.camera
    background = render_background(config, clip.style, camera.horizon_y())
    pad = 16
    noise = _noise_field(config, clip.style["noise_seed"], pad) if config.noise > 0 else None
    noise_rng = np.random.default_rng(clip.style["noise_seed"] + 1)
    if noise is not None and not config.noise_flicker:
        background = _add_noise(background, noise, pad // 2, pad // 2)
    left_color = config.left_color if config.color_cues else config.body_color
    right_color = config.right_color if config.color_cues else config.body_color
    colors = {"left": left_color, "right": right_color, "body": config.body_color}
    shadow = tuple(int(c * 0.8) for c in clip.style["floor"])

    joints3d = clip.joints3d.astype(np.float64)
    num_frames = clip.num_frames
    pixels, depth = camera.project(joints3d)
    radius = LIMB_RADIUS * config.limb_width
    head, neck = JOINT_INDEX["head"], JOINT_INDEX["neck"]
    # per-frame geometry, vectorised: limb chains, widths, end dots, head, nose, shadow, objects
    chains = [([JOINT_INDEX[n] for n in names], colors[group], width) for names, group, width in CHAINS]
    chain_depth = np.stack([depth[:, idx].mean(axis=1) for idx, _, _ in chains], axis=1)
    chain_width = camera.pixel_size(2 * radius * np.array([w for _, _, w in chains])[None, :], chain_depth)
    ends = [JOINT_INDEX[n] for n in ("left_hand", "right_hand", "left_foot", "right_foot")]
    end_colors = [colors["left"], colors["right"], colors["left"], colors["right"]]
    end_radius = camera.pixel_size(radius * 1.3, depth[:, ends])
    head_radius = camera.pixel_size(HEAD_RADIUS, depth[:, head])
    left = joints3d[:, JOINT_INDEX["left_hip"]] - joints3d[:, JOINT_INDEX["right_hip"]]
    forward = np.cross(left, joints3d[:, head] - joints3d[:, neck])
    forward /= np.maximum(np.linalg.norm(forward, axis=-1, keepdims=True), 1e-9)
    nose_px, nose_depth = camera.project(joints3d[:, head] + forward * HEAD_RADIUS * 0.8)
    ground = joints3d[:, JOINT_INDEX["pelvis"]].copy()
    ground[:, 1] = 0.0
    ground_px, ground_depth = camera.project(ground)
    shadow_width = camera.pixel_size(0.38, ground_depth)
    if clip.objects:
        object_pixels, object_depth = camera.project(clip.object_positions.astype(np.float64))
        object_scale = camera.pixel_size(1.0, object_depth)
    background_image = Image.fromarray(background)
    frames = np.empty((num_frames, config.height, config.width, 3), dtype=np.uint8)
    for t in range(num_frames):
        image = background_image.copy()
        draw = ImageDraw.Draw(image)
        px = [tuple(p) for p in pixels[t].tolist()]
        gx, gy, sw = float(ground_px[t, 0]), float(ground_px[t, 1]), float(shadow_width[t])
        draw.ellipse([gx - sw, gy - 0.25 * sw, gx + sw, gy + 0.25 * sw], fill=shadow)
        items: list[tuple[float, int]] = [(float(chain_depth[t, k]), k) for k in range(len(chains))]
        items += [(float(depth[t, j]) - 1e-3, 100 + k) for k, j in enumerate(ends)]
        items.append((float(depth[t, head]), 200))
        items += [(float(object_depth[t, k]) - 0.05, 300 + k) for k in range(len(clip.objects))]
        items.sort(key=lambda item: (-item[0], item[1]))
        for _, code in items:
            if code < 100:
                idx, color, _ = chains[code]
                width = float(chain_width[t, code])
                draw.line([px[i] for i in idx], fill=color, width=max(1, int(round(width))), joint="curve")
                _circle(draw, px[idx[0]], width / 2, color)
                _circle(draw, px[idx[-1]], width / 2, color)
            elif code < 200:
                k = code - 100
                _circle(draw, px[ends[k]], float(end_radius[t, k]), end_colors[k])
            elif code == 200:
                r = float(head_radius[t])
                _circle(draw, px[head], r, SKIN, SKIN_OUTLINE)
                if nose_depth[t] < depth[t, head]:  # the face is turned toward the camera
                    _circle(draw, nose_px[t].tolist(), max(1.0, 0.28 * r), NOSE)
            else:
                k = code - 300
                if object_depth[t, k] > 0.3:
                    _draw_object(draw, clip.objects[k], object_pixels[t, k], float(object_scale[t, k]))
        frame = np.asarray(image)
        if noise is not None and config.noise_flicker:
            dy, dx = noise_rng.integers(0, pad, size=2)
            frame = _add_noise(frame, noise, int(dy), int(dx))
        frames[t] = frame
    return frames


__all__ = ["clip_style", "render_background", "render_clip", "sample_style"]
