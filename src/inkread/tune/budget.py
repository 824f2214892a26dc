"""How many trials a study has finished, and the callback that stops a worker once there are enough."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optuna.trial import TrialState

if TYPE_CHECKING:
    import optuna
    from optuna.trial import FrozenTrial

# user attribute of a trial stopped by Ctrl-C: it was queued again and does not count
INTERRUPTED = "interrupted"


def finished(study: optuna.Study) -> int:
    """Trials that count against the budget: complete, pruned, and failed ones that will not be retried.

    A trial interrupted by Ctrl-C, or failed because its worker died and queued again, does not count:
    its retry does.
    """

    trials = study.get_trials(deepcopy=False)
    # RetryHeartbeatStaleTrialCallback records the numbers a retry stands for in "retry_history"
    retried = {n for t in trials for n in t.system_attrs.get("retry_history", [])}
    done = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    lost = [t for t in trials if t.state == TrialState.FAIL and not t.user_attrs.get(INTERRUPTED)
            and t.number not in retried]
    return len(done) + len(lost)


class StopWhenDone:
    """Stops `optimize` once the study (all workers together) has finished `target` trials."""

    def __init__(self, target: int) -> None:
        self.target = target

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if finished(study) >= self.target:
            study.stop()


def shares(remaining: int, workers: int) -> list[int]:
    """Split `remaining` trials between `workers` as evenly as possible (no worker gets none if avoidable)."""
    return [remaining // workers + (i < remaining % workers) for i in range(workers)]
