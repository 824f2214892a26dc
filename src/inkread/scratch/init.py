"""Weight initialisations for a weight matrix W of shape (n_in, n_out).

Each keeps the variance of the signal roughly constant from layer to layer:
  course:          N(0, σ = n_in^(−1/2))                  (the course's np.random.normal(0, n**-0.5))
  xavier_uniform:  U(−r, r), r = √(6 / (n_in + n_out))     (Glorot & Bengio 2010, for tanh/sigmoid)
  xavier_normal:   N(0, σ = √(2 / (n_in + n_out)))
  he_normal:       N(0, σ = √(2 / n_in))                   (He et al. 2015, for ReLU)
  he_uniform:      U(−r, r), r = √(6 / n_in)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from inkread.core.errors import ConfigError
from inkread.scratch.arrays import Array

Init = Callable[[int, int, np.random.Generator], Array]


def course_normal(n_in: int, n_out: int, rng: np.random.Generator) -> Array:
    """N(0, n_in^(−1/2)), the course's initialisation."""
    return rng.normal(0.0, n_in**-0.5, size=(n_in, n_out))


def xavier_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> Array:
    """Glorot uniform: U(−√(6/(n_in+n_out)), +√(6/(n_in+n_out)))."""
    r = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_in, n_out))


def xavier_normal(n_in: int, n_out: int, rng: np.random.Generator) -> Array:
    """Glorot normal: N(0, √(2/(n_in+n_out)))."""
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))


def he_normal(n_in: int, n_out: int, rng: np.random.Generator) -> Array:
    """He normal: N(0, √(2/n_in)), for ReLU layers."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def he_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> Array:
    """He uniform: U(−√(6/n_in), +√(6/n_in)), for ReLU layers."""
    r = np.sqrt(6.0 / n_in)
    return rng.uniform(-r, r, size=(n_in, n_out))


INITS: dict[str, Init] = {
    "course": course_normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}


def get_init(name: str) -> Init:
    """Look an initialisation up by name, with a clear error for unknown names."""
    if name not in INITS:
        raise ConfigError(f"unknown initialisation '{name}'", expected="one of " + ", ".join(INITS))
    return INITS[name]
