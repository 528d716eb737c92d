"""The text-only prior: the most frequent right answer among a question's options, written as an eval folder."""

import json

import pytest

from actionart_hf.quickstart.prior import PriorAnswer, text_prior_predictions, write_text_prior_eval
from actionart_hf.quickstart.stats import paired_difference


POSTURES = ["lying", "sitting", "squatting", "standing"]


def qa_row(qid, question, options, answer_text, task="GS"):
    return {
        "id": qid,
        "video_id": f"v-{qid}",
        "video": f"videos/v-{qid}.mp4",
        "task": task,
        "question": question,
        "options": options,
        "answer": "ABCDEF"[options.index(answer_text)],
    }


def train_rows():
    posture = "What is the person's posture at the end?"
    rows = [qa_row(f"p{i}", posture, POSTURES, "standing") for i in range(3)]
    rows.append(qa_row("p3", posture, POSTURES, "sitting"))
    hand = "Where is the left hand at the end?"
    rows += [qa_row(f"h{i}", hand, ["above the head", "at the waist"], "at the waist", "LS") for i in range(2)]
    rows += [qa_row(f"h{i + 2}", hand, ["above the head", "at the waist"], "above the head", "LS") for i in range(2)]
    rows.append(qa_row("o0", "Which posture comes first?", POSTURES, "lying"))
    return rows


def test_picks_the_most_frequent_answer_of_the_same_question():
    tests = [
        qa_row(
            "t0", "What is the person's posture at the end?", ["sitting", "standing", "lying", "squatting"], "lying"
        ),
        qa_row("t1", "  what is the person's POSTURE at the end? ", ["standing", "sitting"], "standing"),
    ]
    assert text_prior_predictions(train_rows(), tests) == [
        PriorAnswer("B", "standing", "question"),
        PriorAnswer("A", "standing", "question"),
    ]


def test_ties_missing_options_and_fallbacks():
    tests = [
        # tie between "at the waist" and "above the head" (2 each): alphabetically first
        qa_row("t0", "Where is the left hand at the end?", ["at the waist", "above the head"], "at the waist", "LS"),
        # "standing" is not an option here: the next most frequent answer among the options
        qa_row("t1", "What is the person's posture at the end?", ["lying", "sitting", "squatting"], "lying"),
        # never seen wording: the most frequent answer of the sub-task (standing 3 of 5 GS answers)
        qa_row("t2", "How does the person end?", ["squatting", "standing"], "squatting"),
        # no option was ever a right answer: the first option
        qa_row("t3", "What is in the hand?", ["a ball", "a cup"], "a cup", "HOI"),
        qa_row("t4", "How does the person end?", ["crouching", "kneeling"], "kneeling"),
    ]
    answers = text_prior_predictions(train_rows(), tests)
    assert [(a.letter, a.source) for a in answers] == [
        ("B", "question"),
        ("B", "question"),
        ("B", "task"),
        ("A", "first_option"),
        ("A", "first_option"),
    ]


def test_refuses_a_train_answer_outside_its_options():
    bad = {**train_rows()[0], "answer": "F"}
    with pytest.raises(ValueError, match="'p0'.*names none of its 4 options"):
        text_prior_predictions([bad], [])


def test_writes_an_eval_folder_from_a_synthetic_folder(tmp_path, write_eval):
    import datasets

    from actionart_hf.data.hub_folder import write_split
    from actionart_hf.data.schemas import QA_FEATURES
    from actionart_hf.tasks import TASK_CODES

    def stored(rows):  # the parquet stores `task` as a ClassLabel
        return datasets.Dataset.from_list(
            [{**r, "task": TASK_CODES.index(r["task"])} for r in rows], features=QA_FEATURES
        )

    synth = tmp_path / "synthetic"
    tests = [
        qa_row("t0", "What is the person's posture at the end?", POSTURES, "standing"),
        qa_row("t1", "What is the person's posture at the end?", POSTURES, "sitting"),
        qa_row("t2", "Where is the left hand at the end?", ["above the head", "at the waist"], "above the head", "LS"),
    ]
    write_split(synth, "qa", "train", stored(train_rows()))
    write_split(synth, "qa", "test", stored(tests))
    metrics = write_text_prior_eval(synth, tmp_path / "eval" / "text_prior", bootstrap_samples=10)
    assert metrics["accuracy"] == pytest.approx(2 / 3) and metrics["GS"] == 0.5 and metrics["LS"] == 1.0
    folder = tmp_path / "eval" / "text_prior"
    records = [json.loads(line) for line in (folder / "predictions.jsonl").read_text().splitlines()]
    assert [(r["id"], r["task"], r["prediction"], r["correct"]) for r in records] == [
        ("t0", "GS", "D", True),
        ("t1", "GS", "D", False),
        ("t2", "LS", "A", True),
    ]
    assert json.loads((folder / "metrics.json").read_text())["model"] == "text-only prior"
    model = write_eval("model", {"t0": ("GS", True), "t1": ("GS", True), "t2": ("LS", False)})
    assert paired_difference(folder, model)["Avg."]["diff"] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="No qa split 'val'.*splits present: \\['test', 'train'\\]"):
        write_text_prior_eval(synth, tmp_path / "other", test_split="val")
