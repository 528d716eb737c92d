"""Builders end to end with model teachers: the OpenAI-compatible teacher against a real local server (playing a
competent teacher), a tiny local transformers model, malformed answers, and loading the results with
`load_dataset`. The oracle on synthetic sources is in test_oracle.py."""

import json

import datasets
import numpy as np
import pytest

from actionart_hf.data.schemas import (
    FGQA_FEATURES,
    POSE_DESCRIPTION_FEATURES,
    QA_FEATURES,
    SPATIAL_DIFFERENCE_FEATURES,
)
from actionart_hf.proxy.caption_qa import build_caption_qa
from actionart_hf.proxy.common import RunSettings
from actionart_hf.proxy.fgqa import build_fgqa, load_unit_set
from actionart_hf.proxy.image_tasks import build_pose_description, build_spatial_difference
from actionart_hf.proxy.mcq_validation import validate_question
from actionart_hf.proxy.sources import load_sources
from actionart_hf.proxy.teachers import GenerationSettings, OpenAITeacher, TransformersTeacher
from actionart_hf.proxy.testing import simulated_teacher
from actionart_hf.tasks import TASK_CODES
from actionart_hf.video import load_video, probe_video


def load(folder, config, tmp_path, split="train"):
    return datasets.load_dataset(str(folder), config, split=split, cache_dir=str(tmp_path / "hf-cache"))


def fast_run(**kwargs):
    return RunSettings(workers=4, retries=2, backoff_s=0.01, timeout_s=30, **kwargs)


def test_pose_description_from_ntu(chat_server, ntu_dir, tmp_path):
    server = chat_server()
    teacher = OpenAITeacher(server.base_url, model="qwen-vl")
    out = tmp_path / "pd"
    report = build_pose_description(load_sources("ntu", ntu_dir), out, teacher, frames_per_video=2, run=fast_run())
    assert report.rows == 6 and report.teacher_calls == 6 and report.failed == 0 and report.failure_report is None
    ds = load(out, "pose_description", tmp_path)
    assert ds.features == POSE_DESCRIPTION_FEATURES and len(ds) == 6
    row = ds[0]
    assert row["teacher"] == "openai:qwen-vl|pose_description.v1"
    assert row["source_video"] == "S001C001P001R001A001_rgb.avi" and 0 <= row["frame_index"] < 8
    assert row["image"].size == (32, 24) and row["response"].startswith("The person holds a pose")
    assert row["prompt"].startswith("Describe the pose") and len(set(ds["id"])) == 6
    card = (out / "README.md").read_text()
    assert "config_name: pose_description" in card and "pose_description.v1" in card
    # same command again: every answer from the cache, identical rows
    again = build_pose_description(
        load_sources("ntu", ntu_dir), out, teacher, frames_per_video=2, run=fast_run(), overwrite=True
    )
    assert again.teacher_calls == 0 and again.cached == 6 and server.received == 6
    assert load(out, "pose_description", tmp_path / "again")["response"] == ds["response"]


def test_spatial_difference_from_kinetics(chat_server, kinetics_dir, tmp_path):
    teacher = OpenAITeacher(chat_server().base_url)
    sources = load_sources("kinetics", kinetics_dir, annotations=kinetics_dir / "train.csv")
    out = tmp_path / "sd"
    report = build_spatial_difference(
        sources, out, teacher, pairs_per_video=2, pair_gap_s=(0.25, 0.25), run=fast_run()
    )
    ds = load(out, "spatial_difference", tmp_path)
    assert report.rows == len(ds) == 6 and ds.features == SPATIAL_DIFFERENCE_FEATURES
    # 8 frames at 8 fps, two pairs 0.25 s (2 frames) apart, centred in each half of the clip
    assert ds[0]["frame_indices"] == [1, 3] and ds[1]["frame_indices"] == [5, 7]
    assert len(ds[0]["images"]) == 2 and ds[0]["source_video"].startswith("train/abseiling/")
    card = (out / "README.md").read_text()
    assert "Each row is one pair of frames (two images), not one frame" in card and "0.25 s apart" in card


