"""The default model shipped inside the package: its ONNX file and its model card.

`inkread read` and `inkread serve` use it when no --model is given; `make model` trains it with
configs/default.yaml and `inkread models bundle RUN` writes it here. The card says what it was
trained on (each data file's SHA-256), with what recipe, and what it measured on held-out writers.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from inkread.core.errors import InkreadError

DEFAULT = "default"  # the name that means the bundled model wherever a model is asked for
ONNX_NAME, CARD_NAME = "default.onnx", "default.json"


def bundle_dir() -> Path:
    """The folder of the package's bundled model (inside the installed package)."""
    return Path(str(resources.files("inkread.bundled")))


def default_model_file() -> Path:
    """The bundled model's ONNX file; a clear error when this installation lacks it."""
    path = bundle_dir() / ONNX_NAME
    if not path.is_file():
        raise InkreadError("this installation of inkread has no bundled default model", where=path,
                           expected="the ONNX file `make model` writes into the package",
                           fix="run `make model` in a source checkout, or pass --model with a run or an "
                           "ONNX export")
    return path


def model_card() -> dict[str, Any]:
    """The bundled model's card: training data and hashes, recipe and measured figures."""
    path = bundle_dir() / CARD_NAME
    try:
        card: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise InkreadError("this installation of inkread has no model card", where=path,
                           fix="run `make model` in a source checkout") from None
    except ValueError as exc:
        raise InkreadError(f"the model card is damaged ({exc})", where=path,
                           fix="run `make model` again") from None
    return card
