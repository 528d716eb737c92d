"""Metrics shipped as `evaluate` modules, loaded by path.

>>> evaluate.load("<checkout>/actionart_hf/metrics/actionart_accuracy")
"""
