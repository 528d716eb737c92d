"""A saved tiny ActionArt checkpoint loads with the Auto classes and `trust_remote_code=True` in a Python process
where `actionart_hf` cannot be imported, and answers a video question through `generate`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import torch


REMOTE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.modules["actionart_hf"] = None  # `import actionart_hf` now fails, as where the package is not installed
    import numpy as np
    from transformers import AutoConfig, AutoModelForImageTextToText, AutoProcessor

    folder = sys.argv[1]
    try:
        import actionart_hf  # noqa: F401
        raise SystemExit("actionart_hf is importable")
    except ImportError:
        pass
    config = AutoConfig.from_pretrained(folder, trust_remote_code=True)
    model = AutoModelForImageTextToText.from_pretrained(folder, trust_remote_code=True)
    processor = AutoProcessor.from_pretrained(folder, trust_remote_code=True)
    question = {"type": "text", "text": "What does the person do ?"}
    messages = [{"role": "user", "content": [{"type": "video"}, question]}]
    prompt = processor.apply_chat_template(messages, add_generation_prompt=True)
    frames = np.random.default_rng(0).integers(0, 256, size=(6, 40, 48, 3), dtype=np.uint8)
    inputs = processor(text=prompt, videos=[frames], return_tensors="pt")
    output = model.generate(**inputs, max_new_tokens=4, do_sample=False)
    print(json.dumps({
        "classes": [type(obj).__module__ + "." + type(obj).__name__ for obj in (config, model, processor)],
        "video_processor": type(processor.video_processor).__module__,
        "loaded": sorted(n for n, m in sys.modules.items() if n.startswith("actionart_hf") and m is not None),
        "new_tokens": output[0, inputs["input_ids"].shape[1]:].tolist(),
        "answer": processor.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True),
    }))
    """
)


def test_trust_remote_code_without_the_package(tiny, messages, tmp_path):
    model, processor = tiny
    folder = tmp_path / "tiny-actionart"
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    saved = sorted(path.name for path in folder.iterdir())
    for code_file in (
        "configuration_actionart.py",
        "modeling_actionart.py",
        "processing_actionart.py",
        "video_processing_actionart.py",
    ):
        assert code_file in saved
    auto_map = json.loads((folder / "config.json").read_text())["auto_map"]
    assert auto_map == {
        "AutoConfig": "configuration_actionart.ActionArtConfig",
        "AutoModelForImageTextToText": "modeling_actionart.ActionArtForConditionalGeneration",
    }
    processor_config = json.loads((folder / "processor_config.json").read_text())
    assert processor_config["auto_map"] == {"AutoProcessor": "processing_actionart.ActionArtProcessor"}

    # The same question in this process, for comparison.
    prompt = processor.apply_chat_template(messages(), add_generation_prompt=True)
    video = np.random.default_rng(0).integers(0, 256, size=(6, 40, 48, 3), dtype=np.uint8)
    inputs = processor(text=prompt, videos=[video], return_tensors="pt")
    with torch.no_grad():
        expected = model.generate(**inputs, max_new_tokens=4, do_sample=False)[0, inputs["input_ids"].shape[1] :]

    script = tmp_path / "load_remote.py"
    script.write_text(REMOTE_SCRIPT)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env.update({"HF_HOME": str(tmp_path / "hf_home"), "HF_HUB_OFFLINE": "1"})
    result = subprocess.run(
        [sys.executable, "-I", str(script), str(folder)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert all(name.startswith("transformers_modules.") for name in report["classes"]), report["classes"]
    assert report["video_processor"].startswith("transformers_modules.")
    assert report["new_tokens"] == expected.tolist()
    assert isinstance(report["answer"], str)
