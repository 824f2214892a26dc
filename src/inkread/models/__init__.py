"""Model families that map a batch of images (B, 1, 28, 28) to class logits (B, K)."""

from inkread.models.build import MODELS, build_model, model_names

__all__ = ["MODELS", "build_model", "model_names"]
