"""Answer extraction on realistic model outputs: what each output counts as, and never a guess."""

import pytest

from actionart_hf.evaluation.extraction import Extraction, explain_answer, extract_answer


COUNT = ["2 times", "3 times", "4 times", "5 times"]
HAND = ["left hand", "right hand", "both hands", "neither hand"]
DIRECTION = ["left", "right", "forward", "backward"]
ORDER = ["raise the arm, then squat", "squat, then raise the arm", "jump, then wave"]

# (output, options, expected letter or None)
CASES = [
    # Bare letters and their decorations
    ("B", COUNT, "B"),
    ("(B)", COUNT, "B"),
    ("B.", COUNT, "B"),
    ("b", COUNT, "B"),
    (" C\n", COUNT, "C"),
    ("[D]", COUNT, "D"),
    ("**B**", COUNT, "B"),
    ("`C`", COUNT, "C"),
    ("A", COUNT, "A"),
    ("a.", COUNT, "A"),
    ("B)", COUNT, "B"),
    ("Ｂ", COUNT, "B"),  # full-width letter
    ("B<|im_end|>", COUNT, "B"),
    ("C</s>", COUNT, "C"),
    ("assistant\nB", COUNT, "B"),
    # A letter followed by text
    ("B) 3 times", COUNT, "B"),
    ("B. 3 times", COUNT, "B"),
    ("(C) 4 times", COUNT, "C"),
    ("A: 2 times", COUNT, "A"),
    ("D - 5 times", COUNT, "D"),
    ("B, because the person waves three times.", COUNT, "B"),
    ("B\n\nThe person waves their hand three times in the clip.", COUNT, "B"),
    ("Option B", COUNT, "B"),
    ("Option (c): 4 times", COUNT, "C"),
    ("Choice D", COUNT, "D"),
    # Answer phrases
    ("Answer: B", COUNT, "B"),
    ("The answer is B.", COUNT, "B"),
    ("The answer is (B).", COUNT, "B"),
    ("Answer: (B) 3 times", COUNT, "B"),
    ("The correct answer is C.", COUNT, "C"),
    ("The correct answer would be option D.", COUNT, "D"),
    ("Final answer: A", COUNT, "A"),
    ("The answer to this question is C, 4 times.", COUNT, "C"),
    ("**Answer:** B", COUNT, "B"),
    ("The correct option is B.", COUNT, "B"),
    ("I choose C.", COUNT, "C"),
    ("I'd go with option B.", COUNT, "B"),
    ("I think it's D.", COUNT, "D"),
    ("It is B.", COUNT, "B"),
    ("Option C is correct.", COUNT, "C"),
    ("B is the correct answer.", COUNT, "B"),
    ("The answer is: **A. 2 times**", COUNT, "A"),
    ("\\boxed{C}", COUNT, "C"),
    ("So the final answer is $\\boxed{B}$.", COUNT, "B"),
    ("答案是B", COUNT, "B"),
    ("答案：C", COUNT, "C"),
    # Answers after reasoning
    (
        "The person lifts the right hand at the start, lowers it, and lifts it again twice more. "
        "That makes three waves in total. So the answer is B.",
        COUNT,
        "B",
    ),
    (
        "Let's look at each option. Option A says two times, which undercounts. Option B says three times, which "
        "matches what we see. Therefore, the answer is B.",
        COUNT,
        "B",
    ),
    ("<think>It might be A... no, count again: three.</think>The answer is B.", COUNT, "B"),
    ("First the arm goes up, then the person squats.\n\nA", ORDER, "A"),
    ("Looking at the frames, the person walks away from the camera.\nTherefore, D.", DIRECTION, "D"),
    ("Answer: C\nExplanation: option A is wrong because the hand is not raised.", COUNT, "C"),
    # The option text instead of a letter
    ("3 times", COUNT, "B"),
    ("right hand", HAND, "B"),
    ("Right hand.", HAND, "B"),
    ("The person waves 4 times.", COUNT, "C"),
    ("The person raises the right hand.", HAND, "B"),
    ("They move forward.", DIRECTION, "C"),
    ("squat, then raise the arm", ORDER, "B"),
    ("Both hands.", HAND, "C"),
    ("neither hand", HAND, "D"),
    # Unanswered: empty, refusals, hedges, contradictions, letters outside the options
    ("", COUNT, None),
    ("   \n", COUNT, None),
    (None, COUNT, None),
    ("A or B", COUNT, None),
    ("B/C", COUNT, None),
    ("It could be A or B.", COUNT, None),
    ("The answer is B or C.", COUNT, None),
    ("Both A and C are plausible.", COUNT, None),
    ("None of them.", COUNT, None),
    ("None of the options is correct.", COUNT, None),
    ("I cannot determine the answer from the video.", COUNT, None),
    ("Sorry, I can't tell how many times the person waves.", COUNT, None),
    ("I'm not sure.", COUNT, None),
    ("E", COUNT, None),
    ("The answer is F.", COUNT, None),
    ("The answer is A. Wait, actually the answer is C.", COUNT, None),
    ("B. 2 times", COUNT, None),  # letter and text name different options
    ("The person turns left and then right.", DIRECTION, None),
    ("The person waves 3 times, not 4 times.", COUNT, None),
    ("A person is standing in a room and waving.", COUNT, None),
    ("The answer is A person waving.", HAND, None),
    ("E.g. the person raises a hand.", HAND, None),
    ("The video shows a person dancing.", COUNT, None),
    ("I don't know.", COUNT, None),
]


def _id(case) -> str:
    text = "None" if case[0] is None else case[0]
    return text[:40].replace("\n", "\\n") or "<empty>"


@pytest.mark.parametrize("output, options, expected", CASES, ids=[_id(c) for c in CASES])
def test_extraction_table(output, options, expected):
    assert extract_answer(output, options) == expected


def test_table_is_large_and_realistic():
    assert len(CASES) >= 60
    assert sum(expected is None for _, _, expected in CASES) >= 15


@pytest.mark.parametrize(
    "output, expected",
    [("B", "B"), ("The answer is (D).", "D"), ("E", "E"), ("F.", "F"), ("3 times", None), ("A or B", None)],
)
def test_without_options_all_six_letters_are_valid(output, expected):
    assert extract_answer(output) == expected


def test_num_options_bounds_letters():
    assert extract_answer("C", num_options=2) is None
    assert extract_answer("B", num_options=2) == "B"
    with pytest.raises(ValueError, match="num_options=3 but 4 options"):
        extract_answer("B", options=COUNT, num_options=3)
    with pytest.raises(ValueError, match="2-6 options"):
        extract_answer("B", num_options=7)


def test_explain_reports_the_rule():
    assert explain_answer("B") == Extraction("B", "letter")
    assert explain_answer("The answer is B.") == Extraction("B", "answer_phrase")
    assert explain_answer("3 times", COUNT) == Extraction("B", "option_text")
    assert explain_answer("The person waves 3 times.", COUNT) == Extraction("B", "option_text_in_output")
    assert explain_answer("", COUNT) == Extraction(None, "empty")
    assert explain_answer("E", COUNT) == Extraction(None, "out_of_range")
    assert explain_answer("none of them", COUNT).rule == "refusal"
    assert explain_answer("A or B", COUNT).rule == "ambiguous"
    assert explain_answer("The answer is A. No, the answer is C.", COUNT).rule == "conflict"


def test_deterministic():
    outputs = [case[0] for case in CASES]
    first = [extract_answer(o, COUNT) for o in outputs]
    assert first == [extract_answer(o, COUNT) for o in outputs]
