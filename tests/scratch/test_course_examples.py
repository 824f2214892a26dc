"""The course's worked examples, reproduced with the engine to the precision the text prints."""

from __future__ import annotations

import numpy as np
import pytest

from inkread.scratch.layers import Linear, Sigmoid
from inkread.scratch.logreg import LogisticRegression
from inkread.scratch.losses import binary_log_loss, half_mse, multiclass_log_loss
from inkread.scratch.network import Sequential
from inkread.scratch.optim import SGD


def test_binary_log_loss_example() -> None:
    # Course: y_true = [1, 0, 1, 1, 0], y_pred = [0.9, 0.1, 0.8, 0.7, 0.2], print(f"{loss:.4f}")
    y_true, y_pred = np.array([1, 0, 1, 1, 0]), np.array([0.9, 0.1, 0.8, 0.7, 0.2])
    loss, _ = binary_log_loss(y_pred, y_true)
    course = -1 / 5 * np.sum(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))
    assert f"{loss:.4f}" == "0.2027" == f"{course:.4f}"


def test_multiclass_log_loss_example() -> None:
    # Course: 3 samples, 4 classes, print(f"Multi-class Log-Loss: {loss:.4f}")
    y_true = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
    y_pred = np.array([[0.9, 0.05, 0.03, 0.02], [0.1, 0.7, 0.1, 0.1], [0.05, 0.05, 0.8, 0.1]])
    assert f"{multiclass_log_loss(y_pred, y_true):.4f}" == "0.2284"


def _course_network() -> Sequential:
    """Two inputs → one sigmoid hidden unit → one sigmoid output, the course's weights, no bias."""
    hidden, output = Linear(2, 1, dtype=np.float64), Linear(1, 1, dtype=np.float64)
    net = Sequential([hidden, Sigmoid(), output, Sigmoid()])
    hidden.W[:, 0] = [0.4, -0.2]  # w
    output.W[0, 0] = 0.1  # W
    return net


def test_backpropagation_example() -> None:
    net = _course_network()
    x, y, eta = np.array([[0.1, 0.3]]), np.array([[1.0]]), 0.5
    y_hat = net.forward(x)
    h = float(net.layers[0].forward(x)[0, 0])
    a = float(net.layers[1].forward(np.array([[h]]))[0, 0])
    assert f"{h:.2f}" == "-0.02" and f"{a:.3f}" == "0.495" and f"{y_hat[0, 0]:.3f}" == "0.512"
    net.forward(x, train=True)
    _, dE = half_mse(y_hat, y)  # ∂E/∂ŷ = ŷ − y for E = ½(y − ŷ)²
    net.backward(dE)
    hidden, output = net.layers[0], net.layers[2]
    assert isinstance(hidden, Linear) and isinstance(output, Linear)
    delta_o = -float(output.db[0])  # δₒ = (y − ŷ) f'(W·a) = −∂E/∂(W·a)
    delta_h = -float(hidden.db[0])  # δʰ = W δₒ f'(h) = −∂E/∂h
    assert f"{delta_o:.3f}" == "0.122" and f"{delta_h:.3f}" == "0.003"
    dW = -eta * output.dW[0, 0]  # ΔW = η δₒ a
    dw = -eta * hidden.dW[:, 0]  # Δwᵢ = η δʰ xᵢ
    assert f"{dW:.4f}" == "0.0302"
    assert f"{dw[0]:.5f}" == "0.00015"
    # The text prints 0.00045 because it rounds δʰ to 0.003 first; unrounded it is 0.000457.
    assert f"{eta * round(delta_h, 3) * 0.3:.5f}" == "0.00045"
    assert dw[1] == pytest.approx(eta * delta_h * 0.3, rel=1e-12)


def _course_update_weights(weights: np.ndarray, features: np.ndarray, targets: np.ndarray,
                           learnrate: float) -> np.ndarray:
    """The course's per-record loop (Implementing Gradient Descent), copied as the reference."""
    del_w = np.zeros(weights.shape)
    for x, y in zip(features, targets, strict=True):
        output = 1 / (1 + np.exp(-np.dot(x, weights)))
        error = y - output
        error_term = error * output * (1 - output)
        del_w += error_term * x
    return weights + learnrate * del_w / features.shape[0]


def test_gradient_descent_with_mse_equals_the_course_loop() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 6)), rng.integers(0, 2, 20).astype(float)
    w0 = rng.normal(0, 6**-0.5, size=6)  # the course's initialisation
    lin = Linear(6, 1, dtype=np.float64)
    lin.W[:, 0] = w0
    net = Sequential([lin, Sigmoid()])
    opt = SGD(net.params, net.grads, lr=0.5)
    expected = w0
    for _ in range(3):
        y_hat = net.forward(X, train=True)
        net.backward(half_mse(y_hat, y)[1])  # δ = (y − ŷ) f'(h), vectorised over the records
        opt.step()
        lin.b[...] = 0.0  # the course's network has no bias
        expected = _course_update_weights(expected, X, y, 0.5)
    np.testing.assert_allclose(lin.W[:, 0], expected, rtol=1e-12)


def _course_logistic_regression(X: np.ndarray, y: np.ndarray, learning_rate: float = 0.1,
                                num_iterations: int = 1000) -> tuple[np.ndarray, float]:
    """The course's maximum-likelihood code (gradient ascent), copied as the reference."""
    def sigmoid(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    _, n = X.shape
    w, b = np.zeros(n), 0.0
    for _ in range(num_iterations):
        error = y - sigmoid(np.dot(X, w) + b)
        w += learning_rate * np.dot(X.T, error)
        b += learning_rate * np.sum(error)
    return w, b


def test_gradient_ascent_on_likelihood_equals_descent_on_log_loss() -> None:
    X, y = np.array([[1, 2], [2, 3], [3, 4], [4, 5]]), np.array([0, 0, 1, 1])  # the course's data
    ascent, descent = LogisticRegression(2), LogisticRegression(2)
    ascent.fit(X, y, lr=0.4, epochs=1000, method="ascent")  # α = η/m = 0.1, the course's rate
    descent.fit(X, y, lr=0.4, epochs=1000, method="descent")
    np.testing.assert_array_equal(ascent.w, descent.w)  # identical, bit for bit
    assert ascent.b == descent.b
    w, b = _course_logistic_regression(X, y)
    np.testing.assert_allclose(ascent.w, w, rtol=1e-9)
    assert ascent.b == pytest.approx(b, rel=1e-9)
    assert ascent.log_likelihood(X, y) == pytest.approx(-4 * ascent.log_loss(X, y))


def test_ascent_and_descent_agree_on_any_data() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((37, 5)), rng.integers(0, 2, 37)
    a, d = LogisticRegression(5), LogisticRegression(5)
    a.fit(X, y, lr=0.3, epochs=50, method="ascent")
    d.fit(X, y, lr=0.3, epochs=50, method="descent")
    np.testing.assert_allclose(a.w, d.w, rtol=1e-12)
    assert (a.predict(X) == y).mean() > 0.5
