"""The oracle teacher: exact proxy-task answers from the synthetic generator's labels (docs/DESIGN.md §6.3, §6.4).

A folder written by `actionart-hf synth` has a `motion` config: per clip the 3D/2D joints of every frame, the
time-stamped action units and the camera. [`SyntheticLabels`] reads it and rebuilds each clip's labels
(`actionart_hf.synthetic.clip.Clip.from_motion_row`), so the oracle can

- describe the pose in any frame (pose description) and what changed between two frames (spatial difference),
  from the joints, with the generator's own `describe_pose` / `describe_pose_difference`;
- name the action unit between two frames (FGQA step 1): the unit covering the middle of the pair;
- write MCQ from any label sequence (FGQA step 3, caption-qa) with the templates of
  `actionart_hf.proxy.mcq_templates.oracle_questions` — this part needs no synthetic folder and works on any labels;
- write GS/LS questions from a caption's start and end pose sentences (caption-qa) with
  `actionart_hf.proxy.pose_mcq.oracle_pose_questions`, in the synthetic captions' words.

Its answers go through the same cache, parsing and validation as a model teacher's, so the oracle is also the
reference the pipelines are tested with.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from ..data.hub_folder import DATA_DIR
from .labels import LabelSpan, normalize_label
from .mcq_templates import oracle_questions
from .pose_mcq import oracle_pose_questions, synthetic_pose_vocabularies
from .teachers import Teacher, TeacherError


ORACLE_VERSION = "v1"


def _read_config_rows(root: Path, config: str) -> list[dict]:
    import pyarrow.parquet as pq

    rows = []
    for file in sorted((root / DATA_DIR / config).glob("*.parquet")):
        rows += pq.read_table(file).to_pylist()
    return rows


def _video_of(row: dict) -> str:
    if row.get("video"):
        return str(row["video"])
    name = row.get("video_id") or row.get("id")
    if not name:
        raise ValueError(f"motion row has no video, video_id or id column (columns: {sorted(row)}).")
    return f"videos/{name}.mp4"


class SyntheticLabels:
    """Ground truth of a synthetic folder, looked up by the video's relative path (`videos/<id>.mp4`).

    Args:
        root (`str` or `os.PathLike`): a folder written by `actionart-hf synth` (with the `motion` config).

    Raises:
        ValueError: the folder has no `motion` config.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        rows = _read_config_rows(self.root, "motion")
        if not rows:
            raise ValueError(
                f"{str(self.root)!r} has no motion config (data/motion/*.parquet): the oracle needs a folder written "
                "by `actionart-hf synth`."
            )
        self._rows = {_video_of(row): row for row in rows}
        self._clip = lru_cache(maxsize=64)(self._load_clip)

    def videos(self) -> list[str]:
        return sorted(self._rows)

    def _load_clip(self, video: str):
        from ..synthetic.clip import Clip

        if video not in self._rows:
            raise TeacherError(f"the synthetic folder has no motion labels for {video!r}", retryable=False)
        return Clip.from_motion_row(self._rows[video])

    def clip(self, video: str):
        """The clip's labels (`actionart_hf.synthetic.clip.Clip`, frames not rendered)."""
        return self._clip(video)

    def events(self, video: str) -> list[LabelSpan]:
        """The clip's action units as base-form labels with times and repetition counts."""
        return [
            LabelSpan(normalize_label(e.call.phrase("base")), float(e.start_s), float(e.end_s), int(e.call.count))
            for e in self.clip(video).events
        ]

    def unit_labels(self) -> list[str]:
        """Every action label of the folder (base form, no count), sorted: the unit-label vocabulary."""
        from ..synthetic.clip import ActionEvent

        return sorted(
            {
                normalize_label(ActionEvent.from_dict(event, float(row["fps"])).call.phrase("base"))
                for row in self._rows.values()
                for event in row["events"]
            }
        )

    def unit_label(self, video: str, frame_a: int, frame_b: int) -> str:
        """The action between two frames: the unit covering the pair's middle frame (base form, no count)."""
        clip = self.clip(video)
        middle = (frame_a + frame_b) // 2
        for event in clip.events:
            if event.start_frame <= middle <= event.end_frame:
                return normalize_label(event.call.phrase("base"))
        raise TeacherError(f"no action unit at frame {middle} of {video!r} (the person is still)", retryable=False)

    def describe_pose(self, video: str, frame: int) -> str:
        return self.clip(video).describe_pose(int(frame))

    def describe_change(self, video: str, frame_a: int, frame_b: int) -> str:
        return self.clip(video).describe_pose_difference(int(frame_a), int(frame_b))


