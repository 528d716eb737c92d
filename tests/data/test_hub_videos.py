"""Videos of a Hub dataset come down in one `snapshot_download(allow_patterns=...)`, not one request per row."""

import datasets
import huggingface_hub
import pytest

from actionart_hf.data.build_actionart import build_actionart
from actionart_hf.data.example_release import write_example_release


@pytest.fixture
def hub_dataset(tmp_path, monkeypatch):
    """`me/ActionArt` served from a built folder: `load_dataset` reads the folder, downloads are recorded."""
    folder = build_actionart(write_example_release(tmp_path / "raw"), tmp_path / "ActionArt")
    load_dataset = datasets.load_dataset
    downloads = []

    def fake_load_dataset(path, *args, **kwargs):
        return load_dataset(str(folder) if path == "me/ActionArt" else path, *args, **kwargs)

    def fake_snapshot_download(repo_id, **kwargs):
        downloads.append((repo_id, kwargs["repo_type"], kwargs["allow_patterns"]))
        return str(folder)

    def no_single_downloads(*args, **kwargs):
        raise AssertionError("hf_hub_download called per video")

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_snapshot_download)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", no_single_downloads)
    return folder, downloads


def test_load_actionart_downloads_the_videos_at_once(hub_dataset):
    from actionart_hf.data.loading import load_actionart

    folder, downloads = hub_dataset
    qa = load_actionart("me/ActionArt", "qa", split="test")
    videos = sorted({path.relative_to(folder).as_posix() for path in (folder / "videos").rglob("*.*")})
    assert len(downloads) == 1 and downloads[0][:2] == ("me/ActionArt", "dataset")
    assert set(downloads[0][2]) <= set(videos) and len(downloads[0][2]) == len(set(qa["video"]))
    assert all(path.startswith(str(folder)) for path in qa["video"])


def test_mixture_of_a_foreign_hub_dataset_downloads_the_videos_at_once(hub_dataset):
    from actionart_hf.training.arguments import DatasetSpec
    from actionart_hf.training.mixture import load_dataset_entry

    folder, downloads = hub_dataset
    spec = DatasetSpec.from_entry(
        {"path": "me/ActionArt", "name": "qa", "split": "test", "columns": {"video": "video"}}
    )
    examples = load_dataset_entry(spec)
    assert len(downloads) == 1 and all(video.startswith(str(folder)) for row in examples["videos"] for video in row)
