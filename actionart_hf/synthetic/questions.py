"""Multiple-choice questions for the 8 ActionArt sub-tasks, derived from a clip's labels, and their checker.

Three steps:

1. `candidate_questions(clip)` lists every question that can be asked about a clip, each with exactly one true
   option. Every option carries a machine value (`Question.values`) and the question a machine spec
   (`Question.spec`).
2. `select_questions(...)` picks questions per clip by task weight, choosing among a clip's candidates the one
   whose (kind, answer value) is rarest so far, so that answer values come out nearly uniform over a set and
   text-only shortcuts (longest option, word overlap) stay at chance.
3. `balance_answer_letters(...)` places the correct option so that each letter is (within one question per task)
   equally often right.

`check_question(clip, question)` re-derives the truth of *every* option from the labels (joint positions read
through `states.py`, events, repetitions, object events) and returns a reason when the answer is not the only
true option.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from ..data.validation import check_mcq
from ..tasks import OPTION_LETTERS, TASK_CODES
from .actions import STEP_PHRASES, UNITS, WALK_PHRASES, UnitCall
from .clip import ActionEvent, Clip
from .config import KINDS
from .random_streams import Stream, stream_rng
from .skeleton import JOINT_INDEX, SIDES
from .states import (
    ARM_DIRECTION_PHRASES,
    FACING_PHRASES,
    HAND_HEIGHT_PHRASES,
    POSTURE_PHRASES,
    arm_direction_states,
    facing_states,
    hand_height_states,
    posture_states,
    stable_state,
    torso_states,
)


NUM_OPTIONS = 4
MAX_CATCH_UP = 2  # extra questions a clip may give a task that earlier clips left short
TURN_PHRASES = {
    "left90": "a quarter turn to their left",
    "right90": "a quarter turn to their right",
    "half": "a half turn",
    "full": "a full turn",
}
LEAN_PHRASES = {
    "leaning_left": "to their left",
    "leaning_right": "to their right",
    "bent_forward": "forward",
    "leaning_back": "backward",
}
AFTER_PICKUP_PHRASES = {
    "throw": "throws it forward",
    "put_down": "puts it down on the floor",
    "lift": "lifts it above the head",
    "keep": "keeps holding it until the end of the video",
}
OBJECT_OPTIONS = ("ball", "box", "cup", "bottle")
ARM_AR_UNITS = ("raise_arm", "lower_arm", "stretch_arm_forward", "stretch_arm_side", "hand_on_hip", "wave", "punch")
LEG_AR_UNITS = ("kick", "knee_raise", "foot_tap", "leg_side_raise")
BODY_AR_UNITS = ("squat", "jump", "bend_forward", "lean", "lean_back", "spin")
TURN_UNITS = {"turn", "turn_around", "spin"}
LEAN_UNITS = {"lean", "lean_back", "bend_forward"}


@dataclass
class Question:
    """One multiple-choice question with machine-readable meaning.

    Args:
        task (`str`): sub-task code.
        kind (`str`): question type within the task (see `KINDS`).
        question (`str`): question text.
        options (`list[str]`): option texts.
        values (`list[str]`): the machine value of each option (what the checker evaluates).
        answer (`str`): letter of the correct option.
        spec (`dict`): what is asked (side, frame window, event index, ...), JSON-serialisable.
    """

    task: str
    kind: str
    question: str
    options: list[str]
    values: list[str]
    answer: str
    spec: dict = field(default_factory=dict)

    @property
    def answer_index(self) -> int:
        return OPTION_LETTERS.index(self.answer)

    @property
    def answer_value(self) -> str:
        return self.values[self.answer_index]

    def with_answer_at(self, index: int, rng: np.random.Generator) -> Question:
        """The same question with the correct option moved to `index` and the distractors shuffled."""
        correct = self.answer_index
        others = [i for i in range(len(self.options)) if i != correct]
        others = [others[i] for i in rng.permutation(len(others))]
        order = others[:index] + [correct] + others[index:]
        return replace(
            self,
            options=[self.options[i] for i in order],
            values=[self.values[i] for i in order],
            answer=OPTION_LETTERS[index],
        )

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "kind": self.kind,
            "question": self.question,
            "options": list(self.options),
            "values": list(self.values),
            "answer": self.answer,
            "spec": self.spec,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Question:
        return cls(
            data["task"],
            data["kind"],
            data["question"],
            list(data["options"]),
            list(data["values"]),
            data["answer"],
            dict(data.get("spec") or {}),
        )


# ----------------------------------------------------------------------------------------------- helpers
def clip_states(clip: Clip, name: str, side: str | None = None) -> list[str | None]:
    """Per-frame states of a clip (`posture`, `facing`, `hand_height`, `arm_direction`, `torso`), computed once."""
    cache = clip.__dict__.setdefault("_state_cache", {})
    key = (name, side, id(clip.joints3d))
    if key not in cache:
        joints = clip.joints3d.astype(np.float64)
        if name == "posture":
            cache[key] = posture_states(joints)
        elif name == "facing":
            cache[key] = facing_states(joints, clip.camera)
        elif name == "hand_height":
            cache[key] = hand_height_states(joints, side)
        elif name == "arm_direction":
            cache[key] = arm_direction_states(joints, side)
        elif name == "torso":
            cache[key] = torso_states(joints)
        else:
            raise ValueError(f"Unknown state {name!r}; use posture, facing, hand_height, arm_direction or torso.")
    return cache[key]


def hold_frames(fps: float) -> int:
    """Frames of the windows "at the start", "at the end" and "right after X"."""
    return max(2, int(round(0.3 * fps)))


def _key_counts(clip: Clip) -> Counter:
    return Counter(e.call.key for e in clip.events)


_STOPWORDS = frozenset(
    "a an the of to is are does do did person persons what which who with in at on it its their them this these "
    "that video how way where when after right before while".split()
)


def content_words(text: str) -> set[str]:
    """Lower-case words of `text` without stop words, plural `s` removed (`hips` → `hip`)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in _STOPWORDS}


