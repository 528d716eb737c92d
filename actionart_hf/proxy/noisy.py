"""The noisy oracle: the exact oracle with simulated teacher errors and rewording, a stand-in for the paper's 72B
teacher on synthetic videos.

    >>> teacher = NoisyOracleTeacher(SyntheticLabels("outputs/synth"), error_rate=0.15)
    >>> teacher.id
    'oracle-noisy:v1(error=0.15,paraphrase)'

- Pose descriptions and spatial differences: with probability `error_rate` the answer describes a wrong pose or
  change, either another clip's (a random frame, or a random pair of frames, of another video of the folder) or the
  exact one with one or two state phrases swapped for other values of the same state (posture, facing, hand height,
  arm direction, torso, leg, where the person moved).
- Unit labels: with probability `error_rate` another action label of the folder.
- FGQA question writing: the oracle's questions (exact answers) in the teacher's own wording
  (`actionart_hf.proxy.paraphrase.reword_question`); errors reach FGQA through the unit labels.
- With `paraphrase=True`, pose texts come back in other sentence frames with the state phrases unchanged
  (`actionart_hf.proxy.paraphrase.paraphrase_pose_text`).

Every draw comes from a hash of the request's context and the seed, so a request always gets the same answer (the
call cache and reruns give the same bytes), and a request that is wrong at one error rate is wrong at every higher one.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence

from .oracle import OracleTeacher, SyntheticLabels
from .paraphrase import paraphrase_pose_text, reword_question
from .teachers import Teacher


NOISY_ORACLE_NAME = "oracle-noisy"
NOISY_ORACLE_VERSION = "v1"
MAX_SWAPS = 2
NOISY_ORACLE_NOTE = (
    "The `oracle-noisy` teacher is a stand-in for the paper's teacher model (Qwen2.5-VL-72B), not a model: it answers "
    "from the synthetic generator's exact labels and simulates a teacher's mistakes. For the share of requests given "
    "by `error=` in its id, a pose description or spatial difference describes a wrong pose (another clip's frame, or "
    "the exact text with state phrases swapped for other values) and a unit label names another action of the "
    "folder. With `paraphrase`, it rewords its sentences (the state phrases stay as they are) and writes FGQA "
    "questions in its own wording instead of the oracle's templates."
)


def _swap_tables(kind: str) -> tuple[Mapping[str, str], ...]:
    from ..synthetic import states
    from ..synthetic.actions import WALK_PHRASES
    from ..synthetic.descriptions import HAND_LEVELS

    body = (states.POSTURE_PHRASES, states.FACING_PHRASES, states.ARM_DIRECTION_PHRASES, states.TORSO_PHRASES)
    body += (states.LEG_PHRASES,)
    if kind == "pose_description":
        return (*body, states.HAND_HEIGHT_PHRASES)
    return (*body, HAND_LEVELS, WALK_PHRASES)  # pose changes word hand heights as levels and say where one moved


def swap_state_phrases(text: str, tables: Sequence[Mapping[str, str]], rng: random.Random) -> str | None:
    """`text` with one or two of its state phrases replaced by another value of the same state (one not already in
    the text), or None when it has none to swap.

    Args:
        text (`str`): a pose description or pose change.
        tables (`Sequence[Mapping[str, str]]`): the phrase tables of the states (a phrase belongs to its first table).
        rng (`random.Random`): the draws.
    """
    table_of: dict[str, Mapping[str, str]] = {}
    for table in tables:
        for phrase in table.values():
            table_of.setdefault(phrase, table)
    alternatives = "|".join(re.escape(p) for p in sorted(table_of, key=lambda p: (-len(p), p)))
    matches = list(re.finditer(rf"(?<!\w)(?:{alternatives})(?!\w)", text))
    present = {match.group(0) for match in matches}
    swappable = [m for m in matches if any(v not in present for v in table_of[m.group(0)].values())]
    if not swappable:
        return None
    chosen = rng.sample(swappable, min(len(swappable), rng.randint(1, MAX_SWAPS)))
    for match in sorted(chosen, key=lambda m: m.start(), reverse=True):
        values = sorted(v for v in table_of[match.group(0)].values() if v not in present)
        text = text[: match.start()] + rng.choice(values) + text[match.end() :]
    return text


class NoisyOracleTeacher(Teacher):
    """The oracle with a configurable error rate and paraphrases (see the module docstring).

    Args:
        labels ([`SyntheticLabels`], *optional*): ground truth for image requests (as for [`OracleTeacher`]).
        error_rate (`float`, *optional*, defaults to 0.15): share of pose descriptions, spatial differences and unit
            labels answered wrongly.
        paraphrase (`bool`, *optional*, defaults to `True`): reword pose texts and FGQA questions.
        seed (`int`, *optional*, defaults to 0): which requests are wrong and how.

    Raises:
        ValueError: `error_rate` is outside [0, 1].
    """

    uses_context = True

    def __init__(
        self, labels: SyntheticLabels | None = None, error_rate: float = 0.15, paraphrase: bool = True, seed: int = 0
    ):
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError(f"error_rate={error_rate} must be in [0, 1] (e.g. 0.15 for 15% wrong answers).")
        self.oracle = OracleTeacher(labels)
        self.labels = labels
        self.error_rate = float(error_rate)
        self.paraphrase = paraphrase
        self.seed = int(seed)
        options = [f"error={self.error_rate:g}"] + (["paraphrase"] if paraphrase else [])
        options += [f"seed={self.seed}"] if self.seed else []
        self.id = f"{NOISY_ORACLE_NAME}:{NOISY_ORACLE_VERSION}({','.join(options)})"
        self._unit_labels: list[str] | None = None

    def _draws(self, context: dict) -> tuple[random.Random, random.Random]:
        """Two independent random streams of one request: whether and how it is wrong, and its wording."""
        payload = json.dumps({"seed": self.seed, "context": context}, sort_keys=True, default=str)
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        return random.Random(f"{digest}:error"), random.Random(f"{digest}:wording")

    def generate(self, messages, images, settings, *, context=None, timeout=None) -> str:
        context = context or {}
        kind = context.get("kind")
        exact = self.oracle.generate(messages, images, settings, context=context, timeout=timeout)
        if kind not in ("pose_description", "spatial_difference", "unit_label", "fgqa_mcq"):
            return exact
        error_rng, wording_rng = self._draws(context)
        if kind == "fgqa_mcq":
            if not self.paraphrase:
                return exact
            questions = json.loads(exact)["questions"]
            reworded = [{**q, "question": reword_question(q["question"], wording_rng)} for q in questions]
            return json.dumps({"questions": reworded})
        text = exact
        if error_rng.random() < self.error_rate:
            text = self._wrong(kind, context, exact, error_rng)
        if self.paraphrase and kind != "unit_label":
            text = paraphrase_pose_text(text, wording_rng)
        return text

    def _wrong(self, kind: str, context: dict, exact: str, rng: random.Random) -> str:
        """A wrong answer to an image request: the first candidate that differs from `exact` (else `exact`)."""
        if kind == "unit_label":
            if self._unit_labels is None:  # read once: every label of the folder
                self._unit_labels = self.labels.unit_labels()
            others = [label for label in self._unit_labels if label != exact]
            return rng.choice(others) if others else exact
        video, frames = context["source_video"], list(context["frame_indices"])
        candidates = [
            lambda: swap_state_phrases(exact, _swap_tables(kind), rng),
            lambda: self._other(video, frames, rng),
        ]
        if rng.random() < 0.5:
            candidates.reverse()
        for candidate in candidates:
            text = candidate()
            if text and text != exact:
                return text
        return exact

    def _other(self, video: str, frames: list[int], rng: random.Random) -> str | None:
        """The same request about a random frame (or pair of frames) of another video, or None without one."""
        others = [v for v in self.labels.videos() if v != video]
        if not others:
            return None
        other = rng.choice(others)
        num_frames = self.labels.clip(other).num_frames
        if len(frames) == 1:
            return self.labels.describe_pose(other, rng.randrange(num_frames))
        first, second = sorted(rng.sample(range(num_frames), 2))
        return self.labels.describe_change(other, first, second)


def stand_in_card_sections(teacher_lines: Iterable[str]) -> dict[str, str]:
    """The card section that explains the noisy oracle, when one of the teacher lines names it."""
    if any(f"{NOISY_ORACLE_NAME}:" in line for line in teacher_lines):
        return {"Stand-in teacher": NOISY_ORACLE_NOTE}
    return {}


__all__ = [
    "NOISY_ORACLE_NAME",
    "NOISY_ORACLE_NOTE",
    "NOISY_ORACLE_VERSION",
    "NoisyOracleTeacher",
    "stand_in_card_sections",
    "swap_state_phrases",
]
