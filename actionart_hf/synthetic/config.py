"""Generation settings of the synthetic benchmark: clip length, rendering style and difficulty knobs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields

from ..tasks import TASK_CODES, normalize_task


Color = tuple[int, int, int]
MIN_CLIP_SECONDS = 2.0  # a lead-in, at least one action unit and a final hold

# the kinds of question per task (what `SynthConfig.question_kinds` selects; see `questions`)
KINDS: dict[str, tuple[str, ...]] = {
    "LS": ("hand_height", "arm_direction"),
    "GS": ("posture", "facing"),
    "TL": ("start_time", "end_time"),
    "AS": ("order", "first", "last"),
    "MV": ("walk_direction", "step_direction", "turn", "lean_direction"),
    "AR": ("part_action", "body_action", "which_side"),
    "AC": ("count",),
    "HOI": ("picked_object", "thrown_object", "after_pickup", "held_at_end"),
}


@dataclass
class SynthConfig:
    """Everything that shapes a synthetic clip besides its seed.

    > Video

    Args:
        height (`int`, *optional*, defaults to 224): frame height in pixels.
        width (`int`, *optional*, defaults to 224): frame width in pixels.
        num_frames (`int`, *optional*, defaults to 64): frames per clip.
        fps (`float`, *optional*, defaults to 8.0): frame rate; the clip lasts `num_frames / fps` seconds.

    > Motion

    Args:
        min_units (`int`, *optional*, defaults to 3): fewest action units per clip.
        max_units (`int`, *optional*, defaults to 5): most action units per clip (fewer if they do not fit).
        max_count (`int`, *optional*, defaults to 4): most repetitions of a repeatable unit (wave, squat, ...).
        object_prob (`float`, *optional*, defaults to 0.85): chance that a clip has an object to interact with.
        distractor_objects (`int`, *optional*, defaults to 1): most untouched objects lying around.

    > Rendering (difficulty knobs)

    Args:
        limb_width (`float`, *optional*, defaults to 1.0): limb thickness multiplier.
        color_cues (`bool`, *optional*, defaults to `True`): draw left and right limbs in different colours; when
            False both sides use `body_color` and only the figure's geometry tells them apart.
        left_color (`tuple[int, int, int]`, *optional*, defaults to red): RGB of the person's left limbs.
        right_color (`tuple[int, int, int]`, *optional*, defaults to blue): RGB of the person's right limbs.
        body_color (`tuple[int, int, int]`, *optional*, defaults to dark grey): RGB of the torso.
        clutter (`int`, *optional*, defaults to 3): number of random background shapes.
        noise (`float`, *optional*, defaults to 0.0): standard deviation of static pixel noise (0-255 scale).
        noise_flicker (`bool`, *optional*, defaults to `False`): redraw the noise every frame (much larger MP4s).
        camera_yaw (`float`, *optional*, defaults to 20.0): camera yaw is drawn uniformly in `[-camera_yaw,
            camera_yaw]` degrees.

    > Questions

    Args:
        distractor_closeness (`float`, *optional*, defaults to 0.5): probability of hard distractors (the mirrored
            side, neighbouring counts) instead of other actions of the same category.
        questions_per_clip (`int`, *optional*, defaults to 8): questions drawn per clip (at most one per task and
            kind).
        task_weights (`dict[str, float]`, *optional*): relative weight of each sub-task; all 1 by default, 0
            disables a task.
        question_kinds (`list[str]`, *optional*): keep only these question kinds (see
            `actionart_hf.synthetic.config.KINDS`, e.g. `["posture", "hand_height"]`); all kinds by default.
    """

    height: int = 224
    width: int = 224
    num_frames: int = 64
    fps: float = 8.0
    min_units: int = 3
    max_units: int = 5
    max_count: int = 4
    object_prob: float = 0.85
    distractor_objects: int = 1
    limb_width: float = 1.0
    color_cues: bool = True
    left_color: Color = (220, 40, 40)
    right_color: Color = (30, 90, 230)
    body_color: Color = (70, 70, 80)
    clutter: int = 3
    noise: float = 0.0
    noise_flicker: bool = False
    camera_yaw: float = 20.0
    distractor_closeness: float = 0.5
    questions_per_clip: int = 8
    task_weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TASK_CODES, 1.0))
    question_kinds: list[str] | None = None

    def __post_init__(self):
        self.left_color = tuple(int(c) for c in self.left_color)
        self.right_color = tuple(int(c) for c in self.right_color)
        self.body_color = tuple(int(c) for c in self.body_color)
        weights = {code: 0.0 for code in TASK_CODES}
        for task, weight in dict(self.task_weights).items():
            weights[normalize_task(task)] = float(weight)
        self.task_weights = weights
        checks = [
            ("height", self.height >= 16, "at least 16 pixels"),
            ("width", self.width >= 16, "at least 16 pixels"),
            ("num_frames", self.num_frames >= 4, "at least 4 frames"),
            ("fps", self.fps > 0, "positive"),
            ("min_units", 1 <= self.min_units <= self.max_units, "between 1 and max_units"),
            ("max_count", 1 <= self.max_count <= 9, "between 1 and 9"),
            ("object_prob", 0.0 <= self.object_prob <= 1.0, "a probability"),
            ("distractor_objects", 0 <= self.distractor_objects <= 3, "between 0 and 3"),
            ("limb_width", self.limb_width > 0, "positive"),
            ("clutter", 0 <= self.clutter <= 100, "between 0 and 100"),
            ("noise", 0.0 <= self.noise <= 128.0, "between 0 and 128"),
            ("camera_yaw", 0.0 <= self.camera_yaw <= 180.0, "between 0 and 180 degrees"),
            ("distractor_closeness", 0.0 <= self.distractor_closeness <= 1.0, "between 0 and 1"),
            ("questions_per_clip", self.questions_per_clip >= 0, "0 or more"),
            ("task_weights", all(w >= 0 for w in weights.values()) and any(weights.values()), "non-negative, one > 0"),
        ]
        if self.question_kinds is not None:
            known = {kind for kinds in KINDS.values() for kind in kinds}
            self.question_kinds = sorted(self.question_kinds)
            unknown = sorted(set(self.question_kinds) - known)
            if unknown or not self.question_kinds:
                raise ValueError(
                    f"SynthConfig.question_kinds={self.question_kinds!r} is invalid: use some of {sorted(known)}."
                )
        for name, ok, rule in checks:
            if not ok:
                raise ValueError(f"SynthConfig.{name}={getattr(self, name)!r} is invalid: it must be {rule}.")

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps

    def check_clip_length(self) -> None:
        """Raises a `ValueError` when clips of `num_frames / fps` seconds are too short for a sequence of units."""
        if self.duration_s < MIN_CLIP_SECONDS:
            raise ValueError(
                f"num_frames={self.num_frames} at fps={self.fps} gives {self.duration_s:.2f} s clips; a clip needs at "
                f"least {MIN_CLIP_SECONDS:.0f} s: raise --num-frames or lower --fps."
            )

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("left_color", "right_color", "body_color"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SynthConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown SynthConfig fields {unknown}; known fields: {sorted(known)}.")
        return cls(**data)

    def fingerprint(self) -> str:
        """A short hash of every setting (used to name resumable work folders)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]


