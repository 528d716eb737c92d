"""The collator: answer-only labels, visual tokens in the right number, images as 1-frame videos, workers."""

import json
import pickle

import pytest
import torch
from transformers import AutoProcessor

from actionart_hf.training.arguments import DatasetSpec
from actionart_hf.training.collator import IGNORE_INDEX, ActionArtDataCollator
from actionart_hf.training.mixture import load_mixture


@pytest.fixture(scope="module")
def mixture(tiny_data):
    names = ["qa", "fgqa", "captions", "pose_description", "spatial_difference"]
    return load_mixture([DatasetSpec.from_entry({"path": str(tiny_data), "name": n, "max_samples": 4}) for n in names])


@pytest.fixture(scope="module")
def processor(tiny_base):
    import actionart_hf.models.actionart  # noqa: F401

    return AutoProcessor.from_pretrained(tiny_base)


def by_source(mixture, fragment):
    return [row for row in mixture if f"[{fragment}]" in row["source"]]


def test_labels_only_on_the_answer(mixture, processor):
    collator = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096)
    rows = [by_source(mixture, name)[1] for name in ("qa", "fgqa", "captions", "pose_description")]
    batch = collator(rows)
    tokenizer = processor.tokenizer
    video_id = tokenizer.convert_tokens_to_ids("<video>")
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape
    import json

    for row, ids, labels, mask in zip(rows, batch["input_ids"], batch["labels"], batch["attention_mask"]):
        answer = json.loads(row["messages"])[-1]["content"][0]["text"]
        # the answer and the end-of-turn tokens (`<|im_end|>\n`), nothing else
        expected = tokenizer(f"{answer}<|im_end|>\n", add_special_tokens=False)["input_ids"]
        assert ids[labels != IGNORE_INDEX].tolist() == expected
        # labels equal the inputs where set; padding and the whole prompt (visual tokens included) are -100
        assert torch.equal(labels[labels != IGNORE_INDEX], ids[labels != IGNORE_INDEX])
        assert (labels[mask == 0] == IGNORE_INDEX).all() and (labels[ids == video_id] == IGNORE_INDEX).all()
    # every video (the image a 1-frame video) has exactly the placeholders the model will fill
    frames = batch["video_num_frames"].tolist()
    assert frames == [4, 4, 4, 1]
    expected = sum(processor.num_video_tokens(t) for t in frames)
    assert int((batch["input_ids"] == video_id).sum()) == expected
    assert batch["pixel_values_videos"].shape[0] == sum(frames)


def test_two_images_and_loss_on_all(mixture, processor):
    row = by_source(mixture, "spatial_difference")[0]
    batch = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096, loss_on="all")([row])
    assert batch["video_num_frames"].tolist() == [1, 1]
    ids, labels = batch["input_ids"][0], batch["labels"][0]
    video_id = processor.tokenizer.convert_tokens_to_ids("<video>")
    assert (labels[ids == video_id] == IGNORE_INDEX).all()
    assert ((labels != IGNORE_INDEX) == (ids != video_id)).all()  # every text token is supervised


def test_max_length(mixture, processor):
    row = by_source(mixture, "captions")[0]
    full = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096)([row])["input_ids"].shape[1]
    cut = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096, max_length=full - 2)([row])
    assert cut["input_ids"].shape[1] == full - 2
    with pytest.raises(ValueError, match="exceeds max_length=8.*lower num_frames"):
        ActionArtDataCollator(processor, num_frames=4, max_pixels=4096, max_length=8)([row])


def test_picklable_and_dataloader_workers(mixture, processor):
    collator = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096)
    clone = pickle.loads(pickle.dumps(collator))
    rows = by_source(mixture, "qa")[:2]
    assert torch.equal(clone(rows)["input_ids"], collator(rows)["input_ids"])
    subset = mixture.select(range(8))
    loader = torch.utils.data.DataLoader(subset, batch_size=4, collate_fn=collator, num_workers=2)
    with_workers = list(loader)
    without = [collator([subset[i] for i in range(k, k + 4)]) for k in (0, 4)]
    for a, b in zip(with_workers, without):
        assert torch.equal(a["input_ids"], b["input_ids"]) and torch.equal(a["labels"], b["labels"])
        assert torch.equal(a["pixel_values_videos"], b["pixel_values_videos"])


def test_frames_are_sampled_once_with_the_recipe_num_frames(mixture, processor):
    """The processor was saved with num_frames=4; a recipe asking for all 6 frames of the clips gets 6, not 4."""
    assert processor.video_processor.num_frames == 4
    rows = by_source(mixture, "qa")[:2]
    batch = ActionArtDataCollator(processor, num_frames=6, max_pixels=4096)(rows)
    assert batch["video_num_frames"].tolist() == [6, 6]
    assert batch["pixel_values_videos"].shape[0] == 12
    resampled = ActionArtDataCollator(
        processor, num_frames=6, max_pixels=4096, processor_kwargs={"do_sample_frames": True}
    )
    assert resampled(rows)["video_num_frames"].tolist() == [4, 4]  # what the double sampling used to give


def prefix_rendered_spans(processor, messages):
    """The spans found the earlier way, by rendering the template up to each assistant turn (the reference)."""

    def render(part, add_generation_prompt=False):
        return processor.apply_chat_template(part, tokenize=False, add_generation_prompt=add_generation_prompt)

    full, spans, position = render(messages), [], 0
    for index, message in enumerate(messages):
        if message["role"] == "assistant":
            prompt, through = render(messages[:index], True), render(messages[: index + 1])
            spans += [(full[position : len(prompt)], False), (full[len(prompt) : len(through)], True)]
            position = len(through)
    return [span for span in [*spans, (full[position:], False)] if span[0] or span[1]]


def test_generation_block_gives_the_labels_of_prefix_rendering(mixture, processor):
    """Answer spans come from the template's `{% generation %}` blocks in one rendering; the labels are those that
    rendering the template up to every assistant turn gave."""

    class PrefixRenderingCollator(ActionArtDataCollator):
        def split_spans(self, messages):
            return prefix_rendered_spans(self.processor, messages)

    multi_turn = [
        {"role": "system", "content": [{"type": "text", "text": "Answer briefly."}]},
        {"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "Who moves ?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "The person ."}]},
        {"role": "user", "content": [{"type": "text", "text": "Which arm ?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "The left arm ."}]},
    ]
    rows = [row for row in mixture][:12] + [{**by_source(mixture, "qa")[0], "messages": json.dumps(multi_turn)}]
    for loss_on in ("assistant", "all"):
        collator = ActionArtDataCollator(processor, num_frames=4, max_pixels=4096, loss_on=loss_on)
        reference = PrefixRenderingCollator(processor, num_frames=4, max_pixels=4096, loss_on=loss_on)
        for row in rows:
            messages = json.loads(row["messages"])
            assert collator.split_spans(messages) == prefix_rendered_spans(processor, messages)
        batch, expected = collator(rows), reference(rows)
        assert torch.equal(batch["labels"], expected["labels"]) and torch.equal(
            batch["input_ids"], expected["input_ids"]
        )
    assert sum(supervised for _, supervised in collator.split_spans(multi_turn)) == 2


def test_template_without_generation_block_is_refused(mixture, processor):
    import copy

    plain = copy.deepcopy(processor)
    plain.chat_template = processor.chat_template.replace("{% generation %}", "").replace("{% endgeneration %}", "")
    with pytest.raises(ValueError, match=r"no assistant turn with `\{% generation %\}`"):
        ActionArtDataCollator(plain, num_frames=4, max_pixels=4096)([by_source(mixture, "qa")[0]])
