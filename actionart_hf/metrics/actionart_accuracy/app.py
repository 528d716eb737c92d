"""Gradio widget of the metric's Hub Space (`sdk: gradio` in README.md); not used by the package."""

import evaluate
from evaluate.utils import launch_gradio_widget


module = evaluate.load("actionart_accuracy")
launch_gradio_widget(module)
