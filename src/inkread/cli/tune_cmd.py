"""`inkread tune`: a thin wrapper over inkread.tune."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from inkread.cli.output import console, err_console, print_json
from inkread.cli.train_cmd import passive_openmp
from inkread.core.errors import ConfigError
from inkread.registry.uris import check_alias, check_model_name, pick_tracking_uri

if TYPE_CHECKING:
    from inkread.tune.report import Report
    from inkread.tune.settings import TuneSettings

# --quick: 2000 images and 2 epochs per trial, to check a search space in seconds.
QUICK = ["data.limit=2000", "train.epochs=2"]


def tune_cmd(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML recipe with a `search:` section "
                                         "(e.g. configs/tune-fast.yaml).")],
    trials: Annotated[int, typer.Option("--trials", "-n", help="Finished trials the study should hold; a "
                                        "rerun resumes up to this number.")] = 20,
    study: Annotated[str | None, typer.Option("--study", help="Study name (default: the recipe's file "
                                              "name).")] = None,
    storage: Annotated[str | None, typer.Option("--storage", help="SQLAlchemy URL shared by the workers "
                                                "(default: sqlite:///<run.out_dir>/optuna.db; "
                                                "postgresql+psycopg2://... across machines).")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Worker processes started here.")] = 1,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a recipe key: --set "
                                                   "train.epochs=3 (repeatable).")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="2000 images and 2 epochs per trial.")] = False,
    register: Annotated[str | None, typer.Option("--register", help="Register the best trial's model "
                                                 "under this name (MLflow) and print its version.")] = None,
    alias: Annotated[str | None, typer.Option("--alias", help="With --register: also point this alias "
                                              "(e.g. champion, served by `inkread serve --model "
                                              "models:/NAME@champion`) at the new version.")] = None,
    tracking_uri: Annotated[str | None, typer.Option("--tracking-uri", help="MLflow tracking URI (default: "
                                                     "$MLFLOW_TRACKING_URI, else <run.out_dir>/mlflow.db)."
                                                     )] = None,
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Do not log trials to MLflow.")] = False,
    heartbeat: Annotated[int, typer.Option("--heartbeat", min=1, help="Seconds between a running trial's "
                                           "heartbeats; a trial silent for twice as long (its worker "
                                           "died) is failed and retried.")] = 30,
    json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
) -> None:
    """Tune a recipe's hyper-parameters with Optuna (TPE, pruning) on validation accuracy; resumable."""
    passive_openmp()
    # torch and optuna load when tuning, after passive_openmp
    from inkread.tune.run import register_best, tune

    _check_alias(alias, register)
    settings = _settings(config, (QUICK if quick else []) + list(set_ or []), study, storage, trials, workers,
                         heartbeat, tracking_uri, not no_mlflow, register)
    if not json:
        err_console.print(f"study '{settings.study}': {settings.trials} trials, {settings.workers} "
                          f"worker(s), trial runs in {settings.folder}", highlight=False)
    try:
        report = tune(settings)
    except KeyboardInterrupt:
        err_console.print(f"[yellow]interrupted:[/] study '{settings.study}' is saved in {settings.storage}; "
                          "the same command resumes it (interrupted trials run again first)",
                          highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    mlflow = register_best(settings, report, register, alias) if settings.tracking_uri else {}
    if json:
        print_json({**report.to_dict(), "mlflow": mlflow})
        return
    _print(report, mlflow)


def _check_alias(alias: str | None, register: str | None) -> None:
    """Refuse --alias without --register, or an alias MLflow would refuse, before any trial runs."""

    if alias is None:
        return
    if register is None:
        raise ConfigError("--alias needs --register NAME (the alias points at the registered version)",
                          where="--alias", fix="add --register NAME, e.g. --register digits --alias champion")
    check_alias(alias)


def _settings(config: Path, overrides: list[str], study: str | None, storage: str | None, trials: int,
              workers: int, heartbeat: int, tracking_uri: str | None, mlflow: bool,
              register: str | None) -> TuneSettings:
    """Check the recipe, the budget and the names; build the settings every worker receives."""
    # torch loads with the recipe's config, not for --help
    from inkread.tune.settings import TuneSettings, base_recipe, check_budget, check_study_name, load_recipe

    check_budget(trials, workers)
    name = check_study_name(study or config.stem)
    cfg, space = load_recipe(config, overrides)
    if register is not None:
        check_model_name(register)
    uri = pick_tracking_uri(tracking_uri, cfg.run.out_dir) if mlflow and cfg.run.mlflow else None
    if register is not None and uri is None:
        raise ConfigError("--register needs MLflow, but --no-mlflow or run.mlflow: false turns it off",
                          where="--register", fix="drop one of the two")
    out = Path(cfg.run.out_dir)
    url = storage or f"sqlite:///{(out / 'optuna.db').resolve()}"
    return TuneSettings(base_recipe(cfg), space, str(config), name, url, trials, workers, out / name,
                        heartbeat, cfg.run.seed, uri)


def _print(report: Report, mlflow: dict[str, Any]) -> None:
    """The human-readable summary."""
    counts = ", ".join(f"{n} {state}" for state, n in report.trials.items() if state != "finished")
    console.print(f"study '{report.study}' ({report.storage}): {counts}")
    console.print(f"best: trial {report.best_trial}, validation accuracy [bold]{report.best_value:.2%}[/]"
                  + (f" (test {report.best_test_accuracy:.2%}, measured after choosing)"
                     if report.best_test_accuracy is not None else ""))
    for key, value in report.best_params.items():
        console.print(f"  {key}: {value}", highlight=False)
    console.print(f"best recipe: {report.recipe}   run: {report.best_run_dir}")
    for name, path in report.plots.items():
        console.print(f"{name} plot: {path}", highlight=False)
    for note in report.notes:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    if mlflow.get("promoted"):
        p = mlflow["promoted"]
        before = f" (was version {p['previous']})" if p["previous"] else ""
        console.print(f"registered {p['name']} version {p['version']} as {p['name']}@{p['alias']}{before}: "
                      f"serve it with `inkread serve --model models:/{p['name']}@{p['alias']}`")
    elif mlflow.get("version"):
        console.print(f"registered {mlflow['registered']} version {mlflow['version']}: promote it with "
                      f"`inkread models promote {mlflow['registered']} {mlflow['version']} champion`")
    if mlflow.get("note"):
        err_console.print(f"[yellow]note:[/] {mlflow['note']}", highlight=False)
