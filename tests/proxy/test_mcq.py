"""The MCQ validator, the oracle templates and the parsing of teachers' JSON."""

import json

import pytest

from actionart_hf.proxy.labels import LabelSpan, format_events, normalize_label, split_count
from actionart_hf.proxy.mcq_parsing import extract_json, parse_events_json, parse_questions_json
from actionart_hf.proxy.mcq_templates import ORACLE_TASKS, oracle_questions
from actionart_hf.proxy.mcq_validation import validate_question


EVENTS = [
    LabelSpan("raise the right arm", 0.0, 2.0),
    LabelSpan("take a step to their left", 2.0, 4.0),
    LabelSpan("pick up the ball with the right hand", 4.0, 6.0),
    LabelSpan("wave the left hand", 6.0, 8.0, count=3),
    LabelSpan("raise the right arm", 8.0, 10.0),
    LabelSpan("squat down", 10.0, 12.0),
]
VOCABULARY = ["clap hands", "throw the box forward", "put the cup down on the floor", "kick with the right leg"]


def q(task, question, options, answer):
    return {"task": task, "question": question, "options": options, "answer": answer}


@pytest.mark.parametrize("seed", range(12))
def test_oracle_questions_pass_the_validator(seed):
    questions = oracle_questions(EVENTS, ORACLE_TASKS, vocabulary=VOCABULARY, seed=seed)
    assert {x["task"] for x in questions} == set(ORACLE_TASKS)
    for question in questions:
        mcq, rejection = validate_question(question, EVENTS)
        assert rejection is None, (question, rejection)
        assert 2 <= len(mcq.options) <= 4 and mcq.answer in "ABCD"[: len(mcq.options)]


def test_oracle_answers_are_the_derived_ones():
    by_task = {x["task"]: x for x in oracle_questions(EVENTS, ORACLE_TASKS, vocabulary=VOCABULARY, seed=3)}
    answer = lambda x: x["options"]["ABCD".index(x["answer"])]  # noqa: E731
    assert answer(by_task["HOI"]) == "pick up the ball with the right hand"
    assert answer(by_task["MV"]) == "left"
    ac = by_task["AC"]
    label = ac["question"].removeprefix("How many times does the person ").rstrip("?")
    assert int(answer(ac)) == sum(e.count for e in EVENTS if e.label == label)


def test_oracle_answer_letters_are_spread():
    letters = [x["answer"] for s in range(200) for x in oracle_questions(EVENTS, ["AR"], VOCABULARY, seed=s)]
    assert all(25 <= letters.count(letter) <= 75 for letter in "ABCD"), {k: letters.count(k) for k in "ABCD"}


@pytest.mark.parametrize(
    "question, code",
    [
        (q("AS", "What does the person do right after they raise the right arm?", ["squat down", "clap hands"], "A"),
         "ambiguous_referent"),  # the action occurs twice
        (q("AS", "What does the person do right after they squat down?", ["clap hands", "raise the right arm"], "A"),
         "not_derivable"),  # nothing after the last action
        (q("AS", "What does the person do right after they take a step to their left?",
           ["squat down", "pick up the ball with the right hand"], "A"), "not_derivable"),  # wrong letter
        (q("AS", "What does the person do right after they take a step to their left?",
           ["pick up the ball with the right hand", "Pick up the ball with the right hand."], "A"),
         "duplicate_options"),
        (q("AS", "What happens?", ["squat down", "clap hands"], "A"), "no_referent"),
        (q("AC", "How many times does the person wave the left hand?", ["3", "three", "1"], "A"),
         "second_true_option"),
        (q("AC", "How many times does the person wave the left hand?", ["3"], "A"), "structure"),
        (q("AC", "How many times does the person wave the left hand?", ["3", "2", "1", "4", "5", "6", "7"], "A"),
         "structure"),
        (q("AC", "How many times does the person wave the left hand?", ["3", "2"], "C"), "structure"),
        (q("TL", "When does the person raise the right arm?", ["0.0-2.0 s", "6.0-8.0 s"], "A"), "ambiguous_referent"),
        (q("TL", "When does the person squat down?", ["10.0-12.0 s", "9.9-12.0 s"], "A"), "second_true_option"),
        (q("AR", "What does the person do between 3.0 s and 9.0 s?", ["squat down", "clap hands"], "A"),
         "ambiguous_referent"),  # the window spans several actions
        (q("HOI", "What does the person do with the ball?", ["throw the ball", "pick up the ball"], "A"),
         "not_derivable"),
        (q("MV", "In which direction does the person take a step?", ["left", "to the left"], "A"),
         "second_true_option"),
        (q("GS", "Is the person standing?", ["yes", "no"], "A"), "unsupported_task"),
        (q("XYZ", "?", ["a", "b"], "A"), "unknown_task"),
        ({"task": "AS", "question": "What does the person do first?"}, "structure"),
    ],
)  # fmt: skip
def test_validator_rejects_with_a_reason(question, code):
    mcq, rejection = validate_question(question, EVENTS)
    assert mcq is None and rejection.code == code, rejection


