"""The lmms-eval task definition, exercised without lmms-eval: YAML parsed, utils functions called as lmms-eval
calls them (doc_to_visual / doc_to_text / process_results / aggregation) on the tiny benchmark."""

import importlib.util
import sys

import pytest
import yaml

from actionart_hf.integrations.lmms_eval import TASK_DIR, TASK_FILES, write_task_folder
from actionart_hf.integrations.lmms_eval.cli import main, make_parser
from actionart_hf.tasks import format_mcq_prompt


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!function", lambda loader, node: ("function", loader.construct_scalar(node)))


def _load_task(folder, name):
    config = yaml.load((folder / name).read_text(), Loader=_Loader)
    if "include" in config:
        base = yaml.load((folder / config.pop("include")).read_text(), Loader=_Loader)
        config = {**base, **config}
    return config


def _import_utils(folder):
    name = f"actionart_lmms_utils_{abs(hash(str(folder)))}"
    spec = importlib.util.spec_from_file_location(name, folder / "utils.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _functions(value):
    if isinstance(value, tuple) and value[0] == "function":
        yield value[1]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _functions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _functions(item)


@pytest.mark.parametrize(
    "task_file, task", [("actionart.yaml", "actionart"), ("actionart_circular.yaml", "actionart_circular")]
)
def test_yaml_tasks_reference_existing_functions(task_file, task):
    config = _load_task(TASK_DIR, task_file)
    assert config["task"] == task and config["output_type"] == "generate_until"
    assert config["dataset_path"] == "ACTIONART_DATASET" and config["dataset_name"] == "qa"
    assert config["generation_kwargs"]["do_sample"] is False
    assert [m["metric"] for m in config["metric_list"]][:2] == ["actionart_accuracy", "actionart_macro_accuracy"]
    utils = _import_utils(TASK_DIR)
    for reference in _functions(config):
        module, _, attribute = reference.partition(".")
        assert module == "utils" and callable(getattr(utils, attribute)), reference
    # every metric of the task gets a record from process_results
    record_keys = set(
        utils.actionart_process_results({"id": "x", "task": 0, "options": ["a", "b"], "answer": "A"}, ["A"])
    )
    assert record_keys == {m["metric"] for m in config["metric_list"]}


def _run_like_lmms_eval(folder, benchmark, scripted, circular=False):
    import datasets

    utils = _import_utils(folder)
    prompt_kwargs = _load_task(folder, "actionart.yaml")["lmms_eval_specific_kwargs"]["default"]
    docs = datasets.load_dataset(str(benchmark), "qa", split="test")  # what lmms-eval loads: relative video paths
    if circular:
        docs = utils.actionart_circular_docs(docs)
    results = {}
    for doc in docs:
        (video,) = utils.actionart_doc_to_visual(doc)
        assert video.startswith(str(benchmark)) and video.endswith(doc["video"])
        prompt = utils.actionart_doc_to_text(doc, prompt_kwargs)  # the task's default pre and post prompts
        assert prompt == format_mcq_prompt(doc["question"], doc["options"]) == utils.actionart_doc_to_text(doc)
        assert utils.actionart_doc_to_target(doc) == doc["answer"]
        for metric, record in utils.actionart_process_results(doc, [scripted.answer(prompt)]).items():
            results.setdefault(metric, []).append(record)
    return utils, {
        metric: getattr(utils, f"actionart_aggregate_{metric[len('actionart_') :]}")(records)
        for metric, records in results.items()
    }


def test_scores_like_the_runner(tiny_benchmark, tmp_path, scripted):
    folder = write_task_folder(tmp_path / "tasks", str(tiny_benchmark))
    assert sorted(p.name for p in folder.iterdir()) == sorted(TASK_FILES)
    assert _load_task(folder, "actionart.yaml")["dataset_path"] == str(tiny_benchmark)
    _, scores = _run_like_lmms_eval(folder, tiny_benchmark, scripted)
    assert scores["actionart_accuracy"] == pytest.approx(100 * scripted.plain["accuracy"])
    assert scores["actionart_macro_accuracy"] == pytest.approx(100 * scripted.plain["macro_accuracy"])
    for code, value in scripted.plain_tasks.items():
        assert scores[f"actionart_{code}"] == pytest.approx(100 * value), code


def test_circular_task(tiny_benchmark, tmp_path, scripted):
    folder = write_task_folder(tmp_path / "tasks", str(tiny_benchmark))
    _, scores = _run_like_lmms_eval(folder, tiny_benchmark, scripted, circular=True)
    assert scores["actionart_accuracy"] == pytest.approx(100 * scripted.circular["accuracy"])
    assert scores["actionart_MV"] == 0.0


def test_writer_and_placeholder_errors(tiny_benchmark, tmp_path, monkeypatch, capsys):
    argv = ["--dataset", "org/ActionArt", "--output", str(tmp_path / "hub"), "--split", "validation"]
    args = make_parser().parse_args(argv)
    assert main(args) == 0
    config = _load_task(tmp_path / "hub", "actionart_circular.yaml")
    assert (config["dataset_path"], config["test_split"]) == ("org/ActionArt", "validation")
    assert "--include_path" in capsys.readouterr().out
    with pytest.raises(ValueError, match="already holds"):
        write_task_folder(tmp_path / "hub", "org/ActionArt")
    with pytest.raises(ValueError, match="neither a local folder nor a Hub dataset id"):
        write_task_folder(tmp_path / "bad", "not a dataset")
    monkeypatch.delenv("ACTIONART_LMMS_DATASET", raising=False)
    utils = _import_utils(TASK_DIR)
    with pytest.raises(ValueError, match="has no dataset"):
        utils.actionart_doc_to_visual({"id": "q", "video": "videos/v0.mp4"})
    monkeypatch.setenv("ACTIONART_LMMS_DATASET", str(tiny_benchmark))
    utils = _import_utils(TASK_DIR)
    assert utils.actionart_doc_to_visual({"id": "q", "video": "videos/v0.mp4"}) == [
        str(tiny_benchmark / "videos/v0.mp4")
    ]


def test_hub_videos_come_from_lmms_evals_video_cache(tiny_benchmark, tmp_path, monkeypatch):
    """A Hub dataset's videos are fetched once by lmms-eval (`dataset_kwargs: {video: True, cache_dir}`, linked as
    `$HF_HOME/<cache_dir>`), never one download per item; a local folder is read in place."""
    import huggingface_hub

    hub = write_task_folder(tmp_path / "hub", "org/ActionArt")
    kwargs = _load_task(hub, "actionart.yaml")["dataset_kwargs"]
    assert kwargs == {"token": True, "video": True, "cache_dir": "actionart", "create_link": True}
    assert (
        "video"
        not in _load_task(write_task_folder(tmp_path / "local", str(tiny_benchmark)), "actionart.yaml")[
            "dataset_kwargs"
        ]
    )
    monkeypatch.delenv("ACTIONART_LMMS_DATASET", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", None)  # not called per item
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "actionart").symlink_to(tiny_benchmark)  # what lmms-eval's create_link leaves
    utils = _import_utils(hub)
    assert utils.actionart_doc_to_visual({"id": "q", "video": "videos/v0.mp4"}) == [
        str(tmp_path / "hf" / "actionart" / "videos/v0.mp4")
    ]
    with pytest.raises(ValueError, match="video cache"):
        utils.actionart_doc_to_visual({"id": "q", "video": "videos/missing.mp4"})


def test_answer_instruction_is_the_post_prompt():
    """The instruction sits in `lmms_eval_specific_kwargs.post_prompt`, so a model's entry can replace it."""
    from actionart_hf.tasks import MCQ_INSTRUCTION

    config = _load_task(TASK_DIR, "actionart.yaml")
    assert config["lmms_eval_specific_kwargs"]["default"] == {"pre_prompt": "", "post_prompt": f"\n{MCQ_INSTRUCTION}"}
    utils = _import_utils(TASK_DIR)
    doc = {"question": "How many jumps ?", "options": ["2", "3"]}
    custom = utils.actionart_doc_to_text(doc, {"pre_prompt": "", "post_prompt": "\nThink, then answer."})
    assert custom == "How many jumps ?\nA. 2\nB. 3\nThink, then answer." and MCQ_INSTRUCTION not in custom
