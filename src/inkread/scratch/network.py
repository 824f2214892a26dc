"""A sequential network of layers whose parameters live in one flat vector.

All parameters (and all gradients) are views into a single contiguous array, so an optimiser
updates the whole network with a handful of vectorised operations instead of one per tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from inkread.core.errors import ConfigError
from inkread.scratch.arrays import Array
from inkread.scratch.layers import ACTIVATIONS, Dropout, Layer, Linear


def _flatten(layers: Sequence[Layer]) -> tuple[Array, Array]:
    """Move every parameter and gradient into one flat array each; layers keep views into them."""
    named = [(layer, name) for layer in layers for name in layer.param_names]
    sizes = [getattr(layer, name).size for layer, name in named]
    dtype = getattr(named[0][0], named[0][1]).dtype if named else np.float32
    flat, grad = np.zeros(sum(sizes), dtype=dtype), np.zeros(sum(sizes), dtype=dtype)
    offset = 0
    for (layer, name), size in zip(named, sizes, strict=True):
        arr = getattr(layer, name)
        view = flat[offset:offset + size].reshape(arr.shape)
        view[...] = arr
        setattr(layer, name, view)
        setattr(layer, "d" + name, grad[offset:offset + size].reshape(arr.shape))
        offset += size
    return flat, grad


class Sequential:
    """Layers applied in order; forward(x) gives the output (logits), backward(δ) fills grads."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = list(layers)
        self.flat_params, self.flat_grads = _flatten(self.layers)
        firsts = [i for i, layer in enumerate(self.layers) if layer.param_names]
        self._first = firsts[0] if firsts else len(self.layers)

    @property
    def params(self) -> list[Array]:
        """All parameters as one flat vector (the optimiser's view)."""
        return [self.flat_params]

    @property
    def grads(self) -> list[Array]:
        """All gradients as one flat vector, aligned with `params`."""
        return [self.flat_grads]

    def forward(self, x: Array, train: bool = False) -> Array:
        """Run the batch x (B, n_in) through every layer."""
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dy: Array) -> None:
        """Backpropagate ∂E/∂output through the layers, filling every parameter's gradient."""
        for layer in reversed(self.layers[self._first + 1:]):
            dy = layer.backward(dy)
        if self._first < len(self.layers):
            self.layers[self._first].backward_params(dy)  # its input needs no gradient

    def predict_logits(self, X: Array, batch_size: int = 4096) -> Array:
        """Outputs for many samples, computed in chunks to bound memory."""
        X = np.asarray(X, dtype=self.flat_params.dtype)
        parts = [self.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
        return np.concatenate(parts) if parts else np.empty((0, 0), dtype=self.flat_params.dtype)

    def predict(self, X: Array, batch_size: int = 4096) -> Array:
        """Class indices (N,): argmax of the outputs (or output > 0 for one output unit)."""
        z = self.predict_logits(X, batch_size)
        return (z[:, 0] > 0).astype(np.int64) if z.shape[1] == 1 else z.argmax(axis=1)

    def config(self) -> list[dict[str, Any]]:
        """The layer list as plain data, for saving."""
        return [layer.config() for layer in self.layers]

    @property
    def n_params(self) -> int:
        """Number of trainable scalars."""
        return int(self.flat_params.size)


def layer_from_config(cfg: dict[str, Any], dtype: DTypeLike = np.float32) -> Layer:
    """Rebuild one layer (with fresh parameters) from its `config()`."""
    kind = cfg.get("type")
    if kind == "linear":
        return Linear(int(cfg["n_in"]), int(cfg["n_out"]), dtype=dtype)
    if kind == "dropout":
        return Dropout(float(cfg["p"]))
    if isinstance(kind, str) and kind in ACTIVATIONS:
        return ACTIVATIONS[kind]()
    raise ValueError(f"unknown layer type {kind!r}")


def default_init(activation: str) -> str:
    """He initialisation for ReLU, Glorot for the saturating sigmoid and tanh."""
    return "he_normal" if activation == "relu" else "xavier_uniform"


def build_mlp(sizes: Sequence[int], activation: str = "relu", dropout: float = 0.0,
              init: str | None = None, seed: int = 0, dtype: DTypeLike = np.float32) -> Sequential:
    """An MLP n_0 → n_1 → ... → n_L: Linear + activation (+ dropout) per hidden layer, logits out."""
    if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
        raise ConfigError(f"layer sizes {list(sizes)}", expected="at least two positive sizes")
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ConfigError(f"unknown activation '{activation}'", expected="relu, sigmoid or tanh")
    if not 0.0 <= dropout < 1.0:
        raise ConfigError(f"dropout {dropout}", expected="a probability in [0, 1)")
    rng = np.random.default_rng(seed)
    init = init or default_init(activation)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        layers.append(Linear(int(n_in), int(n_out), init, rng, dtype))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(Dropout(dropout, seed=seed + 1000 + i))
    return Sequential(layers)
