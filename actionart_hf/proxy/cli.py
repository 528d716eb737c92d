"""`actionart-hf proxy pd|sd|fgqa|caption-qa`: build proxy-task datasets (docs/DESIGN.md §6.4) as Hub folders.

From synthetic videos with the exact oracle teacher (first make them with `actionart-hf synth`):

    actionart-hf proxy pd   --source synthetic --source-dir synth --out proxy_pd
    actionart-hf proxy sd   --source synthetic --source-dir synth --out proxy_sd
    actionart-hf proxy fgqa --source synthetic --source-dir synth --out proxy_fgqa --num-videos 200
    actionart-hf proxy caption-qa --captions synth --captions-split test --out stage3_qa

The same with any OpenAI-compatible server (vLLM, `transformers serve`, ...; key from $OPENAI_API_KEY or $HF_TOKEN):

    actionart-hf proxy pd --source ntu --source-dir nturgbd_rgb --out proxy_pd \\
        --teacher openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-VL-72B-Instruct --workers 32
    actionart-hf proxy fgqa --source kinetics --source-dir k700/train --annotations k700/train.csv --out proxy_fgqa \\
        --teacher openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-VL-72B-Instruct \\
        --qa-teacher openai --qa-model Qwen/Qwen2.5-72B-Instruct

or a local model: `--teacher transformers --model <hub id or folder>`. A stand-in for a teacher model on synthetic
videos, the oracle with 15% wrong answers and reworded texts: `--teacher oracle-noisy --teacher-error-rate 0.15`
(`--no-paraphrase` keeps the oracle's wording). Every teacher call is cached under
`<out>.cache/` (or --cache-dir): run the same command again after a crash or Ctrl-C and it resumes, repeating no
call. Requests that still fail after --retries are listed in `<out>.failures.jsonl`; rejected questions in
`<out>.rejects.jsonl`.

Past one machine: `--num-shards N --shard-index i` builds the i-th of N contiguous blocks of the work (source videos,
pseudo-long videos, captions) into its own folder, and `proxy join` joins the shard folders into one dataset equal
to a single-process build (the shards may share one --cache-dir). A sharded fgqa build reads one unit set, made
first with `--units-only` (which may itself be sharded):

    actionart-hf proxy pd --source synthetic --source-dir synth --out shards/pd-1 --num-shards 4 --shard-index 1
    actionart-hf proxy join --out proxy_pd shards/pd-0 shards/pd-1 shards/pd-2 shards/pd-3
    actionart-hf proxy fgqa --source synthetic --source-dir synth --out shards/fgqa --cache-dir cache --units-only
    actionart-hf proxy fgqa --unit-set cache/unit_set.jsonl --out shards/fgqa-0 --cache-dir cache \
        --num-shards 4 --shard-index 0
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ..cli import add_shard_arguments
from ..video import DEFAULT_MAX_PIXELS
from .mcq_templates import ORACLE_TASKS
from .pose_mcq import CAPTION_QA_TASKS


SUBCOMMANDS = ("pd", "sd", "fgqa", "caption-qa", "join")
TASKS_HELP = f"comma-separated sub-tasks (default {','.join(ORACLE_TASKS)})"
CAPTION_TASKS_HELP = f"comma-separated sub-tasks (default {','.join(CAPTION_QA_TASKS)}; GS/LS from the pose sentences)"


def _size(text: str) -> tuple[int, int]:
    """`"320x240"` (width x height) → (height, width)."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"size {text!r} must be WIDTHxHEIGHT, e.g. 320x240") from error
    if width < 2 or height < 2:
        raise argparse.ArgumentTypeError(f"size {text!r} is too small")
    return height, width


def _seconds_range(text: str) -> tuple[float, float]:
    """`"0.5-1"` → (0.5, 1.0); `"0.75"` → (0.75, 0.75)."""
    try:
        low, _, high = text.partition("-")
        bounds = (float(low), float(high or low))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} must be SECONDS or MIN-MAX seconds, e.g. 0.5-1") from error
    if not 0 < bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: need 0 < MIN <= MAX seconds, e.g. 0.5-1")
    return bounds