def test_validator_accepts_llm_spellings():
    # answer given as option text, options with letter prefixes, number words, positions, order questions
    cases = [
        q("AS", "Which action comes right after the person takes a step to their left?",
          ["A. Squat down", "B. Pick up the ball with the right hand"], "Pick up the ball with the right hand"),
        q("AC", "How many times does the person wave the left hand?", ["once", "twice", "three times", "four"], 2),
        q("TL", "When does the person squat down?", ["at the beginning", "in the middle", "at the end"], "C"),
        q("AS", "In which order does the person act?",
          ["squat down, then pick up the ball with the right hand",
           "take a step to their left, then pick up the ball with the right hand"], "b"),
        q("AR", "What is the person doing in the second action?", ["take a step to their left", "squat down"], "A"),
        q("AS", "What does the person do last?", ["squat down", "clap hands"], "A"),
    ]  # fmt: skip
    for question in cases:
        mcq, rejection = validate_question(question, EVENTS)
        assert rejection is None, (question, rejection)
        assert not mcq.options[0].startswith("A.")


def test_untimed_sequences_reject_time_questions():
    question = q("TL", "When does the person squat down?", ["10.0-12.0 s", "0.0-2.0 s"], "A")
    assert validate_question(question, EVENTS, timed=False)[1].code == "no_referent"
    questions = oracle_questions(EVENTS, ORACLE_TASKS, VOCABULARY, seed=1, timed=False)
    assert "TL" not in {x["task"] for x in questions}
    assert all(validate_question(x, EVENTS, timed=False)[1] is None for x in questions)
    assert "s:" not in format_events(EVENTS, timed=False) and "(3 times)" in format_events(EVENTS)


@pytest.mark.parametrize(
    "text",
    [
        '{"questions": [{"task": "AS"}]}',
        'Sure! Here they are:\n```json\n{"questions": [{"task": "AS"}]}\n```\nHope this helps.',
        'Here: {"questions": [{"task": "AS"}]} -- done',
        '[{"task": "AS"}]',
        '{"task": "AS", "question": "x"}',
    ],
)
def test_parse_questions_json_is_robust(text):
    questions, reason = parse_questions_json(text)
    assert reason is None and questions[0]["task"] == "AS"


@pytest.mark.parametrize(
    "text", ["", "   ", "no json here", '{"questions": []}', "[1, 2]", '{"questions": "x"', "null"]
)
def test_parse_questions_json_reports_malformed(text):
    questions, reason = parse_questions_json(text)
    assert questions is None and reason.startswith("malformed JSON")


def test_events_json_and_labels():
    assert parse_events_json('{"events": ["Raises the left arm.", "squats down"]}')[0] == [
        "raise the left arm",
        "squat down",
    ]
    assert parse_events_json('{"events": []}')[0] is None
    assert split_count("waves the left hand three times") == ("wave the left hand", 3)
    assert split_count("The person jumps in place twice") == ("jump in place", 2)
    assert split_count("walks toward the camera for 4 steps") == ("walk toward the camera", 1)
    assert normalize_label("Squats down and stands back up.") == "squat down and stand back up"
    assert normalize_label("lies down on the back") == "lie down on the back"
    with pytest.raises(ValueError):
        extract_json("")
    assert json.loads(json.dumps(extract_json('x {"a": 1} y'))) == {"a": 1}


def test_inflected_referents_match():
    question = q("MV", "In which direction does the person take a step?", ["left", "right"], "A")
    assert validate_question(question, EVENTS)[1] is None
    question = q("MV", "Which way does the person step when they takes a step?", ["right", "left"], "B")
    assert validate_question(question, EVENTS)[1] is None
