import json
import subprocess
import sys

import datasets
import pytest

from actionart_hf.data.build_actionart import build_actionart
from actionart_hf.data.example_release import EXAMPLE_QA, write_example_release
from actionart_hf.data.loading import load_actionart
from actionart_hf.data.raw_release import parse_answer, parse_options
from actionart_hf.data.schemas import QA_FEATURES
from actionart_hf.data.validation import DatasetValidationError
from actionart_hf.video import load_video


@pytest.fixture
def release(tmp_path):
    return write_example_release(tmp_path / "raw")


def append_qa(release, row):
    with open(release / "annotations" / "actionart_qa.jsonl", "a") as handle:
        handle.write(json.dumps(row) + "\n")


def test_built_folder_loads_with_datasets(release, tmp_path):
    out = build_actionart(release, tmp_path / "ActionArt", license="cc-by-nc-4.0")
    qa = datasets.load_dataset(str(out), "qa", split="test")
    assert qa.features == QA_FEATURES
    assert qa.features["task"].names == ["AC", "AR", "AS", "GS", "HOI", "LS", "MV", "TL"]
    assert len(qa) == len(EXAMPLE_QA)
    by_id = {row["id"]: row for row in qa}
    # mixed spellings normalised: "(A)" letter, 0-based index 1, option text, "B.", lower-case "d"
    assert by_id["q2"]["answer"] == "A" and by_id["q2"]["options"] == ["Waves", "Claps", "Points", "Rests"]
    assert by_id["q3"]["answer"] == "B" and by_id["q3"]["options"] == ["A punch", "A bow", "A jump"]
    assert by_id["q4"]["answer"] == "C" and by_id["q5"]["answer"] == "B" and by_id["q7"]["answer"] == "D"
    assert by_id["q5"]["options"] == ["Rolls it up", "Sits on it", "Lifts it"]
    names = qa.features["task"].names
    assert [names[by_id[q]["task"]] for q in ("q2", "q3", "q6", "q7", "q8")] == ["AR", "AS", "LS", "MV", "TL"]

    captions = load_actionart(out, "captions", split=None)
    assert {split: len(ds) for split, ds in captions.items()} == {"test": 4, "train": 2}
    assert all(row["num_frames"] > 0 and row["fps"] > 0 for row in captions["train"])
    for row in load_actionart(out, "qa", split="test"):
        assert load_video(row["video"], num_frames=4).frames.shape[0] == 4

    card = (out / "README.md").read_text()
    assert "license: cc-by-nc-4.0" in card and "config_name: qa" in card and "@article{peng2025actionart" in card
    assert "| LS | Local Spatial Understanding | 1 |" in card


def test_split_file_overrides(release, tmp_path):
    split_file = tmp_path / "splits.json"
    split_file.write_text(json.dumps({"walk_005.mp4": "validation"}))
    out = build_actionart(release, tmp_path / "out", split_file=split_file)
    assert set(load_actionart(out, "captions", split=None)) == {"test", "train", "validation"}


def test_bad_rows_are_named_and_nothing_is_written(release, tmp_path):
    append_qa(
        release,
        {
            "id": "bad-answer",
            "video": "dance_001",
            "task": "AC",
            "question": "?",
            "options": ["1", "2"],
            "answer": "E",
        },
    )
    append_qa(
        release,
        {
            "id": "bad-task",
            "video": "dance_001",
            "task": "dancing",
            "question": "?",
            "options": ["1", "2"],
            "answer": "A",
        },
    )
    append_qa(
        release,
        {
            "id": "dup-options",
            "video": "dance_001",
            "task": "AC",
            "question": "?",
            "options": ["1", "1"],
            "answer": "A",
        },
    )
    append_qa(
        release,
        {
            "id": "no-video",
            "video": "missing_clip",
            "task": "AC",
            "question": "?",
            "options": ["1", "2"],
            "answer": "A",
        },
    )
    append_qa(
        release,
        {"id": "q1", "video": "dance_001", "task": "AC", "question": "?", "options": ["1", "2"], "answer": "A"},
    )
    (release / "videos" / "broken.mp4").write_text("not a video")
    append_qa(
        release,
        {"id": "broken-video", "video": "broken", "task": "AC", "question": "?", "options": ["1", "2"], "answer": "A"},
    )
    out = tmp_path / "out"
    with pytest.raises(DatasetValidationError) as error:
        build_actionart(release, out)
    message = str(error.value)
    for row_id, reason in [
        ("bad-answer", "not a letter"),
        ("bad-task", "Unknown ActionArt task"),
        ("dup-options", "duplicate options"),
        ("no-video", "not in the release"),
        ("q1", "duplicate id"),
        ("broken-video", "text, not a video"),
    ]:
        assert f"row {row_id!r}" in message and reason in message, (row_id, message)
    assert not out.exists() and not list(tmp_path.glob(".out.staging-*"))

    build_actionart(release, out, drop_invalid=True)
    rejects = [json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rejects] == ["bad-answer", "bad-task", "dup-options", "no-video", "q1", "broken-video"]
    assert {r["table"] for r in rejects} == {"qa"} and [r["row"] for r in rejects] == list(range(8, 14))
    # rows in = rows kept + rows listed: the first q1 is kept, its duplicate listed
    assert len(load_actionart(out, "qa")) == len(EXAMPLE_QA) == len(EXAMPLE_QA) + 6 - len(rejects)