def _windows(clip: Clip, vocabulary=(), skip=lambda event: False) -> list[tuple[str, int, int, dict]]:
    """(phrase, start, stop, spec) of the moments state questions may ask about.

    Windows "right after <event>" leave out events for which `skip(event)` is true (they would give the answer
    away, e.g. "right after the person sits down, what is their posture?") and events whose phrase shares a word
    with the option `vocabulary`.
    """
    w, n = hold_frames(clip.fps), clip.num_frames
    windows = [
        ("At the start of the video", 0, w, {"moment": "start"}),
        ("At the end of the video", n - w, n, {"moment": "end"}),
    ]
    counts = _key_counts(clip)
    vocabulary = set().union(*(content_words(v) for v in vocabulary)) if vocabulary else set()
    for event in clip.events:
        if skip(event) or content_words(event.call.phrase("third")) & vocabulary:
            continue
        if counts[event.call.key] == 1 and event.end_frame + w <= n:
            phrase = f"Right after the person {event.call.phrase('third')}"
            windows.append((phrase, event.end_frame, event.end_frame + w, {"moment": "after", "event": event.index}))
    return windows


def _make(
    task: str,
    kind: str,
    text: str,
    answer_value: str,
    distractor_values: list[str],
    phrase_of,
    spec: dict,
    rng: np.random.Generator,
) -> Question | None:
    if len(distractor_values) < NUM_OPTIONS - 1:
        return None
    chosen = [distractor_values[i] for i in rng.choice(len(distractor_values), NUM_OPTIONS - 1, replace=False)]
    values = [answer_value, *chosen]
    order = rng.permutation(NUM_OPTIONS)
    values = [values[i] for i in order]
    answer = OPTION_LETTERS[int(np.where(order == 0)[0][0])]
    return Question(task, kind, text, [phrase_of(v) for v in values], values, answer, spec)


def _closed_question(
    task: str, kind: str, text: str, answer_value: str, phrases: dict[str, str], spec: dict, rng: np.random.Generator
) -> Question | None:
    """A question whose options are drawn from a closed vocabulary: `phrases` maps every value to its option text."""
    return _make(task, kind, text, answer_value, [v for v in phrases if v != answer_value], phrases.get, spec, rng)


