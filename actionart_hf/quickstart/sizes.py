"""Size presets of `actionart-hf quickstart`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QuickstartSize:
    """Everything the quickstart scales with `--size`.

    > Data
    Args:
        benchmark (`dict[str, int]`): clips of the benchmark pool per split: `test` (every row of the table is
            measured on it), `validation` (chooses the merge's α) and `train` (its captions are the scarce manual
            annotations of stage 3).
        generic (`int`): clips of the generic pool (stage 0 and stage 1).
        proxy (`int`): clips of the proxy pool (stage 0 and the proxy tasks of stage 2), in a shifted style.
        tasks (`tuple[str]`): the benchmark's sub-tasks (generated, trained in stage 3 and evaluated).
        resolution (`int`): square frame size of the synthetic videos.
        video_frames (`int`): frames of each synthetic video; the model samples all of them.
        fps (`float`): frames per second of the synthetic videos.
        questions_per_clip (`int`): benchmark questions per clip.
        pd_frames_per_video (`int`): pose-description frames per proxy clip.
        sd_pairs_per_video (`int`): spatial-difference pairs per proxy clip.
        fgqa_videos (`int`): FGQA pseudo-videos.
        teacher_error_rate (`float`): share of the noisy teacher's wrong labels (a stand-in for the paper's 72B
            teacher).

    > Training
    Args:
        stage2 (`tuple[str]`): the stage-2 proxy mixtures run (keys of `STAGE2_MIXTURES`).
        proxy_arm (`str`): the stage-2 mixture that parameter fusion and stage 3 continue from.
        stage3_from_pf (`bool`): also train stage 3 from the PF model.
        steps (`dict`): optimizer steps per stage (`lm_warmup`, `stage1`, `stage2`, `stage3`).
        batch_size (`int`): per-device batch size (`warmup_batch_size` for the text-only warm-up).
        learning_rate (`dict`): peak learning rate per stage (cosine schedule).
        replay (`float`): share of each stage-2 and stage-3 batch drawn from stage 1's data, the same in every arm.
        alphas (`tuple[float]`): the merge's α values, chosen on the validation split.
        stage0_seconds (`float`): wall-clock budget of stage 0 (2D joints; a stand-in for a pretrained vision
            encoder).
        model (`dict`): tiny model sizes (`tiny_actionart_config` keys).
        bootstrap_samples (`int`): bootstrap resamples for the 95% intervals.
    """

    benchmark: dict
    generic: int
    proxy: int
    tasks: tuple = ("GS", "LS")
    resolution: int = 64
    video_frames: int = 8
    fps: float = 2.0
    questions_per_clip: int = 2
    pd_frames_per_video: int = 4
    sd_pairs_per_video: int = 1
    fgqa_videos: int = 16
    teacher_error_rate: float = 0.15
    stage2: tuple = ("pd",)
    proxy_arm: str = "pd"
    stage3_from_pf: bool = True
    steps: dict = field(default_factory=lambda: {"lm_warmup": 1, "stage1": 1, "stage2": 1, "stage3": 1})
    batch_size: int = 32
    warmup_batch_size: int = 32
    learning_rate: dict = field(default_factory=lambda: {"lm_warmup": 1e-3, "stage1": 1e-3, "stage2": 1e-3,
                                                         "stage3": 1e-3})  # fmt: skip
    replay: float = 0.2
    alphas: tuple = (0.25, 0.5, 0.75)
    stage0_seconds: float = 90.0
    model: dict = field(default_factory=dict)
    bootstrap_samples: int = 1000

    @property
    def num_frames(self) -> int:
        return self.video_frames


# SigLIP and Qwen2 of 4 layers x 128 (the sizes a CPU prototype learned pose questions with). The 8x8 patch grid of a
# 64-pixel frame is pooled to 2x2 cells (fast branch, every frame) and one slow frame to 2x2 as well, so the visual
# tokens keep the figure's layout: 4 + 8 x 4 = 36 tokens a video, 8 an image.
TINY_MODEL = {"vision_hidden_size": 128, "vision_intermediate_size": 512, "vision_layers": 4}
TINY_MODEL |= {"hidden_size": 128, "intermediate_size": 512, "num_layers": 4}
TINY_MODEL |= {"slow_frame_stride": 8, "slow_pool_stride": 4, "fast_pool_stride": 4}

SIZES: dict[str, QuickstartSize] = {
    # tests only: seconds, nothing learned
    "smoke": QuickstartSize(
        benchmark={"train": 4, "validation": 2, "test": 3},
        generic=4,
        proxy=3,
        resolution=32,
        pd_frames_per_video=2,
        fgqa_videos=2,
        stage2=("pd", "pd_sd_fgqa"),
        batch_size=2,
        warmup_batch_size=4,
        alphas=(0.5, 1.0),
        stage0_seconds=1.0,
        bootstrap_samples=50,
    ),  # fmt: skip
    # the default: under 10 minutes on a 2-core CPU; GS and LS only
    "tiny": QuickstartSize(
        benchmark={"train": 300, "validation": 40, "test": 150},
        generic=600,
        proxy=600,
        stage3_from_pf=False,
        steps={"lm_warmup": 300, "stage1": 250, "stage2": 200, "stage3": 200},
        batch_size=16,
        stage0_seconds=40.0,
        model=TINY_MODEL,
    ),  # fmt: skip
    # every sub-task and every stage-2 mixture
    "small": QuickstartSize(
        benchmark={"train": 600, "validation": 100, "test": 300},
        generic=3000,
        proxy=3000,
        tasks=("AC", "AR", "AS", "GS", "HOI", "LS", "MV", "TL"),
        questions_per_clip=8,
        fgqa_videos=600,
        stage2=("pd", "sd", "fgqa", "pd_sd_fgqa"),
        proxy_arm="pd_sd_fgqa",
        steps={"lm_warmup": 800, "stage1": 1500, "stage2": 1000, "stage3": 600},
        stage0_seconds=150.0,
        model=TINY_MODEL,
    ),  # fmt: skip
}

__all__ = ["SIZES", "TINY_MODEL", "QuickstartSize"]
