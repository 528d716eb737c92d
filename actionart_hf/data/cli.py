"""`actionart-hf build-actionart`: raw ActionArt release → Hub-ready dataset folder with configs `qa` and `captions`.

    actionart-hf build-actionart --release path/to/raw_release --out ActionArt --license cc-by-nc-4.0
    actionart-hf build-actionart --release raw --out ActionArt --push --repo-id <org>/ActionArt
    actionart-hf build-actionart --example-release raw_example      # writes a small example release to try it

The release folder holds videos in any common container (any sub-folder), a QA file and a captions file (JSON,
JSONL or CSV; found by name, or given with --qa-file / --captions-file). Field spellings are normalised (see
`actionart_hf.data.raw_release`). Videos that appear in the QA file form the `test` split of `captions`, all
others `train` (the source of stage-3 training QA); --split-file (JSON `{video: split}` or a table with video and
split columns) overrides this. --push then uploads the built folder (the two steps of `build_actionart` and
`actionart_hf.hub.upload_to_hub`).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    """Arguments of `actionart-hf build-actionart` (also `dataset_scripts/build_actionart.py`)."""
    kwargs = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = subparsers.add_parser("build-actionart", **kwargs) if subparsers else argparse.ArgumentParser(**kwargs)
    parser.add_argument("--release", type=Path, help="raw release folder (videos + QA file + captions file)")
    parser.add_argument("--out", type=Path, help="output dataset folder")
    parser.add_argument("--qa-file", type=Path, help="QA table (JSON, JSONL or CSV); found by name if omitted")
    parser.add_argument("--captions-file", type=Path, help="captions table; found by name if omitted")
    parser.add_argument("--split-file", type=Path, help="video → split mapping overriding test/train")
    parser.add_argument("--license", help="license id for the card, e.g. cc-by-nc-4.0 (default: other)")
    parser.add_argument("--drop-invalid", action="store_true", help="write bad rows to <out>.rejects.jsonl")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    parser.add_argument("--push", action="store_true", help="upload the folder to the Hub after building")
    parser.add_argument("--repo-id", help="Hub dataset id for --push (default: $ACTIONART_HUB_ORG/ActionArt)")
    parser.add_argument("--public", action="store_true", help="create the Hub repo as public (default private)")
    parser.add_argument("--dry-run", action="store_true", help="with --push: list the files, upload nothing")
    parser.add_argument("--example-release", type=Path, metavar="DIR", help="write a small example release and exit")
    return parser


def main(args: argparse.Namespace) -> int:
    """Runs the build, then the optional push."""
    from .build_actionart import build_actionart

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.example_release:
        from .example_release import write_example_release

        write_example_release(args.example_release, overwrite=args.overwrite)
        print(f"Example release written to {args.example_release}")
        return 0
    if not args.release or not args.out:
        raise ValueError("--release and --out are both required (or --example-release DIR to write an example).")
    out = build_actionart(
        args.release, args.out, args.qa_file, args.captions_file, args.split_file, args.license,
        args.drop_invalid, args.overwrite,
    )  # fmt: skip
    print(f"Built {out}")
    if args.push:
        from ..hub import default_repo_id, upload_to_hub

        repo_id = args.repo_id or default_repo_id("ActionArt")
        files = upload_to_hub(out, repo_id, "dataset", private=not args.public, dry_run=args.dry_run)
        print(("Would upload" if args.dry_run else "Uploaded") + f" {len(files)} files to {repo_id}:")
        print("\n".join(f"  {f}" for f in files))
    return 0


__all__ = ["main", "make_parser"]
