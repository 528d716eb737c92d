"""Tiny ActionArt models and tokenizers built offline, for tests, the tiny recipes, evaluation checks and quickstart.

    >>> from actionart_hf.models.tiny import build_tiny_actionart
    >>> model, processor = build_tiny_actionart(texts=["The person raises the left arm."])
    >>> inputs = processor(text=processor.apply_chat_template(messages, add_generation_prompt=True),
    ...                    videos=[frames], return_tensors="pt")
    >>> model.generate(**inputs, max_new_tokens=4)

Nothing is downloaded: the tokenizer is built in-process (a word-level vocabulary or a byte-level BPE trained on
`texts`), and the model is randomly initialised from a small config (SigLIP + Qwen2, hidden size 32, 2 layers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal


PAD_TOKEN = "<|endoftext|>"
IM_START_TOKEN = "<|im_start|>"
IM_END_TOKEN = "<|im_end|>"
VIDEO_TOKEN = "<video>"
UNK_TOKEN = "<unk>"
# Fixed order, so the special ids are the same for every tiny tokenizer: pad 0, <|im_start|> 1, <|im_end|> 2,
# <video> 3, <unk> 4.
SPECIAL_TOKENS = [PAD_TOKEN, IM_START_TOKEN, IM_END_TOKEN, VIDEO_TOKEN, UNK_TOKEN]
_WORD_RE = re.compile(r"\w+|[^\w\s]+")
_LETTERS = " ".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Words every tiny tokenizer knows: chat roles, option letters, digits. The prompts a model is asked with come from
# the caller's `texts` (e.g. `actionart_hf.data.chat.PROMPT_TEXTS`), so this module knows no data format.
BASE_TEXTS: tuple[str, ...] = ("system user assistant", _LETTERS, _LETTERS.lower(), "0 1 2 3 4 5 6 7 8 9")


def build_tiny_tokenizer(
    texts: Iterable[str] = (),
    kind: Literal["word", "bpe"] = "word",
    vocab_size: int = 512,
):
    """A small fast tokenizer with ActionArt's special tokens, built without downloads.

    Args:
        texts (`Iterable[str]`, *optional*):
            Text the tokenizer must cover besides `BASE_TEXTS` (prompts, questions, options, answers, captions).
            `"word"`: every word and punctuation run becomes a token (others map to `<unk>`); `"bpe"`: the BPE merges
            are trained on it.
        kind (`str`, *optional*, defaults to `"word"`):
            `"word"`: word-level vocabulary (smallest, what the tiny recipes learn fastest; decoding joins tokens
            with spaces and drops newlines). `"bpe"`: byte-level BPE (lossless round trip, any text).
        vocab_size (`int`, *optional*, defaults to 512):
            Target vocabulary size of `"bpe"` (at least 256 bytes + the special tokens).

    Returns:
        [`~transformers.PreTrainedTokenizerFast`] with `pad_token="<|endoftext|>"`, `eos_token="<|im_end|>"`,
        `unk_token="<unk>"`, the special tokens `<|im_start|>` and `<video>`, left padding, and
        `model_input_names=["input_ids", "attention_mask"]`.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    corpus = [*BASE_TEXTS, *texts]
    if kind == "word":
        words = sorted({word for text in corpus for word in _WORD_RE.findall(text)} - set(SPECIAL_TOKENS))
        vocab = {token: index for index, token in enumerate([*SPECIAL_TOKENS, *words])}
        backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK_TOKEN))
        backend.pre_tokenizer = pre_tokenizers.Whitespace()
    elif kind == "bpe":
        backend = Tokenizer(models.BPE(unk_token=None))
        backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        backend.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=max(vocab_size, 256 + len(SPECIAL_TOKENS)),
            special_tokens=SPECIAL_TOKENS,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        backend.train_from_iterator(corpus, trainer=trainer)
    else:
        raise ValueError(f"kind={kind!r} is not a tiny tokenizer kind; use 'word' or 'bpe'.")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token=PAD_TOKEN,
        eos_token=IM_END_TOKEN,
        unk_token=UNK_TOKEN if kind == "word" else None,
        additional_special_tokens=[IM_START_TOKEN, VIDEO_TOKEN],
        padding_side="left",
        model_input_names=["input_ids", "attention_mask"],
    )
    return tokenizer


