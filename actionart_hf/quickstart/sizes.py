"""Size presets of `actionart-hf quickstart`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QuickstartSize:
    """Everything the quickstart scales with `--size`.

    Args:
        train (`int`): synthetic training clips (the proxy data is built from these only).
        validation (`int`): synthetic validation clips (kept apart; not used for training).
        test (`int`): held-out test clips (every row of the table is measured on them).
        resolution (`int`): square frame size of the synthetic videos.
        video_frames (`int`): frames of each synthetic video.
        fps (`float`): frames per second of the synthetic videos.
        questions_per_clip (`int`): MCQ per synthetic clip.
        num_frames (`int`): frames the model samples from each video (training and evaluation). Equal to
            `video_frames` so evaluation decodes every frame in order (PyAV's frame-skipping path hung on some clips).
        fgqa_videos (`int`): FGQA pseudo-videos.
        steps (`dict`): optimizer steps per stage (`lm_warmup`, the text-only LM warm-up, 0 or absent skips it;
            `stage1`, `stage2`, `stage3`).
        batch_size (`int`): per-device batch size.
        warmup_batch_size (`int`): per-device batch size of the text-only LM warm-up.
        learning_rate (`float`): peak learning rate of the LM warm-up and stage 1 (cosine schedule).
        finetune_learning_rate (`float`): peak learning rate of stages 2 and 3, which fine-tune a trained model. At
            `--size small`, 200 steps at the stage-1 rate erased what stage 1 had learned, and at 2e-4 GS still fell
            from 64.5% after stage 1 to 27% after stage 3.
        bootstrap_samples (`int`): bootstrap resamples for the 95% intervals.
        stage0_seconds (`float`): wall-clock budget of stage 0 (joints and body states, a stand-in for a
            pretrained vision encoder; 0 skips it).
        model (`dict`): tiny model sizes (`tiny_actionart_config` keys).
    """

    train: int
    validation: int
    test: int
    resolution: int = 64
    video_frames: int = 16
    fps: float = 4.0
    questions_per_clip: int = 8
    num_frames: int = 4
    fgqa_videos: int = 16
    steps: dict = field(default_factory=lambda: {"stage1": 30, "stage2": 20, "stage3": 20})
    batch_size: int = 4
    learning_rate: float = 1e-3
    finetune_learning_rate: float = 5e-5
    warmup_batch_size: int = 32
    bootstrap_samples: int = 1000
    stage0_seconds: float = 120.0
    model: dict = field(default_factory=dict)


# SigLIP and Qwen2 of 4 layers x 128 each; SlowFast pooled to one token per frame (+ one slow token), 9 per video:
# on CPU a step costs 0.25 s instead of 0.58 s with the 96 tokens of strides (2, 2, 4), and learned as fast
SMALL_MODEL = {"vision_hidden_size": 128, "vision_intermediate_size": 512, "vision_layers": 4}
SMALL_MODEL |= {"hidden_size": 128, "intermediate_size": 512, "num_layers": 4}
SMALL_MODEL |= {"slow_frame_stride": 8, "slow_pool_stride": 8, "fast_pool_stride": 8}

SIZES: dict[str, QuickstartSize] = {
    # tests only: seconds, nothing learned
    "smoke": QuickstartSize(
        train=4,
        validation=1,
        test=2,
        resolution=32,
        video_frames=8,
        fps=2.0,
        questions_per_clip=4,
        num_frames=8,
        fgqa_videos=2,
        steps={"lm_warmup": 1, "stage1": 1, "stage2": 1, "stage3": 1},
        batch_size=2,
        bootstrap_samples=50,
        stage0_seconds=1.0,
    ),  # fmt: skip
    # the default: under 10 minutes on a 2-core CPU
    "tiny": QuickstartSize(
        train=300,
        validation=20,
        video_frames=8,
        fps=2.0,
        num_frames=8,
        test=100,
        fgqa_videos=32,
        steps={"lm_warmup": 150, "stage1": 250, "stage2": 80, "stage3": 80},
        stage0_seconds=120.0,
    ),  # fmt: skip
    # SigLIP and Qwen2 of 4 layers x 128 (the sizes a CPU prototype learned GS/LS with), 5,000 clips
    "small": QuickstartSize(
        train=5000,
        validation=20,
        video_frames=8,
        fps=2.0,
        num_frames=8,
        test=200,
        fgqa_videos=100,
        steps={"lm_warmup": 2500, "stage1": 4000, "stage2": 200, "stage3": 200},
        batch_size=32,
        stage0_seconds=150.0,
        model=SMALL_MODEL,
    ),  # fmt: skip
}

__all__ = ["SIZES", "QuickstartSize"]
