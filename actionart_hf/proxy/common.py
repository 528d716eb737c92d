"""Plumbing shared by the proxy builders: run settings, reports, chunked row generation, side files, cards.

Side files beside an output folder `<out>`: `<out>.failures.jsonl` (requests that still failed), `<out>.rejects.jsonl`
(rejected questions) and, for one shard of a sharded build, `<out>.shard.json` (what `actionart-hf proxy join` needs
to write the card of the joined output: the shard, its counts and the card's text).
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import datasets

from ..atomic import output_lock, write_json_atomic, write_jsonl_atomic
from ..data.hub_folder import write_dataset_card, write_rejects
from ..sharding import Shard
from .cache import CallCache, CallResult, CallRunner, TeacherRequest, write_failure_report
from .mcq_parsing import REJECT_REASONS
from .prompts import Prompt
from .teachers import GenerationSettings, Teacher


logger = logging.getLogger(__name__)

PROXY_TAGS = ["human-action", "proxy-task", "teacher-labels"]
SHARD_RECORD_FORMAT = 1


@dataclass
class RunSettings:
    """How teacher calls run (shared by every builder).

    Args:
        cache_dir (`str` or `os.PathLike`, *optional*): the call cache; defaults to `<out_dir>.cache` beside the
            output, so running the same command again resumes.
        workers (`int`, *optional*, defaults to 8): parallel teacher calls.
        retries (`int`, *optional*, defaults to 3): extra tries per call (errors and malformed answers).
        timeout_s (`float`, *optional*, defaults to 120): per-call timeout.
        backoff_s (`float`, *optional*, defaults to 1.0): first retry delay (doubles each retry).
        chunk_size (`int`, *optional*, defaults to 256): requests prepared (frames decoded) and run at a time.
        generation (`GenerationSettings`, *optional*): sampling settings.
    """

    cache_dir: str | os.PathLike | None = None
    workers: int = 8
    retries: int = 3
    timeout_s: float | None = 120.0
    backoff_s: float = 1.0
    chunk_size: int = 256
    generation: GenerationSettings = field(default_factory=GenerationSettings)

    def resolve_cache_dir(self, out_dir: Path) -> Path:
        return Path(self.cache_dir) if self.cache_dir else out_dir.parent / f"{out_dir.name}.cache"

    def runner(self, teacher: Teacher, cache: CallCache, check=None) -> CallRunner:
        return CallRunner(
            teacher,
            cache,
            workers=self.workers,
            retries=self.retries,
            backoff_s=self.backoff_s,
            timeout_s=self.timeout_s,
            check=check,
        )


@dataclass
class BuildReport:
    """What a build produced.

    Args:
        out_dir (`Path`): the Hub folder.
        config (`str`): its config name.
        rows (`int`): rows written.
        failed (`int`): teacher requests that still failed (listed in `failure_report`).
        rejected (`Counter`): questions rejected by the validator, by reason code.
        teacher_calls (`int`): calls made in this run (0 when everything came from the cache).
        cached (`int`): answers served from the cache.
        failure_report (`Path`, *optional*): JSONL of failed requests, beside the output.
        rejects_file (`Path`, *optional*): JSONL of rejected questions, beside the output.
        shard ([`Shard`], *optional*): the shard this build made, for one shard of a sharded build.
        shard_items (`str`): which work items the shard took, e.g. `"items 0-49 of 100 source videos"`.
    """

    out_dir: Path
    config: str
    rows: int = 0
    failed: int = 0
    rejected: Counter = field(default_factory=Counter)
    teacher_calls: int = 0
    cached: int = 0
    failure_report: Path | None = None
    rejects_file: Path | None = None
    shard: Shard | None = None
    shard_items: str = ""

    def take_shard(self, shard: Shard | None, items: list, what: str) -> list:
        """This build's block of the work `items` (all of them without a shard), recording which it took."""
        if shard is None:
            return items
        self.shard = shard
        self.shard_items = shard.describe_items(len(items), what)
        return shard.select(items)

    def summary(self) -> str:
        where = f"{self.out_dir}" + (f" (shard {self.shard.index} of {self.shard.count})" if self.shard else "")
        text = (
            f"{self.rows} {self.config} rows in {where} ({self.teacher_calls} teacher calls, "
            f"{self.cached} answers from the cache"
        )
        if self.failed:
            text += f", {self.failed} failed requests listed in {self.failure_report}"
        if self.rejected:
            rejected = sum(self.rejected.values())
            text += f", {rejected} questions rejected ({dict(self.rejected)}) in {self.rejects_file}"
        return text + ")"


