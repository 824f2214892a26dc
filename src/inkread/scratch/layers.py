"""Layers: forward keeps what backward needs; backward returns dx and fills dW, db.

Shapes: a batch x is (B, n_in); a linear layer's W is (n_in, n_out) so that h = x W + b is one
row-major matrix product (B, n_in) @ (n_in, n_out), the layout BLAS is fastest at.
In training mode (train=True) outputs are written into buffers reused from step to step, so an
output stays valid only until the next training forward; eval mode always returns fresh arrays.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import DTypeLike

from inkread.scratch import activations as F
from inkread.scratch.arrays import Array
from inkread.scratch.init import get_init


class Layer:
    """A differentiable function of a batch, with named parameters and their gradients."""

    param_names: ClassVar[tuple[str, ...]] = ()
    kind: ClassVar[str] = "layer"

    def forward(self, x: Array, train: bool = False) -> Array:
        """Compute the output for a batch and keep what backward needs."""
        raise NotImplementedError

    def backward(self, dy: Array) -> Array:
        """Given ∂E/∂output, fill the parameter gradients and return ∂E/∂input."""
        raise NotImplementedError

    def backward_params(self, dy: Array) -> None:
        """Only the parameter gradients: the first layer's input needs no gradient."""
        self.backward(dy)

    @property
    def params(self) -> list[Array]:
        """The parameter arrays, in `param_names` order."""
        return [getattr(self, n) for n in self.param_names]

    @property
    def grads(self) -> list[Array]:
        """The gradient arrays d<name>, in `param_names` order."""
        return [getattr(self, "d" + n) for n in self.param_names]

    def config(self) -> dict[str, Any]:
        """What is needed to rebuild the layer (parameters are saved separately)."""
        return {"type": self.kind}

    def _buffer(self, key: str, shape: tuple[int, ...], dtype: DTypeLike) -> Array:
        """A preallocated array reused across training steps of the same batch size."""
        bufs: dict[str, Array] = self.__dict__.setdefault("_bufs", {})
        buf = bufs.get(key)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = bufs[key] = np.empty(shape, dtype=dtype)
        return buf


class Linear(Layer):
    """h = x W + b, a fully connected layer."""

    param_names = ("W", "b")
    kind = "linear"

    def __init__(self, n_in: int, n_out: int, init: str = "he_normal",
                 rng: np.random.Generator | None = None, dtype: DTypeLike = np.float32) -> None:
        rng = rng if rng is not None else np.random.default_rng(0)
        self.W: Array = get_init(init)(n_in, n_out, rng).astype(dtype)  # (n_in, n_out)
        self.b: Array = np.zeros(n_out, dtype=dtype)  # (n_out,)
        self.dW: Array = np.zeros_like(self.W)
        self.db: Array = np.zeros_like(self.b)
        self.x: Array | None = None

    def forward(self, x: Array, train: bool = False) -> Array:
        """h = x W + b: (B, n_in) @ (n_in, n_out) + (n_out,) -> (B, n_out); keeps x for dW."""
        self.x = x
        out = self._buffer("h", (x.shape[0], self.W.shape[1]), x.dtype) if train else None
        h = np.matmul(x, self.W, out=out)
        h += self.b
        return h

    def backward_params(self, dh: Array) -> None:
        """dW = xᵀ δ (n_in, B) @ (B, n_out), db = Σ_batch δ, where δ = dh = ∂E/∂h."""
        assert self.x is not None, "forward must run before backward"
        np.matmul(self.x.T, dh, out=self.dW)
        np.sum(dh, axis=0, out=self.db)

    def backward(self, dh: Array) -> Array:
        """Also dx = δ Wᵀ (B, n_out) @ (n_out, n_in): the error sent back to the layer below."""
        self.backward_params(dh)
        return np.matmul(dh, self.W.T, out=self._buffer("dx", (dh.shape[0], self.W.shape[0]),
                                                          dh.dtype))

    def config(self) -> dict[str, Any]:
        """Type and sizes."""
        return {"type": self.kind, "n_in": int(self.W.shape[0]), "n_out": int(self.W.shape[1])}


