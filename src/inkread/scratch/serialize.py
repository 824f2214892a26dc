"""Save a trained model to one .npz file (written atomically) and load it back.

The file holds: `format`, `kind` (sequential or perceptron), `config` (JSON: the layers or sizes),
`meta` (JSON: anything the caller adds, such as normalisation and classes) and `param0..n`.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from inkread.core.errors import DataError
from inkread.core.files import atomic_open
from inkread.scratch.network import Sequential, layer_from_config
from inkread.scratch.perceptron import Perceptron

FORMAT = "inkread-scratch/1"
ScratchModel = Sequential | Perceptron


def save_model(path: str | Path, model: ScratchModel, meta: dict[str, Any] | None = None) -> Path:
    """Write the model's architecture, parameters and `meta` to `path` (.npz), atomically."""
    path = Path(path)
    kind = "sequential" if isinstance(model, Sequential) else "perceptron"
    arrays: dict[str, Any] = {
        "format": np.array(FORMAT), "kind": np.array(kind),
        "config": np.array(json.dumps(model.config())), "meta": np.array(json.dumps(meta or {})),
    }
    params = [model.flat_params] if isinstance(model, Sequential) else model.params
    arrays.update({f"param{i}": p for i, p in enumerate(params)})
    with atomic_open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def _bad(path: Path, problem: str) -> DataError:
    """The one error every unreadable model file produces."""
    return DataError(problem, where=path, expected=f"an .npz model written by inkread ({FORMAT})",
                     fix="train and save again with `inkread scratch train --save FILE.npz`")


def _rebuild(kind: str, config: Any, params: list[np.ndarray]) -> ScratchModel:
    """Construct the model from its config and copy the saved parameters in, checking shapes."""
    if kind == "sequential":
        dtype = params[0].dtype
        model: ScratchModel = Sequential([layer_from_config(c, dtype) for c in config])
    else:
        model = Perceptron(int(config["n_in"]), int(config["n_classes"]), dtype=params[0].dtype)
    if [p.shape for p in model.params] != [p.shape for p in params]:
        raise ValueError("parameter shapes do not match the architecture")
    for dst, src in zip(model.params, params, strict=True):
        dst[...] = src
    return model


def load_model(path: str | Path) -> tuple[ScratchModel, dict[str, Any]]:
    """Read a model saved by `save_model`; any problem with the file is a clear DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError("model file not found", where=path,
                        fix="check the path, or train one with `inkread scratch train --save`")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["format"]) != FORMAT:
                raise _bad(path, f"unknown format {str(npz['format'])!r}")
            kind, meta = str(npz["kind"]), json.loads(str(npz["meta"]))
            config = json.loads(str(npz["config"]))
            n = sum(1 for k in npz.files if k.startswith("param"))
            params = [npz[f"param{i}"] for i in range(n)]
        if kind not in ("sequential", "perceptron") or not params:
            raise ValueError(f"unknown model kind {kind!r}")
        return _rebuild(kind, config, params), meta
    except DataError:
        raise
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        raise _bad(path, f"cannot read the model ({type(exc).__name__}: {exc})") from None