def read_synthetic_events(root: str | os.PathLike) -> dict[str, list[LabelSpan]]:
    """`{relative video path: events}` of a synthetic folder (for the `synthetic` source adapter)."""
    labels = SyntheticLabels(root)
    return {video: labels.events(video) for video in labels.videos()}


class OracleTeacher(Teacher):
    """Exact answers from labels instead of a model.

    Image requests (pose description, spatial difference, unit labels) need `labels` (a synthetic folder) and the
    request context (`source_video`, `frame_indices`); question writing (`fgqa_mcq`) uses only the label sequence
    in the context and works for any source; spatial questions from captions (`caption_pose_mcq`) find the
    synthetic generator's state phrases in the caption's pose sentences. The oracle cannot list the actions of a
    free-text caption without events: such requests fail (non-retryable) and are listed in the failure report.

    Args:
        labels ([`SyntheticLabels`], *optional*): ground truth for image requests.
    """

    uses_context = True

    def __init__(self, labels: SyntheticLabels | None = None):
        self.labels = labels
        self.id = f"oracle:{ORACLE_VERSION}"

    def _need_labels(self, kind: str) -> SyntheticLabels:
        if self.labels is None:
            raise TeacherError(
                f"the oracle answers {kind} requests only for synthetic videos (--source synthetic)", retryable=False
            )
        return self.labels

    def generate(self, messages, images, settings, *, context=None, timeout=None) -> str:
        context = context or {}
        kind = context.get("kind")
        if kind == "fgqa_mcq":
            events = [LabelSpan(str(label), float(start), float(end)) for label, start, end, *_ in context["events"]]
            counts = context.get("counts") or [1] * len(events)
            events = [LabelSpan(e.label, e.start_s, e.end_s, int(c)) for e, c in zip(events, counts)]
            questions = oracle_questions(
                events,
                context.get("tasks") or (),
                vocabulary=context.get("vocabulary") or (),
                num_options=int(context.get("num_options", 4)),
                seed=int(context.get("seed", 0)),
                timed=bool(context.get("timed", True)),
            )
            return json.dumps({"questions": questions})
        if kind == "caption_pose_mcq":
            questions = oracle_pose_questions(
                context["poses"],
                synthetic_pose_vocabularies(),
                context.get("tasks") or (),
                num_options=int(context.get("num_options", 4)),
                seed=int(context.get("seed", 0)),
            )
            if not questions:
                raise TeacherError(
                    "the caption's start and end sentences state no posture, facing or hand height in the synthetic "
                    "captions' words; use an LLM teacher for free-text captions",
                    retryable=False,
                )
            return json.dumps({"questions": questions})
        if kind == "caption_events":
            raise TeacherError(
                "the oracle cannot read a free-text caption; use captions with events or an LLM teacher",
                retryable=False,
            )
        video, frames = context.get("source_video"), list(context.get("frame_indices") or [])
        if kind == "pose_description" and len(frames) == 1:
            return self._need_labels(kind).describe_pose(video, frames[0])
        if kind == "spatial_difference" and len(frames) == 2:
            return self._need_labels(kind).describe_change(video, *frames)
        if kind == "unit_label" and len(frames) == 2:
            return self._need_labels(kind).unit_label(video, *frames)
        raise TeacherError(f"the oracle has no answer for a {kind!r} request with context {context}", retryable=False)


__all__ = ["ORACLE_VERSION", "OracleTeacher", "SyntheticLabels", "read_synthetic_events"]