class ReLU(Layer):
    """a = max(h, 0); δ_in = δ_out ⊙ [h > 0]."""

    kind = "relu"

    def forward(self, x: Array, train: bool = False) -> Array:
        """Keep the output a: a > 0 exactly where the derivative is 1."""
        out = self._buffer("a", x.shape, x.dtype) if train else None
        self.a = np.maximum(x, 0, out=out)
        return self.a

    def backward(self, dy: Array) -> Array:
        """dx = dy where a > 0, else 0."""
        return np.multiply(dy, self.a > 0, out=self._buffer("dx", dy.shape, dy.dtype))


class Sigmoid(Layer):
    """a = σ(h); δ_in = δ_out ⊙ a(1 − a)."""

    kind = "sigmoid"

    def forward(self, x: Array, train: bool = False) -> Array:
        """Keep the output a = σ(h), from which σ' = a(1 − a)."""
        self.a = F.sigmoid(x)
        return self.a

    def backward(self, dy: Array) -> Array:
        """dx = dy ⊙ σ'(h)."""
        return dy * F.sigmoid_grad(self.a)


class Tanh(Layer):
    """a = tanh(h); δ_in = δ_out ⊙ (1 − a²)."""

    kind = "tanh"

    def forward(self, x: Array, train: bool = False) -> Array:
        """Keep the output a = tanh(h)."""
        self.a = F.tanh(x)
        return self.a

    def backward(self, dy: Array) -> Array:
        """dx = dy ⊙ (1 − a²)."""
        return dy * F.tanh_grad(self.a)


class Softmax(Layer):
    """s = softmax(z) over the last axis; dz = s ⊙ (ds − Σ ds ⊙ s)."""

    kind = "softmax"

    def forward(self, x: Array, train: bool = False) -> Array:
        """Keep the output s."""
        self.s = F.softmax(x)
        return self.s

    def backward(self, dy: Array) -> Array:
        """Apply the softmax Jacobian to dy."""
        return F.softmax_backward(self.s, dy)


class LogSoftmax(Layer):
    """l = log softmax(z); dz = dl − softmax(z) Σ dl."""

    kind = "log_softmax"

    def forward(self, x: Array, train: bool = False) -> Array:
        """Keep the output l."""
        self.log_s = F.log_softmax(x)
        return self.log_s

    def backward(self, dy: Array) -> Array:
        """Apply the log-softmax Jacobian to dy."""
        return F.log_softmax_backward(self.log_s, dy)


class Dropout(Layer):
    """Inverted dropout: in training keep each unit with probability 1 − p and scale by 1/(1 − p)."""

    kind = "dropout"

    def __init__(self, p: float, seed: int = 0) -> None:
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability {p} is not in [0, 1)")
        self.p = p
        self.rng = np.random.default_rng(seed)
        self.mask: Array | None = None

    def forward(self, x: Array, train: bool = False) -> Array:
        """y = x ⊙ mask, mask_ij ∈ {0, 1/(1 − p)}; identity in evaluation."""
        if not train or self.p == 0.0:
            self.mask = None
            return x
        keep = 1.0 - self.p
        mask = self._buffer("mask", x.shape, x.dtype)
        self.rng.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64, out=mask)
        np.less(mask, keep, out=mask)  # 1.0 where kept
        mask *= 1.0 / keep
        self.mask = mask
        return np.multiply(x, mask, out=self._buffer("y", x.shape, x.dtype))

    def backward(self, dy: Array) -> Array:
        """dx = dy ⊙ mask: dropped units pass no gradient."""
        if self.mask is None:
            return dy
        return np.multiply(dy, self.mask, out=self._buffer("dx", dy.shape, dy.dtype))

    def config(self) -> dict[str, Any]:
        """Type and drop probability."""
        return {"type": self.kind, "p": self.p}


ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh,
    "softmax": Softmax, "log_softmax": LogSoftmax,
}
