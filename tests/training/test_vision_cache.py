"""The frozen-tower feature cache: same loss as decoding, nothing decoded, stale files refused, SFT runs on it."""

import pytest
import torch
from transformers import AutoModelForImageTextToText, AutoProcessor

from actionart_hf.training.arguments import DatasetSpec
from actionart_hf.training.collator import ActionArtDataCollator
from actionart_hf.training.mixture import load_mixture
from actionart_hf.training.sft import main, parse_args
from actionart_hf.training.vision_cache import (
    compute_vision_features,
    describe_cache,
    load_vision_features,
    prepare_vision_features,
)


@pytest.fixture(scope="module")
def model_and_processor(tiny_base):
    import actionart_hf.models.actionart  # noqa: F401

    model = AutoModelForImageTextToText.from_pretrained(tiny_base, trust_remote_code=True).eval()
    return model, AutoProcessor.from_pretrained(tiny_base)


@pytest.fixture(scope="module")
def rows(tiny_data):
    names = ["qa", "captions", "pose_description"]
    return load_mixture([DatasetSpec.from_entry({"path": str(tiny_data), "name": n, "max_samples": 4}) for n in names])


def video_rows(rows):
    return [row for row in rows if row["videos"]]


def test_cached_batch_gives_the_same_loss_without_decoding(model_and_processor, rows, monkeypatch):
    model, processor = model_and_processor
    examples = video_rows(rows)[:4]
    paths = [path for row in examples for path in row["videos"]]
    features = compute_vision_features(model, processor, paths, num_frames=4, max_pixels=4096, show_progress=False)
    assert set(features) == set(paths) and features[paths[0]].dtype == torch.float16
    plain = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096)(examples)
    cached_collator = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096, vision_features=features)

    def no_decoding(*args, **kwargs):
        raise AssertionError("a cached batch must not decode videos")

    monkeypatch.setattr("actionart_hf.training.collator.load_video", no_decoding)
    cached = cached_collator(examples)
    assert "pixel_values_videos" not in cached
    for key in ("input_ids", "attention_mask", "labels", "video_num_frames"):
        assert torch.equal(plain[key], cached[key]), key
    with torch.no_grad():
        expected, got = model(**plain).loss, model(**cached).loss
    assert torch.allclose(expected, got, atol=1e-3), (expected, got)  # float16 storage of the features


def test_features_keep_every_decoded_frame(model_and_processor, rows):
    """num_frames=6 above the processor's saved 4: the tower encodes all 6 frames, not a second sampling of them."""
    model, processor = model_and_processor
    assert processor.video_processor.num_frames == 4
    path = video_rows(rows)[0]["videos"][0]
    features = compute_vision_features(model, processor, [path], num_frames=6, max_pixels=4096, show_progress=False)
    assert features[path].shape[0] == 6


def test_batches_with_images_or_uncached_videos_are_decoded(model_and_processor, rows):
    model, processor = model_and_processor
    first = video_rows(rows)[0]
    features = compute_vision_features(model, processor, first["videos"], 4, 4096, show_progress=False)
    collator = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096, vision_features=features)
    image_row = next(row for row in rows if row["images"])
    other = next(row for row in video_rows(rows) if row["videos"] != first["videos"])
    for batch in ([first, image_row], [first, other]):
        assert not collator.uses_cached_features(batch)
        assert "pixel_values_videos" in collator(batch)
    assert "video_vision_features" in collator([first])


def test_prepare_reuses_and_refuses_stale_files(model_and_processor, rows, tmp_path):
    model, processor = model_and_processor
    paths = [path for row in video_rows(rows) for path in row["videos"]]
    cache = tmp_path / "features.safetensors"
    first = prepare_vision_features(cache, model, processor, paths[:1], 4, 4096, show_progress=False)
    both = prepare_vision_features(cache, model, processor, paths, 4, 4096, show_progress=False)
    assert torch.equal(first[paths[0]], both[paths[0]]) and set(both) == set(paths)
    assert set(load_vision_features(cache, describe_cache(model, 4, 4096, "auto"))) == set(paths)
    with pytest.raises(ValueError, match="num_frames: file '4' vs now '3'.*delete it"):
        prepare_vision_features(cache, model, processor, paths, 3, 4096, show_progress=False)
    changed = AutoModelForImageTextToText.from_pretrained(model.name_or_path, trust_remote_code=True)
    with torch.no_grad():
        next(changed.model.vision_tower.parameters()).add_(1.0)
    with pytest.raises(ValueError, match="tower: file"):
        prepare_vision_features(cache, changed, processor, paths, 4, 4096, show_progress=False)


def test_sft_with_a_feature_cache(tiny_data, tiny_base, tmp_path, make_recipe):
    cache = tmp_path / "features.safetensors"
    mixture = [{"path": str(tiny_data), "name": "qa"}]
    recipe = make_recipe(
        tmp_path / "cached.yaml", tiny_base, tmp_path / "out", mixture, freeze_vision_tower=True,
        vision_feature_cache=str(cache), max_steps=2,
    )  # fmt: skip
    main(parse_args([recipe]))
    assert cache.exists() and (tmp_path / "out" / "model.safetensors").exists()
    model = AutoModelForImageTextToText.from_pretrained(tiny_base, trust_remote_code=True)
    assert len(load_vision_features(cache, describe_cache(model, 4, 4096, "auto"))) == 4  # the four videos


def test_cache_needs_a_frozen_tower(tiny_data, tiny_base, tmp_path, make_recipe):
    recipe = make_recipe(
        tmp_path / "bad.yaml", tiny_base, tmp_path / "out", [{"path": str(tiny_data), "name": "qa"}],
        vision_feature_cache=str(tmp_path / "f.safetensors"),
    )  # fmt: skip
    with pytest.raises(ValueError, match="needs freeze_vision_tower: true"):
        main(parse_args([recipe]))
