"""`ActionArtTrainingArguments`: the part of a recipe that TRL's own argument classes do not cover.

A recipe is one flat YAML file read by `TrlParser((ScriptArguments, SFTConfig, ModelConfig,
ActionArtTrainingArguments))`; the keys below sit next to TRL's (`learning_rate`, `output_dir`, ...):

```yaml
# ActionArt arguments
dataset_mixture:
  - {path: outputs/proxy/sd, name: spatial_difference, weight: 1.0}
  - {path: outputs/proxy/fgqa, name: fgqa, weight: 1.0, columns: {video: clip}}
num_frames: 64
max_pixels: 230400
vision_tower_lr: 2.0e-6
freeze_vision_tower: false
```
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..video import DEFAULT_MAX_PIXELS, DEFAULT_NUM_FRAMES


# Chat formats a mixture entry can use, and the columns each needs (after `columns` renames them).
FORMAT_COLUMNS: dict[str, tuple[str, ...]] = {
    "qa": ("video", "question", "options", "answer"),
    "fgqa": ("video", "question", "options", "answer"),
    "captions": ("video", "caption"),
    "pose_description": ("image", "prompt", "response"),
    "spatial_difference": ("images", "prompt", "response"),
    "messages": ("messages",),
}
# Short names people write for the proxy configs.
FORMAT_ALIASES = {
    "pd": "pose_description",
    "sd": "spatial_difference",
    "caption": "captions",
    "conversations": "messages",
}
LOSS_ON = ("assistant", "all")
DATASET_ENTRY_KEYS = (
    "path",
    "name",
    "split",
    "weight",
    "fraction",
    "columns",
    "format",
    "data_files",
    "data_dir",
    "revision",
    "max_samples",
    "video_root",
    "tasks",
    "answer",
)
ANSWER_KINDS = ("letter", "option")


def normalize_format(value: str) -> str:
    """`"pd"` → `"pose_description"`, `"sd"` → `"spatial_difference"`; other known formats unchanged."""
    key = str(value).strip().lower().replace("-", "_")
    return FORMAT_ALIASES.get(key, key)


@dataclass
class DatasetSpec:
    """One entry of a dataset mixture.

    Args:
        path (`str`): a local dataset folder (our Hub layout, or any folder `datasets.load_dataset` reads) or a Hub
            dataset id.
        name (`str`, *optional*): the dataset config (`qa`, `captions`, `fgqa`, `pose_description`,
            `spatial_difference`, or any config of a foreign dataset).
        split (`str`, *optional*, defaults to `"train"`): the split to train on.
        weight (`float`, *optional*, defaults to `1.0`): how many times each row is seen per epoch of the mixture:
            `1` every row once, `0.5` a random half, `2.5` every row twice plus a random half. Must be > 0.
        fraction (`float`, *optional*): TRL's spelling (`DatasetConfig.fraction`): the target share of this dataset
            in the mixture, set for every entry or none and not with `weight` (see
            `actionart_hf.training.trl_mixture`).
        columns (`dict[str, str]` or `list[str]`, *optional*): column mapping `{our_name: dataset_column}`, e.g.
            `{video: clip}` for a dataset whose video column is called `clip`; a list (TRL's spelling) keeps those
            columns under their own names.
        format (`str`, *optional*): the chat format (one of `FORMAT_COLUMNS`); defaults to `name`.
        data_files (`str` or `list[str]`, *optional*): passed to `datasets.load_dataset` (foreign datasets).
        data_dir (`str`, *optional*): passed to `datasets.load_dataset` (foreign datasets).
        revision (`str`, *optional*): Hub revision.
        max_samples (`int`, *optional*): keep at most this many rows of the dataset (before `weight`), for smoke
            runs.
        video_root (`str`, *optional*): folder that relative video paths of a foreign dataset are relative to.
        tasks (`list[str]`, *optional*): keep only the rows of these sub-tasks (codes such as `GS`, full names or
            aliases; needs a `task` column, as `qa` and `fgqa` have), before `max_samples` and `weight`.
        answer (`str`, *optional*, defaults to `"letter"`): what the assistant answers to a `qa` / `fgqa` question:
            `letter` (the option's letter) or `option` (the option's text, which the ActionArt scorer maps back to its
            letter).
    """

    path: str
    name: str | None = None
    split: str = "train"
    weight: float = 1.0
    fraction: float | None = None
    columns: dict[str, str] = field(default_factory=dict)
    format: str | None = None
    data_files: str | list[str] | None = None
    data_dir: str | None = None
    revision: str | None = None
    max_samples: int | None = None
    video_root: str | None = None
    tasks: list[str] | None = None
    answer: str = "letter"

    @classmethod
    def from_entry(cls, entry: Any, index: int = 0, field_name: str = "dataset_mixture") -> DatasetSpec:
        """Validates one raw YAML/CLI entry (a mapping, a JSON string or `path[:name[:weight]]`) into a spec."""
        where = f"{field_name}[{index}]"
        if isinstance(entry, DatasetSpec):
            return entry
        if isinstance(entry, str) and entry.lstrip().startswith("{"):
            try:
                entry = json.loads(entry)
            except json.JSONDecodeError as error:
                raise ValueError(f"{where}={entry!r} is not valid JSON ({error}).") from None
        elif isinstance(entry, str):
            parts = entry.split(":")
            if len(parts) > 3:
                raise ValueError(f"{where}={entry!r}: write `path[:name[:weight]]`, or a JSON mapping.")
            entry = {"path": parts[0], "name": (parts[1] or None) if len(parts) > 1 else None}
            if len(parts) == 3:
                entry["weight"] = parts[2]
        if not isinstance(entry, dict):
            raise ValueError(
                f"{where}={entry!r} is not a mapping; write it as `- {{path: <folder or Hub id>, name: <config>, "
                "weight: 1.0}`."
            )
        unknown = sorted(set(entry) - set(DATASET_ENTRY_KEYS))
        if unknown:
            raise ValueError(f"{where} has unknown keys {unknown}; allowed keys: {list(DATASET_ENTRY_KEYS)}.")
        if not entry.get("path"):
            raise ValueError(f"{where}={entry!r} has no `path`; set it to a dataset folder or a Hub dataset id.")
        spec = cls(**{key: value for key, value in entry.items() if value is not None or key in ("name",)})
        spec.path = str(spec.path)
        spec._check(where)
        return spec

    def _check(self, where: str) -> None:
        try:
            weight = float(self.weight)
        except (TypeError, ValueError):
            raise ValueError(
                f"{where}.weight={self.weight!r} is not a number; use a positive number such as 1.0."
            ) from None
        if not math.isfinite(weight) or weight <= 0:
            raise ValueError(
                f"{where}.weight={self.weight!r} must be > 0 (it multiplies how often each row is seen); remove the "
                "dataset from the mixture instead of giving it weight 0."
            )
        self.weight = weight
        if self.fraction is not None:
            if weight != 1.0:
                raise ValueError(
                    f"{where} sets both fraction={self.fraction!r} (TRL's share of the mixture) and weight={weight!r} "
                    "(how often each row is seen); keep one."
                )
            if not (isinstance(self.fraction, (int, float)) and math.isfinite(self.fraction) and self.fraction > 0):
                raise ValueError(
                    f"{where}.fraction={self.fraction!r} must be a positive number (a share of the mixture)."
                )
        if isinstance(self.columns, list) and all(isinstance(column, str) for column in self.columns):
            self.columns = {column: column for column in self.columns}  # TRL's spelling: the columns to keep
        if not isinstance(self.columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.columns.items()
        ):
            raise ValueError(
                f"{where}.columns={self.columns!r} must map our column names to the dataset's, e.g. "
                "`columns: {video: clip_path}`, or list the columns to keep."
            )
        fmt = self.format or self.name
        if fmt is None:
            raise ValueError(
                f"{where} ({self.path!r}) has neither `name` nor `format`; set `name` to the config to load (qa, "
                f"captions, fgqa, pose_description, spatial_difference) or `format` to one of {list(FORMAT_COLUMNS)}."
            )
        fmt = normalize_format(fmt)
        if fmt not in FORMAT_COLUMNS and self.format is None:  # the format came from `name`: name the config
            data = Path(self.path).expanduser() / "data"
            configs = sorted(p.name for p in data.iterdir() if p.is_dir()) if data.is_dir() else None
            present = f"; {self.path!r} has the configs {configs}" if configs is not None else ""
            raise ValueError(
                f"{where} ({self.path!r}) has name {self.name!r}, which is not a config we can train on{present}. Fix "
                f"`name`, or set `format` to one of {list(FORMAT_COLUMNS)} for a dataset of your own."
            )
        if fmt not in FORMAT_COLUMNS:
            raise ValueError(
                f"{where} ({self.path!r}) has format {fmt!r}, which has no chat conversion; set `format` to one of "
                f"{list(FORMAT_COLUMNS)} (and `columns` to map the dataset's columns onto it)."
            )
        self.format = fmt
        if self.tasks is not None:
            from ..tasks import normalize_task

            names = [self.tasks] if isinstance(self.tasks, str) else list(self.tasks)
            if not names:
                raise ValueError(f"{where}.tasks is empty; list task codes such as [GS, LS] or drop the key.")
            try:
                self.tasks = [normalize_task(name) for name in names]
            except ValueError as error:
                raise ValueError(f"{where}.tasks: {error}") from None
        if self.answer not in ANSWER_KINDS:
            raise ValueError(f"{where}.answer={self.answer!r}; use one of {list(ANSWER_KINDS)}.")
        if self.answer == "option" and self.format not in ("qa", "fgqa"):
            raise ValueError(
                f"{where}.answer=option applies to multiple-choice rows (format qa or fgqa), not {self.format!r}; "
                "drop the key."
            )
        if self.max_samples is not None and int(self.max_samples) <= 0:
            raise ValueError(f"{where}.max_samples={self.max_samples!r} must be a positive integer or null.")

    @property
    def label(self) -> str:
        """A short human name for logs and errors: `path[name]:split` (plus ` as <format>` when it differs)."""
        label = f"{self.path}" + (f"[{self.name}]" if self.name else "") + f":{self.split}"
        return label if self.format in (None, self.name) else f"{label} as {self.format}"


@dataclass
class ActionArtTrainingArguments:
    """
    Arguments of ActionArt training that TRL's `ScriptArguments`, `SFTConfig` and `ModelConfig` do not have.

    > Parameters that control the data

    Args:
        dataset_mixture (`list[dict]`, *optional*):
            The training mixture: a list of [`DatasetSpec`] mappings (`path`, `name`, `split`, `weight`, `columns`,
            `format`, ...), or TRL's `DatasetMixtureConfig` spelling (`{datasets: [...]}`, or `datasets:` at the top
            of the recipe; see `actionart_hf.training.trl_mixture`). When empty, `dataset_name` / `dataset_config`
            of `ScriptArguments` is used as a single dataset.
        eval_dataset_mixture (`list[dict]`, *optional*):
            Datasets to evaluate on (same entries), used when `eval_strategy` is not `"no"`.
        mixture_seed (`int`, *optional*, defaults to `0`):
            Seed of the row sampling done by fractional weights.
        num_frames (`int`, *optional*, defaults to `64`):
            Frames sampled from each video (paper: at most 64).
        max_pixels (`int`, *optional*, defaults to `230400`):
            Pixel cap of a decoded frame (paper: 480×480 = 230,400); larger frames are resized keeping the aspect
            ratio.
        video_backend (`str`, *optional*, defaults to `"auto"`):
            `auto`, `decord` or `pyav` (see `actionart_hf.video.load_video`).
        loss_on (`str`, *optional*, defaults to `"assistant"`):
            `assistant`: labels only on the assistant turns (answer and end-of-turn tokens); `all`: on every token
            except padding and media placeholders (the text pre-training of the tiny recipes).
        num_threads (`int`, *optional*):
            `torch.set_num_threads` for the run. The tiny recipes use 1: their matrices are too small to gain from
            threads, and on a busy machine extra threads spin (measured 3× slower steps with 2 threads on 2 busy
            cores). `None` keeps torch's default.
        vision_feature_cache (`str`, *optional*):
            A safetensors file of the frozen vision tower's features per training video (needs
            `freeze_vision_tower: true`). Training first encodes every video the file lacks and saves the union; then
            video batches skip decoding and the tower (see `actionart_hf.training.vision_cache`). Stages that share the
            frozen tower and frame settings can share the file; one written for another tower is refused.
        check_data_batches (`int`, *optional*, defaults to `1`):
            Before training, collate this many examples from each mixture dataset (decoding their videos), so a
            missing video, an undecodable file or an over-long sequence fails before the first step. `0` skips it.

        save_merged_model (`bool`, *optional*, defaults to `False`):
            With `use_peft`: also write the LoRA adapter merged into the base model to `<output_dir>/merged`, the
            folder the next stage's `model_name_or_path` points at.

    > Parameters that control which modules train, and how fast

    Args:
        freeze_vision_tower (`bool`, *optional*, defaults to `False`):
            Keep the vision encoder fixed.
        freeze_projector (`bool`, *optional*, defaults to `False`):
            Keep the multimodal projector fixed.
        freeze_language_model (`bool`, *optional*, defaults to `False`):
            Keep the LLM (and its LM head) fixed.
        vision_tower_lr (`float`, *optional*):
            Learning rate of the vision tower; `None` uses `learning_rate`.
        projector_lr (`float`, *optional*):
            Learning rate of the projector; `None` uses `learning_rate`.
        language_model_lr (`float`, *optional*):
            Learning rate of the LLM; `None` uses `learning_rate`.
        vision_tower_modules (`list[str]`, *optional*, defaults to `["vision_tower"]`):
            Parameter-name fragments that identify the vision tower.
        projector_modules (`list[str]`, *optional*, defaults to `["multi_modal_projector"]`):
            Parameter-name fragments that identify the projector.
        language_model_modules (`list[str]`, *optional*, defaults to `["language_model", "lm_head"]`):
            Parameter-name fragments that identify the LLM.
    """

    # Typed `list[str]` for the command line (`path[:name[:weight]]` or JSON strings); YAML gives mappings.
    dataset_mixture: list[str] | None = field(
        default=None,
        metadata={
            "help": "Training mixture: in YAML a list of {path, name, split, weight, columns, format, max_samples} "
            "mappings; on the command line `path[:name[:weight]]` or JSON strings."
        },
    )
    eval_dataset_mixture: list[str] | None = field(
        default=None, metadata={"help": "Evaluation datasets, same entries as `dataset_mixture`."}
    )
    mixture_seed: int = field(default=0, metadata={"help": "Seed of the row sampling done by fractional weights."})
    num_frames: int = field(
        default=DEFAULT_NUM_FRAMES, metadata={"help": f"Frames sampled from each video (paper: {DEFAULT_NUM_FRAMES})."}
    )
    max_pixels: int | None = field(
        default=DEFAULT_MAX_PIXELS,
        metadata={"help": "Pixel cap of a decoded frame (paper: 480x480); larger frames are resized."},
    )
    video_backend: str = field(default="auto", metadata={"help": "Video decoder: auto, decord or pyav."})
    loss_on: str = field(
        default="assistant",
        metadata={"help": "`assistant`: loss on assistant turns only; `all`: on every text token (text pretraining)."},
    )
    num_threads: int | None = field(
        default=None,
        metadata={"help": "torch CPU threads (torch.set_num_threads); tiny CPU recipes use 1. Default: torch's."},
    )
    vision_feature_cache: str | None = field(
        default=None,
        metadata={"help": "Safetensors file of the frozen tower's per-video features (needs freeze_vision_tower)."},
    )
    check_data_batches: int = field(
        default=1,
        metadata={"help": "Examples per dataset collated before training to catch bad data early; 0 skips it."},
    )
    save_merged_model: bool = field(
        default=False,
        metadata={"help": "With use_peft: also write the adapter merged into the base model to <output_dir>/merged."},
    )
    freeze_vision_tower: bool = field(default=False, metadata={"help": "Keep the vision encoder fixed."})
    freeze_projector: bool = field(default=False, metadata={"help": "Keep the multimodal projector fixed."})
    freeze_language_model: bool = field(default=False, metadata={"help": "Keep the LLM and LM head fixed."})
    vision_tower_lr: float | None = field(
        default=None, metadata={"help": "Learning rate of the vision tower (default: learning_rate)."}
    )
    projector_lr: float | None = field(
        default=None, metadata={"help": "Learning rate of the projector (default: learning_rate)."}
    )
    language_model_lr: float | None = field(
        default=None, metadata={"help": "Learning rate of the LLM (default: learning_rate)."}
    )
    vision_tower_modules: list[str] = field(
        default_factory=lambda: ["vision_tower"],
        metadata={"help": "Parameter-name fragments identifying the vision tower."},
    )
    projector_modules: list[str] = field(
        default_factory=lambda: ["multi_modal_projector"],
        metadata={"help": "Parameter-name fragments identifying the projector."},
    )
    language_model_modules: list[str] = field(
        default_factory=lambda: ["language_model", "lm_head"],
        metadata={"help": "Parameter-name fragments identifying the LLM."},
    )

    def __post_init__(self):
        self.dataset_mixture = self._specs(self.dataset_mixture, "dataset_mixture")
        self.eval_dataset_mixture = self._specs(self.eval_dataset_mixture, "eval_dataset_mixture")
        if self.num_frames < 1:
            raise ValueError(f"num_frames={self.num_frames} must be >= 1 (the paper samples {DEFAULT_NUM_FRAMES}).")
        if self.max_pixels is not None and self.max_pixels < 1:
            raise ValueError(
                f"max_pixels={self.max_pixels} must be positive ({DEFAULT_MAX_PIXELS} in the paper) or null."
            )
        if self.video_backend not in ("auto", "decord", "pyav"):
            raise ValueError(f"video_backend={self.video_backend!r} must be one of auto, decord, pyav.")
        if self.loss_on not in LOSS_ON:
            raise ValueError(f"loss_on={self.loss_on!r} must be one of {LOSS_ON}.")
        if self.vision_feature_cache and not self.freeze_vision_tower:
            raise ValueError(
                f"vision_feature_cache={self.vision_feature_cache!r} needs freeze_vision_tower: true (cached features "
                "of a tower that trains would go stale); freeze the tower or drop vision_feature_cache."
            )
        if self.num_threads is not None and self.num_threads < 1:
            raise ValueError(f"num_threads={self.num_threads} must be >= 1 or null (torch's default).")
        if self.check_data_batches < 0:
            raise ValueError(f"check_data_batches={self.check_data_batches} must be >= 0.")
        for part in ("vision_tower", "projector", "language_model"):
            lr = getattr(self, f"{part}_lr")
            if lr is not None and not (math.isfinite(lr) and lr > 0):
                raise ValueError(f"{part}_lr={lr!r} must be a positive learning rate or null (= learning_rate).")
            if lr is not None and getattr(self, f"freeze_{part}"):
                raise ValueError(
                    f"{part}_lr={lr} is set but freeze_{part}=true, so it would never be used; drop {part}_lr or set "
                    f"freeze_{part}: false."
                )
            modules = getattr(self, f"{part}_modules")
            if isinstance(modules, str):
                modules = [m for m in re.split(r"[,\s]+", modules) if m]
                setattr(self, f"{part}_modules", modules)
            if not modules:
                raise ValueError(f"{part}_modules is empty; give at least one parameter-name fragment.")

    @staticmethod
    def _specs(entries, name: str) -> list[DatasetSpec]:
        from .trl_mixture import mixture_entries

        entries = mixture_entries(entries, name)
        if entries is None:
            return []
        if isinstance(entries, (dict, str)):
            entries = [entries]
        specs = [DatasetSpec.from_entry(entry, index, name) for index, entry in enumerate(entries)]
        if len({spec.fraction is None for spec in specs}) > 1:
            raise ValueError(f"{name}: `fraction` must be set for every dataset or for none (as in TRL).")
        return specs

    def module_lrs(self, base_lr: float) -> dict[str, float | None]:
        """`{part: lr or None if frozen}` for `vision_tower`, `projector` and `language_model`."""
        return {
            part: None if getattr(self, f"freeze_{part}") else (getattr(self, f"{part}_lr") or base_lr)
            for part in ("vision_tower", "projector", "language_model")
        }


__all__ = [
    "ActionArtTrainingArguments",
    "DatasetSpec",
    "FORMAT_COLUMNS",
    "LOSS_ON",
    "normalize_format",
]
