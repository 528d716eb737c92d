"""`datasets.Features` of every ActionArt Hub config (docs/DESIGN.md §4).

Videos are stored as paths relative to the dataset folder (`videos/<name>.mp4`); `load_actionart` resolves them.
Images of the proxy tasks are `datasets.Image` columns.
"""

from __future__ import annotations

from datasets import ClassLabel, Features, Image, List, Value

from ..tasks import TASK_CODES


TASK_LABEL = ClassLabel(names=list(TASK_CODES))

EVENT = {"start_s": Value("float32"), "end_s": Value("float32"), "label": Value("string")}

QA_FEATURES = Features(
    {
        "id": Value("string"),
        "video_id": Value("string"),
        "video": Value("string"),
        "task": TASK_LABEL,
        "question": Value("string"),
        "options": List(Value("string")),
        "answer": Value("string"),
    }
)

CAPTIONS_FEATURES = Features(
    {
        "id": Value("string"),
        "video_id": Value("string"),
        "video": Value("string"),
        "caption": Value("string"),
        "duration_s": Value("float32"),
        "num_frames": Value("int32"),
        "fps": Value("float32"),
        "events": List(EVENT),
    }
)

POSE_DESCRIPTION_FEATURES = Features(
    {
        "id": Value("string"),
        "image": Image(),
        "prompt": Value("string"),
        "response": Value("string"),
        "source_video": Value("string"),
        "frame_index": Value("int32"),
        "teacher": Value("string"),
    }
)

SPATIAL_DIFFERENCE_FEATURES = Features(
    {
        "id": Value("string"),
        "images": List(Image()),
        "prompt": Value("string"),
        "response": Value("string"),
        "source_video": Value("string"),
        "frame_indices": List(Value("int32")),
        "teacher": Value("string"),
    }
)

FGQA_FEATURES = Features(
    {
        "id": Value("string"),
        "video": Value("string"),
        "units": List(
            {"label": Value("string"), "source_video": Value("string"), "frame_indices": List(Value("int32"))}
        ),
        "question": Value("string"),
        "options": List(Value("string")),
        "answer": Value("string"),
        "task": TASK_LABEL,
        "teacher": Value("string"),
    }
)

FEATURES_BY_CONFIG: dict[str, Features] = {
    "qa": QA_FEATURES,
    "captions": CAPTIONS_FEATURES,
    "pose_description": POSE_DESCRIPTION_FEATURES,
    "spatial_difference": SPATIAL_DIFFERENCE_FEATURES,
    "fgqa": FGQA_FEATURES,
}

VIDEO_COLUMNS = ("video", "source_video")

__all__ = [
    "CAPTIONS_FEATURES",
    "EVENT",
    "FEATURES_BY_CONFIG",
    "FGQA_FEATURES",
    "POSE_DESCRIPTION_FEATURES",
    "QA_FEATURES",
    "SPATIAL_DIFFERENCE_FEATURES",
    "TASK_LABEL",
    "VIDEO_COLUMNS",
]
