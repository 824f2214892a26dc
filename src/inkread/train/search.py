"""The schema of the `search:` section a tuning recipe declares (sampled by inkread.tune.space).

    search:
      pruner: median        # median, hyperband or none
      startup_trials: 5     # random trials before TPE models the space (and before median pruning)
      params:               # a config key -> a range or a list of choices
        optim.lr: {type: float, low: 0.002, high: 0.03, log: true}
        train.batch_size: {type: choice, choices: [64, 128, 256]}
        model.options.widths: {type: choice, choices: [[16, 32, 64], [32, 64, 128]]}

The config validates this section; `inkread train` ignores it, `inkread tune` samples it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
