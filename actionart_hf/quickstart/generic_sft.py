"""Generic video SFT data from a synthetic folder: the quickstart's stage 1, without the benchmark's vocabulary.

The paper's stage 1 is generic video instruction tuning; fine-grained, human-centric supervision comes later. These
rows teach only coarse facts that are not about the body: which props are in the scene and their colours, how many
there are, where in the frame the person is, and how far they travel. Per clip:

- a short caption (`kind="caption"`):

      user:      <video> Describe the scene in this video in a few words: the props and where the person is.
      assistant: One prop appears in the scene: an orange ball. The person begins on the left and finishes right
                 of centre in the frame, travelling a little.

- multiple-choice questions in our own wording (4 options, answer letters balanced per kind, answered with the
  letter): `object_present`, `object_colour`, `prop_count`, `end_position`, `movement`;
- `image_rows_per_clip` one-frame questions on a frame decoded from the clip's video (`image_position`,
  `image_object`), so that stage 2's image inputs are not new.

No row holds the benchmark's state or action-unit phrases nor a fragment of its question, caption or pose-description
templates ([`forbidden_phrases`]); [`check_generic_rows`] checks any rows for them, and the build runs it.

Positions are the pelvis's horizontal pixel position as a fraction of the width, in the bins `POSITION_EDGES`;
movement is the farthest the pelvis gets from its first position across the floor, in metres, in the bins
`MOVEMENT_EDGES_M`. Questions whose value lies within a margin of a bin edge are not asked.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import staged_dir
from ..tasks import format_mcq_prompt, option_letter


POSITION_EDGES = (0.4, 0.5, 0.6)
POSITION_PHRASES = ("on the left", "left of centre", "right of centre", "on the right")
POSITION_MARGIN = 0.01
MOVEMENT_EDGES_M = (0.1, 0.45, 0.75)
MOVEMENT_PHRASES = ("hardly at all", "a little", "quite a lot", "a great deal")
MOVEMENT_MARGIN_M = 0.05
PROP_COUNT_PHRASES = ("no props", "one prop", "two props", "three props")
COUNT_WORDS = ("no", "one", "two", "three")
NUM_OPTIONS = 4

CAPTION_INSTRUCTION = "Describe the scene in this video in a few words: the props and where the person is."
QUESTIONS = {
    "object_present": "Which prop can be seen in this video?",
    "object_colour": "What colour is the {object} in this video?",
    "prop_count": "How many props are in this video?",
    "end_position": "In which part of the frame is the person when the clip ends?",
    "movement": "How far does the person travel across the scene?",
    "image_position": "In which part of this image is the person?",
    "image_object": "Which prop is visible in this image?",
}
GENERIC_KINDS = ("caption", *QUESTIONS)
NO_MCQ = {"question": None, "options": None, "answer": None}  # the multiple-choice columns of a caption row


def _generic_features():
    import datasets

    text_part = {"type": datasets.Value("string"), "text": datasets.Value("string")}
    turn = {"role": datasets.Value("string"), "content": datasets.List(text_part)}
    return datasets.Features(
        {
            "id": datasets.Value("string"),
            "kind": datasets.Value("string"),
            "messages": datasets.List(turn),
            "videos": datasets.List(datasets.Value("string")),
            "image": datasets.Image(),
            "source_video": datasets.Value("string"),
            "question": datasets.Value("string"),
            "options": datasets.List(datasets.Value("string")),
            "answer": datasets.Value("string"),
        }
    )


def bin_index(value: float, edges: Sequence[float], margin: float = 0.0) -> int | None:
    """The bin of `value` between `edges` (`len(edges) + 1` bins), or None within `margin` of an edge."""
    if any(abs(value - edge) < margin for edge in edges):
        return None
    return int(np.searchsorted(edges, value, side="right"))


@dataclass(frozen=True)
class ClipFacts:
    """The coarse, non-pose facts of one clip, read from its `motion` row.

    Args:
        video (`str`): the video's path relative to the synthetic folder.
        objects (`tuple[str, ...]`): the props (object kinds) in the clip.
        horizontal (`np.ndarray` of shape `(num_frames,)`): the pelvis's pixel x over the frame width, per frame.
        travel_m (`float`): the farthest the pelvis gets from its first position across the floor, in metres.
        visible (`np.ndarray` of shape `(num_frames, num_objects)`): whether each prop's centre is inside the frame.
    """

    video: str
    objects: tuple[str, ...]
    horizontal: np.ndarray
    travel_m: float
    visible: np.ndarray

    @classmethod
    def from_motion_row(cls, row: dict) -> ClipFacts:
        from ..synthetic.camera import Camera

        pelvis = list(row["joint_names"]).index("pelvis")
        joints2d = np.asarray(row["joints2d"], dtype=np.float64)
        joints3d = np.asarray(row["joints3d"], dtype=np.float64)
        ground = joints3d[:, pelvis][:, [0, 2]]  # y is up: the floor plane is (x, z)
        objects = tuple(row["objects"])
        visible = np.zeros((len(joints2d), len(objects)), dtype=bool)
        if objects:
            pixels, depth = Camera(**json.loads(row["camera"])).project(np.asarray(row["object_positions"]))
            x, y = pixels[..., 0], pixels[..., 1]
            visible = (depth > 0) & (x >= 0) & (x < row["width"]) & (y >= 0) & (y < row["height"])
        return cls(
            video=str(row["video"]),
            objects=objects,
            horizontal=joints2d[:, pelvis, 0] / float(row["width"]),
            travel_m=float(np.linalg.norm(ground - ground[0], axis=-1).max()),
            visible=visible,
        )

    def position(self, frame: int, margin: float = 0.0) -> int | None:
        """The `POSITION_PHRASES` bin of the person in `frame` (None near an edge when `margin` > 0)."""
        return bin_index(float(self.horizontal[frame]), POSITION_EDGES, margin)

    def movement(self, margin: float = 0.0) -> int | None:
        """The `MOVEMENT_PHRASES` bin of the clip (None near an edge when `margin` > 0)."""
        return bin_index(self.travel_m, MOVEMENT_EDGES_M, margin)


def _with_article(words: str) -> str:
    return ("an " if words[0] in "aeiou" else "a ") + words


def _object_colour(kind: str) -> str:
    from ..synthetic.objects import OBJECT_STYLES

    return OBJECT_STYLES[kind].color_name


def generic_caption(facts: ClipFacts) -> str:
    """The clip's caption: its props with their colours, where the person begins and finishes, how far they travel."""
    props = [_with_article(f"{_object_colour(kind)} {kind}") for kind in facts.objects]
    count = COUNT_WORDS[len(props)] if len(props) < len(COUNT_WORDS) else str(len(props))
    if not props:
        first = "No props appear in the scene."
    else:
        listed = props[0] if len(props) == 1 else ", ".join(props[:-1]) + " and " + props[-1]
        first = f"{count.capitalize()} prop{'s' if len(props) > 1 else ''} appear{'' if len(props) > 1 else 's'} "
        first += f"in the scene: {listed}."
    start, end = POSITION_PHRASES[facts.position(0)], POSITION_PHRASES[facts.position(-1)]
    where = f"begins and finishes {start}" if start == end else f"begins {start} and finishes {end}"
    return f"{first} The person {where} in the frame, travelling {MOVEMENT_PHRASES[facts.movement()]}."