def _tasks(text: str) -> list[str]:
    from ..tasks import normalize_task

    try:
        return [normalize_task(t) for t in text.split(",") if t.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _add_teacher(parser: argparse.ArgumentParser, prefix: str = "", default: str | None = "oracle") -> None:
    dest = prefix.replace("-", "_")
    what = "question-writing " if prefix else ""
    parser.add_argument(
        f"--{prefix}teacher",
        dest=f"{dest}teacher",
        choices=("oracle", "oracle-noisy", "openai", "transformers"),
        default=default,
        help=f"{what}teacher: oracle (exact, synthetic labels), oracle-noisy (the oracle with wrong answers and "
        "rewording, a stand-in for a teacher model), openai (any OpenAI-compatible server), transformers (a local "
        "model)" + ("; defaults to --teacher" if prefix else ""),
    )
    parser.add_argument(f"--{prefix}model", dest=f"{dest}model", help="model name (openai) or Hub id / folder")
    parser.add_argument(
        f"--{prefix}base-url", dest=f"{dest}base_url", help="server URL, e.g. http://127.0.0.1:8000/v1"
    )


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="output Hub folder")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    parser.add_argument("--license", help="license id for the card (keep the source videos' license)")
    parser.add_argument("--split", default="train", help="output split name (default train)")
    _add_teacher(parser)
    group = parser.add_argument_group("teacher calls")
    group.add_argument(
        "--teacher-error-rate", type=float, default=0.15, help="share of wrong answers of oracle-noisy (default 0.15)"
    )
    group.add_argument("--no-paraphrase", action="store_true", help="oracle-noisy keeps the oracle's wording")
    group.add_argument("--api-key-env", default="OPENAI_API_KEY,HF_TOKEN", help="env vars tried for the API key")
    group.add_argument("--device", help="device of a transformers teacher (default cuda if available)")
    group.add_argument("--dtype", default="auto", help="dtype of a transformers teacher")
    group.add_argument("--trust-remote-code", action="store_true", help="allow custom code of a transformers teacher")
    group.add_argument("--cache-dir", type=Path, help="call cache (default <out>.cache beside the output)")
    group.add_argument("--workers", type=int, default=8, help="parallel teacher calls (default 8)")
    group.add_argument("--retries", type=int, default=3, help="extra tries per call (default 3)")
    group.add_argument("--timeout", type=float, default=120.0, help="seconds per call (default 120)")
    group.add_argument("--backoff", type=float, default=1.0, help="first retry delay in seconds, doubling (default 1)")
    group.add_argument("--chunk-size", type=int, default=256, help="requests prepared at a time (default 256)")
    group.add_argument("--max-new-tokens", type=int, default=512, help="longest teacher answer (default 512)")
    group.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    group.add_argument("--top-p", type=float, default=1.0, help="nucleus sampling (default 1.0)")
    group.add_argument("--seed", type=int, default=0, help="sampling, frame choice, composition (default 0)")
    group.add_argument("--prompt-dir", type=Path, help="folder of custom prompt files <name>.v<N>.yaml")
    add_shard_arguments(parser)


