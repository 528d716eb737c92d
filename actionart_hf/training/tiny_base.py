"""Create the tiny base ActionArt checkpoint the tiny recipes start from, offline (no download).

```bash
python -m actionart_hf.training.tiny_base --out outputs/tiny/base    # words of outputs/synth, outputs/proxy
python -m actionart_hf.training.tiny_base --out outputs/tiny/base --data my/folder --tokenizer bpe
```

The model is `actionart_hf.models.tiny.build_tiny_actionart` (SigLIP + Qwen2, hidden size 32, 2 layers, 32×32
frames), randomly initialised; its word-level tokenizer covers the prompt texts and every word of the datasets found
under `--data` (questions, options, answers, captions, prompts, responses), so nothing the stages train on maps to
`<unk>`.
Saved with `save_pretrained` (safetensors, `auto_map` and the model code), it loads with
`AutoModelForImageTextToText.from_pretrained(out, trust_remote_code=True)`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..atomic import staged_dir
from ..cards import write_model_card
from ..data.chat import PROMPT_TEXTS


# The card facts of the tiny base (`actionart_hf.cards`); the stages trained from it extend them.
TINY_BASE_CARD = {
    "summary": "A tiny ActionArt model (SigLIP + Qwen2, random weights) whose word-level tokenizer covers the "
    "training data, made by `python -m actionart_hf.training.tiny_base` to test the recipes on a CPU. It has learned "
    "nothing.",
    "stages": [{"name": "base", "description": "random initialisation (`actionart_hf.training.tiny_base`)"}],
}

logger = logging.getLogger(__name__)

DEFAULT_DATA = ("outputs/synth", "outputs/proxy")
TEXT_COLUMNS = ("question", "options", "answer", "caption", "prompt", "response")


def dataset_texts(folders: Iterable[str | Path]) -> Iterator[str]:
    """Every text cell of the parquet tables under `folders` (columns `TEXT_COLUMNS`, lists flattened)."""
    import pyarrow.parquet as pq

    for folder in folders:
        for path in sorted(Path(folder).rglob("*.parquet")):
            table = pq.read_table(path, columns=None)
            for column in TEXT_COLUMNS:
                if column not in table.column_names:
                    continue
                for value in table.column(column).to_pylist():
                    if isinstance(value, list):
                        yield from (str(v) for v in value if v is not None)
                    elif value is not None:
                        yield str(value)


def make_tiny_base(
    out: str | Path,
    data: Iterable[str | Path] | None = None,
    tokenizer_kind: str = "word",
    num_frames: int = 4,
    seed: int = 0,
    overwrite: bool = False,
    **config_kwargs,
) -> Path:
    """Builds and saves the tiny base checkpoint (model + processor) to `out`.

    Args:
        out (`str` or `Path`): output folder; written atomically.
        data (`Iterable`, *optional*): dataset folders whose text the tokenizer covers; default the existing ones of
            `outputs/synth` and `outputs/proxy`.
        tokenizer_kind (`str`, *optional*, defaults to `"word"`): `"word"` (needs `data`) or `"bpe"` (any text).
        num_frames (`int`, *optional*, defaults to 4): frames the saved video processor samples.
        seed (`int`, *optional*, defaults to 0): initialisation seed.
        overwrite (`bool`, *optional*, defaults to `False`): replace an existing `out`.
        config_kwargs: sizes passed to `tiny_actionart_config` (e.g. `image_size=64`, `hidden_size=64`).

    Returns:
        `Path` of the saved checkpoint.
    """
    from ..models.tiny import build_tiny_actionart

    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ValueError(f"{str(out)!r} already exists; pass --overwrite to replace it.")
    folders = [Path(f) for f in (data if data is not None else DEFAULT_DATA) if Path(f).exists()]
    missing = [str(f) for f in (data or []) if not Path(f).exists()]
    if missing:
        raise ValueError(f"--data folder(s) {missing} do not exist; build the data first or drop them.")
    texts = list(dataset_texts(folders))
    if tokenizer_kind == "word" and not texts:
        raise ValueError(
            f"No dataset text found under {[str(f) for f in folders] or list(DEFAULT_DATA)}: the word-level "
            "tokenizer needs the training data's vocabulary. Build the data first (actionart-hf synth / proxy), pass "
            "--data, or use --tokenizer bpe."
        )
    model, processor = build_tiny_actionart(
        texts=[*PROMPT_TEXTS, *texts], tokenizer_kind=tokenizer_kind, num_frames=num_frames, seed=seed, **config_kwargs
    )
    with staged_dir(out) as stage:
        model.save_pretrained(stage)
        processor.save_pretrained(stage)
        write_model_card(stage, TINY_BASE_CARD, model_name=Path(out).name)
    logger.info(
        "Tiny base: %d parameters, vocabulary %d (%d texts from %s) -> %s",
        model.num_parameters(),
        len(processor.tokenizer),
        len(texts),
        [str(f) for f in folders],
        out,
    )
    return out


if __name__ == "__main__":
    from ..cli import report_user_errors
    from .cli import make_tiny_base_parser, tiny_base_main

    args = make_tiny_base_parser().parse_args()
    raise SystemExit(report_user_errors("python -m actionart_hf.training.tiny_base", lambda: tiny_base_main(args)))
