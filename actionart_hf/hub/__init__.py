"""Publishing datasets, models and the metric to the Hugging Face Hub.

    >>> from actionart_hf.hub import push_dataset_folder, push_metric, push_model_folder
    >>> print(push_dataset_folder("outputs/ActionArt-example", "<org>/ActionArt", dry_run=True).summary())

Each function stages exactly the folder it uploads; with `dry_run=True` it keeps that folder and uploads nothing.
"""

from .prepare import PushResult
from .push_dataset import push_dataset_folder
from .push_metric import push_metric
from .push_model import push_model_folder
from .upload import default_repo_id, upload_to_hub


__all__ = ["PushResult", "default_repo_id", "push_dataset_folder", "push_metric", "push_model_folder", "upload_to_hub"]