def _add_source(parser: argparse.ArgumentParser) -> None:
    from .sources import SOURCE_KINDS

    group = parser.add_argument_group("source videos")
    group.add_argument("--source", choices=SOURCE_KINDS, default="synthetic", help="source layout (default synthetic)")
    group.add_argument("--source-dir", type=Path, help="folder of the source videos (or the synthetic folder)")
    group.add_argument("--annotations", type=Path, help="Kinetics annotation CSV (label,youtube_id,time_start,...)")
    group.add_argument("--class-names", type=Path, help="NTU class names: JSON {A001: name} or CSV code,name")
    group.add_argument("--max-videos", type=int, help="a seeded random subset of the source videos")
    group.add_argument(
        "--max-pixels",
        type=int,
        default=DEFAULT_MAX_PIXELS,
        help="resize frames above this many pixels; 0 = full size (default: %(default)s)",
    )


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    """Arguments of `actionart-hf proxy <task>`."""
    kwargs = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = subparsers.add_parser("proxy", **kwargs) if subparsers else argparse.ArgumentParser(**kwargs)
    tasks = parser.add_subparsers(dest="task", required=True, metavar="{pd,sd,fgqa,caption-qa,join}")

    pd = tasks.add_parser("pd", help="pose description: frames → pose_description config")
    _add_common(pd)
    _add_source(pd)
    pd.add_argument("--frames-per-video", type=int, default=4, help="random frames per video (default 4)")

    sd = tasks.add_parser("sd", help="spatial difference: frame pairs → spatial_difference config")
    _add_common(sd)
    _add_source(sd)
    sd.add_argument(
        "--pairs-per-video", type=int, default=1, help="pairs of nearby frames per video, spread evenly (default 1)"
    )
    sd.add_argument(
        "--pair-gap-s", type=_seconds_range, default=(0.5, 1.0),
        help="seconds between a pair's two frames: MIN-MAX (each pair's gap drawn in it) or one value (default 0.5-1)",
    )  # fmt: skip

    fgqa = tasks.add_parser("fgqa", help="fine-grained QA: units → pseudo-long videos → MCQ → fgqa config")
    _add_common(fgqa)
    _add_source(fgqa)
    _add_teacher(fgqa, "qa-", default=None)
    fgqa.add_argument(
        "--unit-set", type=Path, nargs="+",
        help="reuse a saved unit set (JSONL) instead of labelling units; several files (the shards of a sharded "
        "--units-only run) are read in the order given",
    )  # fmt: skip
    fgqa.add_argument(
        "--units-only", action="store_true",
        help="only label the units and save the unit set in the call cache (unit_set.jsonl, or "
        "unit_set-0000i-of-0000N.jsonl for a shard), for builds with --unit-set",
    )  # fmt: skip
    fgqa.add_argument("--units-per-video", type=int, default=2, help="units per video without events (default 2)")
    fgqa.add_argument(
        "--unit-window-s", type=float, default=1.0,
        help="seconds between a unit's two frames on videos without events (default 1)",
    )  # fmt: skip
    fgqa.add_argument("--num-videos", type=int, default=100, help="pseudo-long videos to make (default 100)")
    fgqa.add_argument("--min-units", type=int, default=3, help="fewest units per pseudo-long video (default 3)")
    fgqa.add_argument("--max-units", type=int, default=6, help="most units per pseudo-long video (default 6)")
    fgqa.add_argument(
        "--frames-per-unit", type=int, default=2,
        help="frames each unit contributes: 2 = its two labelled frames (the paper, default); more adds frames "
        "between them that the teacher never saw (a deviation)",
    )  # fmt: skip
    fgqa.add_argument("--fps", type=float, default=2.0, help="frame rate of the pseudo-long videos (default 2)")
    fgqa.add_argument("--size", type=_size, default=(240, 320), help="WIDTHxHEIGHT of the videos (default 320x240)")
    fgqa.add_argument("--tasks", type=_tasks, default=list(ORACLE_TASKS), help=TASKS_HELP)
    fgqa.add_argument("--num-options", type=int, default=4, help="options per question (default 4)")

    cqa = tasks.add_parser("caption-qa", help="captions → MCQ per sub-task → qa config (stage-3 training)")
    _add_common(cqa)
    cqa.add_argument("--captions", type=Path, required=True, help="Hub folder with a captions config and videos")
    cqa.add_argument("--captions-split", default="train", help="captions split to read (default train)")
    cqa.add_argument("--max-videos", type=int, help="a seeded random subset of the captions")
    cqa.add_argument("--tasks", type=_tasks, default=list(CAPTION_QA_TASKS), help=CAPTION_TASKS_HELP)
    cqa.add_argument("--num-options", type=int, default=4, help="options per question (default 4)")

    join = tasks.add_parser("join", help="join the output folders of a sharded build into one dataset")
    join.add_argument("shards", type=Path, nargs="+", help="the shards' --out folders (any order)")
    join.add_argument("--out", type=Path, required=True, help="output Hub folder")
    join.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    return parser