def test_fgqa_from_a_folder_of_videos(chat_server, folder_dir, tmp_path):
    server = chat_server()
    teacher = OpenAITeacher(server.base_url)
    out = tmp_path / "fgqa"
    report = build_fgqa(
        out, teacher, teacher, sources=load_sources("folder", folder_dir), num_videos=6, units_per_video=3,
        unit_window_s=0.25, min_units=3, max_units=4, frames_per_unit=3, fps=4.0, size=(16, 24), run=fast_run(),
    )  # fmt: skip
    assert report.failed == 0 and report.rows > 0
    ds = load(out, "fgqa", tmp_path)
    assert ds.features == FGQA_FEATURES and len(ds) == report.rows
    tasks = {TASK_CODES[t] for t in ds["task"]}
    assert {"AS", "AR"} <= tasks <= {"AS", "TL", "AC", "AR", "HOI", "MV"}
    row = ds[0]
    assert row["teacher"] == "units=openai:default|unit_label.v1;qa=openai:default|fgqa_mcq.v1"
    units = row["units"]
    assert 3 <= len(units) <= 4 and all(len(u["frame_indices"]) == 2 for u in units)
    assert all(units[i]["source_video"] != units[i + 1]["source_video"] for i in range(len(units) - 1))
    info = probe_video(out / row["video"])
    assert (info.height, info.width, info.total_frames) == (16, 24, 3 * len(units))
    # every kept question is re-derivable from its row's own units
    from actionart_hf.proxy.labels import LabelSpan

    for row in ds:
        events = [LabelSpan(u["label"], 0.75 * k, 0.75 * (k + 1)) for k, u in enumerate(row["units"])]
        question = {k: row[k] for k in ("question", "options", "answer")} | {"task": TASK_CODES[row["task"]]}
        assert validate_question(question, events)[1] is None, row
    unit_set = load_unit_set(tmp_path / "fgqa.cache" / "unit_set.jsonl")
    assert len(unit_set) == 12 and unit_set[0].teacher == "openai:default|unit_label.v1"
    card = (out / "README.md").read_text()
    assert "Rejected questions" in card and "Questions per sub-task" in card
    assert "(1 in between that the teacher did not see: a deviation from the paper)" in card
    # a second build reuses the unit set without labelling anything
    calls = server.received
    reuse = build_fgqa(
        tmp_path / "fgqa2", None, teacher, unit_set=tmp_path / "fgqa.cache" / "unit_set.jsonl", num_videos=2,
        frames_per_unit=2, size=(16, 24), run=fast_run(cache_dir=tmp_path / "fgqa.cache"),
    )  # fmt: skip
    assert reuse.rows > 0 and server.received - calls <= 2


def test_fgqa_units_are_short_windows_contributing_their_two_labelled_frames(chat_server, folder_dir, tmp_path):
    teacher = OpenAITeacher(chat_server().base_url)
    out = tmp_path / "fgqa"
    sources = load_sources("folder", folder_dir)
    build_fgqa(out, teacher, teacher, sources=sources, num_videos=2, unit_window_s=0.5, size=(24, 32), run=fast_run())
    # clips of 10 frames at 8 fps: two units each, 0.5 s (4 frames) apart and centred in each half, not half clips
    assert {u.frame_indices for u in load_unit_set(tmp_path / "fgqa.cache" / "unit_set.jsonl")} == {(0, 4), (5, 9)}
    row = load(out, "fgqa", tmp_path)[0]
    video = load_video(out / row["video"], num_frames=1000, max_pixels=None)
    assert video.total_frames == 2 * len(row["units"]) and video.fps == 2.0  # a unit lasts 1 s
    labelled = [index for unit in row["units"] for index in unit["frame_indices"]]
    red = video.frames[:, 12, 16, 0].astype(int)  # the source clips' red channel is 20 x their frame index
    assert np.abs(red - 20 * np.array(labelled)).max() <= 8
    assert "each unit contributes exactly its two labelled frames (as in the paper)" in (out / "README.md").read_text()
    with pytest.raises(ValueError, match="frames_per_unit=1: a unit is two labelled frames"):
        build_fgqa(tmp_path / "x", teacher, teacher, sources=sources, frames_per_unit=1)


def test_malformed_teacher_output_is_retried_or_rejected(chat_server, folder_dir, tmp_path):
    attempts = {}

    def responder(payload):
        text = json.dumps(payload["messages"])
        if "questions" not in text:
            return simulated_teacher(payload)
        key = text
        attempts[key] = attempts.get(key, 0) + 1
        video = list(attempts).index(key)  # order of first arrival (one worker)
        if video == 0:  # always empty: fails after retries, listed in the failure report
            return ""
        if video == 1 and attempts[key] == 1:
            return "Here are your questions: {not json"
        good = json.loads(simulated_teacher(payload))["questions"]
        broken = [
            {"task": "AS", "question": "What does the person do first?", "options": ["x", "X."], "answer": "A"},
            {"task": "AC", "question": "How many?", "options": ["1"], "answer": "A"},  # wrong number of options
            {"task": "GS", "question": "Is the person standing?", "options": ["yes", "no"], "answer": "A"},
        ]
        return "```json\n" + json.dumps({"questions": good + broken}) + "\n```"

    teacher = OpenAITeacher(chat_server(responder=responder).base_url)
    out = tmp_path / "fgqa"
    report = build_fgqa(
        out, teacher, teacher, sources=load_sources("folder", folder_dir), num_videos=3, frames_per_unit=2,
        size=(16, 24), tasks=["AS", "AR"], run=RunSettings(workers=1, retries=2, backoff_s=0.01),
    )  # fmt: skip
    assert report.failed == 1
    failure = json.loads(report.failure_report.read_text().splitlines()[0])
    assert failure["kind"] == "fgqa_mcq" and "malformed answer" in failure["error"] and failure["attempts"] == 3
    assert report.rejected["duplicate_options"] == 2 and report.rejected["structure"] == 2
    assert report.rejected["unsupported_task"] == 2
    rejects = [json.loads(line) for line in report.rejects_file.read_text().splitlines()]
    assert {r["reason"] for r in rejects} == {"duplicate_options", "structure", "unsupported_task"}
    assert len(load(out, "fgqa", tmp_path)) == report.rows > 0
    card = (out / "README.md").read_text()
    assert "| `duplicate_options` |" in card and "fgqa.failures.jsonl" in card