class LetterBalancer:
    """Answer positions drawn per kind from shuffled blocks of every position, so each letter is right equally
    often (within one) among the questions of a kind."""

    def __init__(self, rng: np.random.Generator, num_options: int = NUM_OPTIONS):
        self.rng = rng
        self.num_options = num_options
        self._queues: dict[str, list[int]] = {}

    def next(self, kind: str) -> int:
        queue = self._queues.setdefault(kind, [])
        if not queue:
            queue.extend(int(i) for i in self.rng.permutation(self.num_options))
        return queue.pop()


def _messages(prompt: str, answer: str, media: str) -> list[dict]:
    return [
        {"role": "user", "content": [{"type": media, "text": None}, {"type": "text", "text": prompt}]},
        {"role": "assistant", "content": [{"type": "text", "text": answer}]},
    ]


def _mcq(question: str, answer: str, choices: Sequence[str], position: int, rng: np.random.Generator):
    """The prompt and the answer letter of a question whose correct option `answer` is placed at `position`, with
    `NUM_OPTIONS - 1` distractors drawn from `choices`."""
    others = [c for c in choices if c != answer]
    options = [others[i] for i in rng.permutation(len(others))[: NUM_OPTIONS - 1]]
    options.insert(position, answer)
    return format_mcq_prompt(question, options), options, option_letter(position)


