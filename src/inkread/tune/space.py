"""The search space a recipe declares in its `search:` section, and how a trial samples it.

    search:
      pruner: median        # median, hyperband or none
      startup_trials: 5     # random trials before TPE models the space (and before median pruning)
      params:               # a config key -> a range or a list of choices
        optim.lr: {type: float, low: 0.002, high: 0.03, log: true}
        train.batch_size: {type: choice, choices: [64, 128, 256]}
        model.options.widths: {type: choice, choices: [[16, 32, 64], [32, 64, 128]]}

Only this module's types are imported by the config; optuna is needed only to sample.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    import optuna

# keys a search may not touch: the data and its split define the validation set every trial is judged
# on, and the run section says where trials go.
FIXED_SECTIONS = ("data", "run", "search")


class _Param(BaseModel):
    """Base of a parameter's distribution: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class FloatRange(_Param):
    """A real value drawn from [low, high], on a log scale when `log` (learning rates, weight decay)."""

    type: Literal["float"]
    low: float
    high: float
    log: bool = False
    # draw only multiples of step above low (not with log).
    step: float | None = Field(default=None, gt=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> FloatRange:
        """low <= high; a log scale needs low > 0 and no step."""
        _check_range(self.low, self.high, self.log, self.step)
        return self


class IntRange(_Param):
    """An integer drawn from [low, high] in steps of `step`, on a log scale when `log`."""

    type: Literal["int"]
    low: int
    high: int
    log: bool = False
    step: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        """low <= high; a log scale needs low > 0 and step 1."""
        _check_range(self.low, self.high, self.log, None if self.step == 1 else self.step)
        return self


class Choice(_Param):
    """One of a list of values (numbers, strings, booleans or lists such as layer widths)."""

    type: Literal["choice"]
    choices: list[Any] = Field(min_length=1)


def _check_range(low: float, high: float, log: bool, step: float | None) -> None:
    """Refuse an empty range, a log range touching zero, or a log range with a step."""
    if low > high:
        raise ValueError(f"low {low} is above high {high}")
    if log and low <= 0:
        raise ValueError(f"a log range needs low > 0, not {low}")
    if log and step is not None:
        raise ValueError("a log range cannot have a step")


Param = Annotated[FloatRange | IntRange | Choice, Field(discriminator="type")]


class SearchSpace(BaseModel):
    """What `inkread tune` varies and how it stops unpromising trials; `inkread train` ignores it."""

    model_config = ConfigDict(extra="forbid")

    # median: stop a trial whose validation accuracy after an epoch is below the median of earlier
    # trials at that epoch; hyperband: successive halving over epochs; none: every trial runs to the end.
    pruner: Literal["median", "hyperband", "none"] = "median"
    # trials drawn at random before the TPE sampler models the space; median pruning waits for as many.
    startup_trials: int = Field(default=5, ge=0)
    # config key (dotted, e.g. optim.lr or model.options.widths) -> its distribution.
    params: dict[str, Param] = Field(min_length=1)

    @model_validator(mode="after")
    def _tunable_keys(self) -> SearchSpace:
        """Refuse keys that would change the validation set or where trials are written."""
        for key in self.params:
            if key.split(".")[0] in FIXED_SECTIONS or not all(key.split(".")):
                raise ValueError(f"'{key}' cannot be searched: give a key in model, optim, schedule, "
                                 f"train or augment (the {', '.join(FIXED_SECTIONS)} sections stay fixed)")
        return self


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
