"""Which two frames of a video a proxy task shows its teacher: nearby frames, pairs spread evenly over the video.

- SD (paper §4.2): two frames a fraction of a second apart (`DEFAULT_PAIR_GAP_S`), whose pose change the teacher
  describes; the paper calls them "adjacent frames" (§4.2) and "two evenly sampled frames" (§5.2).
- FGQA (§4.3): an action unit is two frames a short window apart (`DEFAULT_UNIT_WINDOW_S`), which the teacher labels
  with the action between them.

    >>> nearby_frame_pairs(300, 30.0, count=3, gap_s=(0.5, 1.0), seed=0, video_id="clip")   # a 10 s clip at 30 fps
    [[36, 65], [140, 159], [240, 260]]    # 15 to 30 frames apart, centred in thirds of the clip; seeded
"""

from __future__ import annotations

import random


DEFAULT_PAIR_GAP_S = (0.5, 1.0)  # SD: seconds between a pair's two frames (ours; the paper says "adjacent")
DEFAULT_UNIT_WINDOW_S = 1.0  # FGQA: seconds between an action unit's two frames on sources without events (ours)


def check_gap_range(gap_s: tuple[float, float], name: str = "pair_gap_s") -> tuple[float, float]:
    """`(shortest, longest)` gap in seconds, or a `ValueError` naming `name`, the value and the fix."""
    low, high = gap_s
    if not 0 < low <= high:
        raise ValueError(f"{name}={gap_s}: need 0 < shortest <= longest gap in seconds, e.g. (0.5, 1.0).")
    return low, high


def nearby_frame_pairs(
    total_frames: int,
    fps: float,
    count: int,
    gap_s: tuple[float, float] = DEFAULT_PAIR_GAP_S,
    seed: int = 0,
    video_id: str = "",
) -> list[list[int]]:
    """`count` pairs of nearby frames `[first, first + gap]` of one video.

    Each pair's gap is drawn uniformly from `gap_s` seconds (seeded by `seed` and `video_id`; a range with equal ends
    is a fixed gap) and converted to frames at `fps` (at least 1, at most the video's length). Pair `k` is centred in
    the `k`-th of `count` equal segments of the video, so the pairs are spread evenly over it. A one-frame video has
    no pair; pairs that coincide on a short video are kept once.

    Args:
        total_frames (`int`): frames in the video.
        fps (`float`): its frame rate.
        count (`int`): pairs wanted.
        gap_s (`tuple[float, float]`, *optional*, defaults to `(0.5, 1.0)`): shortest and longest gap, in seconds.
        seed (`int`, *optional*, defaults to 0), video_id (`str`, *optional*): seed the gaps.

    Returns:
        `list[list[int]]`: `[first, second]` frame indices, in time order.
    """
    low, high = check_gap_range(gap_s)
    rng = random.Random(f"{seed}:{video_id}")
    pairs: list[list[int]] = []
    for k in range(count):
        gap = min(total_frames - 1, max(1, round(rng.uniform(low, high) * fps)))
        if gap < 1:
            break
        centre = (k + 0.5) * total_frames / count
        first = min(max(0, round(centre - gap / 2)), total_frames - 1 - gap)
        if [first, first + gap] not in pairs:
            pairs.append([first, first + gap])
    return pairs


__all__ = ["DEFAULT_PAIR_GAP_S", "DEFAULT_UNIT_WINDOW_S", "check_gap_range", "nearby_frame_pairs"]
