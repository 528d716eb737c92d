"""Tiny data for the training tests: one Hub-layout folder with every config the mixtures use.

`tiny_data` (session scope) holds `qa`, `fgqa`, `captions` (train split, 16 rows each, videos of 6 frames at
32×32), `pose_description` and `spatial_difference` (train, 8 rows of 24×24 images), and `conversations`: the
16 `qa` questions as foreign LLaVA-style rows (`from`/`value` turns, an `<image>` marker, an image).
Built with the foundation's `write_split` / `write_dataset_card`, so it loads exactly as a built dataset does.
"""

from __future__ import annotations

import io

import datasets
import numpy as np
import pytest
from PIL import Image

from actionart_hf.data.hub_folder import write_dataset_card, write_split
from actionart_hf.data.schemas import (
    CAPTIONS_FEATURES,
    FGQA_FEATURES,
    POSE_DESCRIPTION_FEATURES,
    QA_FEATURES,
    SPATIAL_DIFFERENCE_FEATURES,
)
from actionart_hf.tasks import format_mcq_prompt
from actionart_hf.video import write_video


NUM_VIDEOS = 4
NUM_ROWS = 16
WORDS = ["raises", "lowers", "waves", "claps", "squats", "jumps", "kicks", "bends", "turns", "sits", "walks", "lies"]


def _frames(seed: int, num_frames: int = 6, size: int = 32) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frames = np.zeros((num_frames, size, size, 3), dtype=np.uint8)
    for t in range(num_frames):
        y, x = (seed * 5 + 3 * t) % (size - 8), (seed * 7 + 2 * t) % (size - 8)
        frames[t, y : y + 8, x : x + 8] = rng.integers(80, 255, size=3)
    return frames


def _png(seed: int, size: int = 24) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(_frames(seed, 1, size)[0]).save(buffer, format="PNG")
    return buffer.getvalue()


def build_tiny_data(root) -> None:
    """Writes the folder described in the module docstring to `root`."""
    (root / "videos").mkdir(parents=True, exist_ok=True)
    videos = []
    for index in range(NUM_VIDEOS):
        write_video(root / "videos" / f"v{index}.mp4", _frames(index), fps=6)
        videos.append(f"videos/v{index}.mp4")
    letters = "ABCD"
    qa = [
        {
            "id": f"qa{i}",
            "video_id": f"v{i % NUM_VIDEOS}",
            "video": videos[i % NUM_VIDEOS],
            "task": i % 8,
            "question": f"What does the person do {WORDS[i % len(WORDS)]} number {i}?",
            "options": [WORDS[(i + k) % len(WORDS)] for k in range(4)],
            "answer": letters[(i * 7) % 4],
        }
        for i in range(NUM_ROWS)
    ]
    fgqa = [
        {
            "id": f"fg{i}",
            "video": videos[i % NUM_VIDEOS],
            "units": [{"label": WORDS[i % len(WORDS)], "source_video": videos[0], "frame_indices": [0, 3]}],
            "question": f"Which action comes first in clip {i}?",
            "options": [WORDS[(i + k) % len(WORDS)] for k in range(3)],
            "answer": letters[i % 3],
            "task": 2,
            "teacher": "oracle",
        }
        for i in range(NUM_ROWS)
    ]
    captions = [
        {
            "id": f"cap{i}",
            "video_id": f"v{i % NUM_VIDEOS}",
            "video": videos[i % NUM_VIDEOS],
            "caption": f"The person {WORDS[i % len(WORDS)]} then {WORDS[(i + 3) % len(WORDS)]}.",
            "duration_s": 1.0,
            "num_frames": 6,
            "fps": 6.0,
            "events": [],
        }
        for i in range(NUM_ROWS)
    ]
    pose = [
        {
            "id": f"pd{i}",
            "image": {"bytes": _png(i), "path": None},
            "prompt": "Describe the person's pose.",
            "response": f"The left arm {WORDS[i % len(WORDS)]}.",
            "source_video": videos[i % NUM_VIDEOS],
            "frame_index": i % 6,
            "teacher": "oracle",
        }
        for i in range(8)
    ]
    difference = [
        {
            "id": f"sd{i}",
            "images": [{"bytes": _png(i), "path": None}, {"bytes": _png(i + 1), "path": None}],
            "prompt": "What changed in the pose between the two frames?",
            "response": f"The person {WORDS[i % len(WORDS)]}.",
            "source_video": videos[i % NUM_VIDEOS],
            "frame_indices": [0, 5],
            "teacher": "oracle",
        }
        for i in range(8)
    ]
    # Foreign conversational rows (LLaVA spelling, `<image>` marker) of the MCQ above, each with an image.
    conversations = [
        {
            "id": f"conv{i}",
            "conversations": [
                {"from": "human", "value": "<image>\n" + format_mcq_prompt(row["question"], row["options"])},
                {"from": "gpt", "value": row["answer"]},
            ],
            "image": {"bytes": _png(100 + i), "path": None},
        }
        for i, row in enumerate(qa)
    ]
    conversation_features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "conversations": datasets.List({"from": datasets.Value("string"), "value": datasets.Value("string")}),
            "image": datasets.Image(),
        }
    )
    for config, rows, features in (
        ("conversations", conversations, conversation_features),
        ("qa", qa, QA_FEATURES),
        ("fgqa", fgqa, FGQA_FEATURES),
        ("captions", captions, CAPTIONS_FEATURES),
        ("pose_description", pose, POSE_DESCRIPTION_FEATURES),
        ("spatial_difference", difference, SPATIAL_DIFFERENCE_FEATURES),
    ):
        write_split(root, config, "train", datasets.Dataset.from_list(rows, features=features))
    write_dataset_card(root, pretty_name="tiny training data", summary="Fixtures of the training tests.")


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-data")
    build_tiny_data(root)
    return root


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Tiny models train faster on one thread (2 shared cores spin with more); restored afterwards."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def tiny_base(tiny_data, tmp_path_factory):
    """The tiny base checkpoint (`make_tiny_base`) whose word vocabulary covers `tiny_data`."""
    from actionart_hf.training.tiny_base import make_tiny_base

    return make_tiny_base(tmp_path_factory.mktemp("tiny-base") / "base", data=[tiny_data], num_frames=4)


def write_recipe(path, model, output_dir, mixture, **overrides) -> str:
    """A small CPU recipe (flat keys, as in recipes/tiny) written to `path`; returns its path."""
    import yaml

    recipe = {
        "model_name_or_path": str(model),
        "dtype": "float32",
        "trust_remote_code": True,
        "dataset_mixture": mixture,
        "num_frames": 4,
        "max_pixels": 4096,
        "num_threads": 1,
        "use_cpu": True,
        "bf16": False,
        "learning_rate": 1.0e-3,
        "max_steps": 3,
        "per_device_train_batch_size": 4,
        "activation_checkpointing": False,
        "dataset_kwargs": {"skip_prepare_dataset": True},
        "remove_unused_columns": False,
        "output_dir": str(output_dir),
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": "none",
        "disable_tqdm": True,
        "seed": 0,
    }
    recipe.update(overrides)
    with open(path, "w") as handle:
        yaml.safe_dump(recipe, handle)
    return str(path)


@pytest.fixture(scope="session")
def make_recipe():
    """`make_recipe(path, model, output_dir, mixture, **overrides)` → path of a small CPU recipe (`write_recipe`)."""
    return write_recipe
