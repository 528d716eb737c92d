"""Evaluation: answer extraction, the eval runner with its backends, circular evaluation, Table-1 rows and cards.

Heavy imports (torch, transformers, matplotlib) happen inside the functions that need them.
"""
