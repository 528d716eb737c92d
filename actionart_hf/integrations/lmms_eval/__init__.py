"""ActionArt as lmms-eval tasks (`actionart`, `actionart_circular`), scored with actionart-hf's metric.

    python -m actionart_hf.integrations.lmms_eval --dataset <org>/ActionArt --output lmms_tasks/actionart
    lmms-eval --model llava_onevision --model_args pretrained=lmms-lab/llava-onevision-qwen2-7b-ov \
        --include_path lmms_tasks/actionart --tasks actionart,actionart_circular

The folder holds the YAML task definitions (`_default_template_yaml` with the shared settings, one YAML per task)
and `utils.py` (prompt, video paths, answer extraction and aggregation, via actionart-hf). `write_task_folder` copies
it with your dataset, config and split filled in; `--dataset` may also be a local folder built by our tools.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


TASK_DIR = Path(__file__).parent
TASK_FILES = ("_default_template_yaml", "actionart.yaml", "actionart_circular.yaml", "utils.py")


def write_task_folder(
    output_dir: str | os.PathLike,
    dataset: str,
    config: str = "qa",
    split: str = "test",
    overwrite: bool = False,
) -> Path:
    """Writes the lmms-eval task folder for `dataset` (a Hub dataset id or a local dataset folder).

    Args:
        output_dir (`str` or `os.PathLike`): the folder to pass to `lmms-eval --include_path`.
        dataset (`str`): Hub dataset id (e.g. `"<org>/ActionArt"`) or local folder (made absolute).
        config (`str`, *optional*, defaults to `"qa"`): dataset config.
        split (`str`, *optional*, defaults to `"test"`): evaluated split.
        overwrite (`bool`, *optional*, defaults to `False`): replace task files already in `output_dir`.

    Returns:
        `Path` of the folder.
    """
    output_dir = Path(output_dir)
    existing = [name for name in TASK_FILES if (output_dir / name).exists()]
    if existing and not overwrite:
        raise ValueError(f"{str(output_dir)!r} already holds {existing}; pass overwrite=True (--overwrite).")
    if os.path.isdir(dataset):
        dataset = str(Path(dataset).absolute())
    elif not re.fullmatch(r"[\w.-]+/[\w.-]+", dataset):
        raise ValueError(f"dataset={dataset!r} is neither a local folder nor a Hub dataset id like '<org>/ActionArt'.")
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in TASK_FILES:
        shutil.copyfile(TASK_DIR / name, output_dir / name)
    template = output_dir / "_default_template_yaml"
    text = template.read_text(encoding="utf-8")
    for key, value in (("dataset_path", dataset), ("dataset_name", config), ("test_split", split)):
        text = re.sub(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.M)
    if os.path.isdir(dataset):  # a local folder is read in place: no video download
        text = re.sub(r"^  (video|cache_dir|create_link):.*\n", "", text, flags=re.M)
    template.write_text(text, encoding="utf-8")
    return output_dir


__all__ = ["TASK_DIR", "TASK_FILES", "write_task_folder"]
