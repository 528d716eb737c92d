"""The noisy oracle: its error rate, its paraphrases (state phrases kept), its own FGQA wording, determinism, and
builds through the proxy pipelines and the CLI."""

import json
import random
import re
from collections import Counter

import datasets
import pytest

from actionart_hf.cli import main as cli_main
from actionart_hf.proxy.common import RunSettings
from actionart_hf.proxy.fgqa import build_fgqa
from actionart_hf.proxy.image_tasks import build_pose_description
from actionart_hf.proxy.labels import LabelSpan as Event
from actionart_hf.proxy.mcq_templates import ORACLE_TASKS, oracle_questions
from actionart_hf.proxy.noisy import NoisyOracleTeacher, swap_state_phrases
from actionart_hf.proxy.oracle import OracleTeacher, SyntheticLabels
from actionart_hf.proxy.paraphrase import question_wordings, reword_question
from actionart_hf.proxy.sources import load_sources
from actionart_hf.proxy.teachers import GenerationSettings
from actionart_hf.synthetic.actions import WALK_PHRASES
from actionart_hf.synthetic.states import POSTURE_PHRASES, TORSO_PHRASES
from actionart_hf.synthetic.vocabulary import find_phrases, state_phrases, template_fragments


SETTINGS = GenerationSettings()


@pytest.fixture(scope="module")
def labels(synth_dir):
    return SyntheticLabels(synth_dir)


def image_contexts(labels):
    """Every pose-description frame, frame pairs four frames apart, and every unit window of the folder."""
    contexts = []
    for video in labels.videos():
        clip = labels.clip(video)
        contexts += [{"kind": "pose_description", "source_video": video, "frame_indices": [f]} for f in range(24)]
        pairs = [[f, f + 4] for f in range(20)]
        contexts += [{"kind": "spatial_difference", "source_video": video, "frame_indices": p} for p in pairs]
        windows = [[e.start_frame, e.end_frame] for e in clip.events]
        contexts += [{"kind": "unit_label", "source_video": video, "frame_indices": w} for w in windows]
    return contexts


def answer(teacher, context):
    return teacher.generate([], [], SETTINGS, context=context)


def test_measured_error_rate_is_close_to_the_setting(labels):
    oracle = OracleTeacher(labels)
    for rate in (0.15, 0.4):
        teacher = NoisyOracleTeacher(labels, error_rate=rate, paraphrase=False)
        wrong: dict[str, list[bool]] = {}
        for context in image_contexts(labels):
            wrong.setdefault(context["kind"], []).append(answer(teacher, context) != answer(oracle, context))
        for kind, flags in wrong.items():
            assert abs(sum(flags) / len(flags) - rate) < 0.08 + 0.5 / len(flags) ** 0.5, (rate, kind)
        measured = sum(map(sum, wrong.values())) / sum(map(len, wrong.values()))
        assert abs(measured - rate) < 0.05, rate


def test_no_error_and_no_paraphrase_is_the_oracle(labels):
    oracle, teacher = OracleTeacher(labels), NoisyOracleTeacher(labels, error_rate=0.0, paraphrase=False)
    events = [["raise the left arm above the head", 0.0, 1.0], ["wave the right hand", 1.0, 2.0]]
    fgqa = {"kind": "fgqa_mcq", "events": events, "tasks": list(ORACLE_TASKS), "vocabulary": ["squat down"]}
    for context in [*image_contexts(labels)[::5], fgqa]:
        assert answer(teacher, context) == answer(oracle, context)
    assert teacher.id == "oracle-noisy:v1(error=0)"


def _state_counts(text: str) -> Counter:
    phrases = sorted({*state_phrases(), *WALK_PHRASES.values()}, key=len, reverse=True)
    pattern = "|".join(re.escape(p) for p in phrases)
    return Counter(m.group(0).lower() for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text, flags=re.I))


def test_paraphrases_keep_the_state_words(labels):
    oracle, teacher = OracleTeacher(labels), NoisyOracleTeacher(labels, error_rate=0.0)
    assert teacher.id == "oracle-noisy:v1(error=0,paraphrase)"
    changed = 0
    contexts = [c for c in image_contexts(labels) if c["kind"] != "unit_label"]
    for context in contexts:
        exact, reworded = answer(oracle, context), answer(teacher, context)
        assert _state_counts(reworded) == _state_counts(exact), (exact, reworded)
        changed += reworded != exact
    assert changed > 0.5 * len(contexts)
    units = [c for c in image_contexts(labels) if c["kind"] == "unit_label"]
    assert [answer(teacher, c) for c in units] == [answer(oracle, c) for c in units]  # labels are not reworded


