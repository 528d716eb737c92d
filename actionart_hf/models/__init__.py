"""Models: ActionArt in the transformers layout (`actionart_hf.models.actionart`) and offline tiny builders.

    >>> from actionart_hf.models import ActionArtForConditionalGeneration, build_tiny_actionart

Imported lazily: `import actionart_hf.models` does not load transformers; the first attribute access imports
`actionart_hf.models.actionart`, which registers ActionArt with the transformers Auto classes.
"""

from __future__ import annotations

import importlib


_EXPORTS = {
    "ActionArtConfig": ".actionart",
    "ActionArtForConditionalGeneration": ".actionart",
    "ActionArtModel": ".actionart",
    "ActionArtProcessor": ".actionart",
    "ActionArtVideoProcessor": ".actionart",
    "get_num_video_tokens": ".actionart",
    "build_tiny_actionart": ".tiny",
    "build_tiny_tokenizer": ".tiny",
    "tiny_actionart_config": ".tiny",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