def test_caption_qa_with_and_without_events(chat_server, captions_dir, tmp_path):
    teacher = OpenAITeacher(chat_server().base_url, model="qwen")
    out = tmp_path / "stage3"
    report = build_caption_qa(captions_dir, out, teacher, run=fast_run())
    ds = load(out, "qa", tmp_path)
    assert ds.features == QA_FEATURES and len(ds) == report.rows and report.failed == 0
    # spatial questions come from v0's start/end pose sentences; v1 and v2 state no pose: the teacher's guesses
    spatial = [r for r in ds if TASK_CODES[r["task"]] in ("GS", "LS")]
    assert spatial and {r["video_id"] for r in spatial} == {"v0"}
    assert report.rejected["not_derivable"] == 2
    for row in spatial:
        answer = row["options"]["ABCD".index(row["answer"])]
        if row["question"].startswith("At the start") and "posture" in row["question"]:
            assert answer == "standing"
        if row["question"].startswith("At the end") and "facing" in row["question"]:
            assert answer == "facing the left side of the frame"
        if "right hand" in row["question"]:
            assert row["question"].startswith("At the start") and answer == "at waist height"
    by_video = {}
    for row in ds:
        by_video.setdefault(row["video_id"], set()).add(TASK_CODES[row["task"]])
        assert (out / row["video"]).is_file() and row["video"] == f"videos/{row['video_id']}.mp4"
    assert set(by_video) == {"v0", "v1", "v2"}
    assert "TL" in by_video["v0"] and "TL" not in by_video["v2"]  # v2 has no times: no temporal localisation
    v0_ac = [r for r in ds if r["video_id"] == "v0" and TASK_CODES[r["task"]] == "AC"]
    if v0_ac and "wave the right hand" in v0_ac[0]["question"]:
        assert v0_ac[0]["options"]["ABCD".index(v0_ac[0]["answer"])] == "3"
    card = (out / "README.md").read_text()
    assert "config_name: qa" in card and "events from captions" in card and "caption_pose_mcq.v1" in card


def test_oracle_cannot_read_free_captions(captions_dir, tmp_path):
    from actionart_hf.proxy.oracle import OracleTeacher

    report = build_caption_qa(captions_dir, tmp_path / "qa", OracleTeacher(), run=fast_run())
    failures = [json.loads(line) for line in report.failure_report.read_text().splitlines()]
    assert sorted((f["row_id"], f["kind"]) for f in failures) == [
        ("v1", "caption_pose_mcq"),  # no pose sentence in the synthetic captions' words
        ("v2", "caption_events"),  # free text without events
        ("v2", "caption_pose_mcq"),
    ]
    assert report.failed == 3 and "free-text caption" in report.failure_report.read_text()
    rows = load(tmp_path / "qa", "qa", tmp_path)
    assert {r["video_id"] for r in rows} == {"v0", "v1"}
    assert {TASK_CODES[r["task"]] for r in rows if r["video_id"] == "v0"} >= {"GS", "LS", "AS"}


def test_pose_description_with_a_local_transformers_model(tiny_llava, folder_dir, tmp_path):
    teacher = TransformersTeacher(str(tiny_llava), device="cpu", dtype="float32")
    sources = load_sources("folder", folder_dir, max_videos=1)
    run = RunSettings(workers=4, generation=GenerationSettings(max_new_tokens=4))
    report = build_pose_description(sources, tmp_path / "pd", teacher, frames_per_video=2, run=run)
    # a random model writes garbage (possibly empty, which the runner retries and then reports): plumbing only
    assert report.rows + report.failed == 2
    if report.rows:
        assert load(tmp_path / "pd", "pose_description", tmp_path)[0]["teacher"].startswith("transformers:")


def test_existing_output_is_refused(chat_server, ntu_dir, tmp_path):
    (tmp_path / "pd").mkdir()
    (tmp_path / "pd" / "keep.txt").write_text("user data")
    with pytest.raises(ValueError, match="--overwrite"):
        build_pose_description(load_sources("ntu", ntu_dir), tmp_path / "pd", OpenAITeacher("http://127.0.0.1:9"))