def parse_task_weights(text: str) -> dict[str, float]:
    """`"GS=1,LS=2"` → `{"GS": 1.0, "LS": 2.0}`; unnamed tasks get weight 0.

    Raises:
        ValueError: naming the bad entry.
    """
    weights = dict.fromkeys(TASK_CODES, 0.0)
    for entry in filter(None, (part.strip() for part in text.split(","))):
        task, sep, value = entry.partition("=")
        if not sep:
            raise ValueError(f"Task weight {entry!r} must look like TASK=WEIGHT, e.g. 'GS=1,LS=1'.")
        try:
            weights[normalize_task(task.strip())] = float(value)
        except ValueError as error:
            raise ValueError(f"Task weight {entry!r}: {error}") from None
    return weights


def parse_color(text: str) -> Color:
    """`"220,40,40"` or `"#dc2828"` → `(220, 40, 40)`."""
    text = text.strip()
    try:
        if text.startswith("#") and len(text) == 7:
            return tuple(int(text[i : i + 2], 16) for i in (1, 3, 5))
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or not all(0 <= v <= 255 for v in values):
        raise ValueError(f"Colour {text!r} must be 'R,G,B' with values 0-255 or '#rrggbb'.")
    return values


__all__ = ["KINDS", "SynthConfig", "parse_color", "parse_task_weights"]
