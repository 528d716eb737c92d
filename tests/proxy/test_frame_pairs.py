"""Frame pairs of the proxy tasks: nearby frames (SD pairs, FGQA action units), spread evenly over a video."""

import pytest

from actionart_hf.proxy.frame_pairs import nearby_frame_pairs


def test_pairs_are_nearby_frames_spread_over_the_video():
    # a 10 s Kinetics-700 clip at 30 fps: gaps of 0.5-1 s (15-30 frames), not the clip's first and last frame
    pairs = nearby_frame_pairs(300, 30.0, count=3, seed=0, video_id="clip")
    assert len(pairs) == 3 and all(15 <= b - a <= 30 for a, b in pairs)
    assert [(a + b) // 2 for a, b in pairs] == [50, 149, 250]  # centred in thirds of the clip
    assert nearby_frame_pairs(300, 30.0, 3, seed=0, video_id="clip") == pairs  # seeded
    assert nearby_frame_pairs(300, 30.0, 3, seed=1, video_id="clip") != pairs


def test_fixed_gaps_and_short_videos():
    assert nearby_frame_pairs(300, 30.0, 1, gap_s=(0.5, 0.5)) == [[142, 157]]
    assert nearby_frame_pairs(300, 30.0, 2, gap_s=(1.0, 1.0)) == [[60, 90], [210, 240]]
    assert nearby_frame_pairs(2, 30.0, 5) == [[0, 1]]  # coinciding pairs kept once
    assert nearby_frame_pairs(1, 30.0, 2) == []  # a single frame has no pair
    with pytest.raises(ValueError, match=r"pair_gap_s=\(1.0, 0.5\): need 0 < shortest <= longest"):
        nearby_frame_pairs(300, 30.0, 1, gap_s=(1.0, 0.5))
