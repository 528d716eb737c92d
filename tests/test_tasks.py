import pytest

from actionart_hf.tasks import (
    MCQ_INSTRUCTION,
    TASK_CODES,
    TASKS,
    format_mcq_prompt,
    letter_index,
    normalize_task,
    option_letter,
)


def test_eight_tasks_in_table_order():
    assert TASK_CODES == ("AC", "AR", "AS", "GS", "HOI", "LS", "MV", "TL")
    assert all(task.name and task.description for task in TASKS.values())


@pytest.mark.parametrize(
    "spelling, code",
    [
        ("LS", "LS"),
        ("ls", "LS"),
        ("Local Spatial Understanding", "LS"),
        ("local spatial understanding", "LS"),
        ("MD", "MV"),
        ("Moving Direction", "MV"),
        ("moving-direction", "MV"),
        ("Human-Object Interaction", "HOI"),
        ("human object interaction (HOI)", "HOI"),
        ("Action Count", "AC"),
        ("action understanding", "AR"),
        ("Temporal Localization", "TL"),
        ("Global Spatial Understanding", "GS"),
        ("action sequence", "AS"),
    ],
)
def test_normalize_task_accepts_codes_aliases_and_names(spelling, code):
    assert normalize_task(spelling) == code


def test_unknown_task_names_the_value_and_the_codes():
    with pytest.raises(ValueError, match=r"'dancing'.*AC, AR, AS"):
        normalize_task("dancing")


def test_mcq_prompt_is_fixed():
    prompt = format_mcq_prompt(" Which hand is raised? ", ["Left", "Right"])
    assert prompt == f"Which hand is raised?\nA. Left\nB. Right\n{MCQ_INSTRUCTION}"
    assert MCQ_INSTRUCTION == "Answer with the option's letter from the given choices directly."


def test_letters():
    assert option_letter(0) == "A" and letter_index(" c ") == 2
    with pytest.raises(ValueError):
        letter_index("G")
    with pytest.raises(ValueError):
        option_letter(6)
