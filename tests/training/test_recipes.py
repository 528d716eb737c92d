"""Every recipe parses against the installed TRL / transformers (catches drift such as removed fields)."""

from pathlib import Path

import pytest
import yaml

from actionart_hf.training.sft import parse_args


ROOT = Path(__file__).resolve().parents[2]
RECIPES = sorted((ROOT / "recipes").glob("**/config_*.yaml"))
ACCELERATE_CONFIGS = sorted((ROOT / "recipes" / "accelerate_configs").glob("*.yaml"))
TABLE2_STAGE2 = {"config_fgqa.yaml", "config_pd_fgqa.yaml", "config_sd_fgqa.yaml", "config_pd_sd_fgqa.yaml"}


def test_recipes_exist():
    names = {path.relative_to(ROOT / "recipes").as_posix() for path in RECIPES}
    for model in ("actionart-7b", "tiny"):
        assert any(name.startswith(f"{model}/stage1_video_sft/") for name in names)
        assert {Path(n).name for n in names if n.startswith(f"{model}/stage2_proxy/")} >= TABLE2_STAGE2
        assert any(name.startswith(f"{model}/stage3_manual/") for name in names)
    assert {p.stem for p in ACCELERATE_CONFIGS} >= {"ddp", "zero2", "zero3", "fsdp"}


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.relative_to(ROOT / "recipes").as_posix())
def test_recipe_parses(recipe):
    text = recipe.read_text()
    assert text.startswith("# Hardware:"), "the first line states the hardware"
    config = yaml.safe_load(text)
    # bf16 / tf32 are validated against the hardware by transformers: turn them off to parse on CPU.
    overrides = [item for key in ("bf16", "tf32") if config.get(key) for item in (f"--{key}", "false")]
    script_args, training_args, model_args, actionart_args = parse_args([str(recipe), *overrides])
    assert model_args.model_name_or_path and training_args.output_dir
    assert actionart_args.dataset_mixture, "every recipe names its data"
    assert training_args.dataset_kwargs["skip_prepare_dataset"] is True
    assert training_args.remove_unused_columns is False
    assert config.get("remove_unused_columns") is False and config.get("dataset_kwargs") == {
        "skip_prepare_dataset": True
    }
    if "/actionart-7b/" in recipe.as_posix():
        assert actionart_args.num_frames == 64 and actionart_args.max_pixels == 480 * 480  # paper §5.2
    # Comment headers group the flat keys.
    assert "# Model arguments" in text and "# SFT trainer config" in text


@pytest.mark.parametrize("path", ACCELERATE_CONFIGS, ids=lambda p: p.stem)
def test_accelerate_config_loads(path):
    from accelerate.commands.config.config_args import load_config_from_file

    assert path.read_text().startswith("# Hardware:")
    config = load_config_from_file(str(path))
    assert config.num_processes >= 1 and config.mixed_precision == "bf16"