def build_teacher(kind: str, args: argparse.Namespace, *, model=None, base_url=None, labels_dir=None):
    """A teacher from CLI arguments. The oracle answers image requests only for synthetic sources."""
    from .teachers import OpenAITeacher, TransformersTeacher

    if kind in ("oracle", "oracle-noisy"):
        from .noisy import NoisyOracleTeacher
        from .oracle import OracleTeacher, SyntheticLabels

        labels = SyntheticLabels(labels_dir) if labels_dir else None
        if kind == "oracle":
            return OracleTeacher(labels)
        paraphrase = not args.no_paraphrase
        return NoisyOracleTeacher(labels, error_rate=args.teacher_error_rate, paraphrase=paraphrase, seed=args.seed)
    if kind == "openai":
        if not base_url:
            raise ValueError("--teacher openai needs --base-url, e.g. http://127.0.0.1:8000/v1")
        envs = tuple(e.strip() for e in args.api_key_env.split(",") if e.strip())
        return OpenAITeacher(base_url, model=model, api_key_envs=envs, max_concurrency=args.workers)
    if kind == "transformers":
        if not model:
            raise ValueError("--teacher transformers needs --model (a Hub id or a local folder)")
        return TransformersTeacher(
            model, device=args.device, dtype=args.dtype, trust_remote_code=args.trust_remote_code
        )
    raise ValueError(f"Unknown teacher {kind!r}; use oracle, oracle-noisy, openai or transformers.")


def _run_settings(args: argparse.Namespace):
    from .common import RunSettings
    from .teachers import GenerationSettings

    generation = GenerationSettings(args.max_new_tokens, args.temperature, args.top_p, args.seed)
    return RunSettings(
        cache_dir=args.cache_dir,
        workers=args.workers,
        retries=args.retries,
        timeout_s=args.timeout,
        backoff_s=args.backoff,
        chunk_size=args.chunk_size,
        generation=generation,
    )


def _prompt(name: str, args: argparse.Namespace):
    """The prompt from --prompt-dir when it has a file for `name`, else the packaged one."""
    from .prompts import load_prompt

    if args.prompt_dir and list(Path(args.prompt_dir).glob(f"{name}.v*.y*ml")):
        return load_prompt(name, directory=args.prompt_dir)
    return load_prompt(name)


