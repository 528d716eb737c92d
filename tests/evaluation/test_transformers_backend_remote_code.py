"""The generic transformers backend on a Hub-style checkpoint that needs no torchvision: a tiny ActionArt model saved
with its remote code, loaded through `AutoModelForImageTextToText` / `AutoProcessor` with `trust_remote_code`.

This keeps the generic path tested where transformers' own video processors (LLaVA-OneVision, Qwen2-VL) cannot be
built because torchvision is missing (see test_transformers_backend.py, which covers those where it is installed).
"""

import json

from actionart_hf.evaluation import evaluate_model


def test_generic_backend_on_a_remote_code_checkpoint(tiny_benchmark, tmp_path):
    from actionart_hf.models.tiny import build_tiny_actionart

    model, processor = build_tiny_actionart(texts=["What does the person do ?"], num_frames=4)
    model.save_pretrained(tmp_path / "model")
    processor.save_pretrained(tmp_path / "model")
    out = tmp_path / "eval"
    kwargs = dict(backend="transformers", output_dir=out, num_frames=4, batch_size=2, bootstrap_samples=0)
    kwargs["backend_kwargs"] = {"max_new_tokens": 2, "trust_remote_code": True}
    result = evaluate_model(str(tmp_path / "model"), str(tiny_benchmark), limit=4, progress=False, **kwargs)
    assert result.num_asked == 4 and result.metrics["num_questions"] == 4
    run = json.loads((out / "run.json").read_text())
    assert run["backend"]["backend"] == "transformers"
    assert run["backend"]["model_class"] == "ActionArtForConditionalGeneration"
    assert evaluate_model(str(tmp_path / "model"), str(tiny_benchmark), progress=False, **kwargs).num_asked == 6
