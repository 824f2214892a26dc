"""The end of a study: the best configuration as a recipe file, plots, and summary.json."""

from __future__ import annotations

import io
import json
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optuna.trial import TrialState

from inkread.core.errors import InkreadError
from inkread.core.files import atomic_write_bytes, atomic_write_text
from inkread.train.config import to_yaml, validate
from inkread.tune.budget import finished
from inkread.tune.objective import ERROR, RUN_DIR
from inkread.tune.settings import TuneSettings
from inkread.tune.space import assign, decode
from inkread.tune.storage import safe_url

if TYPE_CHECKING:
    import optuna
    from matplotlib.axes import Axes


@dataclass
class Report:
    """What the study found and where it was written."""

    study: str
    storage: str
    trials: dict[str, int]  # state -> count, plus "finished" (what the budget counts)
    best_trial: int
    best_value: float  # best validation accuracy of the best trial
    best_params: dict[str, Any]
    best_run_dir: str
    best_test_accuracy: float | None  # measured once the trial had been chosen; never used to choose
    recipe: str
    plots: dict[str, str]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """As JSON-able data."""
        return asdict(self)


def no_complete_trial(study: optuna.Study, settings: TuneSettings) -> InkreadError:
    """The error when every trial failed or was pruned: it quotes the first failures."""
    errors = [f"trial {t.number}: {t.user_attrs[ERROR]}" for t in study.trials if ERROR in t.user_attrs][:3]
    return InkreadError(f"study '{settings.study}' has no completed trial"
                        + (" (" + "; ".join(errors) + ")" if errors else ""),
                        where=settings.source, expected="at least one trial that trains to the end",
                        fix="correct the recipe or narrow the search ranges, then run the same command again")


def write_recipe(settings: TuneSettings, trial: optuna.trial.FrozenTrial) -> Path:
    """The best trial's configuration as a normal recipe (no search section), with where it came from."""
    params = decode(settings.space, trial.params)
    raw = assign(settings.base, {**params, "run.name": None})
    cfg = validate(raw, f"best trial {trial.number}")
    head = (f"# The best of study '{settings.study}': trial {trial.number}, validation accuracy "
            f"{trial.value:.4%}.\n# Chosen on the validation split only. Train it with:\n"
            f"#   inkread train --config {settings.folder / 'best.yaml'}\n"
            f"# Tuned: {', '.join(f'{k}={v}' for k, v in params.items())}\n\n")
    path = settings.folder / "best.yaml"
    atomic_write_text(path, head + to_yaml(cfg))
    return path


def _save_plot(draw: Callable[[], Axes], path: Path) -> None:
    """Draw with optuna's matplotlib backend and write the figure as a PNG atomically."""
    # matplotlib loads when a plot is drawn, on the Agg backend
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optuna marks its matplotlib plots experimental
        ax = draw()
    fig = ax.get_figure(root=True)
    assert fig is not None
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def write_plots(study: optuna.Study, settings: TuneSettings,
                completed: int) -> tuple[dict[str, str], list[str]]:
    """history.png, importances.png (with 2+ completed trials) and intermediate.png; and notes on skips."""
    # optuna's plots load only when the report draws them
    from optuna.visualization import matplotlib as vis

    plots: dict[str, Callable[[], Axes]] = {
        "history": lambda: vis.plot_optimization_history(study),
        "intermediate": lambda: vis.plot_intermediate_values(study),
    }
    notes: list[str] = []
    if completed >= 2:
        plots["importances"] = lambda: vis.plot_param_importances(study)
    else:
        notes.append("parameter importances need at least 2 completed trials: importances.png not written")
    written: dict[str, str] = {}
    for name, draw in plots.items():
        path = settings.folder / f"{name}.png"
        try:
            _save_plot(draw, path)
            written[name] = str(path)
        except Exception as exc:  # e.g. every trial drew the same values: no importance to show
            notes.append(f"{name}.png not written: {str(exc).strip().splitlines()[0] if str(exc) else exc}")
    return written, notes


def _test_accuracy(run_dir: str) -> float | None:
    """The test accuracy recorded in a run's checkpoint.json, if any."""
    try:
        doc = json.loads((Path(run_dir) / "checkpoint.json").read_text(encoding="utf-8"))
        return float(doc["test"]["accuracy"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_report(study: optuna.Study, settings: TuneSettings) -> Report:
    """Write best.yaml, the plots and summary.json for the study; an error if no trial completed."""

    counts = Counter(t.state.name.lower() for t in study.get_trials(deepcopy=False))
    if not counts.get(TrialState.COMPLETE.name.lower()):
        raise no_complete_trial(study, settings)
    best = study.best_trial
    recipe = write_recipe(settings, best)
    plots, notes = write_plots(study, settings, counts["complete"])
    run_dir = str(best.user_attrs.get(RUN_DIR, settings.trial_dir(best.number)))
    report = Report(settings.study, safe_url(settings.storage), {**counts, "finished": finished(study)},
                    best.number, float(best.value or 0.0), decode(settings.space, best.params), run_dir,
                    _test_accuracy(run_dir), str(recipe), plots, notes)
    atomic_write_text(settings.folder / "summary.json", json.dumps(report.to_dict(), indent=2))
    return report