def _state_question(
    task: str,
    kind: str,
    text: str,
    states: list[str | None],
    phrases: dict[str, str],
    frames: tuple[int, int],
    spec: dict,
    rng: np.random.Generator,
) -> Question | None:
    """A question on the state held throughout `frames` (None when the state changes or is unclear there)."""
    a, b = frames
    value = stable_state(states, a, b)
    if not value:
        return None
    return _closed_question(task, kind, text, value, phrases, {**spec, "frames": [a, b]}, rng)


def _quarters(clip: Clip) -> list[tuple[float, float]]:
    duration = clip.duration_s
    return [(duration * q / 4, duration * (q + 1) / 4) for q in range(4)]


def _quarter_phrase(clip: Clip, value: str) -> str:
    a, b = _quarters(clip)[int(value)]
    return f"From {a:.1f} s to {b:.1f} s"


def _unit_call(value: str) -> UnitCall:
    name, side, direction, obj = value.split("|")
    return UnitCall(name, side or None, 1, direction or None, obj or None)


# ------------------------------------------------------------------------------------------------ candidates
def candidate_questions(
    clip: Clip, seed: int | None = None, distractor_closeness: float | None = None
) -> list[Question]:
    """Every question that can be asked about a clip (each verified by `check_question`).

    Args:
        clip (`Clip`): a generated clip (or one rebuilt with `Clip.from_motion_row`).
        seed (`int`, *optional*): seed of the option sampling; defaults to the clip seed.
        distractor_closeness (`float`, *optional*): defaults to `clip.config.distractor_closeness`.

    Returns:
        `list[Question]` with options in random order.
    """
    rng = stream_rng(clip.seed if seed is None else seed, Stream.QUESTIONS)
    closeness = clip.config.distractor_closeness if distractor_closeness is None else distractor_closeness
    makers = (_ls, _gs, _tl, _as, _mv, _ar, _ac, _hoi)
    kinds = set(clip.config.question_kinds) if clip.config.question_kinds else None
    questions = []
    for maker in makers:
        for question in maker(clip, rng, closeness):
            if question is None or (kinds is not None and question.kind not in kinds):
                continue
            if check_question(clip, question) is None:
                questions.append(question)
    return questions


def _moves_arm(event, side: str) -> bool:
    """Whether an event moves (or may give away the state of) one arm."""
    return event.part in (f"{side}_arm", "both_arms") or (event.category == "object")


def _ls(clip, rng, closeness):
    vocabulary = [*HAND_HEIGHT_PHRASES.values(), *ARM_DIRECTION_PHRASES.values()]
    for side in SIDES:
        heights = clip_states(clip, "hand_height", side)
        directions = clip_states(clip, "arm_direction", side)
        for phrase, a, b, spec in _windows(clip, vocabulary, lambda e, side=side: _moves_arm(e, side)):
            side_spec = {**spec, "side": side}
            text = f"{phrase}, where is the person's {side} hand?"
            yield _state_question("LS", "hand_height", text, heights, HAND_HEIGHT_PHRASES, (a, b), side_spec, rng)
            text = f"{phrase}, how is the person's {side} arm held?"
            yield _state_question(
                "LS", "arm_direction", text, directions, ARM_DIRECTION_PHRASES, (a, b), side_spec, rng
            )


def _gs(clip, rng, closeness):
    postures = clip_states(clip, "posture")
    facing = clip_states(clip, "facing")
    vocabulary = [*POSTURE_PHRASES.values(), *FACING_PHRASES.values()]
    for phrase, a, b, spec in _windows(clip, vocabulary, lambda e: e.category in ("posture", "turn", "locomotion")):
        text = f"{phrase}, what is the person's posture?"
        yield _state_question("GS", "posture", text, postures, POSTURE_PHRASES, (a, b), spec, rng)
        text = f"{phrase}, which way is the person facing?"
        yield _state_question("GS", "facing", text, facing, FACING_PHRASES, (a, b), spec, rng)


def _tl(clip, rng, closeness):
    counts = _key_counts(clip)
    for event in clip.events:
        if counts[event.call.key] != 1:
            continue
        for kind, frame in (("start_time", event.start_frame), ("end_time", event.end_frame)):
            value = _quarter_of(clip, frame)
            if value is None:
                continue
            if kind == "start_time":
                text = f"When does the person start to {event.call.phrase('base')}?"
            else:
                text = f"When does the person finish {event.call.phrase('gerund')}?"
            yield _make(
                "TL",
                kind,
                text,
                value,
                [str(q) for q in range(4) if str(q) != value],
                lambda v: _quarter_phrase(clip, v),
                {"event": event.index, "key": event.call.key},
                rng,
            )


