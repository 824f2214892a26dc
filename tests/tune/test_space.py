"""The search space: typed and checked in the config, sampled by a trial, counted by the budget."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
import yaml
from optuna.distributions import BaseDistribution, FloatDistribution

from inkread.core.errors import ConfigError
from inkread.train.config import load_config, to_yaml
from inkread.train.search import SearchSpace
from inkread.tune.budget import INTERRUPTED, finished, shares
from inkread.tune.settings import check_study_name, check_tunable
from inkread.tune.space import assign, decode, extremes, suggest

REPO = Path(__file__).resolve().parents[2]

SPACE = {"params": {"optim.lr": {"type": "float", "low": 0.001, "high": 0.1, "log": True},
                    "train.batch_size": {"type": "choice", "choices": [64, 128]},
                    "model.options.widths": {"type": "choice", "choices": [[8, 16, 32], [16, 32, 64]]},
                    "augment.rotate": {"type": "float", "low": 0.0, "high": 10.0}}}


def test_tune_fast_recipe_is_tunable_and_train_ignores_search() -> None:
    cfg = load_config(REPO / "configs" / "tune-fast.yaml")
    space = check_tunable(cfg, "configs/tune-fast.yaml")
    assert "optim.lr" in space.params and space.pruner == "median"
    assert "search" in yaml.safe_load(to_yaml(cfg))  # kept when present ...
    plain = load_config(REPO / "configs" / "fast.yaml")
    assert "search" not in yaml.safe_load(to_yaml(plain))  # ... not added


@pytest.mark.parametrize(("params", "needle"), [
    ({"data.val_fraction": {"type": "float", "low": 0.1, "high": 0.2}}, "cannot be searched"),
    ({"run.seed": {"type": "int", "low": 0, "high": 3}}, "cannot be searched"),
    ({"optim.lr": {"type": "float", "low": 0.1, "high": 0.01}}, "above high"),
    ({"optim.lr": {"type": "float", "low": 0.0, "high": 0.1, "log": True}}, "low > 0"),
    ({"optim.lr": {"type": "gaussian", "low": 0.0, "high": 0.1}}, "search.params.optim.lr"),
    ({"train.batch_size": {"type": "choice", "choices": []}}, "choices"),
])
def test_bad_search_space_is_a_config_error(params: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle.replace(".", r"\.")):
        load_config(None, [f"search={yaml.safe_dump({'params': params}, default_flow_style=True).strip()}"])


def test_out_of_range_extreme_and_unknown_key_are_caught_before_any_trial() -> None:
    cfg = load_config(None, ["search={params: {optim.lr: {type: float, low: 0.0, high: 0.1}}}"])
    with pytest.raises(ConfigError, match=r"optim\.lr"):  # lr must be > 0: the low end is invalid
        check_tunable(cfg, "recipe.yaml")
    cfg = load_config(None, ["search={params: {optim.lrr: {type: float, low: 0.01, high: 0.1}}}"])
    with pytest.raises(ConfigError, match=r"unknown key 'optim\.lrr'"):
        check_tunable(cfg, "recipe.yaml")
    cfg = load_config(None, ["data.val_fraction=0", "search={params: {optim.lr: {type: float, low: 0.01, "
                                                     "high: 0.1}}}"])
    with pytest.raises(ConfigError, match="no validation split"):
        check_tunable(cfg, "recipe.yaml")


def test_suggest_decode_and_assign_round_trip() -> None:
    space = SearchSpace.model_validate(SPACE)
    trial = optuna.trial.FixedTrial({"optim.lr": 0.01, "train.batch_size": 128,
                                     "model.options.widths": "[16, 32, 64]", "augment.rotate": 5.0})
    values = suggest(trial, space)
    assert values["model.options.widths"] == [16, 32, 64]  # list choices travel as JSON text
    assert decode(space, {"model.options.widths": "[8, 16, 32]"}) == {"model.options.widths": [8, 16, 32]}
    base = load_config(None).model_dump(mode="json")
    raw = assign(base, values)
    assert raw["augment"] == {"rotate": 5.0}  # augment: null became a section with the defaults
    assert base["augment"] is None  # the base is not modified
    cfg = load_config(None, base=raw)
    assert (cfg.optim.lr, cfg.train.batch_size, cfg.model.options["widths"]) == (0.01, 128, [16, 32, 64])
    ends = extremes(space)
    assert {e["optim.lr"] for e in ends} == {0.001, 0.1}
    assert [e["model.options.widths"] for e in ends] == [[8, 16, 32], [16, 32, 64]]


def test_budget_counts_finished_trials_but_not_retried_or_interrupted_ones() -> None:
    study = optuna.create_study(direction="maximize")
    dist: dict[str, BaseDistribution] = {"x": FloatDistribution(0, 1)}
    state = optuna.trial.TrialState

    def add(s: optuna.trial.TrialState, **kw: object) -> None:
        study.add_trial(optuna.create_trial(state=s, params={"x": 0.5}, distributions=dist,
                                            value=0.5 if s == state.COMPLETE else None, **kw))  # type: ignore[arg-type]

    add(state.COMPLETE)
    add(state.PRUNED, intermediate_values={1: 0.1})
    add(state.FAIL)  # crashed: counts, it is not retried
    add(state.FAIL, user_attrs={INTERRUPTED: True})  # Ctrl-C: queued again, does not count
    add(state.FAIL)  # its worker died: the retry below stands for it
    add(state.COMPLETE, system_attrs={"failed_trial": 4, "retry_history": [4]})
    assert finished(study) == 4
    assert shares(5, 2) == [3, 2] and shares(1, 3) == [1, 0, 0]


def test_study_names_are_folder_names() -> None:
    assert check_study_name("fast-lr.2") == "fast-lr.2"
    with pytest.raises(ConfigError, match="cannot be a study name"):
        check_study_name("../x")
