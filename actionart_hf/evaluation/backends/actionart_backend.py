"""Our SlowFast video LLM (`actionart_hf.models.actionart`): `ActionArtForConditionalGeneration` and
`ActionArtProcessor`, greedy generation on the runner's sampled frames through the processor's chat template.

    actionart-hf eval --model outputs/actionart-7b --dataset <org>/ActionArt          # detected from config.json

Importing the model package registers ActionArt with the Auto classes, so checkpoints load without
`trust_remote_code` when actionart-hf is installed (and with it, from their `auto_map` code, when it is not).
"""

from __future__ import annotations

from typing import Any

from .transformers_backend import TransformersBackend


class ActionArtBackend(TransformersBackend):
    """[`TransformersBackend`] for ActionArt checkpoints.

    The processor expands each video to exactly the SlowFast token count of its frames and pads a batch of videos
    with different frame counts itself, so a batch is one `generate` call. The runner's frames are used as they are
    (`do_sample_frames=False`); more frames than the model's `max_frames` raise the processor's error.

    Args:
        model (`str` or `ActionArtForConditionalGeneration`): checkpoint folder or Hub id, or a loaded model (then pass
            `processor`).
        processor (`ActionArtProcessor`, *optional*): a loaded processor.
        kwargs: [`TransformersBackend`] arguments (`max_new_tokens`, `device`, `dtype`, `trust_remote_code`, ...).
    """

    name = "actionart"
    stack_videos = False

    def __init__(self, model, processor=None, **kwargs: Any):
        from ...models import actionart  # noqa: F401  (registers ActionArt with the Auto classes)

        super().__init__(model, processor, **kwargs)
        model_type = getattr(self.model.config, "model_type", None)
        if model_type != "actionart":
            raise ValueError(
                f"{self.model_id!r} is a {model_type!r} model, not an ActionArt checkpoint; use --backend "
                f"transformers."
            )


__all__ = ["ActionArtBackend"]
