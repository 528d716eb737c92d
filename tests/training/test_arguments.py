"""Argument checks and mixtures: a bad recipe fails with a clear error before any model or training."""

import json

import pytest
import yaml

from actionart_hf import load_actionart
from actionart_hf.training.arguments import ActionArtTrainingArguments, DatasetSpec
from actionart_hf.training.mixture import load_mixture, sample_by_weight
from actionart_hf.training.sft import parse_args


def write_recipe(tmp_path, **overrides):
    recipe = {
        "model_name_or_path": str(tmp_path / "model"),
        "output_dir": str(tmp_path / "out"),
        "bf16": False,
        "activation_checkpointing": False,
        "report_to": "none",
        "dataset_mixture": [{"path": str(tmp_path), "name": "qa"}],
    }
    recipe.update(overrides)
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe))
    return path


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"path": "x", "name": "qa", "weight": 0}, "must be > 0"),
        ({"path": "x", "name": "qa", "weight": -1.5}, "must be > 0"),
        ({"path": "x", "name": "qa", "weight": "heavy"}, "is not a number"),
        ({"path": "x", "name": "motion"}, "has name 'motion', which is not a config we can train on"),
        ({"path": "x", "name": "motion", "format": "motion"}, "has no chat conversion"),
        ({"path": "x"}, "has neither `name` nor `format`"),
        ({"name": "qa"}, "has no `path`"),
        ({"path": "x", "name": "qa", "colums": {}}, "unknown keys ['colums']"),
        ({"path": "x", "name": "qa", "columns": [3]}, "must map our column names"),
        ({"path": "x", "name": "qa", "fraction": 0.5, "weight": 2}, "both fraction=0.5"),
        ({"path": "x", "name": "qa", "fraction": 0}, "fraction=0 must be a positive number"),
        ({"path": "x", "name": "qa", "tasks": ["GS", "XYZ"]}, "tasks: Unknown ActionArt task 'XYZ'"),
        ({"path": "x", "name": "qa", "tasks": []}, "tasks is empty"),
        ({"path": "x", "name": "qa", "answer": "word"}, "answer='word'; use one of ['letter', 'option']"),
        ({"path": "x", "name": "captions", "answer": "option"}, "applies to multiple-choice rows"),
    ],
)
def test_bad_mixture_entries(entry, message):
    with pytest.raises(ValueError, match="dataset_mixture\\[0\\]") as error:
        ActionArtTrainingArguments(dataset_mixture=[entry])
    assert message in str(error.value)