def _quarter_of(clip: Clip, frame: int) -> str | None:
    """The quarter holding `frame`, if it is at least a margin away from the quarter boundaries."""
    margin = max(1.0, 0.25 * clip.fps) / clip.fps
    t = frame / clip.fps
    for q, (a, b) in enumerate(_quarters(clip)):
        if a + (margin if q else 0) <= t <= b - (margin if q < 3 else 0):
            return str(q)
    return None


def _as(clip, rng, closeness):
    counts = _key_counts(clip)
    unique = [e for e in clip.events if counts[e.call.key] == 1]
    if len(unique) >= 3:
        picks = sorted(rng.choice(len(unique), 3, replace=False))
        chosen = [unique[i] for i in picks]
        keys = [e.call.key for e in chosen]
        phrases = {e.call.key: e.call.phrase("third") for e in chosen}
        answer = ">".join(keys)
        perms = [">".join(p) for p in itertools.permutations(keys) if list(p) != keys]
        if rng.random() < closeness:  # one swap away from the truth
            close = [">".join(p) for p in itertools.permutations(keys) if sum(x != y for x, y in zip(p, keys)) == 2]
            perms = close + [p for p in perms if p not in close][: max(0, 3 - len(close))]
        yield _make(
            "AS",
            "order",
            "In which order does the person do these actions?",
            answer,
            perms,
            lambda v: ", then ".join(phrases[k] for k in v.split(">")),
            {"keys": keys},
            rng,
        )
    if len(unique) >= 2 and len(clip.events) >= 3:
        phrases = {e.call.key: e.call.phrase("third") for e in clip.events}
        for kind, target in (("first", clip.events[0]), ("last", clip.events[-1])):
            if counts[target.call.key] != 1:
                continue
            others = [e.call.key for e in clip.events if e.call.key != target.call.key]
            others = list(dict.fromkeys(others))
            fillers = _fillers(clip, rng, NUM_OPTIONS - 1 - len(others), phrases)
            yield _make(
                "AS",
                kind,
                f"What does the person do {kind}?",
                target.call.key,
                others + fillers,
                phrases.get,
                {"which": kind},
                rng,
            )


def _fillers(clip: Clip, rng: np.random.Generator, count: int, phrases: dict) -> list[str]:
    """Actions the person does not do, of the same categories as the clip's actions."""
    if count <= 0:
        return []
    categories = {e.category for e in clip.events} - {"object", "locomotion"}
    done = {e.call.key for e in clip.events}
    pool = []
    for name, spec in UNITS.items():
        if spec.category not in categories:
            continue
        for side in SIDES if spec.sided else (None,):
            call = UnitCall(name, side)
            if call.key not in done:
                pool.append(call)
    picks = [pool[i] for i in rng.permutation(len(pool))[:count]]
    for call in picks:
        phrases[call.key] = call.phrase("third")
    return [c.key for c in picks]


def _motion_answer(event: ActionEvent) -> tuple[str, str, dict[str, str], str] | None:
    """(kind, question text, option phrases, answer value) of the movement question on an event, if it has one."""
    if event.name == "walk":
        return "walk_direction", "In which direction does the person walk?", WALK_PHRASES, event.call.direction
    if event.name == "step":
        return "step_direction", "In which direction does the person step?", STEP_PHRASES, event.call.direction
    if event.name in TURN_UNITS:
        value = {"turn": f"{event.call.side}90", "turn_around": "half", "spin": "full"}[event.name]
        return "turn", "How does the person turn?", TURN_PHRASES, value
    if event.name in LEAN_UNITS:
        value = {
            "lean": f"leaning_{event.call.side}",
            "lean_back": "leaning_back",
            "bend_forward": "bent_forward",
        }[event.name]
        return "lean_direction", "In which direction does the person move the upper body?", LEAN_PHRASES, value
    return None


def _mv(clip, rng, closeness):
    for event in clip.events:
        motion = _motion_answer(event)
        if motion:
            kind, text, phrases, value = motion
            yield _closed_question("MV", kind, text, value, phrases, {"event": event.index}, rng)


