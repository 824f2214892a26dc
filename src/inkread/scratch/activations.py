"""Activation functions, each with its derivative written next to it.

Notation: h is a unit's input (the weighted sum), a = f(h) its output; derivatives are written
in terms of a where the course does (σ' = σ(1 − σ)), so backward never recomputes f.
All functions are vectorised: h and a have any shape, usually (B, n) for a batch.
"""

from __future__ import annotations

import numpy as np

from inkread.scratch.arrays import Array


def step(h: Array) -> Array:
    """The perceptron's step function: 1 where h ≥ 0, else 0 (same dtype as h)."""
    return (h >= 0).astype(h.dtype)


def step_grad(h: Array) -> Array:
    """The step's derivative is 0 almost everywhere, which is why the perceptron needs its trick."""
    return np.zeros_like(h)


def sigmoid(h: Array) -> Array:
    """σ(h) = 1 / (1 + e^(−h)), computed without overflow for large |h|."""
    e = np.exp(-np.abs(h))  # in (0, 1]: never overflows
    return np.where(h >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(a: Array) -> Array:
    """σ'(h) = σ(h)(1 − σ(h)), from the output a = σ(h)."""
    return a * (1.0 - a)


def tanh(h: Array) -> Array:
    """tanh(h) = (e^h − e^(−h)) / (e^h + e^(−h))."""
    return np.tanh(h)


def tanh_grad(a: Array) -> Array:
    """tanh'(h) = 1 − tanh(h)², from the output a = tanh(h)."""
    return 1.0 - a * a


def relu(h: Array) -> Array:
    """ReLU(h) = max(h, 0)."""
    return np.maximum(h, 0)


def relu_grad(a: Array) -> Array:
    """ReLU'(h) = 1 where h > 0 else 0, from the output a (a > 0 exactly when h > 0)."""
    return (a > 0).astype(a.dtype)


def log_softmax(z: Array) -> Array:
    """log softmax over the last axis: z − max − log Σ e^(z − max), stable for any z (B, K)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(z: Array) -> Array:
    """softmax(z)_k = e^(z_k) / Σ_j e^(z_j) over the last axis, shifted by the max for stability."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(s: Array, ds: Array) -> Array:
    """dz = s ⊙ (ds − Σ_k ds_k s_k): the softmax Jacobian applied to ds, from the output s."""
    return s * (ds - (ds * s).sum(axis=-1, keepdims=True))


def log_softmax_backward(log_s: Array, dl: Array) -> Array:
    """dz = dl − softmax(z) Σ_k dl_k: the log-softmax Jacobian applied to dl, from its output."""
    return dl - np.exp(log_s) * dl.sum(axis=-1, keepdims=True)
