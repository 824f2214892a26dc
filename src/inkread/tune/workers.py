"""Worker processes: each opens the shared study and runs its share of the trials."""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import TYPE_CHECKING

import optuna

from inkread.core.errors import InkreadError
from inkread.tune.budget import StopWhenDone, finished
from inkread.tune.objective import ERROR, Objective
from inkread.tune.settings import TuneSettings
from inkread.tune.storage import open_study

if TYPE_CHECKING:
    import optuna
    from optuna.trial import FrozenTrial


def trial_line(trial: FrozenTrial) -> str:
    """One line about a finished trial: its state, score or error, and parameters."""
    params = "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in trial.params.items())
    seconds = trial.duration.total_seconds() if trial.duration else 0.0
    state = trial.state.name.lower()
    if state == "complete":
        what = f"validation accuracy {trial.value:.2%}"
    elif state == "pruned":
        last = max(trial.intermediate_values) if trial.intermediate_values else 0
        what = f"pruned after epoch {last} ({trial.intermediate_values.get(last, float('nan')):.2%})"
    else:
        what = f"failed: {trial.user_attrs.get(ERROR, 'the objective gave no finite value')}"
    return f"trial {trial.number} {what}  [{params}]  {seconds:.1f}s"


def _print_trial(study: optuna.Study, trial: FrozenTrial) -> None:
    """Print each finished trial as it ends (workers share the terminal)."""
    print(trial_line(trial), file=sys.stderr, flush=True)


def set_threads(settings: TuneSettings) -> None:
    """Share the cores between this invocation's workers, unless the recipe fixes train.threads."""
    if settings.base["train"].get("threads") is None and settings.workers > 1:
        # torch loads only to split the cores between workers
        import torch

        torch.set_num_threads(max(1, (os.cpu_count() or 1) // settings.workers))


def run_worker(settings: TuneSettings, index: int, n_trials: int) -> None:
    """Run up to `n_trials` trials of the study, stopping early once the study has enough."""

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # each trial gets our own line instead
    set_threads(settings)
    study = open_study(settings, worker=index, finished=finished_or_zero(settings))
    study.optimize(Objective(settings), n_trials=n_trials, catch=(Exception,),
                   callbacks=[StopWhenDone(settings.trials), _print_trial])


def finished_or_zero(settings: TuneSettings) -> int:
    """How many trials the study has finished (0 for a new study); varies the sampler seed on resume."""

    try:
        return finished(optuna.load_study(study_name=settings.study, storage=settings.storage))
    except KeyError:  # no such study yet
        return 0


def _child(settings: TuneSettings, index: int, n_trials: int) -> None:
    """Entry point of a spawned worker: errors become one line and exit code 2."""
    try:
        run_worker(settings, index, n_trials)
    except InkreadError as exc:
        print(f"error: worker {index}: {exc.render()}", file=sys.stderr, flush=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


def run_workers(settings: TuneSettings, shares: list[int]) -> list[int]:
    """Run one worker per share: in this process when there is one, else in spawned processes.

    Returns the exit code of each worker (0: finished its share or the study had enough).
    """
    active = [(i, n) for i, n in enumerate(shares) if n > 0]
    if len(active) <= 1:
        for i, n in active:
            run_worker(settings, i, n)
        return [0] * len(active)
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no torch threads or locks inherited
    procs = [ctx.Process(target=_child, args=(settings, i, n), name=f"tune-worker-{i}") for i, n in active]
    for p in procs:
        p.start()
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:
        for p in procs:  # the workers got Ctrl-C too: let them record their trials as interrupted
            p.join(timeout=30)
        raise
    return [p.exitcode if p.exitcode is not None else -1 for p in procs]