def _part_name(part: str) -> str:
    return part.replace("_", " ")


def _ar(clip, rng, closeness):
    performed = {(e.name, e.part) for e in clip.events}
    for event in clip.events:
        part = event.part
        if event.category == "arm" and event.name in ARM_AR_UNITS:
            pool = ARM_AR_UNITS
        elif event.category == "leg" and event.name in LEG_AR_UNITS:
            pool = LEG_AR_UNITS
        elif event.category == "body" and event.name in BODY_AR_UNITS:
            pool = BODY_AR_UNITS
        else:
            continue
        if pool is BODY_AR_UNITS:
            names = {e.name for e in clip.events}
            kind, text, spec = "body_action", "Which whole-body action does the person perform?", {"part": "body"}
        else:
            names = {n for n, p in performed if p == part}
            kind, text = "part_action", f"Which action does the person perform with the {_part_name(part)}?"
            spec = {"part": part}
        distractors = [n for n in pool if n not in names]
        yield _make("AR", kind, text, event.name, distractors, lambda v: UNITS[v].ar_phrase, spec, rng)
        if event.call.side and rng.random() < max(closeness, 0.25):
            # which side: the mirrored action (if not done) and other sided actions of the same category
            done = {e.call.key for e in clip.events}
            mirror = UnitCall(event.name, "right" if event.call.side == "left" else "left")
            same_category = [UnitCall(n, s) for n in pool if UNITS[n].sided for s in SIDES if n != event.name]
            pool_calls = [c for c in same_category if c.key not in done]
            pool_calls = [pool_calls[i] for i in rng.permutation(len(pool_calls))]
            distractor_calls = ([mirror] if mirror.key not in done else []) + pool_calls
            distractor_calls = distractor_calls[: NUM_OPTIONS - 1]
            answer = UnitCall(event.name, event.call.side)
            yield _make(
                "AR",
                "which_side",
                "Which of these does the person do?",
                answer.key,
                [c.key for c in distractor_calls],
                lambda v: _unit_call(v).phrase("third"),
                {},
                rng,
            )


def _ac(clip, rng, closeness):
    totals: dict[str, int] = {}
    for event in clip.events:
        if event.call.count_phrase() and event.reps:
            key = f"{event.name}|{event.call.side or ''}"
            totals[key] = totals.get(key, 0) + len(event.reps)
    for key, count in totals.items():
        name, side = key.split("|")
        phrase = UnitCall(name, side or None).count_phrase("base")
        span = 3 if rng.random() < closeness else 6
        below = int(rng.integers(0, min(3, count) + 1))
        lower = [str(v) for v in rng.permutation(np.arange(max(0, count - span), count))[:below]]
        upper = [str(v) for v in rng.permutation(np.arange(count + 1, count + span + 1))[: NUM_OPTIONS - 1 - below]]
        question = _make(
            "AC",
            "count",
            f"How many times does the person {phrase}?",
            str(count),
            lower + upper,
            str,
            {"key": key},
            rng,
        )
        yield question


def _hoi(clip, rng, closeness):
    picks = [e for e in clip.object_events if e.action == "pick_up"]
    throws = [e for e in clip.object_events if e.action == "throw"]
    objects = {k: f"the {k}" for k in OBJECT_OPTIONS}
    if len(picks) == 1:
        obj = picks[0].obj
        yield _closed_question("HOI", "picked_object", "Which object does the person pick up?", obj, objects, {}, rng)
        later = [e for e in clip.object_events if e.obj == obj and e.frame > picks[0].frame]
        value = later[0].action if later else "keep"
        text = f"What does the person do with the {obj} right after picking it up?"
        yield _closed_question("HOI", "after_pickup", text, value, AFTER_PICKUP_PHRASES, {"object": obj}, rng)
    if len(throws) == 1:
        obj = throws[0].obj
        yield _closed_question("HOI", "thrown_object", "Which object does the person throw?", obj, objects, {}, rng)
    if picks:
        held = [k for k in clip.objects if clip.object_holder(k, clip.num_frames - 1)]
        value = held[0] if len(held) == 1 else ("nothing" if not held else None)
        if value:
            text = "What is the person holding at the end of the video?"
            yield _closed_question("HOI", "held_at_end", text, value, {**objects, "nothing": "nothing"}, {}, rng)