def teacher_tag(teacher: Teacher, prompt: Prompt) -> str:
    """The `teacher` column: teacher id and prompt version, e.g. `"openai:qwen2.5-vl-72b|pose_description.v1"`."""
    return f"{teacher.id}|{prompt.tag}"


def user_message(text: str, num_images: int = 0) -> list[dict]:
    """One user turn: `num_images` image placeholders, then the text."""
    content = [*({"type": "image"} for _ in range(num_images)), {"type": "text", "text": text}]
    return [{"role": "user", "content": content}]


def chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class ResultTracker:
    """Collects call results across chunks for the report and the failure file."""

    def __init__(self):
        self.failed: list[CallResult] = []
        self.calls = 0
        self.cached = 0

    def add(self, runner: CallRunner, results: list[CallResult]) -> list[CallResult]:
        self.failed += [r for r in results if not r.ok]
        self.cached += sum(1 for r in results if r.ok and r.cached)
        self.calls = runner.calls_made
        return results

    def finish(self, report: BuildReport, out_dir: Path) -> None:
        report.failed = len(self.failed)
        report.teacher_calls = self.calls
        report.cached = self.cached
        report.failure_report = write_failure_report(out_dir.parent / f"{out_dir.name}.failures.jsonl", self.failed)


def run_requests(runner: CallRunner, requests: list[TeacherRequest], tracker: ResultTracker, desc: str):
    return tracker.add(runner, runner.run(requests, desc=desc))


def dataset_from_rows(
    rows: Callable[[], Iterator[dict]], features: datasets.Features, work_dir: Path
) -> datasets.Dataset:
    """Streams rows to an Arrow file under `work_dir` (images never all in memory) and returns the dataset.

    A fresh fingerprint per build: `from_generator` must never reuse another build's rows.
    """
    remove_tree(work_dir)  # rows a killed build of the same output left behind
    work_dir.mkdir(parents=True, exist_ok=True)
    iterator = iter(rows())
    first = next(iterator, None)
    if first is None:  # `from_generator` cannot make an empty dataset
        return datasets.Dataset.from_dict({name: [] for name in features}, features=features)
    return datasets.Dataset.from_generator(
        lambda: itertools.chain([first], iterator),
        features=features,
        cache_dir=str(work_dir),
        fingerprint=uuid.uuid4().hex,
    )


def check_not_empty(report: BuildReport, tracker: ResultTracker, out_dir: Path) -> None:
    """Raises when a build produced no row, after writing the failure report (so the reasons are on disk).

    Raises:
        ValueError: naming the failed requests, the rejections and the failure file.
    """
    if report.rows:
        return
    tracker.finish(report, out_dir)
    where = f"; see {report.failure_report}" if report.failure_report else ""
    raise ValueError(
        f"The {report.config} build produced no row: {report.failed} teacher request(s) failed, "
        f"{sum(report.rejected.values())} question(s) rejected {dict(report.rejected) or ''}{where}."
    )


def write_jsonl(path: Path, rows: Iterable[dict]) -> Path:
    """Atomic, durable JSONL write (see [`actionart_hf.atomic.write_jsonl_atomic`])."""
    return write_jsonl_atomic(path, rows, durable=True)


def reject_table(rejected: Counter) -> str:
    """Markdown table of rejected questions by reason."""
    if not rejected:
        return "The validator rejected no question."
    lines = ["| reason | meaning | questions |", "|---|---|---|"]
    lines += [f"| `{code}` | {REJECT_REASONS.get(code, '')} | {n} |" for code, n in rejected.most_common()]
    lines.append(f"| | **total** | **{sum(rejected.values())}** |")
    return "\n".join(lines)


def failure_section(report: BuildReport) -> str:
    if not report.failed:
        return "Every teacher request succeeded."
    return (
        f"{report.failed} teacher request(s) still failed after retries; their rows are not in the data. They were "
        f"listed in `{report.failure_report.name}` next to the build folder. Run the same command with `--overwrite` "
        "to retry only them (every answered call comes from the cache)."
    )


