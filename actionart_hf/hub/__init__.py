"""Publishing datasets, models and the metric to the Hugging Face Hub."""
