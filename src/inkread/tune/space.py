"""How a trial samples the recipe's search space, and how sampled values enter the recipe."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from inkread.train.search import Choice, FloatRange, IntRange, SearchSpace

if TYPE_CHECKING:
    import optuna


def _plain(choices: list[Any]) -> bool:
    """True when optuna can store the choices as they are (scalars), not as their JSON text."""
    return all(c is None or isinstance(c, bool | int | float | str) for c in choices)


def suggest(trial: optuna.trial.BaseTrial, space: SearchSpace) -> dict[str, Any]:
    """Draw one value per searched key from `trial`: {key: value}."""
    values: dict[str, Any] = {}
    for key, p in space.params.items():
        if isinstance(p, FloatRange):
            values[key] = trial.suggest_float(key, p.low, p.high, log=p.log, step=p.step)
        elif isinstance(p, IntRange):
            values[key] = trial.suggest_int(key, p.low, p.high, log=p.log, step=p.step)
        elif _plain(p.choices):
            values[key] = trial.suggest_categorical(key, p.choices)
        else:  # lists are stored as their JSON text, e.g. "[16, 32, 64]"
            values[key] = json.loads(trial.suggest_categorical(key, [json.dumps(c) for c in p.choices]))
    return values


def decode(space: SearchSpace, params: dict[str, Any]) -> dict[str, Any]:
    """A stored trial's params as config values (JSON text of list choices parsed back)."""
    out = dict(params)
    for key, p in space.params.items():
        if isinstance(p, Choice) and not _plain(p.choices) and isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def extremes(space: SearchSpace) -> list[dict[str, Any]]:
    """Assignments that together visit both ends of every range and every choice (to check them early)."""
    n = max([2, *(len(p.choices) for p in space.params.values() if isinstance(p, Choice))])
    out: list[dict[str, Any]] = []
    for i in range(n):
        row: dict[str, Any] = {}
        for key, p in space.params.items():
            if isinstance(p, Choice):
                row[key] = p.choices[min(i, len(p.choices) - 1)]
            else:
                row[key] = p.low if i == 0 else p.high
        out.append(row)
    return out


def assign(raw: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of the nested config `raw` with each dotted key set; missing or null sections are created."""
    out = copy.deepcopy(raw)
    for key, value in values.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}  # e.g. augment: null in the recipe -> the augment defaults plus this key
            node = node[part]
        node[leaf] = copy.deepcopy(value)
    return out
