"""Fixtures for the proxy tests: a real OpenAI-compatible server on 127.0.0.1, tiny videos in the source layouts
(NTU RGB+D, Kinetics, plain folder), a tiny synthetic folder, a tiny captions folder, and a tiny random LLaVA saved
offline."""

from pathlib import Path

import numpy as np
import pytest


def clip_frames(num_frames: int = 8, height: int = 24, width: int = 32, seed: int = 0) -> np.ndarray:
    """Frames whose red channel encodes the frame index (20 * t), on a per-video random background."""
    rng = np.random.default_rng(seed)
    frames = np.zeros((num_frames, height, width, 3), dtype=np.uint8)
    frames[..., 2] = rng.integers(0, 120)
    for t in range(num_frames):
        frames[t, :, :, 0] = min(255, 20 * t)
        frames[t, : height // 2, : width // 3, 1] = 40 + 20 * (seed % 8)
    return frames


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    """A synthetic folder of 4 clips (32x32, 24 frames at 4 fps, `test` split) written by `actionart-hf synth`."""
    from actionart_hf.cli import main as cli_main

    folder = tmp_path_factory.mktemp("synth") / "synth"
    args = ["synth", "--num-videos", "4", "--out", str(folder), "--resolution", "32", "--num-frames", "24"]
    assert cli_main([*args, "--fps", "4", "--seed", "3"]) == 0
    return folder


@pytest.fixture
def make_clip():
    """`make_clip(path, num_frames=8, seed=0, codec=...)` writes a real tiny video and returns its path."""
    from actionart_hf.video import write_video

    def make(path: Path, num_frames: int = 8, seed: int = 0, height: int = 24, width: int = 32) -> Path:
        codec = "mpeg4" if Path(path).suffix == ".avi" else "libx264"
        return write_video(path, clip_frames(num_frames, height, width, seed), fps=8.0, codec=codec)

    return make


@pytest.fixture
def ntu_dir(tmp_path, make_clip) -> Path:
    root = tmp_path / "nturgbd_rgb"
    for i, name in enumerate(["S001C001P001R001A001", "S001C002P003R002A008", "S017C003P020R001A120"]):
        make_clip(root / f"{name}_rgb.avi", seed=i)
    (root / "README.txt").write_text("not a video")
    return root


@pytest.fixture
def kinetics_dir(tmp_path, make_clip) -> Path:
    """`train/<class>/<youtube_id>_<start>_<end>.mp4` plus `train.csv` listing three of the four clips."""
    root = tmp_path / "k700"
    clips = [
        ("abseiling", "aaaaaaaaaaa", 10, 20),
        ("abseiling", "bbbbbbbbbbb", 0, 10),
        ("playing guitar", "ccccccccccc", 5, 15),
        ("playing guitar", "ddddddddddd", 30, 40),
    ]
    for i, (label, youtube_id, start, end) in enumerate(clips):
        make_clip(root / "train" / label.replace(" ", "_") / f"{youtube_id}_{start:06d}_{end:06d}.mp4", seed=10 + i)
    lines = ["label,youtube_id,time_start,time_end,split"]
    lines += [f"{label},{yid},{start},{end},train" for label, yid, start, end in clips[:3]]
    lines.append("abseiling,eeeeeeeeeee,0,10,train")  # listed but missing on disk
    (root / "train.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def folder_dir(tmp_path, make_clip) -> Path:
    root = tmp_path / "my_videos"
    for i in range(4):
        make_clip(root / ("nested" if i % 2 else "") / f"clip{i}.mp4", num_frames=10, seed=20 + i)
    return root


@pytest.fixture
def captions_dir(tmp_path, make_clip) -> Path:
    """A Hub folder with a `captions` config: two videos with time-stamped events (v0's caption also states the start
    and end pose), one with a caption only."""
    import datasets

    from actionart_hf.data.hub_folder import write_split
    from actionart_hf.data.schemas import CAPTIONS_FEATURES

    root = tmp_path / "captions_release"
    rows = []
    sequences = {
        "v0": [
            "raises the right arm",
            "waves the right hand three times",
            "squats down",
            "takes a step to their left",
        ],
        "v1": ["picks up the ball with the left hand", "throws the ball forward", "jumps in place twice"],
    }
    for i, (video_id, labels) in enumerate(sequences.items()):
        make_clip(root / "videos" / f"{video_id}.mp4", seed=30 + i)
        events = [{"start_s": 2.0 * k, "end_s": 2.0 * k + 2.0, "label": label} for k, label in enumerate(labels)]
        caption = " Then ".join(f"The person {label}." for label in labels)
        if video_id == "v0":  # the start and end pose sentences of a fine-grained caption (GS/LS questions)
            caption = (
                "A person is standing, facing the camera, with the left hand below the hips and the right hand at "
                f"waist height. {caption} At the end of the video, the person is squatting, facing the left side of "
                "the frame."
            )
        rows.append(dict(id=video_id, video_id=video_id, video=f"videos/{video_id}.mp4", caption=caption,
                         duration_s=1.0, num_frames=8, fps=8.0, events=events))  # fmt: skip
    make_clip(root / "videos" / "v2.mp4", seed=33)
    rows.append(dict(id="v2", video_id="v2", video="videos/v2.mp4", duration_s=1.0, num_frames=8, fps=8.0, events=[],
                     caption="The person raises the left arm. Then the person squats down. Then the person claps "
                             "hands twice."))  # fmt: skip
    write_split(root, "captions", "train", datasets.Dataset.from_list(rows, features=CAPTIONS_FEATURES))
    return root


@pytest.fixture
def chat_server(monkeypatch):
    """`chat_server(**kwargs)` starts a real `ChatCompletionServer` on 127.0.0.1 (stopped after the test).

    huggingface_hub's offline switch stays on (it is set for the whole suite): the teachers' client must reach a
    local server all the same.
    """
    from actionart_hf.proxy.testing import ChatCompletionServer

    servers = []

    def start(**kwargs) -> ChatCompletionServer:
        server = ChatCompletionServer(**kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def tiny_llava(tmp_path_factory) -> Path:
    """A random LLaVA (CLIP vision 16 px + Llama, hidden size 16, 1 layer) with a BPE tokenizer, saved offline."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )

    folder = tmp_path_factory.mktemp("tiny_llava")
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<unk>", "<s>", "</s>", "<pad>", "<image>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    bpe.train_from_iterator(["describe the pose of the person in this image", "user assistant"], trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    tokenizer.add_special_tokens({"additional_special_tokens": ["<image>"]})
    template = (
        "{% for m in messages %}{{ m['role'] }}: {% if m['content'] is string %}{{ m['content'] }}{% else %}"
        "{% for p in m['content'] %}{% if p['type'] == 'image' %}<image>{% else %}{{ p['text'] }}{% endif %}"
        "{% endfor %}{% endif %}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}"
    )
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 16}, crop_size={"height": 16, "width": 16}),
        tokenizer=tokenizer,
        patch_size=8,
        vision_feature_select_strategy="default",
        chat_template=template,
        num_additional_image_tokens=1,
    )
    vision = CLIPVisionConfig(
        hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, image_size=16, patch_size=8
    )
    text = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
        num_key_value_heads=1, max_position_embeddings=512,
    )  # fmt: skip
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    torch.manual_seed(0)
    LlavaForConditionalGeneration(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder
