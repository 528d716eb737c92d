"""Parameter fusion: peak memory and time of our streaming merge vs mergekit vs loading both state dicts vs `cp`.

    python benchmarks/merge.py                      # writes benchmarks/results/merge.json, prints a markdown table
    python benchmarks/merge.py --pairs small        # only the ~0.6 GB pair
    python benchmarks/merge.py --repeats 3          # median of 3 runs

Checkpoints: three pairs of random fp32 Qwen2 models (config-derived names and shapes, written with safetensors
directly, sharded with an index): `small` ~0.6 GB (tied embeddings), `large` ~2.5 GB (untied) and `embedding`
~1.2 GB whose tied embedding alone is 1 GB, under outputs/bench_merge (removed at the end unless --keep). Every
method runs in its own process, started by a small Python wrapper that reports the child's peak RSS
(`getrusage(RUSAGE_CHILDREN).ru_maxrss`) and wall time:

- ours: `python -m actionart_hf.cli merge --alpha 0.5`
- ours, chunked: the same with `--chunk-rows 4096` (each tensor read 4096 rows at a time)
- mergekit: `mergekit-yaml` `linear`, weights 0.5/0.5, dtype float32, default options, from its own virtual
  environment (`.venv-mergekit` at the repository root, or --mergekit-venv; skipped with a message when absent).
  Make it with `python -m venv .venv-mergekit && .venv-mergekit/bin/pip install mergekit`.
- state dicts: `safetensors.torch.load_file` both, average in fp32, `save_file` (sharded like the input)
- cp: `cp -r` of one model (the I/O floor)
- python+torch: `python -c "import torch"` (the baseline of every Python method)
- python+torch, then cp: `python -c "import torch"` followed by `cp -r` of our output (the floor of a Python merge)

Checks (issue targets): max |ours - mergekit| <= 1e-6; ours' peak RSS <= python+torch + 2 x the largest tensor (the
memory floor); the chunked merge's peak <= python+torch + 128 MiB (it must not grow with the largest tensor, so it
is checked on the 1 GB embedding too); ours' time <= half of mergekit's and <= 2 x (python+torch, then cp). Inputs
sit in the page cache (just written), as for every method.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
PAIRS = {
    # ~146M parameters (0.58 GB fp32), embeddings tied; the largest tensor is the 32000 x 1024 embedding
    "small": dict(hidden_size=1024, intermediate_size=2816, num_hidden_layers=10, num_attention_heads=16,
                  num_key_value_heads=4, vocab_size=32000, tie_word_embeddings=True, shard="200MB"),
    # ~627M parameters (2.5 GB fp32), untied
    "large": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=11, num_attention_heads=16,
                  num_key_value_heads=4, vocab_size=32000, tie_word_embeddings=False, shard="1GB"),
    # ~290M parameters (1.2 GB fp32), tied; the 262144 x 1024 embedding alone is 1.07 GB (the chunked path's test)
    "embedding": dict(hidden_size=1024, intermediate_size=2816, num_hidden_layers=2, num_attention_heads=16,
                      num_key_value_heads=4, vocab_size=262144, tie_word_embeddings=True, shard="2GB"),
}  # fmt: skip
CHUNK_ROWS = 4096
MIB = 1 << 20
DEFAULT_MERGEKIT_VENV = ROOT / ".venv-mergekit"


def make_checkpoint(folder: Path, settings: dict, seed: int) -> dict:
    """Random fp32 Qwen2 weights (names and shapes from the config on the meta device), sharded, with an index."""
    import torch
    from safetensors.torch import save_file
    from transformers import Qwen2Config, Qwen2ForCausalLM

    from actionart_hf.merge.checkpoint import split_into_shards
    from actionart_hf.merge.config import parse_size

    settings = dict(settings)
    max_shard = parse_size(settings.pop("shard"))
    config = Qwen2Config(**settings, architectures=["Qwen2ForCausalLM"])
    with torch.device("meta"):
        model = Qwen2ForCausalLM(config)
    shapes = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    if config.tie_word_embeddings:
        shapes.pop("lm_head.weight")  # as save_pretrained writes tied models
    folder.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(folder)
    generator = torch.Generator().manual_seed(seed)
    sizes = [(name, 4 * torch.Size(shape).numel()) for name, shape in shapes.items()]
    shards = split_into_shards(sizes, max_shard)
    weight_map = {}
    for index, names in enumerate(shards):
        file_name = f"model-{index + 1:05d}-of-{len(shards):05d}.safetensors"
        tensors = {}
        for name in names:
            tensor = torch.randn(shapes[name], generator=generator) * 0.02
            tensors[name] = tensor + 1 if name.endswith("norm.weight") else tensor
        save_file(tensors, folder / file_name, metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(names, file_name))
    total = sum(size for _, size in sizes)
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    return {"bytes": total, "largest_tensor_bytes": max(size for _, size in sizes), "shards": len(shards)}


def average_state_dicts(base: str, finetuned: str, output: str) -> None:
    """The naive merge: both full state dicts in memory, averaged, saved with the finetuned shard layout."""
    from safetensors.torch import load_file, save_file

    def load_all(folder):
        state = {}
        for file in sorted(Path(folder).glob("*.safetensors")):
            state.update(load_file(file))
        return state

    a, b = load_all(base), load_all(finetuned)
    merged = {name: (0.5 * a[name].float() + 0.5 * tensor.float()).to(tensor.dtype) for name, tensor in b.items()}
    del a, b
    out = Path(output)
    out.mkdir(parents=True)
    index = json.loads((Path(finetuned) / "model.safetensors.index.json").read_text())
    for file_name in dict.fromkeys(index["weight_map"].values()):
        part = {n: merged[n] for n, f in index["weight_map"].items() if f == file_name}
        save_file(part, out / file_name, metadata={"format": "pt"})
    shutil.copy(Path(finetuned) / "model.safetensors.index.json", out)
    shutil.copy(Path(finetuned) / "config.json", out)


WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
record = {"returncode": result.returncode, "seconds": seconds, "peak_rss": peak, "stderr": result.stderr[-2000:]}
print(json.dumps(record))
"""


