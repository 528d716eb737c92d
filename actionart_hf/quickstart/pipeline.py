"""The quickstart experiment: disjoint synthetic pools → proxy data → tiny model → the paper's stages and controls →
evaluation → Table 2 with paired comparisons.

Every phase writes its output atomically (a staging folder renamed into place) and is recorded in
`<out>/status.json` when it finishes, so running the same command again skips finished phases.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ..atomic import replace_dir, write_text_atomic
from .arms import PROXY_CONFIGS, STAGE2_MIXTURES, Row, table_rows
from .pools import PROXY_STYLE, PoolSpec
from .sizes import SIZES, QuickstartSize


logger = logging.getLogger(__name__)


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


class Quickstart:
    """Runs the whole experiment for one seed into `out`.

    Args:
        out (`str` or `os.PathLike`): output folder.
        size (`str`): a key of `SIZES` (`smoke`, `tiny`, `small`).
        seed (`int`): seed of the pools, the model and training.
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
        data = self.out / "data"
        self.pools = {name: data / name for name in ("benchmark", "generic", "proxy_pool")}
        self.benchmark = self.pools["benchmark"]
        self.generic_sft = data / "generic_sft"
        self.text_mcq = data / "text_mcq"
        self.proxy = data / "proxy"
        self.ma = data / "ma"
        self.models = self.out / "models"
        self.evals = self.out / "eval"
        self.recipes = self.out / "recipes"
        self.rows = table_rows(self.size.stage2, self.size.proxy_arm, self.size.stage3_from_pf)

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
        self.build_data()
        self.phase("base_model", self.build_base)
        self.phase("stage0", self.stage0)
        self.phase("lm_warmup", lambda: self.train_row(Row("lm_warmup", "", "stand-in", "lm_warmup", "stage0",
                                                               ("text_mcq",))))  # fmt: skip
        for row in self.rows:
            if row.key == "pf":
                self.phase("pf", self.merge)
            elif row.stage is not None:
                self.phase(row.key, lambda row=row: self.train_row(row))
        self.phase("eval_text_prior", self.text_prior)
        for row in self.rows:
            if row.key != "text_prior":
                self.phase(f"eval_{row.key}", lambda key=row.key: self.evaluate(key))
        for key in ("stage0", "stage1", f"stage2_{self.size.proxy_arm}", "stage3_from_proxy"):
            self.phase(f"probe_{key}", lambda key=key: {"probe": self.probe(key)})
        self.phase("publish", self.publish)
        self.phase("table", self.write_table)
        logger.info("[quickstart] total %.1f s (this run); outputs in %s", time.perf_counter() - total, self.out)
        return json.loads((self.out / "table.json").read_text())

    # ------------------------------------------------------------------ data
    def synth_config(self):
        from ..synthetic import SynthConfig

        s = self.size
        return SynthConfig(
            height=s.resolution, width=s.resolution, num_frames=s.video_frames, fps=s.fps,
            questions_per_clip=s.questions_per_clip, task_weights=dict.fromkeys(s.tasks, 1.0),
        )  # fmt: skip

    def pool_specs(self) -> dict[str, PoolSpec]:
        s = self.size
        return {
            "benchmark": PoolSpec("benchmark", dict(s.benchmark), {}),
            "generic": PoolSpec("generic", {"train": s.generic}, {}),
            "proxy_pool": PoolSpec("proxy", {"train": s.proxy}, PROXY_STYLE),
        }

    def build_data(self) -> None:
        from .pools import build_pool, check_disjoint

        for folder_name, spec in self.pool_specs().items():
            self.phase(f"pool_{folder_name}", lambda f=folder_name, s=spec: build_pool(
                self.pools[f], s, self.seed, self.synth_config(), progress=self.progress))  # fmt: skip
        self.phase("check_pools", lambda: check_disjoint(self.pools) or {})
        self.phase("generic_sft", self.build_generic)
        self.phase("text_mcq", self.build_warmup)
        kinds = sorted({part for key in self.size.stage2 for part in STAGE2_MIXTURES[key][1]})
        for kind in kinds:
            self.phase(f"proxy_{kind}", lambda kind=kind: self.build_proxy(kind))
        for part in STAGE2_MIXTURES[self.size.proxy_arm][1]:
            self.phase(f"proxy_{part}_shuffled", lambda part=part: self.shuffle(part))
        self.phase("ma", self.build_ma)

    def build_generic(self) -> dict:
        from .generic_sft import build_generic_sft

        return {"rows": build_generic_sft(self.pools["generic"], self.generic_sft, seed=self.seed)}

    def build_warmup(self) -> dict:
        from .text_mcq import build_text_mcq, mcq_rows

        return {"rows": build_text_mcq(mcq_rows(self.generic_sft), self.text_mcq, seed=self.seed)}

    def teacher(self):
        from ..proxy.noisy import NoisyOracleTeacher
        from ..proxy.oracle import SyntheticLabels

        return NoisyOracleTeacher(SyntheticLabels(self.pools["proxy_pool"]), error_rate=self.size.teacher_error_rate,
                                  seed=self.seed)  # fmt: skip

    def build_proxy(self, kind: str) -> dict:
        from ..proxy.common import RunSettings
        from ..proxy.sources import load_sources

        out = self.proxy / kind
        run = RunSettings(cache_dir=self.proxy / f"{kind}.cache", workers=2)
        sources = load_sources("synthetic", self.pools["proxy_pool"])
        teacher = self.teacher()
        if kind == "fgqa":
            from ..proxy.fgqa import build_fgqa

            r = self.size.resolution
            report = build_fgqa(out, teacher, teacher, sources=sources, num_videos=self.size.fgqa_videos,
                                size=(r, r), fps=self.size.fps, seed=self.seed, run=run, overwrite=True)  # fmt: skip
        elif kind == "pd":
            from ..proxy.image_tasks import build_pose_description

            report = build_pose_description(sources, out, teacher, frames_per_video=self.size.pd_frames_per_video,
                                            run=run, overwrite=True)  # fmt: skip
        else:
            from ..proxy.image_tasks import build_spatial_difference

            report = build_spatial_difference(sources, out, teacher, pairs_per_video=self.size.sd_pairs_per_video,
                                              run=run, overwrite=True)  # fmt: skip
        logger.info("%s", report.summary())
        return {"rows": report.rows, "teacher": teacher.id}

    def shuffle(self, part: str) -> dict:
        from .controls import shuffle_proxy

        changed = shuffle_proxy(self.proxy / part, PROXY_CONFIGS[part], self.proxy / f"{part}_shuffled", self.seed)
        return {"rows": self.status.data["phases"][f"proxy_{part}"]["rows"], "changed_rows": changed}

    def build_ma(self) -> dict:
        """Stage 3's data: QA written by the oracle from the captions of the benchmark's train split (MA)."""
        from ..proxy.caption_qa import build_caption_qa
        from ..proxy.common import RunSettings
        from ..proxy.oracle import OracleTeacher

        run = RunSettings(cache_dir=self.out / "data" / "ma.cache", workers=2)
        report = build_caption_qa(self.benchmark, self.ma, OracleTeacher(), split="train", tasks=self.size.tasks,
                                  seed=self.seed, run=run, overwrite=True)  # fmt: skip
        return {"rows": report.rows}

    def mixture(self, parts: tuple[str, ...]) -> list[dict]:
        """Mixture entries of a stage's data parts."""
        entries = []
        for part in parts:
            if part == "generic":
                entries.append(self.messages_entry(self.generic_sft, 1.0))
            elif part == "text_mcq":
                entries.append(self.messages_entry(self.text_mcq, 1.0))
            elif part == "ma":  # answered with the option's words (the scorer maps them to the letter)
                entries.append({"path": str(self.ma), "name": "qa", "split": "train", "weight": 1.0,
                                "answer": "option"})  # fmt: skip
            elif part == "replay":
                continue
            else:
                config = PROXY_CONFIGS[part.removesuffix("_shuffled")]
                entries.append({"path": str(self.proxy / part), "name": config, "split": "train", "weight": 1.0})
        if "replay" in parts:  # stage 1's data, a fixed share of the stage's rows in every arm
            rows = sum(self.status.data["phases"][self.data_phase(p)]["rows"] for p in parts if p != "replay")
            generic_rows = self.status.data["phases"]["generic_sft"]["rows"]
            share = self.size.replay / (1 - self.size.replay)
            entries.append(self.messages_entry(self.generic_sft, max(0.01, share * rows / generic_rows)))
        return entries

    @staticmethod
    def data_phase(part: str) -> str:
        if part == "ma":
            return "ma"
        return f"proxy_{part}"

    def messages_entry(self, folder: Path, weight: float) -> dict:
        return {"path": str(folder), "format": "messages", "split": "train", "weight": weight}

    # ------------------------------------------------------------------ models
    def build_base(self) -> dict:
        from ..training.tiny_base import make_tiny_base

        data = [self.generic_sft, self.text_mcq, self.ma, *(p for p in self.proxy.iterdir() if p.is_dir())]
        make_tiny_base(
            self.models / "untrained", data=data, num_frames=self.size.num_frames, seed=self.seed, overwrite=True,
            image_size=self.size.resolution, **self.size.model,
        )  # fmt: skip
        return {}

    @property
    def vision_feature_cache(self) -> Path:
        """The frozen stage-0 tower's features of every training video, shared by the stages after stage 0."""
        return self.out / "cache" / "vision_features.safetensors"

    def stage0(self) -> dict:
        from .stage0 import train_stage0

        self.vision_feature_cache.unlink(missing_ok=True)  # a new tower: its features are not the cached ones
        return {"start": "untrained"} | train_stage0(
            self.models / "untrained", [self.pools["generic"], self.pools["proxy_pool"]], self.benchmark,
            self.models / "stage0", seconds=self.size.stage0_seconds, max_pixels=self.size.resolution**2,
            seed=self.seed, progress=self.progress,
        )  # fmt: skip

    def recipe(self, row: Row, output_dir: Path) -> dict:
        """The row's recipe (the keys of `recipes/tiny/*.yaml`), built in code."""
        s = self.size
        steps = s.steps[row.stage]
        return {
            "model_name_or_path": str(self.models / row.start),
            "dtype": "float32",
            "trust_remote_code": True,
            "dataset_mixture": self.mixture(row.data),
            "mixture_seed": self.seed,
            "num_frames": s.num_frames,
            "max_pixels": s.resolution * s.resolution,
            "video_backend": "decord",
            "num_threads": None,  # torch's default (all cores): the quickstart runs one job at a time
            "activation_checkpointing": False,  # TRL's default recomputes activations: slower, tiny needs no memory
            # loss on every token (loss on the answer alone did not learn from random weights in a CPU prototype)
            "loss_on": "all",
            "check_data_batches": 1,
            # the tower is trained by stage 0 and kept frozen afterwards, so every stage shares one cache of its
            # features: video batches skip decoding and the tower
            "freeze_vision_tower": True,
            "vision_feature_cache": str(self.vision_feature_cache),
            "use_cpu": True,
            "bf16": False,
            "learning_rate": s.learning_rate[row.stage],
            "lr_scheduler_type": "cosine",
            "warmup_steps": 0.1,
            "weight_decay": 0.0,
            "max_grad_norm": 1.0,
            "num_train_epochs": 1,
            "max_steps": steps,
            "per_device_train_batch_size": s.warmup_batch_size if row.stage == "lm_warmup" else s.batch_size,
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

    def train_row(self, row: Row) -> dict:
        """One trained row through `actionart_hf.training.train_stage` (what `actionart-hf train` runs), written
        atomically. The recipe is also written to `<out>/recipes/<key>.yaml`, so `actionart-hf train` can rerun it."""
        import yaml

        from ..training import parse_recipe, train_stage

        final = self.models / row.key
        staging = self.models / ".partial" / row.key  # named as the row: the card names the stage by its folder
        if staging.exists():
            shutil.rmtree(staging)
        self.recipes.mkdir(parents=True, exist_ok=True)
        recipe_path = self.recipes / f"{row.key}.yaml"
        recipe = self.recipe(row, staging)
        write_text_atomic(recipe_path, yaml.safe_dump(recipe, sort_keys=False))
        output = train_stage(*parse_recipe(recipe))
        replace_dir(staging, final)
        loss = getattr(output, "training_loss", None)
        return {"steps": recipe["max_steps"], "train_loss": None if loss is None else round(float(loss), 4),
                "start": row.start, "data": list(row.data)}  # fmt: skip

    def merge(self) -> dict:
        """Parameter fusion of the baseline and the proxy arm, α chosen on the benchmark's validation split."""
        from ..merge import MergeConfig
        from ..merge.sweep import sweep_alpha

        config = MergeConfig(
            base_model=str(self.models / "stage1"),
            finetuned_model=str(self.models / f"stage2_{self.size.proxy_arm}"),
            parameters={"alpha": 0.5},
            trust_remote_code=True,
        )
        sweep = sweep_alpha(config, self.size.alphas, self.models / "pf", self.validation_score, overwrite=True)
        return {"alpha": sweep.best_alpha, "alphas": sweep.alphas, "validation": sweep.scores, "base": "stage1",
                "finetuned": f"stage2_{self.size.proxy_arm}"}  # fmt: skip

    # ------------------------------------------------------------------ measurements
    def eval_kwargs(self) -> dict:
        s = self.size
        return {"num_frames": s.num_frames, "max_pixels": s.resolution**2, "plot": False, "progress": self.progress,
                "batch_size": 16}  # fmt: skip

    def validation_score(self, folder: Path) -> dict:
        from ..evaluation import evaluate_model

        result = evaluate_model(str(folder), str(self.benchmark), config="qa", split="validation",
                                bootstrap_samples=0, **self.eval_kwargs())  # fmt: skip
        return result.scores()

    def evaluate(self, key: str) -> dict:
        from ..evaluation import evaluate_model

        result = evaluate_model(
            str(self.models / key), str(self.benchmark), config="qa", split="test", output_dir=str(self.evals / key),
            bootstrap_samples=self.size.bootstrap_samples, model_name=key, overwrite=True, **self.eval_kwargs(),
        )  # fmt: skip
        return {"accuracy": result.metrics.get("accuracy")}

    def text_prior(self) -> dict:
        from .prior import write_text_prior_eval

        metrics = write_text_prior_eval(self.benchmark, self.evals / "text_prior",
                                        bootstrap_samples=self.size.bootstrap_samples)  # fmt: skip
        return {"accuracy": metrics.get("accuracy")}

    def probe(self, key: str) -> dict:
        from .probe import probe_states

        return probe_states(self.models / key, self.benchmark, max_pixels=self.size.resolution**2)

    def write_table(self) -> dict:
        from .report import write_outputs

        write_outputs(self)
        return {}

    def publish(self) -> dict:
        from .publish import publish_dry_runs

        return publish_dry_runs(self)


def run_experiment(
    out, size: str = "tiny", seed: int = 0, seeds: int = 1, overwrite: bool = False, progress: bool = True
) -> str:
    """Runs the experiment for `seeds` seeds (`seed`, `seed + 1`, ...) and tests the paper's claims over all of them.

    With one seed the run's outputs are in `out`; with several, each seed's run is in `out/seed-<seed>` and `out`
    holds the claims over every seed (`claims.md`, `claims.json`).

    Returns:
        `str`: the claims in markdown.
    """
    from .report import write_experiment

    if seeds < 1:
        raise ValueError(f"--seeds {seeds} must be 1 or more.")
    out = Path(out).absolute()
    if overwrite and out.exists():
        shutil.rmtree(out)
    folders = [out] if seeds == 1 else [out / f"seed-{seed + k}" for k in range(seeds)]
    runs = []
    for k, folder in enumerate(folders):
        run = Quickstart(folder, size=size, seed=seed + k, progress=progress)
        run.run()
        runs.append(run)
    return write_experiment(out, runs)


__all__ = ["Quickstart", "Status", "run_experiment"]
