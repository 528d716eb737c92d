"""Reading and writing safetensors one tensor (and one chunk) at a time."""

import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from actionart_hf.merge.checkpoint import (
    Checkpoint,
    StreamingSafetensorsWriter,
    copy_model_files,
    resolve_model_path,
    split_into_shards,
)
from actionart_hf.merge.config import parse_size


def test_streaming_writer_round_trips_every_dtype(tmp_path):
    tensors = {
        "w": torch.randn(3, 5),
        "half": torch.randn(4, 2).to(torch.bfloat16),
        "f16": torch.randn(7).to(torch.float16),
        "ids": torch.arange(10, dtype=torch.int64),
        "flags": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 4),
    }
    path = tmp_path / "out.safetensors"
    entries = [(name, t.dtype, tuple(t.shape)) for name, t in tensors.items()]
    with StreamingSafetensorsWriter(path, entries) as writer:
        for tensor in tensors.values():
            flat = tensor.reshape(-1)
            for start in range(0, flat.numel(), 4):  # odd chunking on purpose
                writer.write(flat[start : start + 4])
    loaded = load_file(path)
    assert set(loaded) == set(tensors)
    for name, tensor in tensors.items():
        assert loaded[name].dtype == tensor.dtype and torch.equal(loaded[name], tensor), name
    with safe_open(str(path), "pt") as file:
        assert file.metadata() == {"format": "pt"}
    assert path.read_bytes()[8:].index(b"{") == 0 and (8 + int.from_bytes(path.read_bytes()[:8], "little")) % 8 == 0


def test_streaming_writer_rejects_wrong_dtype_overrun_and_short_data(tmp_path):
    entries = [("w", torch.float32, (2,))]
    writer = StreamingSafetensorsWriter(tmp_path / "a.safetensors", entries)
    with pytest.raises(RuntimeError, match="declared torch.float32"):
        writer.write(torch.zeros(2, dtype=torch.float16))
    with pytest.raises(RuntimeError, match="more than its shape"):
        writer.write(torch.zeros(3))
    writer.write(torch.zeros(1))
    with pytest.raises(RuntimeError, match="not fully written"):
        writer.close()


def test_checkpoint_reads_sharded_index_in_file_order(tmp_path, write_checkpoint, toy_tensors):
    tensors = toy_tensors(0)
    folder = write_checkpoint(tmp_path / "m", tensors, num_shards=3)
    checkpoint = Checkpoint(folder, "base")
    assert set(checkpoint.tensors) == set(tensors)
    assert len(checkpoint.groups) == 3 and sum(len(g) for g in checkpoint.groups) == len(tensors)
    for name, tensor in tensors.items():
        info = checkpoint.tensors[name]
        assert info.dtype == tensor.dtype and info.shape == tuple(tensor.shape)
        assert torch.equal(checkpoint.get_tensor(name), tensor)
    assert checkpoint.config is None
    single = Checkpoint(write_checkpoint(tmp_path / "s", tensors) / "model.safetensors")
    assert set(single.tensors) == set(tensors)


def test_checkpoint_refusals(tmp_path, write_checkpoint, toy_tensors):
    with pytest.raises(ValueError, match="does not exist"):
        Checkpoint(tmp_path / "nope", "base")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(ValueError, match="no .safetensors weights.*pytorch_model.bin"):
        Checkpoint(tmp_path / "bin", "base")
    folder = write_checkpoint(tmp_path / "m", toy_tensors(0), num_shards=2)
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(ValueError, match="model-00002-of-00002.safetensors.*is missing"):
        Checkpoint(folder, "base")
    folder = write_checkpoint(tmp_path / "n", toy_tensors(0), num_shards=2)
    index = json.loads((folder / "model.safetensors.index.json").read_text())
    index["weight_map"]["ghost.weight"] = "model-00001-of-00002.safetensors"
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    with pytest.raises(ValueError, match="'ghost.weight'.*listed in the index"):
        Checkpoint(folder, "base")
    (tmp_path / "bad.safetensors").write_bytes(b"\x05\x00\x00\x00\x00\x00\x00\x00{nope")
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        Checkpoint(tmp_path / "bad.safetensors")


def test_copy_model_files_takes_config_tokenizer_template_code_only(tmp_path):
    source = tmp_path / "src"
    (source / "additional_chat_templates").mkdir(parents=True)
    names = [
        "config.json",
        "generation_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "chat_template.jinja",
        "video_preprocessor_config.json",
        "processor_config.json",
        "modeling_actionart.py",
        "additional_chat_templates/tools.jinja",
        "README.md",
        "model.safetensors",
        "model.safetensors.index.json",
        "trainer_state.json",
        "optimizer.pt",
        "adapter_config.json",
        ".gitattributes",
    ]
    for name in names:
        (source / name).write_text(name)
    copied = copy_model_files([source], tmp_path / "dst")
    assert copied == sorted(names[:9])
    assert (tmp_path / "dst" / "modeling_actionart.py").read_text() == "modeling_actionart.py"


def test_split_into_shards_and_parse_size():
    assert split_into_shards([("a", 4), ("b", 4), ("c", 10), ("d", 1)], 8) == [["a", "b"], ["c"], ["d"]]
    assert parse_size("5GB") == 5 * 10**9 and parse_size("2MiB") == 2 * 2**20 and parse_size(100) == 100
    with pytest.raises(ValueError, match="max_shard_size='lots'"):
        parse_size("lots")


def test_hub_ids_download_with_snapshot_download(tmp_path, monkeypatch):
    calls = []

    def fake_snapshot_download(repo_id, allow_patterns=None, **kwargs):
        calls.append((repo_id, allow_patterns))
        return str(tmp_path)

    monkeypatch.setattr("huggingface_hub.snapshot_download", fake_snapshot_download)
    assert resolve_model_path("org/model", "base") == tmp_path.resolve()
    assert calls[0][0] == "org/model" and "*.safetensors" in calls[0][1] and "config.json" in calls[0][1]
    with pytest.raises(ValueError, match="'no such/thing/here' is neither an existing path nor a Hub id"):
        resolve_model_path("no such/thing/here", "base")


def test_trainer_checkpoints_are_not_copied(tmp_path):
    from actionart_hf.merge.checkpoint import copy_model_files

    source = tmp_path / "model"
    (source / "checkpoint-20").mkdir(parents=True)
    (source / "config.json").write_text("{}")
    (source / "modeling_x.py").write_text("")
    (source / "checkpoint-20" / "modeling_x.py").write_text("")
    (source / "checkpoint-20" / "config.json").write_text("{}")
    copied = copy_model_files([source], tmp_path / "out")
    assert copied == ["config.json", "modeling_x.py"]