def clip_questions(facts: ClipFacts) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """The video questions of a clip: `(kind, question, answer, choices)`, leaving out what cannot be asked (two
    props for `object_present`, a value near a bin edge)."""
    from ..synthetic.objects import OBJECT_STYLES

    kinds = tuple(OBJECT_STYLES)
    colours = tuple(dict.fromkeys(style.color_name for style in OBJECT_STYLES.values()))
    questions = []
    if len(facts.objects) == 1:
        questions.append(("object_present", QUESTIONS["object_present"], facts.objects[0], kinds))
    if facts.objects:
        kind = facts.objects[0]
        question = QUESTIONS["object_colour"].format(object="prop" if len(facts.objects) == 1 else kind)
        questions.append(("object_colour", question, _object_colour(kind), colours))
    if len(facts.objects) < len(PROP_COUNT_PHRASES):
        count = PROP_COUNT_PHRASES[len(facts.objects)]
        questions.append(("prop_count", QUESTIONS["prop_count"], count, PROP_COUNT_PHRASES))
    end = facts.position(-1, POSITION_MARGIN)
    if end is not None:
        questions.append(("end_position", QUESTIONS["end_position"], POSITION_PHRASES[end], POSITION_PHRASES))
    movement = facts.movement(MOVEMENT_MARGIN_M)
    if movement is not None:
        questions.append(("movement", QUESTIONS["movement"], MOVEMENT_PHRASES[movement], MOVEMENT_PHRASES))
    return questions


def frame_question(facts: ClipFacts, frame: int, prefer_object: bool) -> tuple[str, str, str, tuple[str, ...]] | None:
    """One question about a single frame: which prop is visible (when the clip has exactly one and it is in the
    frame, and `prefer_object`), else where the person is; None when neither can be asked."""
    from ..synthetic.objects import OBJECT_STYLES

    if prefer_object and len(facts.objects) == 1 and facts.visible[frame, 0]:
        return "image_object", QUESTIONS["image_object"], facts.objects[0], tuple(OBJECT_STYLES)
    position = facts.position(frame, POSITION_MARGIN)
    if position is None:
        return None
    return "image_position", QUESTIONS["image_position"], POSITION_PHRASES[position], POSITION_PHRASES


def _png(frame: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="PNG")
    return buffer.getvalue()


def _read_motion_rows(synth_folder: Path, split: str) -> list[dict]:
    import pyarrow.parquet as pq

    files = sorted((synth_folder / "data" / "motion").glob(f"{split}-*.parquet"))
    if not files:
        raise ValueError(
            f"{str(synth_folder)!r} has no data/motion/{split}-*.parquet; build it with `actionart-hf synth` "
            "(the motion config holds the labels these rows are read from)."
        )
    columns = [
        "video",
        "width",
        "height",
        "joint_names",
        "joints2d",
        "joints3d",
        "objects",
        "object_positions",
        "camera",
    ]
    rows = [row for f in files for row in pq.read_table(f, columns=columns).to_pylist()]
    return sorted(rows, key=lambda row: row["video"])


def generic_rows(synth_folder: str | Path, split: str = "train", seed: int = 0, image_rows_per_clip: int = 1):
    """Yields the rows of [`build_generic_sft`] (video paths relative to the synthetic folder, images as PNG)."""
    from ..video import load_video

    if image_rows_per_clip < 0:
        raise ValueError(f"image_rows_per_clip={image_rows_per_clip} must be >= 0.")
    synth_folder = Path(synth_folder)
    rng = np.random.default_rng(seed)
    letters = LetterBalancer(rng)
    for index, row in enumerate(_read_motion_rows(synth_folder, split)):
        facts = ClipFacts.from_motion_row(row)
        stem = Path(facts.video).stem
        base = {"videos": [facts.video], "image": None, "source_video": facts.video}
        caption = _messages(CAPTION_INSTRUCTION, generic_caption(facts), "video")
        yield {**base, "id": f"{stem}-caption", "kind": "caption", "messages": caption} | NO_MCQ
        for kind, question, answer, choices in clip_questions(facts):
            prompt, options, letter = _mcq(question, answer, choices, letters.next(kind), rng)
            mcq = {"question": question, "options": options, "answer": letter}
            yield {**base, "id": f"{stem}-{kind}", "kind": kind, "messages": _messages(prompt, letter, "video")} | mcq
        if image_rows_per_clip == 0:
            continue
        clip = load_video(synth_folder / facts.video, num_frames=image_rows_per_clip, max_pixels=None)
        for number, (frame, pixels) in enumerate(zip(clip.indices.tolist(), clip.frames)):
            asked = frame_question(facts, frame, prefer_object=(index + number) % 2 == 1)
            if asked is None:
                continue
            kind, question, answer, choices = asked
            prompt, options, letter = _mcq(question, answer, choices, letters.next(kind), rng)
            yield {
                "question": question,
                "options": options,
                "answer": letter,
                "id": f"{stem}-{kind}-f{frame:04d}",
                "kind": kind,
                "messages": _messages(prompt, letter, "image"),
                "videos": [],
                "image": {"bytes": _png(pixels), "path": None},
                "source_video": facts.video,
            }