def test_cli_entries_and_aliases():
    args = ActionArtTrainingArguments(dataset_mixture=["data/proxy:pd:0.5", '{"path": "d", "name": "sd"}'])
    assert [(s.path, s.name, s.format, s.weight) for s in args.dataset_mixture] == [
        ("data/proxy", "pd", "pose_description", 0.5),
        ("d", "sd", "spatial_difference", 1.0),
    ]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_frames": 0}, "num_frames=0"),
        ({"loss_on": "answer"}, "loss_on='answer'"),
        ({"vision_tower_lr": -1.0}, "vision_tower_lr=-1.0"),
        ({"freeze_vision_tower": True, "vision_tower_lr": 1e-5}, "freeze_vision_tower=true"),
        ({"video_backend": "opencv"}, "video_backend='opencv'"),
    ],
)
def test_bad_actionart_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", "\\(").replace("[", "\\[")):
        ActionArtTrainingArguments(**kwargs)


def test_unknown_recipe_key_fails(tmp_path):
    with pytest.raises(ValueError, match="num_frame"):
        parse_args([str(write_recipe(tmp_path, num_frame=4))])


def test_cross_checks(tmp_path):
    with pytest.raises(ValueError, match="nothing would train"):
        parse_args(
            [str(write_recipe(tmp_path, freeze_vision_tower=True, freeze_projector=True, freeze_language_model=True))]
        )
    with pytest.raises(ValueError, match="No training data"):
        parse_args([str(write_recipe(tmp_path, dataset_mixture=None))])
    with pytest.raises(ValueError, match="assistant_only_loss"):
        parse_args([str(write_recipe(tmp_path, assistant_only_loss=True))])
    with pytest.raises(ValueError, match="not found"):
        parse_args([str(tmp_path / "missing.yaml")])
    # command-line flags override the YAML; the recipe may come positionally
    *_, actionart_args = parse_args([str(write_recipe(tmp_path)), "--num_frames", "3"])
    assert actionart_args.num_frames == 3


def test_unknown_dataset(tmp_path):
    with pytest.raises(ValueError, match="neither a local folder nor a dataset"):
        load_mixture([DatasetSpec.from_entry({"path": str(tmp_path / "nowhere"), "name": "qa"})])
    with pytest.raises(ValueError, match="neither a local folder nor a dataset"):
        load_mixture([DatasetSpec.from_entry({"path": "no-such-org/no-such-dataset", "name": "qa"})])


def test_unknown_config(tiny_data):
    with pytest.raises(ValueError, match="has no config 'captionz'.*available configs"):
        load_mixture([DatasetSpec.from_entry({"path": str(tiny_data), "name": "captionz", "format": "captions"})])


def test_missing_video_column(tiny_data):
    spec = DatasetSpec.from_entry({"path": str(tiny_data), "name": "pose_description", "format": "qa"})
    with pytest.raises(ValueError, match=r"needs the column\(s\) \['video', 'question', 'options', 'answer'\]"):
        load_mixture([spec])
    spec = DatasetSpec.from_entry({"path": str(tiny_data), "name": "qa", "columns": {"video": "clip"}})
    with pytest.raises(ValueError, match=r"maps from \['clip'\]"):
        load_mixture([spec])


def test_mixture_formats_weights_and_column_mapping(tiny_data):
    specs = [
        DatasetSpec.from_entry({"path": str(tiny_data), "name": "qa", "weight": 1.5}),
        DatasetSpec.from_entry({"path": str(tiny_data), "name": "fgqa", "weight": 0.25}),
        DatasetSpec.from_entry({"path": str(tiny_data), "name": "captions"}),
        DatasetSpec.from_entry({"path": str(tiny_data), "name": "pd", "weight": 2}),
        DatasetSpec.from_entry({"path": str(tiny_data), "name": "sd"}),
        # a foreign spelling: the caption read from the column `question`
        DatasetSpec.from_entry(
            {"path": str(tiny_data), "name": "qa", "format": "captions", "columns": {"caption": "question"}}
        ),
    ]
    mixture = load_mixture(specs)
    counts = {}
    for source in mixture["source"]:
        counts[source] = counts.get(source, 0) + 1
    assert list(counts.values()) == [24, 4, 16, 16, 8, 16]  # weights 1.5, 0.25, 1, 2, 1, 1
    as_captions = mixture[len(mixture) - 1]
    assert "Describe in detail" in as_captions["messages"] and "What does the person do" in as_captions["messages"]
    row = mixture[0]
    assert row["videos"][0].endswith("videos/v0.mp4") and row["videos"][0].startswith("/")
    pd_rows = [r for r in mixture if "pose_description" in r["source"]]
    assert len(pd_rows[0]["images"]) == 1 and pd_rows[0]["images"][0]["bytes"][:4] == b"\x89PNG"


def test_task_filter(tiny_data):
    # the tiny qa rows cycle through the 8 task ids; a full name and an alias both select
    spec = DatasetSpec.from_entry(
        {"path": str(tiny_data), "name": "qa", "tasks": ["GS", "Local Spatial Understanding"]}
    )
    assert spec.tasks == ["GS", "LS"]
    mixture = load_mixture([spec])
    assert len(mixture) == 4  # 16 rows, 2 of each task
    spec = DatasetSpec.from_entry({"path": str(tiny_data), "name": "captions", "tasks": ["GS"]})
    with pytest.raises(ValueError, match="has no `task` column"):
        load_mixture([spec])


def test_option_text_answers(tiny_data):
    spec = DatasetSpec.from_entry({"path": str(tiny_data), "name": "qa", "answer": "option"})
    mixture = load_mixture([spec])
    rows = load_actionart(tiny_data, "qa", split="train")
    assert len(mixture) == len(rows)
    for example, row in zip(mixture, rows):
        answer = json.loads(example["messages"])[-1]["content"][0]["text"]
        assert answer == row["options"]["ABCDEF".index(row["answer"])]
    letters = load_mixture([DatasetSpec.from_entry({"path": str(tiny_data), "name": "qa"})])
    assert json.loads(letters[0]["messages"])[-1]["content"][0]["text"] == rows[0]["answer"]


def test_sample_by_weight():
    import numpy as np

    rng = np.random.default_rng(0)
    assert len(sample_by_weight(10, 1.0, rng)) == 10
    twice_and_half = sample_by_weight(10, 2.5, rng)
    assert len(twice_and_half) == 25 and np.bincount(twice_and_half).min() >= 2
    assert len(set(sample_by_weight(10, 0.5, rng))) == 5


def test_resume_choice(tmp_path):
    from types import SimpleNamespace

    from actionart_hf.training.stage import resume_checkpoint

    out = tmp_path / "run"
    (out / "checkpoint-2").mkdir(parents=True)
    (out / "checkpoint-10").mkdir()

    def choice(value):
        return resume_checkpoint(SimpleNamespace(resume_from_checkpoint=value, output_dir=str(out)))

    assert choice(None).endswith("checkpoint-10")  # found in output_dir
    assert choice("true").endswith("checkpoint-10")
    assert choice("false") is None  # start over
    assert choice(str(out / "checkpoint-2")).endswith("checkpoint-2")
    with pytest.raises(ValueError, match="is not a checkpoint folder"):
        choice(str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="holds no checkpoint"):
        resume_checkpoint(SimpleNamespace(resume_from_checkpoint="true", output_dir=str(tmp_path / "empty")))


def test_recipe_mapping_is_parsed_like_a_yaml_file(tmp_path):
    from actionart_hf.training import load_recipe, parse_recipe

    recipe = load_recipe(write_recipe(tmp_path, num_frames=5))
    from_mapping = parse_recipe(recipe, ["--max_steps", "3"])
    from_file = parse_args([str(tmp_path / "recipe.yaml"), "--max_steps", "3"])
    assert from_mapping == from_file
    assert from_mapping[1].max_steps == 3 and from_mapping[3].num_frames == 5
    with pytest.raises(ValueError, match="num_frame"):
        parse_recipe({**recipe, "num_frame": 4})
    with pytest.raises(ValueError, match="nothing would train"):
        parse_recipe({**recipe, "freeze_vision_tower": True, "freeze_projector": True, "freeze_language_model": True})


def test_trl_mixture_spelling(tiny_data, tmp_path):
    """TRL's `DatasetMixtureConfig` spelling (top-level `datasets:`, `columns` as a list, `fraction`) gives the
    same specs as ours, and `fraction` keeps TRL's rule (first rows, shares normalised, no oversampling)."""
    from trl.scripts.utils import DatasetConfig, DatasetMixtureConfig

    from actionart_hf.training import parse_recipe
    from actionart_hf.training.trl_mixture import fraction_row_counts

    data = str(tiny_data)
    trl_entries = [
        {"path": data, "name": "qa", "columns": ["video", "question", "options", "answer"], "fraction": 3},
        {"path": data, "name": "captions", "split": "train", "fraction": 1},
    ]
    base = {"model_name_or_path": "x", "output_dir": str(tmp_path / "out"), "report_to": "none", "bf16": False}
    specs = parse_recipe({**base, "datasets": trl_entries, "streaming": False})[3].dataset_mixture
    assert [(s.path, s.name, s.fraction) for s in specs] == [(data, "qa", 3), (data, "captions", 1)]
    assert specs[0].columns == {c: c for c in ("video", "question", "options", "answer")}
    nested = parse_recipe({**base, "dataset_mixture": {"datasets": trl_entries}})[3].dataset_mixture
    as_object = ActionArtTrainingArguments(
        dataset_mixture=DatasetMixtureConfig(datasets=[DatasetConfig(**entry) for entry in trl_entries])
    ).dataset_mixture
    assert nested == specs == as_object

    lengths = [len(load_actionart(data, "qa", "train")), len(load_actionart(data, "captions", "train"))]
    counts = fraction_row_counts(lengths, [3, 1])
    mixture = load_mixture(specs)
    assert len(mixture) == sum(counts) and counts == [lengths[0], round(lengths[0] / 3)]  # all of qa, a third of it
    assert fraction_row_counts([10, 100], [0.5, 0.5]) == [10, 10] and fraction_row_counts([4, 4], [1, 1]) == [4, 4]


@pytest.mark.parametrize(
    "recipe, message",
    [
        ({"datasets": [{"path": "x", "name": "qa"}], "streaming": True}, "streaming=true is not supported"),
        ({"datasets": [{"path": "x", "name": "qa"}], "test_split_size": 0.1}, "eval_dataset_mixture"),
        ({"datasets": [{"path": "x", "name": "qa"}], "dataset_mixture": [{"path": "x", "name": "qa"}]}, "keep one"),
        ({"datasets": [{"path": "x", "name": "qa", "fraction": 1}, {"path": "x", "name": "fgqa"}]}, "for none"),
    ],
)
def test_bad_trl_mixtures(tmp_path, recipe, message):
    from actionart_hf.training import parse_recipe

    with pytest.raises(ValueError, match=message):
        parse_recipe({"model_name_or_path": "x", "output_dir": str(tmp_path / "out"), "bf16": False, **recipe})
