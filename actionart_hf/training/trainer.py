"""`ActionArtSFTTrainer`: TRL's `SFTTrainer` with per-module learning rates (vision tower, projector, LLM) that
writes the project's model card."""

from __future__ import annotations

import os

from trl import SFTTrainer

from ..cards import write_model_card
from .modules import parameter_groups


class ActionArtSFTTrainer(SFTTrainer):
    """`SFTTrainer` whose optimizer gives the vision tower, projector and LLM their own learning rates, and whose
    model card is the project's (`actionart_hf.cards`) wherever TRL writes one: at each checkpoint, at the end and
    before `push_to_hub`.

    Args:
        actionart_args (`ActionArtTrainingArguments`, *optional*): learning rates and module name fragments; without
            it the optimizer is `SFTTrainer`'s.
        card_metadata (`dict`, *optional*): the card facts of the model (see
            `actionart_hf.training.card.stage_card_metadata`); without them the card is rendered from the config.
        *args, **kwargs: passed to [`~trl.SFTTrainer`] (with `data_collator` set to an `ActionArtDataCollator`).
    """

    def __init__(self, *args, actionart_args=None, card_metadata=None, **kwargs):
        self.actionart_args = actionart_args
        self.card_metadata = card_metadata
        super().__init__(*args, **kwargs)

    def create_model_card(self, model_name: str | None = None, **kwargs) -> None:
        """Writes the project's card into `output_dir` in place of TRL's automatic one.

        Args:
            model_name (`str`, *optional*): the title (TRL passes the Hub model name or the output folder's name).
            **kwargs: TRL's `dataset_name` and `tags`, unused: the card facts name the datasets.
        """
        if not self.is_world_process_zero():
            return
        os.makedirs(self.args.output_dir, exist_ok=True)
        write_model_card(
            self.args.output_dir, self.card_metadata, repo_id=self.args.hub_model_id, model_name=model_name
        )

    def create_optimizer(self, model=None):
        opt_model = self.model if model is None else model
        if self.optimizer is None and self.actionart_args is not None and self.optimizer_cls_and_kwargs is None:
            groups = parameter_groups(
                opt_model,
                self.actionart_args,
                base_lr=self.args.learning_rate,
                weight_decay=self.args.weight_decay,
                decay_names=self.get_decay_parameter_names(opt_model),
            )
            optimizer_cls, optimizer_kwargs = self.get_optimizer_cls_and_kwargs(self.args, opt_model)
            optimizer_kwargs = {k: v for k, v in optimizer_kwargs.items() if k != "lr"}
            self.optimizer = optimizer_cls(groups, lr=self.args.learning_rate, **optimizer_kwargs)
        return super().create_optimizer(model)


__all__ = ["ActionArtSFTTrainer"]