def write_proxy_card(
    stage: Path,
    report: BuildReport,
    *,
    pretty_name: str,
    summary: str,
    method: str,
    teacher_lines: list[str],
    extra_sections: dict[str, str] | None = None,
    license: str | None = None,
) -> Path:
    """The card of a proxy build: summary, usage, method, teachers and prompts (with a note on a stand-in teacher
    such as the noisy oracle), failures, extra sections. For one shard of a sharded build (`report.shard`), the card
    says so and the card's text is also saved in `<out>.shard.json` for `actionart-hf proxy join`."""
    from .noisy import stand_in_card_sections

    if report.shard is not None:
        card_text = {
            "pretty_name": pretty_name,
            "summary": summary,
            "method": method,
            "teacher_lines": teacher_lines,
            "extra_sections": extra_sections or {},
            "license": license,
        }
        write_shard_record(report, card_text)
        shard_note = (
            f"This folder is shard {report.shard.index} of {report.shard.count} of a sharded build "
            f"({report.shard_items}); `actionart-hf proxy join` joins the shards into one dataset."
        )
        extra_sections = {**(extra_sections or {}), "Shard": shard_note}
    else:
        shard_record_path(report.out_dir).unlink(missing_ok=True)  # left by an earlier sharded build of this output

    usage = (
        "```python\nfrom datasets import load_dataset\nfrom actionart_hf.data.chat import row_to_messages\n\n"
        f'ds = load_dataset("<this repo or folder>", "{report.config}", split="train")\n'
        f'messages, media = row_to_messages(ds[0], "{report.config}")\n```'
    )
    sections = {
        "Usage": usage,
        "How it was made": method,
        "Teachers and prompts": "\n".join(f"- {line}" for line in teacher_lines),
        **stand_in_card_sections(teacher_lines),
        **(extra_sections or {}),
        "Failures": failure_section(report),
    }
    return write_dataset_card(
        stage,
        pretty_name=pretty_name,
        summary=summary,
        sections=sections,
        license=license,
        default_config=report.config,
        tags=PROXY_TAGS,
    )


def shard_record_path(out_dir: Path) -> Path:
    """`<out>.shard.json` beside the output folder of one shard."""
    return out_dir.parent / f"{out_dir.name}.shard.json"


def write_shard_record(report: BuildReport, card_text: dict) -> Path:
    """Writes `<out>.shard.json`: the shard, its counts and the text of its card (the arguments of
    [`write_proxy_card`] that do not depend on the rows)."""
    record = {
        "format": SHARD_RECORD_FORMAT,
        "config": report.config,
        "shard": report.shard.to_dict(),
        "items": report.shard_items,
        "report": {
            "rows": report.rows,
            "failed": report.failed,
            "rejected": dict(report.rejected),
            "teacher_calls": report.teacher_calls,
            "cached": report.cached,
        },
        "card": card_text,
    }
    return write_json_atomic(shard_record_path(report.out_dir), record, durable=True)


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-links `source` to `target` (a copy across file systems); an existing `target` is kept."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


@contextmanager
def exclusive_build(out_dir: Path, scratch: Path | None = None) -> Iterator[None]:
    """Holds the output's lock for the whole build ([`actionart_hf.atomic.output_lock`], which also removes staging
    folders that killed builds of the same output left behind, possibly gigabytes of videos). `scratch` (a work folder
    of this output) is emptied before and removed after, while the lock is held.

    Raises:
        ValueError: another build is writing the same output.
    """
    with output_lock(out_dir):
        if scratch is not None:
            remove_tree(scratch)
        try:
            yield
        finally:
            if scratch is not None:
                remove_tree(scratch)


__all__ = [
    "BuildReport",
    "ResultTracker",
    "RunSettings",
    "check_not_empty",
    "chunked",
    "dataset_from_rows",
    "exclusive_build",
    "link_or_copy",
    "reject_table",
    "run_requests",
    "shard_record_path",
    "teacher_tag",
    "user_message",
    "write_jsonl",
    "write_proxy_card",
    "write_rejects",
    "write_shard_record",
]
