"""ActionArt on the Hugging Face stack.

Heavy submodules (models, training, evaluation) are imported lazily so that ``import actionart_hf`` stays fast.
"""

from typing import TYPE_CHECKING


__version__ = "0.1.0.dev0"

if TYPE_CHECKING:
    from .data.loading import load_actionart
    from .tasks import TASKS, normalize_task
    from .video import VideoClip, VideoDecodeError, load_video

_LAZY = {
    "load_actionart": "actionart_hf.data.loading",
    "TASKS": "actionart_hf.tasks",
    "normalize_task": "actionart_hf.tasks",
    "VideoClip": "actionart_hf.video",
    "VideoDecodeError": "actionart_hf.video",
    "load_video": "actionart_hf.video",
}

__all__ = [
    "TASKS",
    "VideoClip",
    "VideoDecodeError",
    "__version__",
    "load_actionart",
    "load_video",
    "normalize_task",
]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'actionart_hf' has no attribute {name!r}")