def test_swapped_phrases_stay_in_their_state():
    text = "The person went from upright to leaning to the left. The person is standing."
    tables = (POSTURE_PHRASES, TORSO_PHRASES)
    swapped = {swap_state_phrases(text, tables, random.Random(seed)) for seed in range(40)}
    assert text not in swapped and len(swapped) > 5
    for variant in swapped:
        counts = _state_counts(variant)
        assert sum(counts[p] for p in TORSO_PHRASES.values()) == 2 and sum(counts[p] for p in POSTURE_PHRASES.values())
    assert swap_state_phrases("The pose does not change.", tables, random.Random(0)) is None


def test_deterministic_per_request(labels):
    contexts = image_contexts(labels)[::7]
    first = [answer(NoisyOracleTeacher(labels, error_rate=0.5), c) for c in contexts]
    assert first == [answer(NoisyOracleTeacher(labels, error_rate=0.5), c) for c in contexts]
    other_seed = NoisyOracleTeacher(labels, error_rate=0.5, seed=1)
    assert other_seed.id == "oracle-noisy:v1(error=0.5,paraphrase,seed=1)"
    assert first != [answer(other_seed, c) for c in contexts]
    with pytest.raises(ValueError, match="error_rate=1.5"):
        NoisyOracleTeacher(labels, error_rate=1.5)


def test_question_wording_is_the_teachers_own():
    assert not [w for w in question_wordings() if find_phrases(w, template_fragments())]
    events = [Event("pick up the ball with the left hand", 0.0, 1.0), Event("walk toward the camera", 1.0, 2.0, 3)]
    events += [Event("wave the right hand", 2.0, 3.0, 2)]
    for seed in range(10):
        for question in oracle_questions(events, ORACLE_TASKS, vocabulary=["squat down"], seed=seed):
            reworded = reword_question(question["question"], random.Random(seed))
            wording = reworded
            for event in events:  # the labels themselves are the action's words, not the wording's
                wording = wording.replace(event.label, "x")
            assert reworded != question["question"] and not find_phrases(wording, template_fragments())
    with pytest.raises(RuntimeError, match="No teacher wording"):
        reword_question("Why?", random.Random(0))


def test_builds_record_the_teacher_and_explain_it(synth_dir, labels, tmp_path):
    teacher = NoisyOracleTeacher(labels, error_rate=0.15)
    sources = load_sources("synthetic", synth_dir)
    report = build_pose_description(sources, tmp_path / "pd", teacher, frames_per_video=3, run=RunSettings(workers=2))
    rows = datasets.load_dataset(str(tmp_path / "pd"), "pose_description", split="train", cache_dir=str(tmp_path))
    assert report.rows == len(rows) == 12 and report.failed == 0
    assert set(rows["teacher"]) == {"oracle-noisy:v1(error=0.15,paraphrase)|pose_description.v1"}
    assert "Stand-in teacher" in (tmp_path / "pd" / "README.md").read_text()

    kwargs = dict(sources=sources, num_videos=6, frames_per_unit=2, fps=4.0, size=(32, 32), seed=1)
    report = build_fgqa(tmp_path / "fgqa", teacher, teacher, **kwargs)
    rows = datasets.load_dataset(str(tmp_path / "fgqa"), "fgqa", split="train", cache_dir=str(tmp_path))
    assert report.rows == len(rows) > 0 and sum(report.rejected.values()) <= report.rows // 4
    labels_used = sorted({unit["label"] for units in rows["units"] for unit in units}, key=len, reverse=True)
    for question in rows["question"]:
        for label in labels_used:
            question = question.replace(label, "x")
        assert not find_phrases(question, template_fragments()), question
    assert "Stand-in teacher" in (tmp_path / "fgqa" / "README.md").read_text()


def test_cli_teacher_option(synth_dir, tmp_path):
    args = ["proxy", "sd", "--source", "synthetic", "--source-dir", str(synth_dir), "--teacher", "oracle-noisy"]
    assert cli_main([*args, "--out", str(tmp_path / "sd"), "--teacher-error-rate", "0.3", "--no-paraphrase"]) == 0
    rows = datasets.load_dataset(str(tmp_path / "sd"), "spatial_difference", split="train", cache_dir=str(tmp_path))
    assert set(rows["teacher"]) == {"oracle-noisy:v1(error=0.3)|spatial_difference.v1"}
    assert cli_main([*args, "--out", str(tmp_path / "bad"), "--teacher-error-rate", "1.5"]) == 2
    cache = json.dumps(sorted(p.name for p in (tmp_path / "sd.cache").iterdir()))
    assert "calls" in cache
