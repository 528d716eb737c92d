"""Source adapters on tiny real files in the NTU RGB+D, Kinetics-700 and plain-folder layouts, and frame reading."""

import json

import numpy as np
import pytest

from actionart_hf.proxy.sources import (
    folder_source,
    kinetics_source,
    load_sources,
    ntu_source,
    png_bytes,
    read_class_names,
    read_frames,
)
from actionart_hf.video import VideoDecodeError


def test_ntu_naming(ntu_dir, tmp_path):
    sources = ntu_source(ntu_dir)
    assert [s.label for s in sources] == ["A001", "A008", "A120"]
    assert sources[2].meta == {"setup": 17, "camera": 3, "performer": 20, "replication": 1, "action": 120}
    assert sources[0].relative_path == "S001C001P001R001A001_rgb.avi" and sources[0].path.is_absolute()
    names = tmp_path / "names.json"
    names.write_text(json.dumps({"A001": "drink water", "A120": "finger-guessing game"}))
    labels = [s.label for s in load_sources("ntu", ntu_dir, class_names=names)]
    assert labels == ["drink water", "A008", "finger-guessing game"]
    csv = tmp_path / "names.csv"
    csv.write_text("code,name\nA008,pick up\n")
    assert read_class_names(csv) == {"A008": "pick up"}
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="No NTU"):
        ntu_source(empty)


def test_ntu_refuses_a_folder_without_ntu_names(folder_dir):
    with pytest.raises(ValueError, match="No NTU RGB\\+D videos"):
        ntu_source(folder_dir)


def test_kinetics_with_and_without_annotations(kinetics_dir, caplog):
    everything = kinetics_source(kinetics_dir)
    assert [s.label for s in everything] == ["abseiling", "abseiling", "playing guitar", "playing guitar"]
    assert everything[0].meta["youtube_id"] == "aaaaaaaaaaa"
    listed = kinetics_source(kinetics_dir, kinetics_dir / "train.csv")
    assert [s.relative_path.split("/")[-1][:3] for s in listed] == ["aaa", "bbb", "ccc"]
    assert "1 clip(s) listed" in caplog.text
    bad = kinetics_dir / "bad.csv"
    bad.write_text("video,class\nx,y\n")
    with pytest.raises(ValueError, match="needs columns label,youtube_id"):
        kinetics_source(kinetics_dir, bad)


def test_any_folder_and_subsets(folder_dir):
    sources = folder_source(folder_dir)
    assert [s.relative_path for s in sources] == ["clip0.mp4", "clip2.mp4", "nested/clip1.mp4", "nested/clip3.mp4"]
    subset = load_sources("folder", folder_dir, max_videos=2, seed=1)
    assert len(subset) == 2 and subset == load_sources("folder", folder_dir, max_videos=2, seed=1)
    with pytest.raises(ValueError, match="Unknown source kind"):
        load_sources("youtube", folder_dir)
    with pytest.raises(ValueError, match="does not exist"):
        load_sources("folder", folder_dir / "missing")


def test_read_frames_returns_the_requested_frames(folder_dir):
    path = folder_dir / "clip0.mp4"
    frames = read_frames(path, [7, 2, 2, 0])
    assert frames.shape == (4, 24, 32, 3)
    red = frames[:, 12, 20, 0].astype(int)
    assert np.all(np.abs(red - np.array([140, 40, 40, 0])) <= 6), red  # red encodes 20 * frame index
    small = read_frames(path, [1], max_pixels=12 * 16)
    assert small.shape[1] * small.shape[2] <= 12 * 16
    with pytest.raises(VideoDecodeError, match="fewer frames"):
        read_frames(path, [99])
    broken = folder_dir / "broken.mp4"
    broken.write_bytes(b"not a video")
    with pytest.raises(VideoDecodeError):
        read_frames(broken, [0])


def test_png_bytes_are_deterministic():
    frame = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    assert png_bytes(frame) == png_bytes(frame.copy()) and png_bytes(frame).startswith(b"\x89PNG")