# ---------------------------------------------------------------------------------------------------- checker
def _only_event(clip: Clip, key: str) -> ActionEvent | None:
    """The clip's one event of unit call `key`, or None when there is none or more than one."""
    matches = [e for e in clip.events if e.call.key == key]
    return matches[0] if len(matches) == 1 else None


def option_truths(clip: Clip, question: Question) -> list[bool | None]:
    """Whether each option is true of the clip (None: cannot be decided), re-derived from the labels."""
    kind, spec = question.kind, question.spec

    def state_truths(states: list[str | None]) -> list[bool | None]:
        a, b = spec["frames"]
        window = states[a:b]
        if not window or any(s is None for s in window) or len(set(window)) != 1:
            return [None] * len(question.values)
        return [v == window[0] for v in question.values]

    if kind in ("hand_height", "arm_direction", "posture", "facing"):
        return state_truths(clip_states(clip, kind, spec.get("side")))
    if kind in ("start_time", "end_time"):
        event = _only_event(clip, spec["key"])
        if event is None:
            return [None] * len(question.values)
        frame = event.start_frame if kind == "start_time" else event.end_frame
        quarter = _quarter_of(clip, frame)
        return [None if quarter is None else v == quarter for v in question.values]
    if kind == "order":
        starts = {}
        for key in spec["keys"]:
            event = _only_event(clip, key)
            if event is None:
                return [None] * len(question.values)
            starts[key] = event.start_frame
        truth = ">".join(sorted(spec["keys"], key=starts.get))
        return [v == truth for v in question.values]
    if kind in ("first", "last"):
        ordered = sorted(clip.events, key=lambda e: e.start_frame)
        target = ordered[0] if kind == "first" else ordered[-1]
        if sum(e.call.key == target.call.key for e in clip.events) != 1:
            return [None] * len(question.values)
        return [v == target.call.key for v in question.values]
    if kind in ("walk_direction", "step_direction", "turn", "lean_direction"):
        event = clip.events[spec["event"]]
        measured = _measure_motion(clip, kind, event)
        return [None if measured is None else v == measured for v in question.values]
    if kind == "part_action":
        return [any(e.name == v and e.part == spec["part"] for e in clip.events) for v in question.values]
    if kind == "body_action":
        return [any(e.name == v for e in clip.events) for v in question.values]
    if kind == "which_side":
        done = {(e.name, e.call.side) for e in clip.events}
        return [(_unit_call(v).name, _unit_call(v).side) in done for v in question.values]
    if kind == "count":
        name, side = spec["key"].split("|")
        matches = [e for e in clip.events if e.name == name and (e.call.side or "") == side]
        if not matches or any(len(e.reps) != e.call.count for e in matches):
            return [None] * len(question.values)
        total = sum(len(e.reps) for e in matches)
        return [v == str(total) for v in question.values]
    if kind in ("picked_object", "thrown_object"):
        action = "pick_up" if kind == "picked_object" else "throw"
        done = {e.obj for e in clip.object_events if e.action == action}
        return [v in done for v in question.values]
    if kind == "after_pickup":
        obj = spec["object"]
        picks = [e for e in clip.object_events if e.obj == obj and e.action == "pick_up"]
        if len(picks) != 1:
            return [None] * len(question.values)
        later = sorted(
            (e for e in clip.object_events if e.obj == obj and e.frame > picks[0].frame), key=lambda e: e.frame
        )
        if later:
            truth = later[0].action
        elif clip.object_holder(obj, clip.num_frames - 1):
            truth = "keep"
        else:
            return [None] * len(question.values)
        return [v == truth for v in question.values]
    if kind == "held_at_end":
        held = {k for k in clip.objects if clip.object_holder(k, clip.num_frames - 1)}
        return [(v in held) if v != "nothing" else not held for v in question.values]
    raise ValueError(f"Unknown question kind {kind!r}; known kinds: {sorted(k for v in KINDS.values() for k in v)}.")


def _heading_angles(joints: np.ndarray) -> np.ndarray:
    left = joints[:, JOINT_INDEX["left_hip"]] - joints[:, JOINT_INDEX["right_hip"]]
    forward = np.cross(left, [0.0, 1.0, 0.0])
    return np.unwrap(np.arctan2(forward[:, 0], forward[:, 2]))