def measure(command: list[str], env: dict | None = None) -> dict:
    """Wall time and peak RSS of `command`, run as the only child of a fresh wrapper process."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, env=env or os.environ.copy()
    )
    record = json.loads(done.stdout.strip().splitlines()[-1])
    if record["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{record['stderr']}")
    return record


def mergekit_version(venv: Path) -> str:
    python = venv / "bin" / "python"
    code = "import importlib.metadata as m; print(m.version('mergekit'))"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip()


def mergekit_command(venv: Path, base: Path, finetuned: Path, output: Path, work: Path) -> list[str]:
    config = work / "mergekit.yml"
    config.write_text(
        "merge_method: linear\n"
        "dtype: float32\n"
        "models:\n"
        f"  - model: {base}\n    parameters:\n      weight: 0.5\n"
        f"  - model: {finetuned}\n    parameters:\n      weight: 0.5\n"
    )
    return [str(venv / "bin" / "mergekit-yaml"), str(config), str(output), "--no-copy-tokenizer", "--quiet"]


def max_abs_difference(ours: Path, theirs: Path) -> tuple[float, list[str]]:
    """max |ours - theirs| over the tensors both hold (one tensor in memory at a time), and the names only one has."""
    from actionart_hf.merge.checkpoint import Checkpoint

    a, b = Checkpoint(ours, "ours"), Checkpoint(theirs, "mergekit")
    worst = 0.0
    for name in a.tensors:
        if name in b.tensors:
            worst = max(worst, (a.get_tensor(name) - b.get_tensor(name)).abs().max().item())
    return worst, sorted(set(a.tensors) ^ set(b.tensors))


def run_method(name: str, repeats: int, command: list[str], output: Path, env=None) -> dict:
    runs = []
    for _ in range(repeats):
        shutil.rmtree(output, ignore_errors=True)
        runs.append(measure(command, env))
    return {
        "method": name,
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_gb": statistics.median(r["peak_rss"] for r in runs) / 1e9,
        "runs": [{"seconds": r["seconds"], "peak_rss_gb": r["peak_rss"] / 1e9} for r in runs],
    }


def benchmark_pair(name: str, work: Path, repeats: int, mergekit_venv: Path | None) -> dict:
    base, finetuned = work / f"{name}-base", work / f"{name}-finetuned"
    info = make_checkpoint(base, PAIRS[name], seed=0)
    make_checkpoint(finetuned, PAIRS[name], seed=1)
    py = sys.executable
    rows = [run_method("python+torch", repeats, [py, "-c", "import torch"], work / "none")]
    out_ours, out_chunked = work / f"{name}-ours", work / f"{name}-ours-chunked"
    ours_cmd = [py, "-m", "actionart_hf.cli", "merge", "--base", str(base), "--finetuned", str(finetuned), "--alpha"]
    rows.append(run_method("ours", repeats, [*ours_cmd, "0.5", "--output", str(out_ours)], out_ours))
    chunked_cmd = [*ours_cmd, "0.5", "--output", str(out_chunked), "--chunk-rows", str(CHUNK_ROWS)]
    rows.append(run_method(f"ours --chunk-rows {CHUNK_ROWS}", repeats, chunked_cmd, out_chunked))
    shutil.rmtree(out_chunked)
    out_copy = work / f"{name}-ours-copy"
    import_and_cp = ["sh", "-c", f'"{py}" -c "import torch" && cp -r "$0" "$1"', str(out_ours), str(out_copy)]
    rows.append(run_method("python+torch, then cp -r (our output)", repeats, import_and_cp, out_copy))
    shutil.rmtree(out_copy)
    record = {"pair": name, **info, "rows": rows}
    if mergekit_venv is not None:
        out_mk = work / f"{name}-mergekit"
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env["HF_HUB_OFFLINE"] = "1"
        command = mergekit_command(mergekit_venv, base, finetuned, out_mk, work)
        rows.append(run_method("mergekit linear", repeats, command, out_mk, env))
        record["max_abs_diff_vs_mergekit"], record["names_only_in_one"] = max_abs_difference(out_ours, out_mk)
        shutil.rmtree(out_mk)
    shutil.rmtree(out_ours)
    out_sd = work / f"{name}-state-dicts"
    avg_cmd = [py, str(Path(__file__).resolve()), "--average", str(base), str(finetuned), str(out_sd)]
    rows.append(run_method("load both state dicts + average", repeats, avg_cmd, out_sd))
    shutil.rmtree(out_sd)
    out_cp = work / f"{name}-cp"
    rows.append(run_method("cp -r (one model)", repeats, ["cp", "-r", str(finetuned), str(out_cp)], out_cp))
    shutil.rmtree(out_cp)
    shutil.rmtree(base)
    shutil.rmtree(finetuned)
    return record


def check(record: dict) -> dict:
    rows = {row["method"]: row for row in record["rows"]}
    ours, baseline = rows["ours"], rows["python+torch"]
    chunked, floor_time = rows[f"ours --chunk-rows {CHUNK_ROWS}"], rows["python+torch, then cp -r (our output)"]
    floor = baseline["peak_rss_gb"] + 2 * record["largest_tensor_bytes"] / 1e9
    chunked_budget = baseline["peak_rss_gb"] + 128 * MIB / 1e9
    checks = {
        "rss_floor_gb": floor,
        "rss_at_floor": ours["peak_rss_gb"] <= floor,
        "chunked_rss_budget_gb": chunked_budget,
        "chunked_rss_within_128mib": chunked["peak_rss_gb"] <= chunked_budget,
        "time_at_most_2x_import_and_cp": ours["seconds"] <= 2 * floor_time["seconds"],
    }
    if "mergekit linear" in rows:
        mergekit = rows["mergekit linear"]
        checks["time_at_most_half_mergekit"] = ours["seconds"] <= mergekit["seconds"] / 2
        checks["same_tensors_as_mergekit"] = record["max_abs_diff_vs_mergekit"] <= 1e-6
    return checks


def table(records: list[dict]) -> str:
    """Markdown: time and peak RSS per method, and the peak against the floor python+torch + 2 x largest tensor."""
    lines = [
        "| pair | method | time (s) | peak RSS (GB) | peak - (python+torch + 2 x largest) (MiB) |",
        "|---|---|---|---|---|",
    ]
    for record in records:
        size, largest = record["bytes"] / 1e9, record["largest_tensor_bytes"] / 1e9
        label = f"{record['pair']} ({size:.2f} GB, largest tensor {largest:.3f} GB)"
        floor = record.get("checks", {}).get("rss_floor_gb")
        for row in record["rows"]:
            above = "" if floor is None else f"{(row['peak_rss_gb'] - floor) * 1e9 / MIB:+.0f}"
            lines.append(f"| {label} | {row['method']} | {row['seconds']:.2f} | {row['peak_rss_gb']:.2f} | {above} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", nargs="+", choices=list(PAIRS), default=list(PAIRS))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--mergekit-venv", type=Path, default=DEFAULT_MERGEKIT_VENV)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "outputs" / "bench_merge")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "merge.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--average", nargs=3, metavar=("BASE", "FINETUNED", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.average:
        average_state_dicts(*args.average)
        return 0
    venv = args.mergekit_venv if (args.mergekit_venv / "bin" / "mergekit-yaml").exists() else None
    if venv is None:
        print(f"mergekit skipped: no {args.mergekit_venv}/bin/mergekit-yaml (see the module docstring to install it).")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=args.work_dir))
    records = []
    try:
        for name in args.pairs:
            record = benchmark_pair(name, work, args.repeats, venv)
            record["checks"] = check(record)
            records.append(record)
            print(f"{name}: {json.dumps(record['checks'])}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    import torch

    results = {
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "mergekit": mergekit_version(venv) if venv is not None else None,
        "repeats": args.repeats,
        "pairs": records,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    os.replace(tmp, args.out)
    print(table(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
