"""The `actionart_accuracy` evaluate module (`actionart_accuracy.py`) and its helper `scoring.py`.

Importing this package does not import `evaluate`; `scoring` is plain Python + numpy.
"""
