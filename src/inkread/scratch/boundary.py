"""Decision boundaries of the perceptron, logistic regression and an MLP on 2-D toy data, as one PNG.

Rows are models, columns are datasets (linear, XOR, moons). The background colour is the model's
probability of class 1 (hard 0/1 for the perceptron's step), the dark line is where it crosses 0.5,
and each panel's title gives the training accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from inkread.core.files import atomic_open
from inkread.scratch.activations import softmax
from inkread.scratch.arrays import Array
from inkread.scratch.logreg import LogisticRegression
from inkread.scratch.network import build_mlp
from inkread.scratch.optim import Adam
from inkread.scratch.perceptron import Perceptron
from inkread.scratch.toy import TOY
from inkread.scratch.train import fit_arrays

Prob = Callable[[Array], Array]  # points (N, 2) -> P(class 1) (N,)
PANEL, TITLE, PAD = 260, 24, 14
COLOURS = (np.array([52, 120, 220]), np.array([220, 70, 50]))  # class 0 blue, class 1 red


def train_perceptron(X: Array, y: Array, seed: int) -> Prob:
    """The perceptron trick, one point at a time (Rosenblatt's rule), 50 epochs."""
    p = Perceptron(2, 2, dtype=np.float64)
    p.fit(X, y, epochs=50, lr=0.1, batch_size=1, seed=seed)
    return lambda G: p.predict(G).astype(np.float64)


def train_logreg(X: Array, y: Array, seed: int) -> Prob:
    """Logistic regression by full-batch gradient descent on the log-loss."""
    model = LogisticRegression(2)
    model.fit(X, y, lr=1.0, epochs=500)
    return model.predict_proba


def train_mlp(X: Array, y: Array, seed: int) -> Prob:
    """A 2-32-32-2 tanh MLP trained with Adam on cross-entropy."""
    net = build_mlp([2, 32, 32, 2], activation="tanh", seed=seed, dtype=np.float64)
    fit_arrays(net, X, y, optimizer=Adam(net.params, net.grads, lr=0.01), epochs=300, batch_size=32,
        seed=seed)
    return lambda G: softmax(net.predict_logits(G))[:, 1]


MODELS: dict[str, Callable[[Array, Array, int], Prob]] = {
    "perceptron": train_perceptron, "logistic regression": train_logreg, "MLP": train_mlp,
}


def _background(prob: Prob, lo: Array, hi: Array) -> Image.Image:
    """Colour every pixel by P(class 1), with the 0.5 contour drawn dark."""
    xs, ys = np.linspace(lo[0], hi[0], PANEL), np.linspace(hi[1], lo[1], PANEL)
    gx, gy = np.meshgrid(xs, ys)
    P = prob(np.stack([gx.ravel(), gy.ravel()], axis=1)).reshape(PANEL, PANEL, 1)
    rgb = 255 * 0.6 + 0.4 * (COLOURS[0] * (1 - P) + COLOURS[1] * P)
    side = P[..., 0] >= 0.5
    edge = np.zeros_like(side)
    edge[:, 1:] |= side[:, 1:] != side[:, :-1]
    edge[1:, :] |= side[1:, :] != side[:-1, :]
    rgb[edge] = 40
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def _panel(prob: Prob, X: Array, y: Array, title: str, font: Any) -> Image.Image:
    """One titled panel: coloured regions, boundary and the training points."""
    lo, hi = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    img = Image.new("RGB", (PANEL, PANEL + TITLE), "white")
    img.paste(_background(prob, lo, hi), (0, TITLE))
    draw = ImageDraw.Draw(img)
    draw.text((PANEL // 2, TITLE // 2), title, fill="black", font=font, anchor="mm")
    px = (X - lo) / (hi - lo) * (PANEL - 1)
    for (u, v), label in zip(px, y, strict=True):
        cx, cy = u, TITLE + (PANEL - 1 - v)
        draw.ellipse((cx - 3, cy - 3, cx + 3, cy + 3), fill=tuple(COLOURS[label]), outline="black")
    draw.rectangle((0, TITLE, PANEL - 1, PANEL + TITLE - 1), outline=(90, 90, 90))
    return img


def draw_boundaries(path: str | Path, seed: int = 0, n: int = 200) -> dict[str, Any]:
    """Train the 3 models on the 3 toy datasets and write the 3×3 grid PNG; returns accuracies."""
    font = ImageFont.load_default(size=13)
    grid = Image.new("RGB", (PAD + 3 * (PANEL + PAD), PAD + 3 * (PANEL + TITLE + PAD)), "white")
    panels = []
    for r, (model_name, train) in enumerate(MODELS.items()):
        for c, (data_name, make) in enumerate(TOY.items()):
            X, y = make(n, seed)
            prob = train(X, y, seed)
            acc = float(np.mean((prob(X) >= 0.5) == y))
            title = f"{model_name} · {data_name}: train acc {100 * acc:.1f}%"
            grid.paste(_panel(prob, X, y, title, font),
                       (PAD + c * (PANEL + PAD), PAD + r * (PANEL + TITLE + PAD)))
            panels.append({"model": model_name, "dataset": data_name, "train_accuracy": acc})
    with atomic_open(path, "wb") as fh:
        grid.save(fh, format="PNG")
    return {"path": str(path), "size": list(grid.size), "panels": panels}
