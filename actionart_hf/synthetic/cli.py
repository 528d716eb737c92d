"""`actionart-hf synth`: generate the synthetic human-motion benchmark (exact labels) as a Hub-ready folder.

    actionart-hf synth --num-videos 1000 --out outputs/ActionArt-Synthetic --workers 2 --preview
    actionart-hf synth --splits train=800,validation=100,test=100 --out outputs/synth --seed 1
    actionart-hf synth --num-videos 200 --out outputs/synth-tiny --height 64 --width 64 --num-frames 16 --fps 2 \\
        --task-weights GS=1,LS=1 --question-kinds posture,hand_height --questions-per-clip 2
    actionart-hf synth --num-videos 300 --out outputs/synth-hard --no-color-cues --clutter 12 --noise 12 \\
        --camera-yaw 45 --limb-width 0.6 --distractor-closeness 1

The folder has the configs `qa` and `captions` (the real benchmark's features) and `motion` (per-frame 2D/3D joints,
events, objects). A stopped run started again with the same arguments resumes where it stopped.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from .config import SynthConfig, parse_color, parse_task_weights


def make_parser(subparsers: argparse._SubParsersAction | None = None) -> argparse.ArgumentParser:
    """Arguments of `actionart-hf synth`."""
    kwargs = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser = subparsers.add_parser("synth", **kwargs) if subparsers else argparse.ArgumentParser(**kwargs)
    defaults = SynthConfig()
    parser.add_argument("--out", type=Path, required=True, help="output dataset folder")
    parser.add_argument("--num-videos", type=int, help="number of clips (optional when --splits gives counts)")
    parser.add_argument("--seed", type=int, default=0, help="dataset seed (default 0)")
    parser.add_argument(
        "--splits", help="e.g. train=800,validation=100,test=100 or train=0.8,test=0.2 (default: test)"
    )
    parser.add_argument("--workers", type=int, default=1, help="generating processes (results do not depend on it)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output folder")
    parser.add_argument("--preview", action="store_true", help="also write preview.png (one clip per sub-task)")
    parser.add_argument("--license", help="license id for the dataset card")
    parser.add_argument("--keep-work-dir", action="store_true", help="keep the per-clip work folder after success")
    video = parser.add_argument_group("video")
    video.add_argument("--height", type=int, default=defaults.height, help="frame height (default 224)")
    video.add_argument("--width", type=int, default=defaults.width, help="frame width (default 224)")
    video.add_argument("--resolution", type=int, help="square frames: sets --height and --width")
    video.add_argument("--num-frames", type=int, default=defaults.num_frames, help="frames per clip (default 64)")
    video.add_argument("--fps", type=float, default=defaults.fps, help="frame rate (default 8)")
    motion = parser.add_argument_group("motion")
    motion.add_argument("--min-units", type=int, default=defaults.min_units, help="fewest action units per clip")
    motion.add_argument("--max-units", type=int, default=defaults.max_units, help="most action units per clip")
    motion.add_argument("--max-count", type=int, default=defaults.max_count, help="most repetitions of a unit")
    motion.add_argument(
        "--object-prob", type=float, default=defaults.object_prob, help="chance of an object interaction in a clip"
    )
    motion.add_argument(
        "--distractor-objects",
        type=int,
        default=defaults.distractor_objects,
        help="most untouched objects on the floor",
    )
    style = parser.add_argument_group("difficulty")
    style.add_argument("--limb-width", type=float, default=defaults.limb_width, help="limb thickness multiplier")
    style.add_argument(
        "--no-color-cues", dest="color_cues", action="store_false", help="draw left and right limbs in the same colour"
    )
    style.add_argument("--left-color", type=parse_color, default=defaults.left_color, help="R,G,B of left limbs")
    style.add_argument("--right-color", type=parse_color, default=defaults.right_color, help="R,G,B of right limbs")
    style.add_argument("--clutter", type=int, default=defaults.clutter, help="random background shapes")
    style.add_argument("--noise", type=float, default=defaults.noise, help="pixel noise standard deviation (0-255)")
    style.add_argument("--noise-flicker", action="store_true", help="new noise every frame (much larger files)")
    style.add_argument("--camera-yaw", type=float, default=defaults.camera_yaw, help="max camera yaw in degrees")
    style.add_argument(
        "--distractor-closeness",
        type=float,
        default=defaults.distractor_closeness,
        help="0-1: share of hard distractors (mirrored side, neighbouring counts)",
    )
    questions = parser.add_argument_group("questions")
    questions.add_argument(
        "--questions-per-clip",
        type=int,
        default=defaults.questions_per_clip,
        help="questions per clip, split over tasks by weight (default 8)",
    )
    questions.add_argument(
        "--task-weights", type=parse_task_weights, help="e.g. GS=1,LS=1 (unnamed tasks get 0; default: all 1)"
    )
    questions.add_argument(
        "--question-kinds",
        type=lambda text: [kind.strip() for kind in text.split(",") if kind.strip()],
        help="only these kinds, e.g. posture,hand_height (see questions.KINDS; default: all)",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> SynthConfig:
    """The `SynthConfig` described by parsed `synth` arguments."""
    height, width = (args.height, args.width) if args.resolution is None else (args.resolution, args.resolution)
    values = {
        "height": height,
        "width": width,
        "num_frames": args.num_frames,
        "fps": args.fps,
        "min_units": args.min_units,
        "max_units": args.max_units,
        "max_count": args.max_count,
        "object_prob": args.object_prob,
        "distractor_objects": args.distractor_objects,
        "limb_width": args.limb_width,
        "color_cues": args.color_cues,
        "left_color": args.left_color,
        "right_color": args.right_color,
        "clutter": args.clutter,
        "noise": args.noise,
        "noise_flicker": args.noise_flicker,
        "camera_yaw": args.camera_yaw,
        "distractor_closeness": args.distractor_closeness,
        "questions_per_clip": args.questions_per_clip,
    }
    if args.task_weights is not None:
        values["task_weights"] = args.task_weights
    if args.question_kinds:
        values["question_kinds"] = args.question_kinds
    return SynthConfig(**values)


def main(args: argparse.Namespace) -> int:
    """Runs `actionart-hf synth`."""
    from .dataset import build_synthetic_dataset

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = build_synthetic_dataset(
        args.out,
        num_videos=args.num_videos,
        seed=args.seed,
        splits=args.splits,
        config=config_from_args(args),
        workers=args.workers,
        overwrite=args.overwrite,
        preview=args.preview,
        keep_work_dir=args.keep_work_dir,
        license=args.license,
    )
    print(f"Wrote {out}")
    return 0


__all__ = ["config_from_args", "main", "make_parser"]
