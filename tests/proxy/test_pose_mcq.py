"""Spatial (GS, LS) questions from a caption's start and end pose sentences: sentences, oracle, validator."""

import pytest

from actionart_hf.proxy.pose_mcq import (
    oracle_pose_questions,
    pose_sentences,
    synthetic_pose_vocabularies,
    validate_pose_question,
)


CAPTION = (
    "A person is kneeling, facing away from the camera, with the left hand above the head and the right hand below "
    "the hips. First, the person stands up (0.5-1.5 s). Finally, the person waves the left hand twice (1.5-2.5 s). "
    "At the end of the video, the person is standing, facing the camera, with the left hand at shoulder height and "
    "the right hand below the hips."
)
SENTENCES = pose_sentences(CAPTION)
TRUTH = {
    ("start", "posture"): "kneeling",
    ("start", "facing"): "facing away from the camera",
    ("start", "left hand"): "above the head",
    ("start", "right hand"): "below the hips",
    ("end", "posture"): "standing",
    ("end", "facing"): "facing the camera",
    ("end", "left hand"): "at shoulder height",
    ("end", "right hand"): "below the hips",
}


def _key(question: str) -> tuple[str, str]:
    moment = "start" if question.startswith("At the start") else "end"
    subject = next(s for s in ("posture", "facing", "left hand", "right hand") if s in question)
    return moment, subject


def test_pose_sentences_are_the_first_and_the_closing_one():
    assert SENTENCES["start"].startswith("A person is kneeling") and SENTENCES["start"].endswith("hips.")
    assert SENTENCES["end"].startswith("At the end of the video, the person is standing")
    assert pose_sentences("The person waves.") == {"start": "The person waves."}
    assert pose_sentences("  ") == {}


@pytest.mark.parametrize("seed", range(12))
def test_oracle_questions_are_exact_and_pass_the_validator(seed):
    questions = oracle_pose_questions(SENTENCES, synthetic_pose_vocabularies(), seed=seed)
    assert [q["task"] for q in questions] == ["GS", "LS"]
    for question in questions:
        assert len(question["options"]) == 4 and len(set(question["options"])) == 4
        answer = question["options"]["ABCD".index(question["answer"])]
        assert answer == TRUTH[_key(question["question"])]
        mcq, rejection = validate_pose_question(question, SENTENCES)
        assert rejection is None and mcq.answer == question["answer"]


def test_oracle_asks_about_both_moments_and_hands_across_seeds():
    asked = {
        _key(q["question"])
        for seed in range(60)
        for q in oracle_pose_questions(SENTENCES, synthetic_pose_vocabularies(), seed=seed)
    }
    assert asked == set(TRUTH)


def test_oracle_asks_nothing_when_no_known_phrase_is_stated():
    sentences = pose_sentences("The person raises the left arm. Then the person squats down.")
    assert oracle_pose_questions(sentences, synthetic_pose_vocabularies()) == []


def _question(text: str, options: list[str], answer: str = "A", task: str = "GS") -> dict:
    return {"task": task, "question": text, "options": options, "answer": answer}


POSTURES = ["standing", "kneeling", "squatting", "sitting on the floor"]
HANDS = ["above the head", "at shoulder height", "at waist height", "below the hips"]


@pytest.mark.parametrize(
    ("question", "code"),
    [
        (_question("What is the person's posture?", POSTURES), "no_moment"),
        (_question("Right after the person waves, what is the person's posture?", POSTURES), "no_moment"),
        (_question("At the start of the video, what is the person's posture?", POSTURES), "not_derivable"),
        (_question("At the end of the video, where is the person's right hand?", HANDS, "B", "LS"), "not_derivable"),
        (
            _question("At the end of the video, where are the left hand and the right hand?", HANDS, "B", "LS"),
            "ambiguous_referent",
        ),
        # asked without a side, both hands' heights at the start are stated options
        (_question("At the start of the video, where is a hand?", HANDS, "D", "LS"), "second_true_option"),
        (_question("At the start of the video, what does the person do?", ["a", "b", "a", "c"]), "duplicate_options"),
        (_question("At the start of the video, what is the posture?", POSTURES, "B", "AS"), "unsupported_task"),
    ],
)
def test_validator_rejects_with_a_reason(question, code):
    mcq, rejection = validate_pose_question(question, SENTENCES)
    assert mcq is None and rejection.code == code, rejection


def test_validator_rejects_two_stated_options():
    sentences = pose_sentences("A person is standing, facing the camera, facing away from the camera.")
    options = ["facing the camera", "facing away from the camera", "facing the left side of the frame", "x"]
    question = _question("At the start of the video, which way is the person facing?", options)
    assert validate_pose_question(question, sentences)[1].code == "second_true_option"


def test_validator_accepts_llm_spellings():
    question = _question(
        "At the beginning of the video, where is the person's LEFT hand?",
        ["A. At shoulder height", "B. Above the head.", "C. At waist height", "D. Below the hips"],
        "Above the head",
        "LS",
    )
    mcq, rejection = validate_pose_question(question, SENTENCES)
    assert rejection is None and mcq.answer == "B" and mcq.options[1] == "Above the head."