def tiny_actionart_config(
    tokenizer,
    *,
    image_size: int = 32,
    patch_size: int = 8,
    vision_hidden_size: int = 32,
    vision_intermediate_size: int = 64,
    vision_layers: int = 2,
    vision_heads: int = 4,
    hidden_size: int = 32,
    intermediate_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    slow_frame_stride: int = 2,
    slow_pool_stride: int = 2,
    fast_pool_stride: int | None = 4,
    tie_word_embeddings: bool = True,
    **config_kwargs,
):
    """An [`ActionArtConfig`] with a tiny SigLIP and a tiny Qwen2 whose vocabulary and special ids follow `tokenizer`.

    Args:
        tokenizer (`PreTrainedTokenizerBase`): gives `vocab_size`, `video_token_id`, eos and pad ids.
        image_size (`int`, *optional*, defaults to 32), patch_size (`int`, *optional*, defaults to 8):
            Frame side and patch side in pixels (a 4x4 patch grid by default).
        vision_hidden_size, vision_intermediate_size, vision_layers, vision_heads: the SigLIP tower's sizes.
        hidden_size, intermediate_size, num_layers, num_heads, num_kv_heads: the Qwen2 LLM's sizes.
        slow_frame_stride, slow_pool_stride, fast_pool_stride: the SlowFast settings.
        tie_word_embeddings (`bool`, *optional*, defaults to `True`): tie the LM head to the embeddings.
        config_kwargs: other [`ActionArtConfig`] fields (e.g. `max_frames`, the model's default when not given).

    Returns:
        `ActionArtConfig`
    """
    from transformers import Qwen2Config, SiglipVisionConfig

    from .actionart import ActionArtConfig

    vision_config = SiglipVisionConfig(
        hidden_size=vision_hidden_size,
        intermediate_size=vision_intermediate_size,
        num_hidden_layers=vision_layers,
        num_attention_heads=vision_heads,
        image_size=image_size,
        patch_size=patch_size,
        vision_use_head=False,
    )
    text_config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        max_position_embeddings=4096,
        tie_word_embeddings=tie_word_embeddings,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    return ActionArtConfig(
        vision_config=vision_config,
        text_config=text_config,
        video_token_id=tokenizer.convert_tokens_to_ids(VIDEO_TOKEN),
        slow_frame_stride=slow_frame_stride,
        slow_pool_stride=slow_pool_stride,
        fast_pool_stride=fast_pool_stride,
        tie_word_embeddings=tie_word_embeddings,
        **config_kwargs,
    )


def build_tiny_actionart(
    texts: Iterable[str] = (),
    *,
    tokenizer=None,
    tokenizer_kind: Literal["word", "bpe"] = "word",
    num_frames: int = 8,
    seed: int = 0,
    dtype=None,
    attn_implementation: str = "sdpa",
    **config_kwargs,
):
    """A randomly initialised tiny ActionArt model and its matching processor, built offline.

    Args:
        texts (`Iterable[str]`, *optional*):
            Text the tokenizer must cover (ignored when `tokenizer` is given); see [`build_tiny_tokenizer`].
        tokenizer (`PreTrainedTokenizerBase`, *optional*):
            Use this tokenizer instead of building one (it needs `<video>`, an eos and a pad token).
        tokenizer_kind (`str`, *optional*, defaults to `"word"`):
            `"word"` or `"bpe"` (see [`build_tiny_tokenizer`]).
        num_frames (`int`, *optional*, defaults to 8):
            Frames the video processor samples per video.
        seed (`int`, *optional*, defaults to 0):
            Seed of the random initialisation.
        dtype (`torch.dtype`, *optional*):
            Cast the model to this dtype (float32 by default).
        attn_implementation (`str`, *optional*, defaults to `"sdpa"`):
            `"sdpa"` or `"eager"`.
        config_kwargs:
            Passed to [`tiny_actionart_config`] (sizes, SlowFast settings, other config fields).

    Returns:
        `(ActionArtForConditionalGeneration, ActionArtProcessor)`: the model in eval mode and a processor whose
        token arithmetic, frame size and tokenizer match it.
    """
    import torch

    from .actionart import ActionArtForConditionalGeneration, ActionArtProcessor

    if tokenizer is None:
        tokenizer = build_tiny_tokenizer(texts, kind=tokenizer_kind)
    config = tiny_actionart_config(tokenizer, **config_kwargs)
    config._attn_implementation = attn_implementation
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ActionArtForConditionalGeneration(config)
    if dtype is not None:
        model = model.to(dtype)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    processor = ActionArtProcessor.from_model_config(config, tokenizer, num_frames=min(num_frames, config.max_frames))
    return model.eval(), processor


__all__ = [
    "BASE_TEXTS",
    "IM_END_TOKEN",
    "IM_START_TOKEN",
    "PAD_TOKEN",
    "SPECIAL_TOKENS",
    "VIDEO_TOKEN",
    "build_tiny_actionart",
    "build_tiny_tokenizer",
    "tiny_actionart_config",
]
