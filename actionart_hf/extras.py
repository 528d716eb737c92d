"""The optional dependencies of the package, installed as extras, and the error that names the extra to install.

pip install "actionart-hf[eval]"        # torchvision: video models' processors (eval --backend transformers)
pip install "actionart-hf[deepspeed]"   # DeepSpeed ZeRO (the 7B recipes' accelerate configs)
pip install "actionart-hf[lmms]"        # lmms-eval, to run the benchmark's lmms-eval tasks
pip install "actionart-hf[space]"       # gradio, to run the metric's Space app locally
"""

from __future__ import annotations

import importlib.util


# extra -> (importable modules it installs, what needs them)
EXTRAS: dict[str, tuple[tuple[str, ...], str]] = {
    "eval": (("torchvision",), "transformers' video processors (LLaVA-OneVision, Qwen2-VL, AutoVideoProcessor, ...)"),
    "deepspeed": (("deepspeed",), "DeepSpeed ZeRO training (recipes/accelerate_configs/zero*.yaml)"),
    "lmms": (("lmms_eval",), "running the ActionArt tasks with lmms-eval"),
    "space": (("gradio",), "the metric's Space app"),
}


def missing_modules(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here."""
    if extra not in EXTRAS:
        raise ValueError(f"Unknown extra {extra!r}; the extras are {sorted(EXTRAS)}.")
    return [module for module in EXTRAS[extra][0] if importlib.util.find_spec(module) is None]


def install_hint(extra: str) -> str:
    """`pip install "actionart-hf[<extra>]"` with what the extra is for."""
    return f'pip install "actionart-hf[{extra}]" (for {EXTRAS[extra][1]})'


def require_extra(extra: str, needed_by: str) -> None:
    """Raises `ImportError` naming the extra to install when a module of `extra` is missing.

    Args:
        extra (`str`): one of `EXTRAS`.
        needed_by (`str`): what needs it, for the message (e.g. `"Training with a DeepSpeed config"`).
    """
    missing = missing_modules(extra)
    if missing:
        raise ImportError(f"{needed_by} needs {', '.join(missing)}, which is not installed: {install_hint(extra)}.")


__all__ = ["EXTRAS", "install_hint", "missing_modules", "require_extra"]
