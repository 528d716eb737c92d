"""Merging at the memory floor: `chunk_rows` gives the same bytes as the whole-tensor merge, and its peak memory
does not grow with the largest tensor, while the whole-tensor merge stays within two tensors of python + torch.

Peak RSS is measured in a fresh process (`getrusage(RUSAGE_CHILDREN)`); a memory figure, not a timing."""

import json
import subprocess
import sys

import pytest
import torch

from actionart_hf.merge import MergeConfig, merge_checkpoints


MIB = 1 << 20
MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
assert done.returncode == 0, done.stderr[-2000:]
print(json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))
"""


def peak_rss(*command: str) -> int:
    """Peak resident memory, in bytes, of `command` run in a fresh process."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_chunk_rows_is_bit_identical(qwen_pair, tmp_path, raw_pair, make_qwen2, dtype):
    if dtype == torch.float32:
        base, finetuned = qwen_pair
    else:
        base = make_qwen2(tmp_path / "a", seed=0, dtype=dtype, max_shard_size="16KB")
        finetuned = make_qwen2(tmp_path / "b", seed=1, dtype=dtype, max_shard_size="16KB")
    for name, (a, b) in {"qwen": (base, finetuned), "raw": raw_pair}.items():
        config = MergeConfig(str(a), str(b), parameters={"alpha": 0.3})
        merge_checkpoints(config, tmp_path / f"{name}-whole")
        merge_checkpoints(config, tmp_path / f"{name}-rows", chunk_rows=3)
        weights = sorted(p.name for p in (tmp_path / f"{name}-whole").glob("*.safetensors"))
        assert weights and weights == sorted(p.name for p in (tmp_path / f"{name}-rows").glob("*.safetensors"))
        for file in weights:
            assert (tmp_path / f"{name}-rows" / file).read_bytes() == (tmp_path / f"{name}-whole" / file).read_bytes()
    with pytest.raises(ValueError, match="chunk_rows=0 must be >= 1"):
        merge_checkpoints(MergeConfig(str(base), str(finetuned)), tmp_path / "x", chunk_rows=0)


def test_peak_memory(tmp_path, write_checkpoint):
    """A pair whose embedding is 16 MiB and one whose embedding is 96 MiB: `--chunk-rows` peaks the same on both;
    the whole-tensor merge peaks under python + torch + 2 x the embedding (+ 24 MiB of chunk buffers and imports)."""
    peaks = {}
    baseline = peak_rss(sys.executable, "-c", "import torch")
    for rows in (4096, 24576):  # x 1024 fp32 = 16 / 96 MiB
        pair = []
        for seed in (0, 1):
            generator = torch.Generator().manual_seed(seed)
            tensors = {"embed.weight": torch.randn(rows, 1024, generator=generator), "norm.weight": torch.ones(1024)}
            pair.append(write_checkpoint(tmp_path / f"{rows}-{seed}", tensors))
        command = [sys.executable, "-m", "actionart_hf.cli", "merge", "--base", str(pair[0]), "--finetuned"]
        command += [str(pair[1]), "--alpha", "0.3"]
        for mode, extra in (("whole", []), ("rows", ["--chunk-rows", "256"])):
            peaks[rows, mode] = peak_rss(*command, "--output", str(tmp_path / f"out-{rows}-{mode}"), *extra)
        largest = rows * 1024 * 4
        assert peaks[rows, "whole"] <= baseline + 2 * largest + 24 * MIB, (baseline / MIB, peaks)
    assert abs(peaks[24576, "rows"] - peaks[4096, "rows"]) < 8 * MIB, peaks
    assert peaks[24576, "rows"] < baseline + 32 * MIB, (baseline / MIB, peaks)
