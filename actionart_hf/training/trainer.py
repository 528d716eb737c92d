"""`ActionArtSFTTrainer`: TRL's `SFTTrainer` with per-module learning rates (vision tower, projector, LLM)."""

from __future__ import annotations

from trl import SFTTrainer

from .modules import parameter_groups


class ActionArtSFTTrainer(SFTTrainer):
    """`SFTTrainer` whose optimizer gives the vision tower, projector and LLM their own learning rates.

    Args:
        actionart_args (`ActionArtTrainingArguments`, *optional*): learning rates and module name fragments; without
            it the trainer is a plain `SFTTrainer`.
        *args, **kwargs: passed to [`~trl.SFTTrainer`] (with `data_collator` set to an `ActionArtDataCollator`).
    """

    def __init__(self, *args, actionart_args=None, **kwargs):
        self.actionart_args = actionart_args
        super().__init__(*args, **kwargs)

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
