"""`inkread train` and `inkread evaluate`: thin wrappers over inkread.train."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from inkread.cli.output import console, err_console, print_json
from inkread.core.errors import ConfigError
from inkread.registry.store import mlflow_errors, open_client
from inkread.registry.tracking import track_run
from inkread.registry.uris import check_alias, check_model_name
from inkread.registry.versions import promote

if TYPE_CHECKING:
    from inkread.train.config import TrainConfig

Json = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result on stdout.")]

# --quick: a tiny subset and one epoch, to check an installation or a recipe in seconds.
QUICK = ["data.limit=2000", "train.epochs=1"]


def passive_openmp() -> None:
    """Let idle OpenMP threads sleep instead of spinning, unless the user chose otherwise.

    Must run before torch is imported. On 2 cores shared with one other busy process, a 2-thread
    training step ran 18x faster with OMP_WAIT_POLICY=PASSIVE (4,300 vs 240 images/s for fast_cnn),
    and about 5% slower on idle cores.
    """
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def train_cmd(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="YAML recipe (default: the fast "
                                                "recipe, as in configs/fast.yaml).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a key: --set train.epochs=3 "
                                                   "(repeatable; values are YAML).")] = None,
    resume: Annotated[Path | None, typer.Option("--resume", help="Continue the run in this folder (or its "
                                                "checkpoint.json) from its last checkpoint.")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="2000 training and 2000 test images, "
                                        "1 epoch.")] = False,
    register: Annotated[str | None, typer.Option("--register", help="Also register the run's ONNX export "
                                                 "as a new version of this model (MLflow).")] = None,
    alias: Annotated[str | None, typer.Option("--alias", help="With --register: also point this alias "
                                              "(e.g. champion) at the new version.")] = None,
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Do not log the run to MLflow (default: "
                                            "run.mlflow, true).")] = False,
    json: Json = False,
) -> None:
    """Train a model; checkpoints, config.yaml, metrics.jsonl and TensorBoard logs go to runs/<name>/."""
    passive_openmp()
    # torch loads here, after passive_openmp has set OpenMP's environment, and never for --help
    from inkread.train import distributed
    from inkread.train.calibration import stored, summary_line
    from inkread.train.loop import RunInterrupted, fit

    cfg, run_dir = _resolve(config, (QUICK if quick else []) + list(set_ or []), resume)
    _check_register(register, no_mlflow, alias)
    try:
        result = fit(cfg, resume=run_dir, show_progress=not json)
    except RunInterrupted as exc:
        err_console.print(f"[yellow]{exc}[/]", highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    if not distributed.is_main():
        return  # under torchrun, rank 0 alone reports and logs the run to MLflow
    summary: dict[str, Any] = {"run_dir": str(result.run_dir), "test_accuracy": result.test_accuracy,
                               "test_loss": result.test_loss, "best_epoch": result.best_epoch,
                               "epochs": result.epochs_run, "stopped_early": result.stopped_early,
                               "seconds": round(result.seconds, 2), "history": result.history}
    summary.update(stored(result.run_dir))  # temperature, threshold, calibration
    summary["mlflow"] = _track(result.run_dir, cfg.run.mlflow and not no_mlflow, register, alias)
    if json:
        print_json(summary)
        return
    console.print(f"test accuracy [bold]{result.test_accuracy:.2%}[/] (best epoch {result.best_epoch}, "
                  f"{result.seconds:.1f}s)")
    if (line := summary_line(summary)) is not None:
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"run folder: {result.run_dir}  (tensorboard --logdir {result.run_dir.parent})")


def _check_register(register: str | None, no_mlflow: bool, alias: str | None = None) -> None:
    """Refuse a bad --register or --alias before training rather than after."""

    if alias is not None:
        if register is None:
            raise ConfigError("--alias needs --register NAME (the alias points at the registered version)",
                              where="--alias", fix="add --register NAME, e.g. --register digits --alias "
                              "champion")
        check_alias(alias)

    if register is not None:
        check_model_name(register)
        if no_mlflow:
            raise ConfigError("--register needs MLflow, but --no-mlflow turns it off", where="--register",
                              fix="drop one of the two options")


def _track(run_dir: Path, enabled: bool, register: str | None,
           alias: str | None = None) -> dict[str, Any] | None:
    """Log the finished run to MLflow (and register it); a failure only warns: the run folder is complete."""
    if not enabled and register is None:
        return None

    err_console.print("logging the run to MLflow (evaluation report, ONNX export)...", highlight=False)
    try:
        tracked = track_run(run_dir, register_as=register)
    except Exception as exc:  # any tracking fault must leave the finished run usable
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        err_console.print(f"[yellow]warning:[/] the run is complete in {run_dir}, but logging it to MLflow "
                          f"failed: {why}. Retry with `inkread models register {run_dir} NAME`.",
                          highlight=False, soft_wrap=True)
        return {"error": str(exc)}
    out: dict[str, Any] = {"run_id": tracked.run_id, "tracking_uri": tracked.tracking_uri,
                           "registered": tracked.name, "version": tracked.version}
    if register is not None:
        err_console.print(f"registered {register} version {tracked.version}", highlight=False)
    if alias is not None and register is not None and tracked.version is not None:
        with mlflow_errors("promoting the new version failed"):
            out["promoted"] = promote(open_client(tracked.tracking_uri), register, tracked.version, alias)
        err_console.print(f"{register}@{alias} -> version {tracked.version}", highlight=False)
    return out


def _resolve(config: Path | None, overrides: list[str],
             resume: Path | None) -> tuple[TrainConfig, Path | None]:
    """The configuration to train and, when resuming, the run folder."""
    # torch loads for training, not for --help
    from inkread.train.config import load_config
    from inkread.train.session import resume_config

    if resume is None:
        return load_config(config, overrides), None
    if config is not None:
        raise ConfigError("--config cannot be combined with --resume", where="--config",
                          fix="a resumed run keeps its saved config; change keys with --set")
    return resume_config(resume, overrides)


def evaluate_cmd(
    checkpoint: Annotated[Path, typer.Argument(help="Run folder or its checkpoint.json.")],
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset to test on (default: the "
                                                "run's).")] = None,
    augmented: Annotated[bool, typer.Option("--augmented", help="Test on a randomly distorted copy of "
                                            "the test set.")] = False,
    prepared: Annotated[bool, typer.Option("--prepared", help="Test on the test images rendered as real "
                                           "photos and scans (sizes, pens, papers, PNG/JPEG) and run "
                                           "through the same preprocessing as `inkread read`.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Use only the first N test "
                                              "images.")] = None,
    tta: Annotated[bool, typer.Option("--tta", help="Average the predictions over the image, its "
                                      "four one-pixel shifts, two 5-degree turns and two 10% "
                                      "resizes (9x the compute).")] = False,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Report folder (default: RUN/report, "
                                             "RUN/report-augmented or RUN/report-prepared; -tta added "
                                             "with --tta).")] = None,
    json: Json = False,
) -> None:
    """Predict the test set with a checkpoint and write an HTML report with metrics and figures."""
    passive_openmp()
    # torch loads when evaluating, not for --help
    from inkread.evaluate.checkpoint import describe, evaluate_checkpoint

    result = evaluate_checkpoint(checkpoint, dataset=dataset, augmented=augmented, prepared=prepared,
                                 limit=limit, tta=tta, out_dir=out)
    if json:
        print_json({k: v for k, v in result.items() if k != "metrics"})
        return
    variant = " (augmented)" if augmented else " (prepared)" if prepared else ""
    variant += " with test-time augmentation" if tta else ""
    err_console.print(f"evaluated {result['checkpoint']} on {result['dataset']}{variant}")
    console.print(f"accuracy [bold]{result['accuracy']:.2%}[/]")
    for line in describe(result):
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"report: {Path(result['report']) / 'index.html'}")