def _dominant_direction(
    move: np.ndarray, axes: tuple[np.ndarray, np.ndarray], directions: tuple[str, str, str, str], min_distance: float
) -> str | None:
    """The direction of `move` along the one of two `axes` it goes at least twice as far along as the other.

    `directions` names the positive and negative direction of the first axis, then of the second; None when the
    move is diagonal or shorter than `min_distance`.
    """
    along = [float(move @ axis) for axis in axes]
    for i, (distance, other) in enumerate((along, along[::-1])):
        if abs(distance) > 2 * abs(other) and abs(distance) > min_distance:
            return directions[2 * i] if distance > 0 else directions[2 * i + 1]
    return None


def _measure_motion(clip: Clip, kind: str, event) -> str | None:
    """The direction of a movement measured from the joints between the event's first and last frame."""
    joints = clip.joints3d.astype(np.float64)
    a, b = event.start_frame, min(event.end_frame, clip.num_frames - 1)
    pelvis = joints[:, JOINT_INDEX["pelvis"]]
    move = pelvis[b] - pelvis[a]
    if kind == "walk_direction":
        right, toward = clip.camera.ground_axes()
        directions = ("frame_right", "frame_left", "toward_camera", "away_from_camera")
        return _dominant_direction(move, (right, toward), directions, 0.3)
    if kind == "step_direction":
        left = joints[a, JOINT_INDEX["left_hip"]] - joints[a, JOINT_INDEX["right_hip"]]
        left[1] = 0.0
        left /= np.linalg.norm(left)
        forward = np.cross(left, [0.0, 1.0, 0.0])
        return _dominant_direction(move, (left, forward), ("left", "right", "forward", "backward"), 0.2)
    if kind == "turn":
        angles = _heading_angles(joints)
        change = float(np.degrees(angles[b] - angles[a]))
        if abs(change - 90) < 20:
            return "left90"
        if abs(change + 90) < 20:
            return "right90"
        if abs(abs(change) - 180) < 25:
            return "half"
        if abs(abs(change) - 360) < 30:
            return "full"
        return None
    if kind == "lean_direction":
        states = clip_states(clip, "torso")
        window = [s for s in states[a : b + 1] if s not in (None, "upright")]
        return window[0] if window and len(set(window)) == 1 else None
    raise ValueError(f"Unknown motion kind {kind!r}.")


def check_question(clip: Clip, question: Question) -> str | None:
    """The reason a question is wrong for a clip, or None when exactly the answer's option is true.

    Checks the MCQ format (`actionart_hf.data.validation.check_mcq`), then re-derives every option's truth from
    the clip's labels.
    """
    reason = check_mcq(question.options, question.answer, question.task)
    if reason:
        return reason
    if len(question.values) != len(question.options):
        return f"has {len(question.values)} option values for {len(question.options)} options"
    truths = option_truths(clip, question)
    if any(t is None for t in truths):
        return "an option cannot be decided from the labels (the state is unclear or the event is not unique)"
    true = [i for i, t in enumerate(truths) if t]
    if len(true) != 1:
        return f"{len(true)} options are true ({', '.join(OPTION_LETTERS[i] for i in true) or 'none'})"
    if true[0] != question.answer_index:
        return f"the true option is {OPTION_LETTERS[true[0]]}, not the answer {question.answer}"
    return None


# ------------------------------------------------------------------------------------------ selection & letters
def questions_per_task(num_questions: int, task_weights: dict[str, float], rng: np.random.Generator) -> dict:
    """How many questions of each task one clip gets: `num_questions` split by weight, stochastically rounded."""
    total = sum(task_weights.values())
    counts = {}
    for task in TASK_CODES:
        expected = num_questions * task_weights.get(task, 0.0) / total
        counts[task] = int(expected) + int(rng.random() < expected - int(expected))
    return counts


