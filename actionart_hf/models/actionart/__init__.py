"""The ActionArt model in the transformers layout.

Importing this package registers ActionArt with the Auto classes (`AutoConfig`, `AutoModel`,
`AutoModelForImageTextToText`, `AutoVideoProcessor`, `AutoProcessor`) and marks each class for `auto_map`, so
`save_pretrained` writes the code files next to the weights and `trust_remote_code=True` loads them where
`actionart_hf` is not installed.

    >>> from actionart_hf.models.actionart import ActionArtForConditionalGeneration, ActionArtProcessor
"""

from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForImageTextToText,
    AutoProcessor,
    AutoVideoProcessor,
)

from .configuration_actionart import ActionArtConfig, get_num_video_tokens, video_token_layout
from .modeling_actionart import (
    ActionArtCausalLMOutputWithPast,
    ActionArtForConditionalGeneration,
    ActionArtModel,
    ActionArtModelOutputWithPast,
    ActionArtPreTrainedModel,
)
from .processing_actionart import DEFAULT_CHAT_TEMPLATE, ActionArtProcessor
from .video_processing_actionart import ActionArtVideoProcessor, sample_frame_indices


AutoConfig.register(ActionArtConfig.model_type, ActionArtConfig, exist_ok=True)
AutoModel.register(ActionArtConfig, ActionArtModel, exist_ok=True)
AutoModelForImageTextToText.register(ActionArtConfig, ActionArtForConditionalGeneration, exist_ok=True)
try:
    AutoVideoProcessor.register(ActionArtConfig, ActionArtVideoProcessor, exist_ok=True)
except ImportError:  # transformers' AutoVideoProcessor needs torchvision; ActionArtVideoProcessor itself does not
    pass
AutoProcessor.register(ActionArtConfig, ActionArtProcessor, exist_ok=True)

ActionArtConfig.register_for_auto_class()
ActionArtModel.register_for_auto_class("AutoModel")
ActionArtForConditionalGeneration.register_for_auto_class("AutoModelForImageTextToText")
ActionArtVideoProcessor.register_for_auto_class("AutoVideoProcessor")
ActionArtProcessor.register_for_auto_class("AutoProcessor")

__all__ = [
    "DEFAULT_CHAT_TEMPLATE",
    "ActionArtCausalLMOutputWithPast",
    "ActionArtConfig",
    "ActionArtForConditionalGeneration",
    "ActionArtModel",
    "ActionArtModelOutputWithPast",
    "ActionArtPreTrainedModel",
    "ActionArtProcessor",
    "ActionArtVideoProcessor",
    "get_num_video_tokens",
    "sample_frame_indices",
    "video_token_layout",
]
