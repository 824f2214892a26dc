"""The model registry: every family by name, built with `build_model(name, num_classes, **options)`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from torch import nn

from inkread.core.errors import ConfigError
from inkread.models.accurate_cnn import AccurateCNN
from inkread.models.baseline import Baseline
from inkread.models.deep_cnn import DeepCNN
from inkread.models.fast_cnn import FastCNN
from inkread.models.logreg import LogReg
from inkread.models.mlp import MLP

# name -> constructor taking num_classes and keyword options; all map (B, 1, 28, 28) to (B, K).
MODELS: dict[str, Callable[..., nn.Module]] = {
    "logreg": LogReg,
    "mlp": MLP,
    "fast_cnn": FastCNN,
    "accurate_cnn": AccurateCNN,
    "deep_cnn": DeepCNN,
    "baseline": Baseline,
}


def model_names() -> list[str]:
    """Registered model names, in registry order."""
    return list(MODELS)


def model_options(name: str) -> list[str]:
    """The keyword options a model family accepts (besides num_classes)."""
    params = inspect.signature(MODELS[name]).parameters
    return [p for p in params if p != "num_classes"]


def build_model(name: str, num_classes: int, **options: Any) -> nn.Module:
    """Build a registered model; unknown names or options raise ConfigError listing the valid ones."""
    if name not in MODELS:
        raise ConfigError(f"unknown model '{name}'", where="model.name",
                          expected="one of " + ", ".join(MODELS), fix="pick a registered model name")
    allowed = model_options(name)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ConfigError(f"unknown option(s) {', '.join(unknown)} for model '{name}'",
                          where="model.options",
                          expected="options among: " + (", ".join(allowed) or "none"),
                          fix="remove or rename the option")
    try:
        return MODELS[name](num_classes, **options)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model '{name}' rejected its options {options}: {exc}",
                          where="model.options", expected="values of the right type and range") from exc
