"""Proxy-task data (paper §4, docs/DESIGN.md §6.4): teachers, the resumable call cache, source adapters and the
PD / SD / FGQA / caption-QA builders. `actionart-hf proxy --help` for the command line; names below are imported
lazily.

    from actionart_hf.proxy import OpenAITeacher, build_fgqa, load_sources
"""

from __future__ import annotations

import importlib


_EXPORTS = {
    "CallCache": "cache",
    "CallRunner": "cache",
    "TeacherRequest": "cache",
    "BuildReport": "common",
    "RunSettings": "common",
    "GenerationSettings": "teachers",
    "OpenAITeacher": "teachers",
    "Teacher": "teachers",
    "TeacherError": "teachers",
    "TransformersTeacher": "teachers",
    "OracleTeacher": "oracle",
    "NoisyOracleTeacher": "noisy",
    "SyntheticLabels": "oracle",
    "load_prompt": "prompts",
    "load_sources": "sources",
    "build_pose_description": "image_tasks",
    "build_spatial_difference": "image_tasks",
    "build_fgqa": "fgqa",
    "load_unit_set": "fgqa",
    "build_unit_set": "fgqa",
    "join_proxy_shards": "join",
    "build_caption_qa": "caption_qa",
    "oracle_questions": "mcq_templates",
    "validate_question": "mcq_validation",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
