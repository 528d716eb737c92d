"""Tiny checkpoints for the merge tests: random Qwen2 models (hidden size 32) and raw safetensors folders."""

import json
from pathlib import Path

import pytest
import torch


def tiny_qwen2_config(tie_word_embeddings: bool = True, intermediate_size: int = 64):
    from transformers import Qwen2Config

    return Qwen2Config(
        hidden_size=32,
        intermediate_size=intermediate_size,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=128,
        max_position_embeddings=64,
        tie_word_embeddings=tie_word_embeddings,
    )


def save_tiny_qwen2(folder: Path, seed: int, dtype=torch.float32, max_shard_size=None, **config_kwargs) -> Path:
    """A random tiny Qwen2ForCausalLM saved with `save_pretrained`, plus a few non-weight files to copy."""
    from transformers import Qwen2ForCausalLM

    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(tiny_qwen2_config(**config_kwargs)).to(dtype)
    kwargs = {"max_shard_size": max_shard_size} if max_shard_size else {}
    model.save_pretrained(folder, **kwargs)
    (folder / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 64, "seed": seed}))
    (folder / "chat_template.jinja").write_text(f"{{{{ messages }}}} {seed}")
    (folder / "README.md").write_text("the original card\n")
    (folder / "trainer_state.json").write_text("{}")
    return folder


def write_raw(folder: Path, tensors: dict, config: dict | None = None, num_shards: int = 1) -> Path:
    """A checkpoint written with safetensors directly (`num_shards` > 1 adds a transformers-style index)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    names = list(tensors)
    if num_shards == 1:
        save_file(tensors, folder / "model.safetensors", metadata={"format": "pt"})
    else:
        weight_map = {}
        for index in range(num_shards):
            file_name = f"model-{index + 1:05d}-of-{num_shards:05d}.safetensors"
            part = {name: tensors[name] for name in names[index::num_shards]}
            save_file(part, folder / file_name, metadata={"format": "pt"})
            weight_map.update(dict.fromkeys(part, file_name))
        (folder / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    if config is not None:
        (folder / "config.json").write_text(json.dumps(config))
    return folder


def raw_tensors(seed: int, dtype=torch.float32) -> dict:
    generator = torch.Generator().manual_seed(seed)
    return {
        "encoder.weight": torch.randn(8, 4, generator=generator).to(dtype),
        "encoder.bias": torch.randn(8, generator=generator).to(dtype),
        "decoder.weight": torch.randn(3, 8, generator=generator).to(dtype),
        "position_ids": torch.arange(6, dtype=torch.int64) + seed,
        "mask": torch.tensor([True, False, seed % 2 == 0]),
        "scale": torch.tensor(1.0 + seed, dtype=dtype),
    }


RAW_CONFIG = {"model_type": "toy", "architectures": ["ToyModel"]}


@pytest.fixture(scope="session")
def qwen_pair(tmp_path_factory):
    """(base, finetuned) tiny tied Qwen2 checkpoints: base sharded at 20 KB, finetuned one file."""
    root = tmp_path_factory.mktemp("qwen")
    base = save_tiny_qwen2(root / "base", seed=0, max_shard_size="20KB")
    finetuned = save_tiny_qwen2(root / "finetuned", seed=1)
    return base, finetuned


@pytest.fixture
def raw_pair(tmp_path):
    base = write_raw(tmp_path / "base", raw_tensors(0), RAW_CONFIG, num_shards=2)
    finetuned = write_raw(tmp_path / "finetuned", raw_tensors(1), RAW_CONFIG)
    return base, finetuned


@pytest.fixture
def make_qwen2():
    """`make_qwen2(folder, seed, dtype=torch.float32, max_shard_size=None, **config_kwargs)` → saved folder."""
    return save_tiny_qwen2


@pytest.fixture
def write_checkpoint():
    """`write_checkpoint(folder, tensors, config=None, num_shards=1)` → folder written with safetensors."""
    return write_raw


@pytest.fixture
def toy_tensors():
    """`toy_tensors(seed, dtype=torch.float32)` → float, int64, bool and scalar tensors."""
    return raw_tensors