def main(args: argparse.Namespace) -> int:
    """Runs one proxy build and prints its summary. Returns 1 when some requests failed (listed in a file)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report = _build(args)
    print(report.summary())
    return 1 if report.failed else 0


def _build(args: argparse.Namespace):
    from ..sharding import shard_or_whole

    if args.task == "join":
        from .join import join_proxy_shards

        return join_proxy_shards(args.shards, args.out, overwrite=args.overwrite)
    run = _run_settings(args)
    shard = shard_or_whole(args.num_shards, args.shard_index)
    max_pixels = None
    if args.task != "caption-qa":
        from ..video import check_sampling
        from .sources import load_sources

        max_pixels = args.max_pixels or None
        check_sampling(1, max_pixels)  # a negative --max-pixels fails here, not after the teacher calls
        oracle = args.teacher in ("oracle", "oracle-noisy")
        if oracle and args.source != "synthetic" and not (args.task == "fgqa" and args.unit_set):
            raise ValueError("The oracle only labels synthetic videos: use --source synthetic or another teacher.")
    labels_dir = args.source_dir if getattr(args, "source", None) == "synthetic" else None

    if args.task in ("pd", "sd"):
        from .image_tasks import build_pose_description, build_spatial_difference

        if args.source_dir is None:
            raise ValueError("--source-dir is required.")
        sources = load_sources(
            args.source, args.source_dir, annotations=args.annotations, class_names=args.class_names,
            max_videos=args.max_videos, seed=args.seed,
        )  # fmt: skip
        teacher = build_teacher(args.teacher, args, model=args.model, base_url=args.base_url, labels_dir=labels_dir)
        common = {"max_pixels": max_pixels, "run": run, "split": args.split, "overwrite": args.overwrite}
        common["license"], common["shard"] = args.license, shard
        if args.task == "pd":
            report = build_pose_description(
                sources, args.out, teacher, frames_per_video=args.frames_per_video, seed=args.seed,
                prompt=_prompt("pose_description", args), **common,
            )  # fmt: skip
        else:
            report = build_spatial_difference(
                sources, args.out, teacher, pairs_per_video=args.pairs_per_video, pair_gap_s=args.pair_gap_s,
                seed=args.seed, prompt=_prompt("spatial_difference", args), **common,
            )  # fmt: skip
    elif args.task == "fgqa":
        from .fgqa import build_fgqa

        sources, unit_teacher = (), None
        if args.unit_set is None:
            if args.source_dir is None:
                raise ValueError("--source-dir is required (or --unit-set to reuse labelled units).")
            sources = load_sources(
                args.source, args.source_dir, annotations=args.annotations, class_names=args.class_names,
                max_videos=args.max_videos, seed=args.seed,
            )  # fmt: skip
            unit_teacher = build_teacher(
                args.teacher, args, model=args.model, base_url=args.base_url, labels_dir=labels_dir
            )
        if args.units_only:
            from .fgqa import build_unit_set

            if unit_teacher is None:
                raise ValueError("--units-only labels units: pass --source-dir, not --unit-set.")
            return build_unit_set(
                args.out, unit_teacher, sources, units_per_video=args.units_per_video,
                unit_window_s=args.unit_window_s, max_pixels=max_pixels, run=run, prompt=_prompt("unit_label", args),
                shard=shard,
            )  # fmt: skip
        qa_kind = args.qa_teacher or args.teacher  # the question writer defaults to the unit teacher
        qa_model = args.qa_model or (args.model if qa_kind == args.teacher else None)
        qa_teacher = build_teacher(qa_kind, args, model=qa_model, base_url=args.qa_base_url or args.base_url)
        report = build_fgqa(
            args.out, unit_teacher, qa_teacher, sources=sources, unit_set=args.unit_set, num_videos=args.num_videos,
            units_per_video=args.units_per_video, unit_window_s=args.unit_window_s, min_units=args.min_units,
            max_units=args.max_units,
            frames_per_unit=args.frames_per_unit, fps=args.fps, size=args.size, tasks=args.tasks,
            num_options=args.num_options, max_pixels=max_pixels, seed=args.seed, run=run,
            unit_prompt=_prompt("unit_label", args), qa_prompt=_prompt("fgqa_mcq", args), split=args.split,
            overwrite=args.overwrite, license=args.license, shard=shard,
        )  # fmt: skip
    else:
        from .caption_qa import build_caption_qa

        teacher = build_teacher(args.teacher, args, model=args.model, base_url=args.base_url)
        report = build_caption_qa(
            args.captions, args.out, teacher, split=args.captions_split, out_split=args.split, tasks=args.tasks,
            num_options=args.num_options, max_videos=args.max_videos, seed=args.seed, run=run,
            qa_prompt=_prompt("fgqa_mcq", args), events_prompt=_prompt("caption_events", args),
            pose_prompt=_prompt("caption_pose_mcq", args), overwrite=args.overwrite, license=args.license,
            shard=shard,
        )  # fmt: skip
    return report


def make_server_parser() -> argparse.ArgumentParser:
    """Arguments of `python -m actionart_hf.proxy.testing`: serve the simulated teacher over HTTP."""
    parser = argparse.ArgumentParser(
        prog="python -m actionart_hf.proxy.testing",
        description="Serve the simulated teacher as an OpenAI-compatible endpoint.",
    )
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="fixed latency per answer")
    return parser


def serve_main(args: argparse.Namespace) -> int:
    """Serves a `ChatCompletionServer` on 127.0.0.1 until Ctrl-C."""
    import threading

    from .testing import ChatCompletionServer

    server = ChatCompletionServer(delay_s=args.delay_ms / 1000, port=args.port).start()
    print(f"serving on {server.base_url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
    return 0


__all__ = ["SUBCOMMANDS", "build_teacher", "main", "make_parser", "make_server_parser", "serve_main"]
