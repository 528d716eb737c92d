"""Answer extraction and scoring for ActionArt multiple-choice outputs: the one implementation of both.

This file is the single source of the extraction rules and of the accuracy computation. It imports only the
standard library and numpy, so it works in three places without change:

- as `actionart_hf.metrics.actionart_accuracy.scoring` (the package; `actionart_hf.evaluation.extraction` re-exports
  it and the eval runner scores with it),
- beside `actionart_accuracy.py` when `evaluate.load` copies the metric into its cache (a relative import, which is
  `evaluate`'s supported way to ship a helper module with a metric),
- in the metric's Hub Space.

Extraction is deterministic and never guesses: an output that does not name exactly one option is unanswered
(`None`) and scored as wrong.

    >>> extract_answer("The answer is (B).")
    'B'
    >>> extract_answer("3 times", options=["2 times", "3 times", "4 times"])
    'B'
    >>> extract_answer("A or B") is None
    True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np


OPTION_LETTERS = "ABCDEF"

# Codes in Table 1 order, with every spelling accepted on input. Kept equal to `actionart_hf.tasks` by a test
# (tests/metrics/test_scoring.py); it is repeated here only because the metric must load without the package.
TASK_SPELLINGS: dict[str, tuple[str, ...]] = {
    "AC": ("Action Count", "action counting", "counting", "count"),
    "AR": ("Action Recognition", "action understanding", "action recognition understanding"),
    "AS": ("Action Sequence", "sequence", "action order"),
    "GS": ("Global Spatial Understanding", "global spatial", "global posture"),
    "HOI": ("Human-Object Interaction", "human object interaction", "object interaction"),
    "LS": ("Local Spatial Understanding", "local spatial", "local posture"),
    "MV": ("Moving Direction", "MD", "movement direction", "direction"),
    "TL": ("Temporal Localization", "temporal grounding", "temporal location"),
}
TASK_CODES: tuple[str, ...] = tuple(TASK_SPELLINGS)


def _task_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


_TASK_LOOKUP: dict[str, str] = {}
for _code, _spellings in TASK_SPELLINGS.items():
    for _spelling in (_code, *_spellings):
        _TASK_LOOKUP[_task_key(_spelling)] = _code
    _TASK_LOOKUP[_task_key(f"{_spellings[0]} ({_code})")] = _code


def normalize_task(value: str) -> str:
    """The task code of a code, full name or alias ("md" → "MV"); case, spaces and punctuation are ignored.

    Raises:
        ValueError: naming the value and the accepted codes.
    """
    code = _TASK_LOOKUP.get(_task_key(value))
    if code is None:
        raise ValueError(
            f"Unknown ActionArt task {value!r}: use one of the codes {', '.join(TASK_CODES)}, a full name such as "
            f"'Local Spatial Understanding', or an alias such as 'MD'."
        )
    return code


# --------------------------------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extraction:
    """The outcome of :func:`explain_answer`.

    Args:
        letter (`str` or `None`): the option letter, or `None` when the output is unanswered.
        rule (`str`): the rule that decided, e.g. `"letter"`, `"answer_phrase"`, `"option_text"`, `"empty"`,
            `"refusal"`, `"ambiguous"`, `"conflict"`, `"out_of_range"` or `"no_match"`.
    """

    letter: str | None
    rule: str


_SPECIAL_TOKENS = re.compile(r"<\|[^|<>]{1,40}\|>|</?s>|\[/?INST\]|<end_of_turn>|<start_of_turn>")
_THINK = re.compile(r"<think>.*?</think>", flags=re.S | re.I)
_BOXED = re.compile(r"\\boxed\s*\{\s*(?:\\text(?:bf)?\s*\{)?([^{}]*)\}?\s*\}")
_ROLE_PREFIX = re.compile(r"^\s*(?:assistant|gpt|model|bot)\s*[:\n]\s*", flags=re.I)

# A letter in running text (phrases are case-insensitive, letters are not): "(b)" / "[b]" in any case; a bare
# uppercase B-F not glued to a word; a bare "A" only where it cannot be the article ("A." / "A," / "A)" / end /
# "A or ..."); a bare lowercase letter only before punctuation or the end.
_FOLLOW = r"(?=\s*(?:$|[.,;:!?)\]\"'\n])|\s+(?:or|and|because|since|as|which)\b|\s+[-–—(])"
_LETTER = (
    r"(?:[(\[]\s*(?P<w>[A-Fa-f])\s*[)\]]"
    r"|(?P<u>(?-i:[B-F]))(?![A-Za-z0-9'’])"
    rf"|(?P<a>(?-i:A)){_FOLLOW}"
    r"|(?P<l>(?-i:[a-f]))(?=\s*[.!),;:]|\s*$)(?!\.\s*[a-z]))"
)
_CONNECT = r"(?:\s*(?:is|was|would\s+be|should\s+be|will\s+be|must\s+be|=|:|-|–|—))*"
_OPTION_WORD = r"(?:\s*(?:option|choice|letter)\b)?"
_ANSWER_PATTERNS = [
    # "The answer is B", "Answer: (B)", "final answer: B", "the correct answer would be option C", "answer - B",
    # "the answer to this question is D"
    rf"\banswers?(?:\s+(?:to|for)\s+(?:this|the)\s+question)?{_CONNECT}{_OPTION_WORD}\s*{_LETTER}",
    # "The correct option is B", "best choice: C", "right letter = D"
    rf"\b(?:correct|right|best|most\s+likely|only\s+correct)\s+(?:option|choice|letter|one){_CONNECT}{_OPTION_WORD}"
    rf"\s*{_LETTER}",
    # "I choose B", "I'd go with option C", "I would select (D)", "my choice is B"
    rf"\b(?:i\s+(?:would\s+|will\s+)?|i'd\s+|i’d\s+)(?:choose|select|pick|go\s+with|say|answer){_OPTION_WORD}\s*{_LETTER}",
    rf"\bmy\s+(?:choice|pick|selection){_CONNECT}{_OPTION_WORD}\s*{_LETTER}",
    # "Option B is correct", "B is the correct answer", "(C) is right"
    r"(?:\b(?:option|choice)\s+)?(?:[(\[]\s*(?P<w>[A-Fa-f])\s*[)\]]|\b(?P<u>(?-i:[A-F])))\s+is\s+(?:the\s+)?"
    r"(?:correct|right|best|most\s+accurate)\b",
    # "It's B", "it is option C", "I think B."
    rf"\b(?:it\s+is|it'?s|it’s|i\s+think(?:\s+it'?s|\s+it\s+is)?|i\s+believe(?:\s+it'?s|\s+it\s+is)?)"
    rf"{_OPTION_WORD}\s*{_LETTER}",
    # Chinese: "答案是B", "答案：B", "选B"
    rf"(?:答案\s*(?:是|为|:|应该是|应为)?|选择?)\s*{_LETTER}",
]
_ANSWER_RES = [re.compile(p, flags=re.I) for p in _ANSWER_PATTERNS]
# An answer immediately joined to another letter: "B or C", "B/C", "B and C", "B, C".
_JOINED = re.compile(
    r"^\s*(?:or|and|/|,|&|\+)\s*(?:option\s+)?(?:[(\[]\s*[A-Fa-f]\s*[)\]]|(?-i:[A-F]))(?![A-Za-z])", flags=re.I
)

# The whole output (or its first line) is a letter, or starts with one: "(B)", "B.", "B: text", "B) text", "B, as".
_BARE = re.compile(r"^[(\[{<]?\s*(?P<x>[A-Fa-f])\s*[)\]}>]?\s*[.:,;!]?$")
_LEADING = re.compile(
    r"^(?:[(\[]\s*(?P<w>[A-Fa-f])\s*[)\]]\s*[.:]?|(?P<x>[A-Fa-f])\s*[.:)\]](?![A-Za-z])|(?P<y>[A-F])(?:\s+[-–—]|,\s)"
    r"|(?P<z>[A-F])\s*$)(?P<rest>.*)$",
    flags=re.S,
)
# "Option B: ...", "Choice (c)": weaker than an answer phrase ("Option A says ..., so the answer is B").
_OPTION_PREFIX = re.compile(r"^(?:option|choice|letter)\s*[(\[]?\s*(?P<x>[A-Fa-f])\s*[)\]]?(?![A-Za-z])", flags=re.I)
_CONCLUSION = re.compile(
    r"^(?:(?:so|thus|therefore|hence)\s*,?\s*)?[(\[]?\s*(?P<x>(?-i:[A-F]))\s*[)\]]?\s*[.!]?$", flags=re.I
)

_REFUSAL = re.compile(
    r"\b(?:none\s+of\s+(?:the|them|these|those)|neither\s+(?:of|option|choice|answer)|all\s+of\s+the\s+above|"
    r"both\s+(?:options?|choices?|answers?|\(?[A-F]\)?\s+and)|(?:cannot|can\s*not|can't|can’t|unable\s+to|impossible\s+to)"
    r"\s+(?:be\s+)?(?:determine|tell|answer|decide|say|see|know|identify|infer)|not\s+(?:sure|possible\s+to|enough)|"
    r"no\s+(?:correct|right|valid)\s+(?:option|answer|choice)|i\s+(?:do\s+not|don't|don’t)\s+know|"
    r"there\s+is\s+no\s+(?:video|person|correct))",
    flags=re.I,
)
_DISJUNCTION = re.compile(
    r"^\s*[(\[]?\s*(?-i:[A-F])\s*[)\]]?\s*(?:or|and|/|,|&|\+)\s*[(\[]?\s*(?-i:[A-F])\s*[)\]]?(?![A-Za-z])", flags=re.I
)
_ANY_DISJUNCTION = re.compile(
    r"(?:\b|[(\[])(?-i:[A-F])[)\]]?\s*(?:or|/)\s*(?:option\s+)?[(\[]?(?-i:[A-F])(?![A-Za-z])", flags=re.I
)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _THINK.sub(" ", text)
    if "</think>" in text.lower():  # an opening tag cut off by the template: keep what follows the reasoning
        text = re.split(r"</think>", text, flags=re.I)[-1]
    text = _BOXED.sub(lambda m: f" answer: {m.group(1)} ", text)
    text = _SPECIAL_TOKENS.sub(" ", text)
    text = re.sub(r"\*\*|__|`+|^#+\s*", "", text, flags=re.M)
    text = _ROLE_PREFIX.sub("", text)
    return text.strip().strip("\"'“”‘’*_ \t\n").strip()


def _normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _group_letter(match: re.Match) -> str:
    return next(v for k, v in match.groupdict().items() if v and k in ("w", "u", "a", "l", "x", "y", "z")).upper()


def _answer_phrase_letters(text: str) -> tuple[list[str], bool]:
    """Letters named by explicit answer phrases, and whether any of them is joined to another letter ("B or C")."""
    found: list[tuple[int, str]] = []
    joined = False
    for pattern in _ANSWER_RES:
        for match in pattern.finditer(text):
            found.append((match.start(), _group_letter(match)))
            if _JOINED.match(text[match.end() :]):
                joined = True
    return [letter for _, letter in sorted(found)], joined


def _option_matches(text: str, options: Sequence[str]) -> list[int]:
    """Indices of the options whose text occurs in `text` as whole words, dropping those inside a longer match."""
    haystack = f" {_normalize_text(text)} "
    normalized = [_normalize_text(o) for o in options]
    hits = [i for i, o in enumerate(normalized) if o and f" {o} " in haystack]
    return [i for i in hits if not any(j != i and normalized[i] in normalized[j] for j in hits)]


def explain_answer(
    prediction: str | None, options: Sequence[str] | None = None, num_options: int | None = None
) -> Extraction:
    """Extracts the option letter a model output names, and the rule that decided it.

    Rules, first match wins: an empty output is unanswered; a bare letter ("B", "(b)", "B.") or an output starting
    with one ("B) 3 times", "Option B: ...", a first line "B"); explicit answer phrases anywhere ("The answer is B",
    "Answer: (B)", "I choose C", "\\boxed{D}", after any amount of reasoning), which must all name the same letter;
    a last line that is a letter ("... Therefore, B."); the exact text of one option; refusals ("none of them",
    "cannot determine") and letter disjunctions ("A or B") are unanswered; finally the text of exactly one option
    appearing in the output. A letter outside the question's options is unanswered.

    Args:
        prediction (`str` or `None`): the raw model output.
        options (`Sequence[str]`, *optional*): the question's options in letter order; enables matching an answer
            given as option text and bounds the valid letters.
        num_options (`int`, *optional*): number of options when `options` is not given (defaults to 6: A-F).

    Returns:
        [`Extraction`]: `letter` (`str` or `None`) and `rule`.
    """
    if options is not None and num_options is not None and len(options) != num_options:
        raise ValueError(f"num_options={num_options} but {len(options)} options were given; pass one of them.")
    count = len(options) if options is not None else (num_options or len(OPTION_LETTERS))
    if not 2 <= count <= len(OPTION_LETTERS):
        raise ValueError(f"A question has 2-{len(OPTION_LETTERS)} options; got {count}.")
    valid = OPTION_LETTERS[:count]

    def decide(letter: str, rule: str) -> Extraction:
        return Extraction(letter, rule) if letter in valid else Extraction(None, "out_of_range")

    text = _clean("" if prediction is None else str(prediction))
    if not text:
        return Extraction(None, "empty")

    phrase_letters, joined = _answer_phrase_letters(text)
    if joined or _DISJUNCTION.match(text):
        return Extraction(None, "ambiguous")
    lines = [line.strip() for line in text.splitlines() if line.strip()]

    # 1. The output is a letter: "B", "(b)", "B.".
    bare = _BARE.match(text)
    if bare:
        return decide(bare.group("x").upper(), "letter")

    # 2. Explicit answer phrases anywhere (after reasoning too); they must agree with each other and with a leading
    #    letter ("B. ... The answer is B.").
    leading = _LEADING.match(lines[0])
    if phrase_letters:
        if len(set(phrase_letters)) > 1 or (leading and _group_letter(leading) != phrase_letters[0]):
            return Extraction(None, "conflict")
        return decide(phrase_letters[0], "answer_phrase")

    # 3. The output starts with a letter: "B) 3 times", "B: ...", a first line "B", "Option B: ...".
    if leading:
        letter = _group_letter(leading)
        rest = leading.group("rest")
        if options is not None and rest.strip():
            # "B. <text of option C>" contradicts itself.
            same = [i for i, o in enumerate(options) if _normalize_text(o) == _normalize_text(rest)]
            if same and OPTION_LETTERS[same[0]] != letter:
                return Extraction(None, "conflict")
        return decide(letter, "letter")
    option_prefix = _OPTION_PREFIX.match(lines[0])
    if option_prefix:
        return decide(option_prefix.group("x").upper(), "letter")

    # 4. A conclusion line that is just a letter.
    conclusion = _CONCLUSION.match(lines[-1])
    if conclusion and len(lines) > 1:
        return decide(conclusion.group("x").upper(), "last_line")

    # 5. The exact text of one option.
    if options is not None:
        target = _normalize_text(text)
        exact = [i for i, o in enumerate(options) if target and _normalize_text(o) == target]
        if len(exact) == 1:
            return Extraction(OPTION_LETTERS[exact[0]], "option_text")

    # 6. Refusals and hedges ("it could be A or B") are unanswered.
    if _REFUSAL.search(text):
        return Extraction(None, "refusal")
    if _ANY_DISJUNCTION.search(text):
        return Extraction(None, "ambiguous")

    # 7. The text of exactly one option inside the output.
    if options is not None:
        matches = _option_matches(text, options)
        if len(matches) == 1:
            return Extraction(OPTION_LETTERS[matches[0]], "option_text_in_output")
        if len(matches) > 1:
            return Extraction(None, "ambiguous")
    return Extraction(None, "no_match")


def extract_answer(
    prediction: str | None, options: Sequence[str] | None = None, num_options: int | None = None
) -> str | None:
    """The option letter a model output names, or `None` when it names none or several (see :func:`explain_answer`).

    Args:
        prediction (`str` or `None`): the raw model output.
        options (`Sequence[str]`, *optional*): the question's options in letter order.
        num_options (`int`, *optional*): number of options when `options` is not given (defaults to 6).

    Returns:
        `str` (`"A"`-`"F"`) or `None`.
    """
    return explain_answer(prediction, options, num_options).letter


# --------------------------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------------------------


def _reference_letter(value, index: int, count: int | None) -> str:
    letter = str(value).strip().strip("()").upper() if value is not None else ""
    if len(letter) != 1 or letter not in OPTION_LETTERS:
        raise ValueError(
            f"references[{index}]={value!r} is not an option letter {OPTION_LETTERS[0]}-{OPTION_LETTERS[-1]}; pass "
            f"the answer letter of each question (e.g. 'B'), not an index or the option text."
        )
    if count is not None and OPTION_LETTERS.index(letter) >= count:
        raise ValueError(f"references[{index}]={value!r} is outside the question's {count} options.")
    return letter


def _check_length(name: str, values, expected: int) -> None:
    if values is not None and len(values) != expected:
        raise ValueError(
            f"{name} has {len(values)} entries but predictions has {expected}; pass one entry per question."
        )


def score(
    predictions: Sequence[str | None],
    references: Sequence[str],
    tasks: Sequence[str] | None = None,
    options: Sequence[Sequence[str]] | None = None,
    groups: Sequence[Hashable] | None = None,
    bootstrap_samples: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, float | int]:
    """Scores raw model outputs against answer letters, overall and per sub-task.

    Args:
        predictions (`Sequence[str | None]`): raw model outputs or letters, one per question.
        references (`Sequence[str]`): answer letters (`"A"`-`"F"`).
        tasks (`Sequence[str]`, *optional*): sub-task code or alias per question; enables per-task keys and macro.
        options (`Sequence[Sequence[str]]`, *optional*): options per question; lets an answer given as option text
            count and bounds the valid letters.
        groups (`Sequence[Hashable]`, *optional*): circular evaluation: rows with the same group (the question id) are
            the rotations of one question, which is right only if every rotation is right.
        bootstrap_samples (`int`, *optional*, defaults to 0): when > 0, adds percentile intervals from that many
            resamples of the questions (stratified by sub-task).
        confidence (`float`, *optional*, defaults to 0.95): interval coverage.
        seed (`int`, *optional*, defaults to 0): seed of the bootstrap.

    Returns:
        `dict`: `accuracy` (micro: right / questions, the paper's "Avg. Acc."), `macro_accuracy` (mean over the
        sub-tasks present), `answered_rate`, `num_questions`, and per sub-task code `<CODE>` (accuracy) and
        `num_questions_<CODE>`; with bootstrap, `<key>_ci_low` / `<key>_ci_high` for accuracy, macro and each code.
        Fractions are in [0, 1].
    """
    num = len(predictions)
    if len(references) != num:
        raise ValueError(
            f"predictions has {num} entries but references has {len(references)}; pass one prediction per reference."
        )
    if num == 0:
        raise ValueError("No predictions to score: predictions and references are empty.")
    _check_length("tasks", tasks, num)
    _check_length("options", options, num)
    _check_length("groups", groups, num)
    if bootstrap_samples < 0:
        raise ValueError(f"bootstrap_samples={bootstrap_samples} must be >= 0 (0 disables the intervals).")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence} must be in (0, 1), e.g. 0.95.")

    codes = [normalize_task(t) for t in tasks] if tasks is not None else None
    correct = np.zeros(num, dtype=bool)
    answered = np.zeros(num, dtype=bool)
    for i in range(num):
        row_options = list(options[i]) if options is not None else None
        reference = _reference_letter(references[i], i, len(row_options) if row_options is not None else None)
        letter = extract_answer(predictions[i], row_options)
        answered[i] = letter is not None
        correct[i] = letter == reference

    if groups is not None:
        order: dict[Hashable, int] = {}
        for group in groups:
            order.setdefault(group, len(order))
        index = np.array([order[g] for g in groups])
        group_correct = np.ones(len(order), dtype=bool)
        group_answered = np.ones(len(order), dtype=bool)
        np.logical_and.at(group_correct, index, correct)
        np.logical_and.at(group_answered, index, answered)
        if codes is not None:
            group_codes: list[str | None] = [None] * len(order)
            for i, g in enumerate(index):
                if group_codes[g] not in (None, codes[i]):
                    raise ValueError(f"groups[{i}]={groups[i]!r} mixes tasks {group_codes[g]} and {codes[i]}.")
                group_codes[g] = codes[i]
            codes = group_codes
        correct, answered = group_correct, group_answered

    result = _summary(correct, answered, codes)
    if bootstrap_samples:
        result.update(_bootstrap(correct, codes, bootstrap_samples, confidence, seed))
    return result


def _summary(correct: np.ndarray, answered: np.ndarray, codes: list[str] | None) -> dict[str, float | int]:
    result: dict[str, float | int] = {
        "accuracy": float(correct.mean()),
        "macro_accuracy": float(correct.mean()),
        "answered_rate": float(answered.mean()),
        "num_questions": int(correct.size),
    }
    if codes is not None:
        per_task = {}
        for code in TASK_CODES:
            mask = np.array([c == code for c in codes])
            if mask.any():
                per_task[code] = float(correct[mask].mean())
                result[f"num_questions_{code}"] = int(mask.sum())
        result["macro_accuracy"] = float(np.mean(list(per_task.values())))
        result.update(per_task)
    return result


def _bootstrap(
    correct: np.ndarray, codes: list[str] | None, samples: int, confidence: float, seed: int
) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    strata = (
        [np.arange(correct.size)]
        if codes is None
        else [np.array([i for i, c in enumerate(codes) if c == code]) for code in TASK_CODES if code in codes]
    )
    strata_codes = [None] if codes is None else [code for code in TASK_CODES if code in codes]
    # per stratum: (samples,) number right in each resample
    rights = np.stack([correct[rng.choice(idx, size=(samples, idx.size), replace=True)].sum(1) for idx in strata])
    sizes = np.array([idx.size for idx in strata])[:, None]
    draws = {"accuracy": rights.sum(0) / correct.size, "macro_accuracy": (rights / sizes).mean(0)}
    if codes is not None:
        for row, code in enumerate(strata_codes):
            draws[code] = rights[row] / sizes[row]
    tail = (1 - confidence) / 2 * 100
    out = {}
    for key, values in draws.items():
        low, high = np.percentile(values, [tail, 100 - tail])
        out[f"{key}_ci_low"], out[f"{key}_ci_high"] = float(low), float(high)
    return out


__all__ = [
    "OPTION_LETTERS",
    "TASK_CODES",
    "TASK_SPELLINGS",
    "Extraction",
    "explain_answer",
    "extract_answer",
    "normalize_task",
    "score",
]