def select_questions(
    candidates: list[list[Question]],
    task_weights: dict[str, float] | None = None,
    questions_per_clip: int = 8,
    seed: int = 0,
) -> list[list[Question]]:
    """Chooses questions per clip so that tasks follow their weights and answer values come out uniform.

    Clips are visited in order; for each task a clip gets its share (`questions_per_task`), plus up to
    `MAX_CATCH_UP` more when earlier clips had no question for that task, so task counts follow the weights over a
    set. Among a clip's candidates, the one whose (kind, answer value) has been chosen least so far is taken (ties
    broken at random).

    Args:
        candidates (`list[list[Question]]`): per clip, from `candidate_questions`.
        task_weights (`dict[str, float]`, *optional*): relative task weights (all 1 by default).
        questions_per_clip (`int`, *optional*, defaults to 8): questions per clip before rounding.
        seed (`int`, *optional*, defaults to 0): tie-breaking seed.

    Returns:
        `list[list[Question]]`: the chosen questions per clip.
    """
    weights = task_weights or dict.fromkeys(TASK_CODES, 1.0)
    total_weight = sum(weights.values())
    rng = stream_rng(seed, Stream.SELECTION)
    used: Counter = Counter()
    kind_used: Counter = Counter()
    expected: Counter = Counter()  # questions each task should have so far, by weight
    given: Counter = Counter()
    chosen_all = []
    for clip_candidates in candidates:
        shares = questions_per_task(questions_per_clip, weights, rng)
        chosen = []
        for task in TASK_CODES:
            expected[task] += questions_per_clip * weights.get(task, 0.0) / total_weight
            pool = [q for q in clip_candidates if q.task == task]
            # a task that earlier clips could not serve catches up here (at most 2 extra questions per clip)
            deficit = expected[task] - given[task] - shares[task]
            wanted = shares[task] + (min(MAX_CATCH_UP, int(deficit)) if deficit >= 1 else 0)
            for _ in range(wanted):
                if not pool:
                    break
                scores = [(used[(q.kind, q.answer_value)], kind_used[q.kind], rng.random()) for q in pool]
                best = min(range(len(pool)), key=lambda i: scores[i])
                question = pool.pop(best)
                used[(question.kind, question.answer_value)] += 1
                kind_used[question.kind] += 1
                given[task] += 1
                chosen.append(question)
                pool = [q for q in pool if q.kind != question.kind or q.spec != question.spec]
        chosen_all.append(chosen)
    return chosen_all


def balance_answer_letters(questions: list[Question], seed: int = 0) -> list[Question]:
    """Moves each correct option so that, per task, every letter is right equally often (±1 question).

    Args:
        questions (`list[Question]`): in a fixed order.
        seed (`int`, *optional*, defaults to 0): seed of the letter assignment and distractor order.

    Returns:
        `list[Question]`, same order, options reordered.
    """
    rng = stream_rng(seed, Stream.LETTERS)
    out = list(questions)
    for task in TASK_CODES:
        positions = [i for i, q in enumerate(questions) if q.task == task]
        order = rng.permutation(len(positions))
        offset = int(rng.integers(0, NUM_OPTIONS))
        for rank, k in enumerate(order):
            i = positions[k]
            num_options = len(questions[i].options)
            out[i] = questions[i].with_answer_at((rank + offset) % num_options, rng)
    return out


def generate_questions(
    clip: Clip,
    task_weights: dict[str, float] | None = None,
    questions_per_clip: int | None = None,
    seed: int | None = None,
) -> list[Question]:
    """Questions for one clip: candidates, then one selection step (answer letters are random per question).

    For a set of clips use `select_questions` and `balance_answer_letters` over all of them, as the dataset
    builder does, so that answer values and letters are balanced over the set.

    Args:
        clip (`Clip`): a generated clip.
        task_weights (`dict[str, float]`, *optional*): defaults to the clip config's weights.
        questions_per_clip (`int`, *optional*): defaults to the clip config's `questions_per_clip`.
        seed (`int`, *optional*): defaults to the clip seed.
    """
    seed = clip.seed if seed is None else seed
    candidates = candidate_questions(clip, seed)
    chosen = select_questions(
        [candidates],
        task_weights or clip.config.task_weights,
        clip.config.questions_per_clip if questions_per_clip is None else questions_per_clip,
        seed,
    )[0]
    return chosen


__all__ = [
    "KINDS",
    "NUM_OPTIONS",
    "Question",
    "balance_answer_letters",
    "candidate_questions",
    "check_question",
    "content_words",
    "generate_questions",
    "hold_frames",
    "option_truths",
    "questions_per_task",
    "select_questions",
]
