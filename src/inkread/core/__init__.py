"""The core every other layer builds on: errors, atomic files, and how a model sees an image.

Nothing here imports torch or scipy at module level, so the service (onnxruntime only) can use all of it.
"""
