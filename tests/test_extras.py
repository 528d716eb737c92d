"""Optional dependencies are extras, and a command that needs a missing one names the extra to install."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from actionart_hf import extras


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def without(monkeypatch):
    """`without(module)`: that module cannot be found from here on."""
    find_spec = importlib.util.find_spec
    missing = set()

    def fake(name, *args, **kwargs):
        return None if name.split(".")[0] in missing else find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", fake)
    return missing.add


def test_pyproject_declares_the_extras_and_the_repository():
    pyproject = (ROOT / "pyproject.toml").read_text()  # (tomllib is Python 3.11+)
    for extra, (modules, _) in extras.EXTRAS.items():
        requirements = re.search(rf"^{extra} = \[(.*?)\]", pyproject, re.MULTILINE).group(1)
        names = [r.strip(' "').split(">")[0].replace("-", "_") for r in requirements.split(",")]
        assert names == list(modules), extra
    assert 'Repository = "https://github.com/actionart-hf/actionart-hf"' in pyproject
    readme = (ROOT / "README.md").read_text()
    assert all(f"| `{extra}` |" in readme for extra in extras.EXTRAS)


def test_missing_extra_names_the_install_line(without):
    without("deepspeed")
    with pytest.raises(
        ImportError, match=r'Training with a DeepSpeed config needs deepspeed.*"actionart-hf\[deepspeed\]"'
    ):
        extras.require_extra("deepspeed", "Training with a DeepSpeed config")
    with pytest.raises(ValueError, match="Unknown extra 'gpu'"):
        extras.missing_modules("gpu")


def test_train_with_a_deepspeed_config_needs_the_extra(without):
    from actionart_hf.training import parse_recipe

    without("deepspeed")
    with pytest.raises(ImportError, match=r"actionart-hf\[deepspeed\]"):
        parse_recipe({"model_name_or_path": "x", "deepspeed": "ds_config.json"})


def test_lmms_task_writer_says_how_to_install_lmms_eval(without, tmp_path, capsys):
    from actionart_hf.integrations.lmms_eval.cli import main, make_parser

    without("lmms_eval")
    folder = tmp_path / "data"
    folder.mkdir()
    assert main(make_parser().parse_args(["--dataset", str(folder), "--output", str(tmp_path / "tasks")])) == 0
    assert 'pip install "actionart-hf[lmms]"' in capsys.readouterr().out


def test_video_processor_without_torchvision_names_the_eval_extra(monkeypatch):
    import transformers
    import transformers.utils

    from actionart_hf.inference.transformers_runner import load_processor

    def fail(*args, **kwargs):
        raise ImportError("LlavaOnevisionVideoProcessor requires the Torchvision library")

    monkeypatch.setattr(transformers.AutoProcessor, "from_pretrained", fail)
    monkeypatch.setattr(transformers.utils, "is_torchvision_available", lambda: False)
    with pytest.raises(ImportError, match=r'pip install "actionart-hf\[eval\]"'):
        load_processor("llava-hf/llava-onevision-qwen2-0.5b-ov-hf")
    assert "transformers" in sys.modules
