"""Integrations with other evaluation tools (lmms-eval)."""
