# Copyright 2025 The actionart-hf developers.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""ActionArt accuracy: micro and per-sub-task accuracy of multiple-choice answers extracted from raw model outputs."""

import datasets
import evaluate

from .scoring import TASK_CODES, score


# Per-question inputs that may be left out, and the empty value stored for each question then.
_OPTIONAL_INPUTS = {"tasks": "", "options": []}

_DESCRIPTION = """
Accuracy on ActionArt, the fine-grained human-centric video benchmark (Table 1 of the paper): eight sub-tasks
(AC action count, AR action recognition, AS action sequence, GS global spatial, HOI human-object interaction,
LS local spatial, MV moving direction, TL temporal localization) of multiple-choice questions with 2-6 options.

Predictions may be raw model outputs: the option letter is extracted deterministically ("B", "(B)", "B) text",
"Answer: B", "The answer is B.", "**B**", "Option B", the option text alone, an answer after reasoning). Outputs
that name no option or several ("A or B", "none of them", empty) are unanswered and count as wrong; the metric
never guesses. `accuracy` is micro (right answers / questions), the paper's "Avg. Acc."; `macro_accuracy` averages
the sub-tasks present. With `groups`, rows sharing a group are the option rotations of one question (circular
evaluation): the question counts as right only if every rotation is right.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions (`list` of `str`): raw model outputs or answer letters, one per question.
    references (`list` of `str`): the answer letters ("A"-"F").
    tasks (`list` of `str`, *optional*): the sub-task of each question, as a code ("LS"), a full name
        ("Local Spatial Understanding") or an alias ("MD"). Enables the per-task keys and `macro_accuracy`.
    options (`list` of `list` of `str`, *optional*): the options of each question in letter order. Lets an answer
        given as the option's text count, and makes a letter outside the question's options unanswered.
    groups (`list`, *optional*): circular evaluation; rows with the same group id are rotations of one question.
    bootstrap_samples (`int`, *optional*, defaults to 0): when > 0, adds percentile confidence intervals computed
        from that many resamples of the questions, stratified by sub-task.
    confidence (`float`, *optional*, defaults to 0.95): coverage of the intervals.
    seed (`int`, *optional*, defaults to 0): seed of the bootstrap.

Returns:
    accuracy (`float`): right answers / questions, in [0, 1] (micro, as the paper's "Avg. Acc.").
    macro_accuracy (`float`): mean of the per-task accuracies (equals `accuracy` without `tasks`).
    answered_rate (`float`): fraction of questions whose output named exactly one option.
    num_questions (`int`): number of questions (of groups with `groups`).
    <CODE> (`float`): accuracy of each sub-task present (AC, AR, AS, GS, HOI, LS, MV, TL), with `tasks`.
    num_questions_<CODE> (`int`): questions of each sub-task present, with `tasks`.
    <key>_ci_low, <key>_ci_high (`float`): interval bounds for accuracy, macro_accuracy and each <CODE>, with
        `bootstrap_samples` > 0.

Examples:

    Letters and raw outputs, one sub-task each:

    >>> metric = evaluate.load("actionart_accuracy")
    >>> results = metric.compute(
    ...     predictions=["B", "The answer is (A).", "I think it is C or D.", "3 times"],
    ...     references=["B", "C", "D", "B"],
    ...     tasks=["AC", "AR", "LS", "AC"],
    ...     options=[["2", "3"], ["up", "down", "left"], ["a", "b", "c", "d"], ["2 times", "3 times", "4 times"]],
    ... )
    >>> print(results["accuracy"], results["macro_accuracy"], results["AC"], results["answered_rate"])
    0.5 0.3333333333333333 1.0 0.75

    Circular evaluation: both rotations of question "q1" must be right.

    >>> results = metric.compute(
    ...     predictions=["A", "A", "B", "A"], references=["A", "B", "B", "A"], groups=["q1", "q1", "q2", "q2"]
    ... )
    >>> print(results["accuracy"], results["num_questions"])
    0.5 2
"""

_CITATION = """\
@article{peng2025actionart,
  title   = {ActionArt: Advancing Multimodal Large Models for Fine-Grained Human-Centric Video Understanding},
  author  = {Peng, Yi-Xing and Yang, Qize and Tang, Yu-Ming and Fu, Shenghao and Lin, Kun-Yu and Wei, Xihan and
             Zheng, Wei-Shi},
  journal = {arXiv preprint},
  year    = {2025}
}"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class ActionartAccuracy(evaluate.Metric):
    """ActionArt accuracy (micro, macro, per sub-task) from raw model outputs.

    Spelled `Actionart` so that `evaluate` (which snake-cases the class name) names the module `actionart_accuracy`.
    `tasks` and `options` are per-question inputs (features), so they go through `add_batch` and `add` like
    `predictions`; left out, they are stored empty and the scores are computed without them.
    """

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Value("string"),
                    "references": datasets.Value("string"),
                    "tasks": datasets.Value("string"),
                    "options": datasets.Sequence(datasets.Value("string")),
                }
            ),
            homepage="https://www.modelscope.cn/datasets/maybex/ActionArt",
        )

    @staticmethod
    def _fill_optional(size: int, inputs: dict) -> dict:
        """`inputs` with each optional per-question input left out (or `None`) stored as empty values."""
        return {
            **inputs,
            **{name: [empty] * size for name, empty in _OPTIONAL_INPUTS.items() if inputs.get(name) is None},
        }

    def add_batch(self, *, predictions=None, references=None, **kwargs):
        """Adds a batch of questions (`predictions`, `references`, optional `tasks` and `options`)."""
        size = len(predictions if predictions is not None else references or [])
        return super().add_batch(predictions=predictions, references=references, **self._fill_optional(size, kwargs))

    def add(self, *, prediction=None, reference=None, **kwargs):
        """Adds one question (`prediction`, `reference`, optional `tasks` and `options` values)."""
        filled = {name: empty for name, empty in _OPTIONAL_INPUTS.items() if kwargs.get(name) is None}
        return super().add(prediction=prediction, reference=reference, **{**kwargs, **filled})

    def compute(self, *, predictions=None, references=None, **kwargs):
        """Scores the questions given here and those added before (see the arguments below)."""
        if predictions is not None or references is not None:
            kwargs = self._fill_optional(len(predictions if predictions is not None else references), kwargs)
        return super().compute(predictions=predictions, references=references, **kwargs)

    def _compute(
        self,
        predictions,
        references,
        tasks=None,
        options=None,
        groups=None,
        bootstrap_samples: int = 0,
        confidence: float = 0.95,
        seed: int = 0,
    ) -> dict:
        return score(
            predictions,
            references,
            tasks=None if tasks is None or not any(tasks) else tasks,
            options=None if options is None or not any(options) else options,
            groups=groups,
            bootstrap_samples=bootstrap_samples,
            confidence=confidence,
            seed=seed,
        )


__all__ = ["TASK_CODES", "ActionartAccuracy"]
