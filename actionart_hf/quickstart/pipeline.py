"""The quickstart pipeline: synthetic data → proxy data → tiny model → stages 1-3 + merge → evaluation → table.

Every phase writes its output atomically (a staging folder renamed into place) and is recorded in
`<out>/status.json` when it finishes, so running the same command again skips finished phases.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from .sizes import SIZES, QuickstartSize
from .text_mcq import WARMUP_TASKS, build_text_mcq


logger = logging.getLogger(__name__)

TASK_COLUMNS = ("AC", "AR", "AS", "GS", "HOI", "LS", "MV", "TL")
CHANCE = 0.25  # four options

# Table 2 rows: (key, label, model folder under <out>/models)
STAGE2_MIXTURES = {
    "fgqa": ("FGQA", ("fgqa",)),
    "pd_fgqa": ("PD + FGQA", ("pd", "fgqa")),
    "sd_fgqa": ("SD + FGQA", ("sd", "fgqa")),
    "pd_sd_fgqa": ("PD + SD + FGQA", ("pd", "sd", "fgqa")),
}
PROXY_CONFIGS = {"pd": "pose_description", "sd": "spatial_difference", "fgqa": "fgqa"}


def table_rows() -> list[tuple[str, str]]:
    """`(model key, row label)` in the order of the table."""
    rows = [("base", "baseline (untrained tiny model)"), ("stage1", "stage 1: video SFT")]
    rows += [(f"stage2_{key}", f"stage 2: {label}") for key, (label, _) in STAGE2_MIXTURES.items()]
    rows += [
        ("merged", "merged: 0.5 stage 1 + 0.5 stage 2 SD + FGQA (PF)"),
        ("stage3_from_baseline", "stage 3 (MA) from stage 1"),
        ("stage3_from_proxy", "stage 3 (MA) from merged proxy model"),
    ]
    return rows


class Status:
    """`<out>/status.json`: finished phases with their wall time, written atomically after each phase."""

    def __init__(self, out: Path, settings: dict):
        self.path = out / "status.json"
        self.data = {"settings": settings, "phases": {}}
        if self.path.exists():
            previous = json.loads(self.path.read_text())
            if previous.get("settings") != settings:
                raise ValueError(
                    f"{str(out)!r} holds a quickstart run with other settings ({previous.get('settings')}); "
                    "pass --overwrite to start again or another --out."
                )
            self.data = previous

    def done(self, name: str) -> bool:
        return name in self.data["phases"]

    def finish(self, name: str, seconds: float, **extra) -> None:
        self.data["phases"][name] = {"seconds": round(seconds, 2), **extra}
        write_text_atomic(self.path, json.dumps(self.data, indent=2))


def write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def qa_entries(folder: Path, spatial_weight: float) -> list[dict]:
    """Mixture entries of a `qa` config: the spatial questions (GS, LS) answered with the option's words, the others
    with the letter.

    A tiny LM learns to name a posture from the video far sooner than to find its letter; the scorer's exact
    option-text rule maps the words back to the letter.
    """
    entry = {"path": str(folder), "name": "qa", "split": "train"}
    other_tasks = [task for task in TASK_COLUMNS if task not in WARMUP_TASKS]
    return [
        {**entry, "weight": 1.0, "tasks": other_tasks},
        {**entry, "weight": spatial_weight, "tasks": list(WARMUP_TASKS), "answer": "option"},
    ]


class Quickstart:
    """Runs the whole pipeline into `out`.

    Args:
        out (`str` or `os.PathLike`): output folder.
        size (`str`): a key of `SIZES` (`smoke`, `tiny`, `small`).
        seed (`int`): seed of the data, the model and training.
        overwrite (`bool`): delete an existing `out` first.
        progress (`bool`): show progress bars.
    """

    def __init__(self, out, size: str = "tiny", seed: int = 0, overwrite: bool = False, progress: bool = True):
        if size not in SIZES:
            raise ValueError(f"--size {size!r} is unknown; use one of {sorted(SIZES)}.")
        self.out = Path(out).absolute()
        self.size_name = size
        self.size: QuickstartSize = SIZES[size]
        self.seed = seed
        self.progress = progress
        if overwrite and self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.status = Status(self.out, {"size": size, "seed": seed})
        self.synth = self.out / "data" / "synthetic"
        self.proxy = self.out / "data" / "proxy"
        self.text_mcq = self.out / "data" / "text_mcq"
        self.models = self.out / "models"
        self.evals = self.out / "eval"
        self.recipes = self.out / "recipes"

    # ------------------------------------------------------------------ phases
    def phase(self, name: str, fn: Callable[[], dict | None]) -> None:
        if self.status.done(name):
            seconds = self.status.data["phases"][name]["seconds"]
            logger.info("[quickstart] %-28s skipped (done in %.1f s)", name, seconds)
            return
        start = time.perf_counter()
        extra = fn() or {}
        seconds = time.perf_counter() - start
        self.status.finish(name, seconds, **extra)
        logger.info("[quickstart] %-28s done in %.1f s", name, seconds)

    def run(self) -> dict:
        """Runs every phase not yet finished; returns the table as a dict."""
        total = time.perf_counter()
        self.phase("synthetic", self.build_synthetic)
        for kind in ("pd", "sd", "fgqa", "caption_qa"):
            self.phase(f"proxy_{kind}", lambda kind=kind: self.build_proxy(kind))
        if self.size.steps.get("lm_warmup"):
            self.phase("text_mcq", lambda: {"rows": build_text_mcq(self.synth, self.text_mcq)})
        self.phase("base_model", self.build_base)
        start_model = "base"
        if self.size.stage0_seconds > 0:
            self.phase("stage0", self.stage0)
            start_model = "base_stage0"
        if self.size.steps.get("lm_warmup"):
            warmup = [self.text_mcq_entry(weight=1.0)]
            steps0 = self.size.steps["lm_warmup"]
            self.phase("lm_warmup", lambda: self.train("lm_warmup", start_model, warmup, steps0))
            start_model = "lm_warmup"
        steps1 = self.size.steps["stage1"]
        self.phase("stage1", lambda: self.train("stage1", start_model, self.stage1_mixture(), steps1))
        steps2 = self.size.steps["stage2"]
        for key, (_, parts) in STAGE2_MIXTURES.items():
            mixture = [self.proxy_entry(part) for part in parts]
            self.phase(f"stage2_{key}", lambda k=key, m=mixture: self.train(f"stage2_{k}", "stage1", m, steps2))
        self.phase("merge", self.merge)
        qa = qa_entries(self.proxy / "caption_qa", spatial_weight=1.0)
        steps3 = self.size.steps["stage3"]
        self.phase("stage3_from_baseline", lambda: self.train("stage3_from_baseline", "stage1", qa, steps3))
        self.phase("stage3_from_proxy", lambda: self.train("stage3_from_proxy", "merged", qa, steps3))
        for key, _ in table_rows():
            self.phase(f"eval_{key}", lambda k=key: self.evaluate(k))
        self.phase("publish", self.publish)
        self.phase("table", self.write_table)
        elapsed = time.perf_counter() - total
        logger.info("[quickstart] total %.1f s (this run); outputs in %s", elapsed, self.out)
        return json.loads((self.out / "table.json").read_text())

    # ------------------------------------------------------------------ data
    def build_synthetic(self) -> dict:
        from ..synthetic import SynthConfig, build_synthetic_dataset

        s = self.size
        config = SynthConfig(
            height=s.resolution, width=s.resolution, num_frames=s.video_frames, fps=s.fps,
            questions_per_clip=s.questions_per_clip,
        )  # fmt: skip
        splits = {"train": s.train, "validation": s.validation, "test": s.test}
        build_synthetic_dataset(
            self.synth, seed=self.seed, splits=splits, config=config, overwrite=True, show_progress=self.progress
        )
        return {"splits": splits}

    def train_sources(self):
        """The synthetic source videos of the train split only (validation/test never reach the proxy data)."""
        import pyarrow.parquet as pq

        from ..proxy.sources import load_sources

        # read the parquet files directly: the split's files are the ground truth (no datasets cache involved)
        files = sorted((self.synth / "data" / "captions").glob("train-*.parquet"))
        train_videos = {Path(v).name for f in files for v in pq.read_table(f, columns=["video"])["video"].to_pylist()}
        sources = [s for s in load_sources("synthetic", self.synth) if Path(s.relative_path).name in train_videos]
        if len(sources) != len(train_videos):
            raise ValueError(f"Found {len(sources)} of {len(train_videos)} train videos in {self.synth}.")
        return sources

    def build_proxy(self, kind: str) -> dict:
        from ..proxy.common import RunSettings
        from ..proxy.oracle import OracleTeacher, SyntheticLabels

        out = self.proxy / kind
        run = RunSettings(cache_dir=self.proxy / f"{kind}.cache", workers=2)
        teacher = OracleTeacher(SyntheticLabels(self.synth))
        if kind == "caption_qa":
            from ..proxy.caption_qa import build_caption_qa

            report = build_caption_qa(self.synth, out, OracleTeacher(), split="train", seed=self.seed, run=run,
                                      overwrite=True)  # fmt: skip
        elif kind == "fgqa":
            from ..proxy.fgqa import build_fgqa

            r = self.size.resolution
            report = build_fgqa(
                out, teacher, OracleTeacher(), sources=self.train_sources(), num_videos=self.size.fgqa_videos,
                size=(r, r), fps=self.size.fps, seed=self.seed, run=run, overwrite=True,
            )  # fmt: skip
        else:
            from ..proxy.image_tasks import build_pose_description, build_spatial_difference

            build = build_pose_description if kind == "pd" else build_spatial_difference
            report = build(self.train_sources(), out, teacher, run=run, overwrite=True)
        logger.info("%s", report.summary())
        return {}

    def stage1_mixture(self) -> list[dict]:
        mixture = [
            # a fifth of the captions: a caption is about twice as long as a question, and a batch pads to its longest
            {"path": str(self.synth), "name": "captions", "split": "train", "weight": 0.2},
            # the spatial questions, which the table's learning check reads (GS, LS), three times
            *qa_entries(self.synth, spatial_weight=3.0),
        ]
        if self.size.steps.get("lm_warmup"):  # replay of the text warm-up, so letter-picking is not forgotten
            mixture.append(self.text_mcq_entry(weight=0.1))
        return mixture

    def text_mcq_entry(self, weight: float) -> dict:
        return {"path": str(self.text_mcq), "format": "messages", "split": "train", "weight": weight}

    def proxy_entry(self, part: str) -> dict:
        return {"path": str(self.proxy / part), "name": PROXY_CONFIGS[part], "split": "train", "weight": 1.0}

    # ------------------------------------------------------------------ models
    def build_base(self) -> dict:
        from ..training.tiny_base import make_tiny_base

        data = [self.synth] + [self.proxy / kind for kind in ("pd", "sd", "fgqa", "caption_qa")]
        data += [self.text_mcq] if self.text_mcq.exists() else []
        make_tiny_base(
            self.models / "base", data=data, num_frames=self.size.num_frames, seed=self.seed, overwrite=True,
            image_size=self.size.resolution if self.size.resolution <= 64 else 64, **self.size.model,
        )  # fmt: skip
        return {}

    @property
    def vision_feature_cache(self) -> Path:
        """The frozen stage-0 tower's features of every training video, shared by the stages after stage 0."""
        return self.out / "cache" / "vision_features.safetensors"

    def stage0(self) -> dict:
        from .stage0 import train_stage0

        self.vision_feature_cache.unlink(missing_ok=True)  # a new tower: its features are not the cached ones
        return {"start": "base"} | train_stage0(
            self.models / "base", self.synth, self.models / "base_stage0", seconds=self.size.stage0_seconds,
            max_pixels=self.size.resolution**2, seed=self.seed, progress=self.progress,
        )  # fmt: skip

    def recipe(self, name: str, model: str, mixture: list[dict], steps: int, output_dir: Path) -> dict:
        """The stage's recipe (the keys of `recipes/tiny/*.yaml`), built in code."""
        s = self.size
        frozen = s.stage0_seconds > 0
        return {
            "model_name_or_path": str(self.models / model),
            "dtype": "float32",
            "trust_remote_code": True,
            "dataset_mixture": mixture,
            "mixture_seed": self.seed,
            "num_frames": s.num_frames,
            "max_pixels": s.resolution * s.resolution,
            # decord: PyAV's frame-skipping decode looped forever on some synthetic clips (see docs/HELPERS.md)
            "video_backend": "decord",
            "num_threads": None,  # torch's default (all cores): the quickstart runs one job at a time
            "activation_checkpointing": False,  # TRL's default recomputes activations: slower, tiny needs no memory
            # loss on every token (loss on the answer alone did not learn from random weights in the CPU prototype)
            "loss_on": "all",
            "check_data_batches": 1,
            # the tower is trained by stage 0 (when run) and kept frozen afterwards, so every stage shares one cache
            # of its features: video batches skip decoding and the tower
            "freeze_vision_tower": frozen,
            "vision_feature_cache": str(self.vision_feature_cache) if frozen else None,
            "use_cpu": True,
            "bf16": False,
            "learning_rate": s.learning_rate if name in ("lm_warmup", "stage1") else s.finetune_learning_rate,
            "lr_scheduler_type": "cosine",
            "warmup_steps": 0.1,
            "weight_decay": 0.0,
            "max_grad_norm": 1.0,
            "num_train_epochs": 1,
            "max_steps": steps,
            # text-only warm-up rows are short: a larger batch at the same cost per step
            "per_device_train_batch_size": s.warmup_batch_size if name == "lm_warmup" else s.batch_size,
            "gradient_accumulation_steps": 1,
            "max_length": 1024,
            "dataloader_num_workers": 0,
            "dataset_kwargs": {"skip_prepare_dataset": True},
            "remove_unused_columns": False,
            "eval_strategy": "no",
            "seed": self.seed,
            "output_dir": str(output_dir),
            "logging_steps": max(1, steps // 4),
            "save_strategy": "no",
            "report_to": "none",
            "push_to_hub": False,
            "disable_tqdm": not self.progress,
        }

    def train(self, name: str, model: str, mixture: list[dict], steps: int) -> dict:
        """One stage through `actionart_hf.training.train_stage` (what `actionart-hf train` runs), written atomically.

        The recipe is also written to `<out>/recipes/<name>.yaml`, so `actionart-hf train` can rerun the stage.
        """
        import yaml

        from ..training import parse_recipe, train_stage

        final = self.models / name
        staging = self.models / f".{name}.partial"
        if staging.exists():
            shutil.rmtree(staging)
        self.recipes.mkdir(parents=True, exist_ok=True)
        recipe_path = self.recipes / f"{name}.yaml"
        recipe = self.recipe(name, model, mixture, steps, staging)
        write_text_atomic(recipe_path, yaml.safe_dump(recipe, sort_keys=False))
        output = train_stage(*parse_recipe(recipe))
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
        loss = getattr(output, "training_loss", None)
        data = [f"{Path(entry['path']).name}/{entry.get('name') or entry['format']}" for entry in mixture]
        return {"steps": steps, "train_loss": None if loss is None else round(float(loss), 4), "start": model,
                "data": data}  # fmt: skip

    def merge(self) -> dict:
        from ..merge import MergeConfig, merge_checkpoints

        config = MergeConfig(
            base_model=str(self.models / "stage1"),
            finetuned_model=str(self.models / "stage2_sd_fgqa"),
            parameters={"alpha": 0.5},
            trust_remote_code=True,
        )
        merge_checkpoints(config, self.models / "merged", overwrite=True)
        return {"alpha": 0.5, "base": "stage1", "finetuned": "stage2_sd_fgqa"}

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, key: str) -> dict:
        from ..evaluation import evaluate_model

        result = evaluate_model(
            str(self.models / key), str(self.synth), config="qa", split="test", num_frames=self.size.num_frames,
            max_pixels=self.size.resolution * self.size.resolution, output_dir=str(self.evals / key),
            bootstrap_samples=self.size.bootstrap_samples, plot=False, progress=self.progress, model_name=key,
            overwrite=True, batch_size=16,
        )  # fmt: skip
        return {"accuracy": result.metrics.get("accuracy")}

    def write_table(self) -> dict:
        from .report import write_outputs

        write_outputs(self)
        return {}

    def publish(self) -> dict:
        from .publish import publish_dry_runs

        return publish_dry_runs(self)


__all__ = ["CHANCE", "Quickstart", "STAGE2_MIXTURES", "TASK_COLUMNS", "table_rows"]
