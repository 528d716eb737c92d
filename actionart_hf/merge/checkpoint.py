"""Safetensors checkpoints read and written one tensor at a time.

Reading: the tensor table comes from the file headers only (`Checkpoint`). Each tensor is then opened with
`safetensors.safe_open`, taken as a memory map and the file closed again, so that the mapping (and the pages it made
resident) is released as soon as the tensor is dropped: keeping one handle open for a whole shard would leave every
page read so far in the process's resident memory.

With `Checkpoint.row_blocks` a tensor is read a block of rows at a time instead (`safe_open(...).get_slice`, the
file opened per block), so no more than one block of it is ever resident, however large the tensor.

Writing: `StreamingSafetensorsWriter` writes the header of a shard first (every name, dtype and shape is known from
the inputs' headers) and then appends tensor data chunk by chunk, so no shard is ever held in memory.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import re
import shutil
import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch


logger = logging.getLogger(__name__)

SAFETENSORS_INDEX = "model.safetensors.index.json"
SAFETENSORS_SINGLE = "model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"

# safetensors dtype names <-> torch dtypes
DTYPES: dict[str, torch.dtype] = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "F8_E4M3": torch.float8_e4m3fn,
    "F8_E5M2": torch.float8_e5m2,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U64": torch.uint64,
    "U32": torch.uint32,
    "U16": torch.uint16,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
DTYPE_NAMES: dict[torch.dtype, str] = {dtype: name for name, dtype in DTYPES.items()}

# Non-weight files copied from the finetuned model: config, tokenizer, processor, chat template, remote code.
COPY_PATTERNS: tuple[str, ...] = (
    "config.json",
    "generation_config.json",
    "*tokenizer*",
    "vocab.*",
    "merges.txt",
    "special_tokens_map.json",
    "added_tokens.json",
    "*.model",
    "*.tiktoken",
    "chat_template.*",
    "*preprocessor_config.json",
    "processor_config.json",
    "*.py",
    "*.jinja",
    "additional_chat_templates/*",
)
WEIGHT_PATTERNS: tuple[str, ...] = ("*.safetensors", "*.safetensors.index.json", ADAPTER_CONFIG)


@dataclass(frozen=True)
class TensorInfo:
    """Where a tensor lives and what it is, from a safetensors header.

    Args:
        name (`str`): tensor name.
        dtype (`torch.dtype`): stored dtype.
        shape (`tuple[int, ...]`): stored shape.
        file (`Path`): the `.safetensors` file holding it.
    """

    name: str
    dtype: torch.dtype
    shape: tuple[int, ...]
    file: Path

    @property
    def numel(self) -> int:
        count = 1
        for size in self.shape:
            count *= size
        return count

    @property
    def nbytes(self) -> int:
        return self.numel * self.dtype.itemsize

    @property
    def is_float(self) -> bool:
        return self.dtype.is_floating_point


def read_header(path: Path) -> dict[str, TensorInfo]:
    """The tensors of one `.safetensors` file, in data order, from its JSON header (no tensor data is read).

    Raises:
        ValueError: the file is not a readable safetensors file, is shorter than its header says (truncated, e.g. by
            an interrupted download or copy) or uses an unknown dtype.
    """
    try:
        with open(path, "rb") as file:
            (header_size,) = struct.unpack("<Q", file.read(8))
            header = json.loads(file.read(header_size))
            if not isinstance(header, dict):
                raise ValueError("the header is not a JSON object")
    except (OSError, struct.error, ValueError) as error:
        raise ValueError(f"{str(path)!r} is not a readable safetensors file: {error}") from error
    header.pop("__metadata__", None)
    data_size = max((entry["data_offsets"][1] for entry in header.values()), default=0)
    file_size = path.stat().st_size
    if 8 + header_size + data_size != file_size:
        raise ValueError(
            f"{str(path)!r} is truncated or corrupt: its header describes {8 + header_size + data_size} bytes but the "
            f"file has {file_size}; download or copy it again."
        )
    entries = sorted(header.items(), key=lambda item: item[1]["data_offsets"][0])
    tensors = {}
    for name, entry in entries:
        if entry["dtype"] not in DTYPES:
            raise ValueError(f"Tensor {name!r} in {str(path)!r} has dtype {entry['dtype']}, unknown to the merge.")
        tensors[name] = TensorInfo(name, DTYPES[entry["dtype"]], tuple(entry["shape"]), path)
    return tensors


class Checkpoint:
    """The tensor table of a safetensors checkpoint: a folder (single file or sharded with an index) or one file.

    Args:
        path (`str` or `os.PathLike`): a folder holding `model.safetensors`, `model.safetensors.index.json` (or
            another single `*.safetensors` / `*.safetensors.index.json`), or a `.safetensors` file.
        name (`str`, *optional*): label used in error messages, e.g. `"base"`.

    Attributes:
        folder (`Path`): the folder holding the weights (and `config.json` if any).
        tensors (`dict[str, TensorInfo]`): every tensor, in file order (shards in index order, then data offset).
        groups (`list[list[str]]`): tensor names per weight file, in file order (the shard layout).
        config (`dict` or `None`): `config.json` if present.

    Raises:
        ValueError: no safetensors weights, a shard named by the index is missing, or a tensor is in two shards.
    """

    def __init__(self, path: str | os.PathLike, name: str = "model"):
        path = Path(path)
        self.name = name
        self.path = path
        if path.is_file():
            if path.suffix != ".safetensors":
                raise ValueError(f"{name} {str(path)!r} is not a .safetensors file.")
            self.folder = path.parent
            files, names = [path], None
        elif path.is_dir():
            self.folder = path
            files, names = self._find_weights(path)
        else:
            raise ValueError(f"{name} {str(path)!r} does not exist.")
        self.tensors: dict[str, TensorInfo] = {}
        self.groups: list[list[str]] = []
        for file in files:
            header = read_header(file)
            group = []
            for tensor_name, info in header.items():
                if names is not None and names.get(tensor_name) != file.name:
                    continue  # the index is the source of truth, as in transformers
                if tensor_name in self.tensors:
                    first = self.tensors[tensor_name].file.name
                    raise ValueError(
                        f"Tensor {tensor_name!r} of {name} {str(path)!r} is in both {first} and {file.name}."
                    )
                self.tensors[tensor_name] = info
                group.append(tensor_name)
            self.groups.append(group)
        if names is not None:
            missing = [n for n in names if n not in self.tensors]
            if missing:
                raise ValueError(
                    f"Tensor {missing[0]!r} of {name} {str(path)!r} is listed in the index under {names[missing[0]]}"
                    f" but that shard does not hold it ({len(missing)} such tensors)."
                )
        config_path = self.folder / "config.json"
        self.config = json.loads(config_path.read_text()) if path.is_dir() and config_path.exists() else None

    def _find_weights(self, folder: Path) -> tuple[list[Path], dict[str, str] | None]:
        indexes = sorted(folder.glob("*.safetensors.index.json"))
        if (folder / SAFETENSORS_INDEX).exists():
            indexes = [folder / SAFETENSORS_INDEX]
        if len(indexes) > 1:
            raise ValueError(
                f"{self.name} {str(folder)!r} has several index files ({', '.join(p.name for p in indexes)}); "
                "pass the .safetensors file or a folder with one checkpoint."
            )
        if indexes:
            weight_map = json.loads(indexes[0].read_text())["weight_map"]
            files = []
            for file_name in dict.fromkeys(weight_map.values()):
                file = folder / file_name
                if not file.exists():
                    raise ValueError(f"Shard {file_name!r} listed in {str(indexes[0])!r} is missing.")
                files.append(file)
            return files, weight_map
        if (folder / SAFETENSORS_SINGLE).exists():
            return [folder / SAFETENSORS_SINGLE], None
        files = sorted(folder.glob("*.safetensors"))
        if not files:
            others = sorted(p.name for p in folder.iterdir() if p.suffix in {".bin", ".pt", ".pth", ".ckpt", ".h5"})
            hint = f" (found {', '.join(others)}: convert them to safetensors first)" if others else ""
            raise ValueError(f"{self.name} {str(folder)!r} holds no .safetensors weights{hint}.")
        return files, None

    def __contains__(self, name: str) -> bool:
        return name in self.tensors

    def __len__(self) -> int:
        return len(self.tensors)

    def get_tensor(self, name: str) -> torch.Tensor:
        """The tensor `name`, memory-mapped; its file is closed again so the mapping goes away with the tensor."""
        from safetensors import SafetensorError, safe_open

        path = self.tensors[name].file
        try:
            with safe_open(str(path), framework="pt") as file:
                return file.get_tensor(name)
        except SafetensorError as error:  # changed on disk since its header was read, or corrupt
            raise ValueError(f"Tensor {name!r} of {self.name} cannot be read from {str(path)!r}: {error}") from error

    def row_blocks(self, name: str, rows: int) -> Iterator[torch.Tensor]:
        """The elements of tensor `name` in row-major order, as flat tensors of `rows` rows (first dimension) each.

        Each block is read with `safe_open(...).get_slice` into its own memory and the file is closed again before
        the block is yielded, so the pages read are released with the block: memory holds one block, not the tensor.

        Args:
            name (`str`): the tensor.
            rows (`int`): rows per block (a 0-d tensor is one block).

        Returns:
            Iterator of `torch.Tensor` of shape `(block_rows * row_numel,)`.
        """
        from safetensors import safe_open

        info = self.tensors[name]
        if not info.shape:
            yield self.get_tensor(name).reshape(-1)
            return
        for start in range(0, info.shape[0], rows):
            with safe_open(str(info.file), framework="pt") as file:
                block = file.get_slice(name)[start : start + rows]
            yield block.reshape(-1)


class StreamingSafetensorsWriter:
    """Writes a `.safetensors` file whose tensor table is known up front, appending tensor data chunk by chunk.

    Args:
        path (`str` or `os.PathLike`): the file to create.
        entries (`Sequence[tuple[str, torch.dtype, tuple[int, ...]]]`): name, dtype and shape of every tensor, in
            the order their data will be written.
        metadata (`dict[str, str]`, *optional*): the header's `__metadata__` (`{"format": "pt"}` by default).

    Example:

        with StreamingSafetensorsWriter(path, [("w", torch.float32, (2, 3))]) as writer:
            writer.write(torch.zeros(4))
            writer.write(torch.ones(2))
    """

    def __init__(
        self,
        path: str | os.PathLike,
        entries: Sequence[tuple[str, torch.dtype, tuple[int, ...]]],
        metadata: dict[str, str] | None = None,
    ):
        self.path = Path(path)
        header: dict[str, dict] = {"__metadata__": dict(metadata or {"format": "pt"})}
        self._sizes = []
        offset = 0
        for name, dtype, shape in entries:
            size = dtype.itemsize
            for dim in shape:
                size *= dim
            header[name] = {"dtype": DTYPE_NAMES[dtype], "shape": list(shape), "data_offsets": [offset, offset + size]}
            self._sizes.append((name, dtype, size))
            offset += size
        encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
        encoded += b" " * (-len(encoded) % 8)  # tensor data starts 8-byte aligned, as safetensors writes it
        self._file = open(self.path, "wb")
        self._file.write(struct.pack("<Q", len(encoded)) + encoded)
        self._index = 0
        self._left = self._sizes[0][2] if self._sizes else 0
        self._skip_empty()

    def _skip_empty(self) -> None:
        while self._left == 0 and self._index < len(self._sizes):
            self._index += 1
            self._left = self._sizes[self._index][2] if self._index < len(self._sizes) else 0

    def write(self, chunk: torch.Tensor) -> None:
        """Appends `chunk` (any shape; its elements in row-major order) to the current tensor's data.

        Raises:
            RuntimeError: the chunk's dtype differs from the declared one or overruns the tensor.
        """
        if self._index >= len(self._sizes):
            raise RuntimeError(f"All tensors of {self.path} are already written.")
        name, dtype, _ = self._sizes[self._index]
        if chunk.dtype != dtype:
            raise RuntimeError(f"Tensor {name!r} is declared {dtype} but a chunk is {chunk.dtype}.")
        data = chunk.contiguous().reshape(-1).view(torch.uint8)
        if data.numel() > self._left:
            raise RuntimeError(f"Tensor {name!r} got {data.numel() - self._left} bytes more than its shape holds.")
        self._file.write(data.numpy())
        self._left -= data.numel()
        self._skip_empty()

    def close(self) -> None:
        """Closes the file.

        Raises:
            RuntimeError: some declared tensor data was never written.
        """
        self._file.close()
        if self._index < len(self._sizes):
            raise RuntimeError(f"Tensor {self._sizes[self._index][0]!r} of {self.path} was not fully written.")

    def __enter__(self) -> StreamingSafetensorsWriter:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self._file.close()


def shard_file_names(num_shards: int) -> list[str]:
    """`model.safetensors` for one shard, else `model-0000i-of-0000n.safetensors` (the transformers names)."""
    if num_shards == 1:
        return [SAFETENSORS_SINGLE]
    return [f"model-{i + 1:05d}-of-{num_shards:05d}.safetensors" for i in range(num_shards)]


def split_into_shards(sizes: Sequence[tuple[str, int]], max_shard_bytes: int) -> list[list[str]]:
    """Greedy shards of consecutive tensors up to `max_shard_bytes` (a bigger tensor gets a shard of its own)."""
    shards: list[list[str]] = []
    current: list[str] = []
    current_bytes = 0
    for name, size in sizes:
        if current and current_bytes + size > max_shard_bytes:
            shards.append(current)
            current, current_bytes = [], 0
        current.append(name)
        current_bytes += size
    if current:
        shards.append(current)
    return shards


def write_index(folder: Path, shards: dict[str, list[TensorInfo]]) -> Path:
    """Writes `model.safetensors.index.json` (metadata `total_size`, `total_parameters`, and `weight_map`)."""
    infos = [info for infos in shards.values() for info in infos]
    index = {
        "metadata": {"total_size": sum(i.nbytes for i in infos), "total_parameters": sum(i.numel for i in infos)},
        "weight_map": {info.name: file_name for file_name, infos in shards.items() for info in infos},
    }
    path = folder / SAFETENSORS_INDEX
    path.write_text(json.dumps(index, indent=2, sort_keys=False) + "\n")
    return path


def copy_model_files(sources: Iterable[Path], destination: Path, patterns: Sequence[str] = COPY_PATTERNS) -> list[str]:
    """Copies the config, tokenizer, processor, chat template and remote-code files of `sources` into `destination`.

    Later sources override earlier ones. Weights, indexes, adapters and `README.md` are never copied.

    Returns:
        `list[str]`: the copied paths, relative to `destination`, sorted.
    """
    copied = set()
    for source in sources:
        if not source.is_dir():
            continue
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source).as_posix()
            if not path.is_file() or any(part.startswith(".") for part in Path(relative).parts):
                continue
            # A pattern without "/" names a top-level file only: trainer checkpoints (checkpoint-*/) stay behind.
            matches = any(fnmatch.fnmatch(relative, p) and ("/" in p or "/" not in relative) for p in patterns)
            if relative.startswith("adapter_") or not matches:
                continue
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied.add(relative)
    return sorted(copied)


_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def resolve_model_path(name_or_path: str, role: str, allow_patterns: Sequence[str] | None = None) -> Path:
    """A local path as is, or a Hub id downloaded with `huggingface_hub.snapshot_download` (weights and files only).

    Args:
        name_or_path (`str`): folder, `.safetensors` file or Hub id (`org/name`).
        role (`str`): `"base"`, `"finetuned"`, ... for error messages.
        allow_patterns (`Sequence[str]`, *optional*): files to download; weights plus `COPY_PATTERNS` by default.

    Raises:
        ValueError: neither an existing path nor a Hub id.
    """
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path.resolve()
    if not _REPO_ID.match(name_or_path):
        raise ValueError(f"{role} model {name_or_path!r} is neither an existing path nor a Hub id such as 'org/name'.")
    from huggingface_hub import snapshot_download

    patterns = list(allow_patterns or (*WEIGHT_PATTERNS, *COPY_PATTERNS))
    logger.info("Downloading %s model %s from the Hub", role, name_or_path)
    return Path(snapshot_download(name_or_path, allow_patterns=patterns)).resolve()


def is_adapter(path: Path) -> bool:
    """Whether `path` is a PEFT adapter folder (it holds `adapter_config.json`)."""
    return path.is_dir() and (path / ADAPTER_CONFIG).exists()


__all__ = [
    "ADAPTER_CONFIG",
    "COPY_PATTERNS",
    "DTYPES",
    "SAFETENSORS_INDEX",
    "SAFETENSORS_SINGLE",
    "Checkpoint",
    "StreamingSafetensorsWriter",
    "TensorInfo",
    "copy_model_files",
    "is_adapter",
    "read_header",
    "resolve_model_path",
    "shard_file_names",
    "split_into_shards",
    "write_index",
]