def test_existing_output_is_kept(release, tmp_path):
    out = build_actionart(release, tmp_path / "out")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(ValueError, match="--overwrite"):
        build_actionart(release, out)
    append_qa(
        release, {"id": "x", "video": "nowhere", "task": "AC", "question": "?", "options": ["1", "2"], "answer": "A"}
    )
    with pytest.raises(DatasetValidationError):
        build_actionart(release, out, overwrite=True)  # a failed rebuild leaves the previous output intact
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    build_actionart(release, out, overwrite=True, drop_invalid=True)
    assert len(load_actionart(out, "qa")) == len(EXAMPLE_QA)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_qa_file_formats(release, tmp_path, fmt):
    rows = [json.loads(line) for line in (release / "annotations" / "actionart_qa.jsonl").read_text().splitlines()]
    (release / "annotations" / "actionart_qa.jsonl").unlink()
    simple = [
        {
            "video_id": r.get("video") or r.get("video_id") or r.get("video_name") or r.get("video_path"),
            "task": "AR",
            "question": "What?",
            "options": "A. one\nB. two",
            "answer": "B",
            "id": f"r{i}",
        }
        for i, r in enumerate(rows)
    ]
    path = release / "annotations" / f"my_qa.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps({"questions": simple}))
    else:
        import csv

        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(simple[0]))
            writer.writeheader()
            writer.writerows(simple)
    out = build_actionart(release, tmp_path / "out")
    assert [row["answer"] for row in load_actionart(out, "qa")] == ["B"] * len(rows)


def test_parsers():
    assert parse_options("A. up\nB. down\nC. left", "r") == ["up", "down", "left"]
    assert parse_options('["(A) up", "(B) down"]', "r") == ["up", "down"]
    assert parse_options({"B": "down", "A": "up"}, "r") == ["up", "down"]
    assert parse_answer("B. down", ["up", "down"], "r") == "B"
    assert parse_answer(" Down ", ["up", "down"], "r") == "B"
    assert parse_answer("1", ["up", "down"], "r") == "B"
    with pytest.raises(ValueError, match="0-based"):
        parse_answer(2, ["up", "down"], "r")


def test_cli_help_and_example(tmp_path):
    run = [sys.executable, "-m", "actionart_hf.cli"]
    assert "build-actionart" in subprocess.run([*run, "--help"], capture_output=True, text=True).stdout
    help_text = subprocess.run([*run, "build-actionart", "--help"], capture_output=True, text=True).stdout
    assert "--drop-invalid" in help_text and "--dry-run" in help_text
    subprocess.run(
        [*run, "build-actionart", "--example-release", str(tmp_path / "raw")], check=True, capture_output=True
    )
    result = subprocess.run(
        [
            *run,
            "build-actionart",
            "--release",
            str(tmp_path / "raw"),
            "--out",
            str(tmp_path / "out"),
            "--push",
            "--repo-id",
            "someone/ActionArt",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Would upload" in result.stdout and "data/qa/test-00000-of-00001.parquet" in result.stdout


def test_card_follows_the_hub_card_spec(release, tmp_path):
    """`license: other` comes with `license_name` (a slug) and `license_link` (a URL); `size_categories` is set; every
    link of the card leads somewhere (no bare placeholder such as `https://github.com/`)."""
    import re

    from huggingface_hub import DatasetCard

    from actionart_hf.data.dataset_card import size_category

    card = DatasetCard.load(build_actionart(release, tmp_path / "ActionArt") / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "other" and re.fullmatch(r"[a-z0-9][a-z0-9.-]*", data["license_name"])
    assert data["license_link"].startswith("https://") and data["license_link"] in card.text
    assert data["size_categories"] == ["n<1K"] and data["task_categories"] == ["video-text-to-text"]
    links = re.findall(r"https?://[^\s)>\]`]+", str(card))
    assert links and all(urlparse_path(link) for link in links), links
    assert [size_category(n) for n in (0, 999, 1000, 54_000, 2_000_000)] == [
        "n<1K", "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M"
    ]  # fmt: skip


def urlparse_path(link: str) -> str:
    """The path of a link (empty for a bare host such as `https://github.com/`)."""
    from urllib.parse import urlparse

    return urlparse(link).path.strip("/")


def test_progress_bars_while_probing_and_copying_videos(release, tmp_path, monkeypatch):
    import actionart_hf.data.build_actionart as build_module
    import actionart_hf.data.validation as validation_module

    bars = []

    def recording_tqdm(iterable, desc, **kwargs):
        bars.append((desc, len(iterable)))
        return iterable

    monkeypatch.setattr(build_module, "tqdm", recording_tqdm)
    monkeypatch.setattr(validation_module, "tqdm", recording_tqdm)
    out = build_actionart(release, tmp_path / "ActionArt")
    descriptions = [desc for desc, _ in bars]
    assert descriptions.count("Checking rows and videos") == 2 and "Copying videos" in descriptions
    assert dict(bars)["Copying videos"] == len(list((out / "videos").iterdir()))
