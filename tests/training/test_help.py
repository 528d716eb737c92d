"""`actionart-hf train --help` is short (description, recipe, common options); `--help-all` lists every option."""

import pytest

from actionart_hf.cli import main as cli
from actionart_hf.training.help import COMMON_OPTIONS


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        cli(["train", *argv])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_short_help_then_all_options(capsys):
    short = run(capsys, "--help")
    assert short.startswith("usage: actionart-hf train RECIPE.yaml") and len(short.splitlines()) < 60
    assert "recipe" in short.lower() and "--help-all" in short and "actionart-hf[deepspeed]" in short
    assert all(f"--{name} " in short for name in COMMON_OPTIONS) and 18 <= len(COMMON_OPTIONS) <= 26
    assert run(capsys, "recipes/tiny/stage1_video_sft/config_tiny.yaml", "-h") == short
    full = run(capsys, "--help-all")
    assert len(full.splitlines()) > 10 * len(short.splitlines()) and "--lr_scheduler_type" in full
