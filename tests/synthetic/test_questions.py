"""Questions: one true option each (re-checked from labels), balanced letters, text-only answerers at chance."""

import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from actionart_hf.synthetic import (
    SynthConfig,
    balance_answer_letters,
    candidate_questions,
    caption_clip,
    check_question,
    generate_clip,
    generate_questions,
    select_questions,
)
from actionart_hf.synthetic.questions import KINDS, content_words
from actionart_hf.tasks import OPTION_LETTERS, TASK_CODES


CONFIG = SynthConfig(height=32, width=32)


@pytest.fixture(scope="module")
def question_set():
    """About 2,000 questions from labels only (no rendering), selected and letter-balanced like a dataset split."""
    candidates, clips = [], []
    seed = 0
    while sum(len({q.task for q in c}) for c in candidates) < 2000:
        clip = generate_clip(seed, CONFIG)
        clips.append(clip)
        candidates.append(candidate_questions(clip))
        seed += 1
    chosen = select_questions(candidates, CONFIG.task_weights, 8, seed=0)
    pairs = [(clip, q) for clip, qs in zip(clips, chosen) for q in qs]
    balanced = balance_answer_letters([q for _, q in pairs], seed=0)
    return [(clip, q) for (clip, _), q in zip(pairs, balanced)]


def test_set_is_large_and_covers_every_task_and_kind(question_set):
    assert len(question_set) >= 2000
    tasks = Counter(q.task for _, q in question_set)
    assert set(tasks) == set(TASK_CODES)
    assert min(tasks.values()) >= 0.4 * max(tasks.values())
    kinds = {q.kind for _, q in question_set}
    assert kinds >= {"hand_height", "posture", "facing", "order", "count", "walk_direction", "turn", "which_side"}
    assert kinds <= {k for ks in KINDS.values() for k in ks}


def test_every_question_passes_the_checker(question_set):
    for clip, question in question_set:
        assert check_question(clip, question) is None, (question.question, question.options, question.answer)
        assert len(question.options) == 4 and len(set(question.options)) == 4


def test_checker_rejects_wrong_answers_and_second_true_options(question_set):
    for clip, question in question_set[:300]:
        wrong = OPTION_LETTERS[(question.answer_index + 1) % 4]
        assert check_question(clip, replace(question, answer=wrong)) is not None
        values = list(question.values)
        values[(question.answer_index + 1) % 4] = question.answer_value  # a second true option
        options = [*question.options]
        options[(question.answer_index + 1) % 4] = options[question.answer_index] + " (again)"
        assert "2 options are true" in check_question(clip, replace(question, values=values, options=options))


def test_answer_letters_are_balanced_per_task(question_set):
    for task in TASK_CODES:
        letters = Counter(q.answer for _, q in question_set if q.task == task)
        total = sum(letters.values())
        assert all(abs(letters[x] / total - 0.25) <= 0.03 for x in "ABCD"), (task, letters)


def _longest(q):
    return max(range(4), key=lambda i: (len(q.options[i]), -i))


def _shortest(q):
    return min(range(4), key=lambda i: (len(q.options[i]), i))


def _overlap(q):
    words = content_words(q.question)
    return max(range(4), key=lambda i: (len(content_words(q.options[i]) & words), -i))


def test_text_only_answerers_stay_at_chance(question_set):
    questions = [q for _, q in question_set]
    most_frequent = Counter(q.answer for q in questions).most_common(1)[0][0]
    accuracies = {
        "longest option": np.mean([_longest(q) == q.answer_index for q in questions]),
        "most frequent letter": np.mean([q.answer == most_frequent for q in questions]),
        "option-word overlap": np.mean([_overlap(q) == q.answer_index for q in questions]),
        "shortest option": np.mean([_shortest(q) == q.answer_index for q in questions]),
    }
    for name, accuracy in accuracies.items():
        assert abs(accuracy - 0.25) <= 0.05, (name, accuracy)


def test_answer_values_are_spread_within_each_kind(question_set):
    by_kind = {}
    for _, q in question_set:
        by_kind.setdefault(q.kind, Counter())[q.answer_value] += 1
    for kind in ("hand_height", "arm_direction", "posture", "facing", "count", "start_time", "lean_direction"):
        counts = by_kind[kind]
        assert max(counts.values()) <= 2 * min(counts.values()) + 3, (kind, counts)


def test_generate_questions_for_one_clip_follows_task_weights():
    clip = generate_clip(3, CONFIG)
    questions = generate_questions(clip, task_weights={"GS": 1, "LS": 1}, questions_per_clip=4)
    assert {q.task for q in questions} == {"GS", "LS"} and len(questions) == 4
    assert all(check_question(clip, q) is None for q in questions)


def test_question_kinds_knob_keeps_only_those_kinds():
    config = SynthConfig(height=32, width=32, question_kinds=["posture", "hand_height"])
    kinds = {q.kind for seed in range(5) for q in candidate_questions(generate_clip(seed, config))}
    assert kinds == {"posture", "hand_height"}
    with pytest.raises(ValueError, match="question_kinds"):
        SynthConfig(question_kinds=["vibes"])


def test_caption_mentions_every_event_in_order():
    clip = generate_clip(5, CONFIG)
    caption = caption_clip(clip)
    positions = [caption.find(event.label) for event in clip.events]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert caption.startswith("A person is ") and "At the end of the video" in caption
    assert not re.search(r"\s{2,}", caption)
