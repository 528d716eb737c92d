"""A pinhole camera looking at the person, with yaw around the vertical axis.

At `yaw_deg=0` the camera sits on the +z axis looking toward -z, so image right is world +x. A positive yaw moves
the camera counter-clockwise (seen from above) around the scene centre.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Camera:
    """Pinhole camera.

    Args:
        width (`int`), height (`int`): image size in pixels.
        yaw_deg (`float`, *optional*, defaults to 0): position around the scene centre (degrees).
        distance (`float`, *optional*, defaults to 5.0): horizontal distance to the scene centre (metres).
        elevation (`float`, *optional*, defaults to 1.5): camera height above the ground (metres).
        target_height (`float`, *optional*, defaults to 0.85): height of the point looked at (metres).
        person_fraction (`float`, *optional*, defaults to 0.6): sets the focal length so that a 1.75 m person at
            the scene centre spans this fraction of the image height.
    """

    width: int
    height: int
    yaw_deg: float = 0.0
    distance: float = 5.0
    elevation: float = 1.5
    target_height: float = 0.85
    person_fraction: float = 0.6

    @property
    def focal(self) -> float:
        """Focal length in pixels."""
        return self.person_fraction * min(self.height, self.width) * self.distance / 1.75

    @cached_property
    def position(self) -> np.ndarray:
        """Camera centre in world coordinates, shape `(3,)`."""
        yaw = np.radians(self.yaw_deg)
        return np.array([self.distance * np.sin(yaw), self.elevation, self.distance * np.cos(yaw)])

    @cached_property
    def axes(self) -> np.ndarray:
        """Rows: the camera's right, up and viewing direction in world coordinates, shape `(3, 3)`."""
        forward = np.array([0.0, self.target_height, 0.0]) - self.position
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 1.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        return np.stack([right, up, forward])

    def ground_axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors on the ground: toward the image's right, and toward the camera. Each shape `(3,)`."""
        right = self.axes[0].copy()
        right[1] = 0.0
        right /= np.linalg.norm(right)
        toward = self.position.copy()
        toward[1] = 0.0
        toward /= np.linalg.norm(toward)
        return right, toward

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points `(..., 3)` → camera coordinates `(..., 3)` (x right, y up, z depth)."""
        return (np.asarray(points, dtype=np.float64) - self.position) @ self.axes.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projects world points to pixels.

        Args:
            points (`np.ndarray` of shape `(..., 3)`): world coordinates.

        Returns:
            `(pixels, depth)`: `np.ndarray` of shape `(..., 2)` with `(x, y)` pixel coordinates (y down, origin at
            the top-left corner) and `np.ndarray` of shape `(...)` with the depth in metres.
        """
        cam = self.to_camera(points)
        depth = np.maximum(cam[..., 2], 1e-3)
        x = self.width / 2 + self.focal * cam[..., 0] / depth
        y = self.height / 2 - self.focal * cam[..., 1] / depth
        return np.stack([x, y], axis=-1), cam[..., 2]

    def pixel_size(self, metres: float | np.ndarray, depth: np.ndarray) -> np.ndarray:
        """Size in pixels of `metres` seen at `depth`."""
        return self.focal * np.asarray(metres) / np.maximum(depth, 1e-3)

    def horizon_y(self) -> float:
        """Image row of the ground's horizon (points far away on the ground)."""
        direction = self.axes[2].copy()
        direction[1] = 0.0
        far = self.position + direction / np.linalg.norm(direction) * 1e4
        far[1] = 0.0
        return float(self.project(far)[0][1])

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items()}


__all__ = ["Camera"]
