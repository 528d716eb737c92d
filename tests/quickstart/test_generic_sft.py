"""Generic stage-1 rows from a tiny synthetic folder: they load through the training mixture, their answers follow
from the motion labels, answer letters are balanced, and they hold none of the benchmark's vocabulary."""

import io
import json
import re
from collections import Counter

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image

from actionart_hf.cli import main as cli_main
from actionart_hf.quickstart.generic_sft import (
    MOVEMENT_EDGES_M,
    MOVEMENT_PHRASES,
    POSITION_EDGES,
    POSITION_PHRASES,
    build_generic_sft,
    check_generic_rows,
    forbidden_phrases,
)
from actionart_hf.synthetic.objects import OBJECT_STYLES
from actionart_hf.synthetic.states import FACING_PHRASES, HAND_HEIGHT_PHRASES, POSTURE_PHRASES
from actionart_hf.tasks import letter_index
from actionart_hf.training import DatasetSpec, load_mixture


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "synth"
    args = ["synth", "--num-videos", "12", "--splits", "train=12", "--out", str(folder), "--resolution", "32"]
    assert cli_main([*args, "--num-frames", "24", "--fps", "4", "--seed", "5"]) == 0
    return folder


@pytest.fixture(scope="module")
def generic_dir(synth_dir):
    out = synth_dir.parent / "generic"
    rows = build_generic_sft(synth_dir, out, image_rows_per_clip=2, seed=1)
    assert rows > 12 * 3
    return out


@pytest.fixture(scope="module")
def mixture(generic_dir):
    return load_mixture([DatasetSpec(str(generic_dir), format="messages")])


def table_rows(folder, config=None, split="train"):
    pattern = f"data/{config}/{split}-*.parquet" if config else f"data/{split}-*.parquet"
    return [row for path in sorted(folder.glob(pattern)) for row in pq.read_table(path).to_pylist()]


def texts(row):
    return [p["text"] for turn in row["messages"] for p in turn["content"] if p["text"]]


def test_rows_load_through_the_training_mixture(generic_dir, mixture, synth_dir):
    rows = table_rows(generic_dir)
    assert len(mixture) == len(rows)
    motion = table_rows(synth_dir, "motion")
    assert Counter(row["kind"] for row in rows)["caption"] == len(motion)
    for example in mixture:
        messages = json.loads(example["messages"])
        assert messages[-1]["role"] == "assistant" and len(example["videos"]) + len(example["images"]) == 1
        for video in example["videos"]:
            assert video.startswith(str(generic_dir)) and (generic_dir / video).is_file()
        for image in example["images"]:
            assert Image.open(io.BytesIO(image["bytes"])).size == (32, 32)
    image_rows = [row for row in rows if row["image"] is not None]
    assert 0 < len(image_rows) <= 2 * len(motion) and all(row["videos"] == [] for row in image_rows)


def _options(prompt: str) -> list[str]:
    return re.findall(r"^[A-D]\. (.*)$", prompt, flags=re.M)


def _bin(value, edges, phrases):
    return phrases[sum(value >= edge for edge in edges)]


def test_answers_follow_from_the_motion_rows(generic_dir, synth_dir):
    motion = {row["video"]: row for row in table_rows(synth_dir, "motion")}
    checked = Counter()
    for row in table_rows(generic_dir):
        labels = motion[row["source_video"]]
        pelvis = labels["joint_names"].index("pelvis")
        x = np.asarray(labels["joints2d"])[:, pelvis, 0] / labels["width"]
        floor = np.asarray(labels["joints3d"])[:, pelvis][:, [0, 2]]
        objects = labels["objects"]
        if row["kind"] == "caption":
            caption = texts(row)[-1]
            assert all(f"{OBJECT_STYLES[o].color_name} {o}" in caption for o in objects)
            assert _bin(x[0], POSITION_EDGES, POSITION_PHRASES) in caption
            assert _bin(x[-1], POSITION_EDGES, POSITION_PHRASES) in caption
            continue
        prompt, letter = texts(row)
        options = _options(prompt)
        assert len(options) == 4 and len(set(options)) == 4
        answer = options[letter_index(letter)]
        expected = {
            "object_present": objects[0] if objects else None,
            "object_colour": OBJECT_STYLES[objects[0]].color_name if objects else None,
            "prop_count": ["no props", "one prop", "two props", "three props"][len(objects)],
            "end_position": _bin(x[-1], POSITION_EDGES, POSITION_PHRASES),
            "movement": _bin(np.linalg.norm(floor - floor[0], axis=1).max(), MOVEMENT_EDGES_M, MOVEMENT_PHRASES),
            "image_object": objects[0] if objects else None,
        }
        if row["kind"] == "image_position":
            frame = int(row["id"].rsplit("-f", 1)[1])
            expected["image_position"] = _bin(x[frame], POSITION_EDGES, POSITION_PHRASES)
        assert answer == expected[row["kind"]], row["id"]
        checked[row["kind"]] += 1
    assert {"prop_count", "end_position", "movement", "image_position"} <= set(checked)


def test_answer_letters_are_balanced(generic_dir):
    letters: dict[str, Counter] = {}
    for row in table_rows(generic_dir):
        if row["kind"] != "caption":
            letters.setdefault(row["kind"], Counter())[texts(row)[-1]] += 1
    for kind, counts in letters.items():
        full = [counts.get(letter, 0) for letter in "ABCD"]
        assert max(full) - min(full) <= 1, (kind, counts)


def test_no_benchmark_vocabulary(generic_dir, mixture, synth_dir):
    assert check_generic_rows(mixture) == []
    benchmark_questions = {row["question"].lower() for row in table_rows(synth_dir, "qa")}
    all_text = " ".join(text.lower() for row in table_rows(generic_dir) for text in texts(row))
    assert not [q for q in benchmark_questions if q in all_text]
    phrases = forbidden_phrases()  # read from the generator, not typed here
    assert {*POSTURE_PHRASES.values(), *FACING_PHRASES.values(), *HAND_HEIGHT_PHRASES.values()} <= phrases
    assert {"raise the left arm above the head", "waves the right hand", "how many times does the person"} <= phrases
    planted = {
        "id": "x",
        "messages": [{"role": "assistant", "content": [{"type": "text", "text": "Standing still."}]}],
    }
    assert check_generic_rows([planted]) == ["row x: 'standing' in 'Standing still.'"]


def test_deterministic_and_errors(generic_dir, synth_dir, tmp_path):
    build_generic_sft(synth_dir, tmp_path / "again", image_rows_per_clip=2, seed=1)
    assert table_rows(tmp_path / "again") == table_rows(generic_dir)
    with pytest.raises(ValueError, match="data/motion/test"):
        build_generic_sft(synth_dir, tmp_path / "none", split="test")
    with pytest.raises(ValueError, match="image_rows_per_clip"):
        build_generic_sft(synth_dir, tmp_path / "none", image_rows_per_clip=-1)