def forbidden_phrases() -> set[str]:
    """What generic rows must not say: the benchmark's body-state and action-unit phrases and the fixed pieces of
    its question, caption and pose-description templates (see `actionart_hf.synthetic.vocabulary`)."""
    from ..synthetic.vocabulary import state_phrases, template_fragments, unit_phrases

    return set(state_phrases() | unit_phrases() | template_fragments())


def _texts(messages: list[dict] | str) -> list[str]:
    if isinstance(messages, str):  # the mixture loader's JSON
        messages = json.loads(messages)
    return [part["text"] for turn in messages for part in turn["content"] if part.get("text")]


def check_generic_rows(rows: Iterable[dict], phrases: Iterable[str] | None = None) -> list[str]:
    """The problems of rows that must hold no benchmark vocabulary: one line per row that contains a phrase.

    Args:
        rows (`Iterable[dict]`): rows with a `messages` column (a list of turns, or the JSON string of the training
            mixture's examples).
        phrases (`Iterable[str]`, *optional*): defaults to [`forbidden_phrases`].

    Returns:
        `list[str]`: e.g. `"row clip-3-caption: 'standing' in 'The person is standing ...'"`; empty when clean.
    """
    from ..synthetic.vocabulary import find_phrases

    phrases = forbidden_phrases() if phrases is None else set(phrases)
    problems = []
    for number, row in enumerate(rows):
        for text in _texts(row["messages"]):
            found = find_phrases(text, phrases)
            if found:
                problems.append(f"row {row.get('id', number)}: {', '.join(map(repr, found))} in {text!r}")
    return problems


def build_generic_sft(
    synth_folder: str | Path, out: str | Path, *, split: str = "train", seed: int = 0, image_rows_per_clip: int = 1
) -> int:
    """Writes the generic stage-1 rows of a synthetic folder's `split` as a `messages` training folder.

    The output (replaced atomically) holds `data/train-00000-of-00001.parquet` (`id`, `kind`, `messages`, `videos`,
    `image`, `source_video`, and `question` / `options` / `answer` of the multiple-choice rows) and a copy of the
    clips' videos under `videos/`, so that a mixture entry
    `{"path": out, "format": "messages"}` loads it on its own. Video paths are in the list column `videos`, relative
    to the folder: the mixture loader resolves those of a foreign folder against it (a `video` column it takes as
    already absolute).

    Args:
        synth_folder (`str` or `Path`): a folder built by `actionart_hf.synthetic.build_synthetic_dataset`.
        out (`str` or `Path`): the output folder.
        split (`str`, *optional*, defaults to `"train"`): the split of the synthetic folder to read.
        seed (`int`, *optional*, defaults to 0): option orders and answer letters.
        image_rows_per_clip (`int`, *optional*, defaults to 1): one-frame questions per clip, on evenly spaced
            frames.

    Returns:
        `int`: the number of rows written.

    Raises:
        ValueError: the folder has no `motion` rows for `split`.
    """
    import datasets

    synth_folder = Path(synth_folder)
    rows = list(generic_rows(synth_folder, split, seed, image_rows_per_clip))
    problems = check_generic_rows(rows)
    if problems:  # the wording above is ours: a hit means the benchmark's vocabulary changed under it
        raise RuntimeError("Generic rows hold benchmark vocabulary:\n" + "\n".join(problems[:20]))
    table = datasets.Dataset.from_list(rows, features=_generic_features())
    with staged_dir(Path(out)) as stage:
        (stage / "data").mkdir()
        table.to_parquet(str(stage / "data" / "train-00000-of-00001.parquet"))
        for video in sorted({video for row in rows for video in row["videos"]}):
            (stage / video).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(synth_folder / video, stage / video)
    return len(rows)


__all__ = [
    "CAPTION_INSTRUCTION",
    "GENERIC_KINDS",
    "MOVEMENT_EDGES_M",
    "MOVEMENT_PHRASES",
    "POSITION_EDGES",
    "POSITION_PHRASES",
    "PROP_COUNT_PHRASES",
    "QUESTIONS",
    "ClipFacts",
    "LetterBalancer",
    "bin_index",
    "build_generic_sft",
    "check_generic_rows",
    "clip_questions",
    "forbidden_phrases",
    "frame_question",
    "generic_caption",
    "generic_rows",
]
