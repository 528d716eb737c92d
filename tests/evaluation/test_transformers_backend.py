"""The transformers backend on tiny LLaVA-OneVision and Qwen2-VL models built offline from configs (random weights, a
word-level tokenizer built in code): plumbing through the processors' chat templates, batching, resumption, files.

transformers' video processors (and so these processors) need torchvision; without it the tests are skipped.
"""

import json

import pytest

from actionart_hf.evaluation import evaluate_model


pytest.importorskip("torchvision", reason="transformers video processors need torchvision, which is not installed")

SPECIAL = ["<pad>", "<unk>", "<|im_start|>", "<|im_end|>", "<image>", "<video>"]
SPECIAL += ["<|vision_start|>", "<|vision_end|>", "<|video_pad|>", "<|image_pad|>"]
WORDS = "A B C D E F The answer is a the of to and what which how many when where does do person hand".split()
WORDS += "user assistant . , ? : ( ) Answer with option's letter from given choices directly".split()

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'video' %}<VIDEO>{% elif part['type'] == 'image' %}<IMAGE>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(SPECIAL + WORDS)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        unk_token="<unk>",
        pad_token="<pad>",
        eos_token="<|im_end|>",
        additional_special_tokens=SPECIAL[2:],
    )


def _text_config(vocab_size: int, **extra) -> dict:
    return dict(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=vocab_size,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=3,
        pad_token_id=0,
        **extra,
    )


def build_tiny_llava_onevision(folder):
    import torch
    from transformers import (
        LlavaOnevisionConfig,
        LlavaOnevisionForConditionalGeneration,
        LlavaOnevisionImageProcessor,
        LlavaOnevisionProcessor,
        LlavaOnevisionVideoProcessor,
        Qwen2Config,
        SiglipVisionConfig,
    )

    tokenizer = _tokenizer()
    config = LlavaOnevisionConfig(
        vision_config=SiglipVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            image_size=32,
            patch_size=8,
        ),
        text_config=Qwen2Config(**_text_config(len(tokenizer))),
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
        video_token_id=tokenizer.convert_tokens_to_ids("<video>"),
        vision_feature_select_strategy="full",
        vision_feature_layer=-1,
        image_grid_pinpoints=[[32, 32]],
    )
    torch.manual_seed(0)
    model = LlavaOnevisionForConditionalGeneration(config)
    model.generation_config.pad_token_id, model.generation_config.eos_token_id = 0, 3
    processor = LlavaOnevisionProcessor(
        image_processor=LlavaOnevisionImageProcessor(
            size={"height": 32, "width": 32}, image_grid_pinpoints=[[32, 32]]
        ),
        tokenizer=tokenizer,
        video_processor=LlavaOnevisionVideoProcessor(size={"height": 32, "width": 32}),
        num_image_tokens=16,  # (32 / 8) ** 2 patches
        vision_feature_select_strategy="full",
        chat_template=CHAT_TEMPLATE.replace("<VIDEO>", "<video>").replace("<IMAGE>", "<image>"),
    )
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def build_tiny_qwen2_vl(folder):
    import torch
    from transformers import (
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen2VLImageProcessor,
        Qwen2VLProcessor,
        Qwen2VLVideoProcessor,
    )

    tokenizer = _tokenizer()
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL}
    rope = {"rope_type": "default", "mrope_section": [2, 1, 1], "rope_theta": 10000.0}  # sums to head_dim / 2 = 4
    config = Qwen2VLConfig(
        vision_config=dict(
            depth=2,
            embed_dim=32,
            hidden_size=32,
            num_heads=4,
            mlp_ratio=2,
            patch_size=4,
            spatial_merge_size=2,
            temporal_patch_size=2,
            in_channels=3,
        ),
        text_config=_text_config(len(tokenizer), rope_parameters=rope),
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
    )
    torch.manual_seed(0)
    model = Qwen2VLForConditionalGeneration(config)
    model.generation_config.pad_token_id, model.generation_config.eos_token_id = 0, 3
    sizes = dict(patch_size=4, merge_size=2, temporal_patch_size=2, min_pixels=16 * 16, max_pixels=32 * 32)
    processor = Qwen2VLProcessor(
        image_processor=Qwen2VLImageProcessor(**sizes),
        tokenizer=tokenizer,
        video_processor=Qwen2VLVideoProcessor(**sizes),
        chat_template=CHAT_TEMPLATE.replace("<VIDEO>", "<|vision_start|><|video_pad|><|vision_end|>").replace(
            "<IMAGE>", "<|vision_start|><|image_pad|><|vision_end|>"
        ),
    )
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module", params=["llava_onevision", "qwen2_vl"])
def tiny_vlm(request, tmp_path_factory):
    build = {"llava_onevision": build_tiny_llava_onevision, "qwen2_vl": build_tiny_qwen2_vl}[request.param]
    return build(tmp_path_factory.mktemp(request.param))


def test_evaluates_a_tiny_vlm_end_to_end(tiny_vlm, tiny_benchmark, tmp_path):
    out = tmp_path / "eval"
    kwargs = dict(backend="transformers", output_dir=out, num_frames=4, batch_size=3, bootstrap_samples=0)
    kwargs["backend_kwargs"] = {"max_new_tokens": 3}
    result = evaluate_model(str(tiny_vlm), str(tiny_benchmark), limit=7, progress=False, **kwargs)
    assert result.num_asked == 7 and result.metrics["num_questions"] == 7
    assert 0.0 <= result.metrics["accuracy"] <= 1.0 and 0.0 <= result.metrics["answered_rate"] <= 1.0
    records = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == [f"q{i}" for i in range(7)]
    assert all(isinstance(r["output"], str) for r in records)  # random weights: garbage, but text
    run = json.loads((out / "run.json").read_text())
    assert run["backend"]["backend"] == "transformers" and run["backend"]["dtype"] == "float32"
    assert run["backend"]["model_class"].endswith("ForConditionalGeneration")
    assert (out / "per_task.png").exists() and (out / "model_index.json").exists()

    # Resuming with more questions asks only the new ones (q7-q9, including the 3-frame video).
    more = evaluate_model(str(tiny_vlm), str(tiny_benchmark), progress=False, **kwargs)
    assert more.num_asked == 3 and more.metrics["num_questions"] == 10
    again = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert again[:7] == records


def test_greedy_answers_do_not_depend_on_batching(tiny_vlm, tiny_benchmark, tmp_path):
    from actionart_hf.evaluation.backends.transformers_backend import TransformersBackend

    backend = TransformersBackend(str(tiny_vlm), max_new_tokens=3)
    outputs = []
    for batch_size in (1, 5):
        out = tmp_path / f"batch{batch_size}"
        evaluate_model(
            backend,
            str(tiny_benchmark),
            batch_size=batch_size,
            output_dir=out,
            num_frames=4,
            limit=6,
            bootstrap_samples=0,
            plot=False,
            progress=False,
        )
        outputs.append([json.loads(line)["output"] for line in (out / "predictions.jsonl").read_text().splitlines()])
    assert outputs[0] == outputs[1]
