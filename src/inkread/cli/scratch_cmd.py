"""`inkread scratch ...`: train the from-scratch NumPy models and draw their decision boundaries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from inkread.cli.output import console, print_json, progress
from inkread.scratch.boundary import draw_boundaries
from inkread.scratch.recipe import Callbacks, ScratchConfig, parse_hidden, run_training

app = typer.Typer(help="The course's algorithms from scratch in NumPy (perceptron, logistic "
                  "regression, MLP).", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Folder holding <dataset>/ files.")]
Json = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result.")]


@app.command("train")
def train_cmd(
    model: Annotated[str, typer.Option(help="perceptron, logreg or mlp.")] = "mlp",
    hidden: Annotated[str, typer.Option(help="MLP hidden layer sizes, comma-separated.")] = "256,128",
    optimizer: Annotated[str, typer.Option(
        help="sgd, momentum, nesterov, adagrad, rmsprop or adam.")] = "adam",
    lr: Annotated[float | None, typer.Option(help="Learning rate η (default per model).")] = None,
    epochs: Annotated[int | None, typer.Option(help="Epochs (default per model).")] = None,
    batch_size: Annotated[int, typer.Option(help="Mini-batch size B (1 = stochastic).")] = 128,
    dataset: Annotated[str, typer.Option(help="Catalogued dataset, folder or .npz.")] = "mnist",
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Seed for splits, initialisation and shuffling.")] = 0,
    limit: Annotated[int | None, typer.Option(help="Quick mode: use only N training samples.")] = None,
    dropout: Annotated[float, typer.Option(help="MLP dropout probability.")] = 0.0,
    save: Annotated[Path | None, typer.Option(help="Write the trained model to this .npz.")] = None,
    json: Json = False,
) -> None:
    """Train a from-scratch model and report its test accuracy.

    perceptron: one-vs-rest averaged perceptrons; logreg: softmax regression; mlp: ReLU MLP.
    """

    cfg = ScratchConfig(model=model, hidden=parse_hidden(hidden), optimizer=optimizer, lr=lr,
                      epochs=epochs, batch_size=batch_size, dataset=dataset, data_dir=data_dir,
                      seed=seed, limit=limit, dropout=dropout, save=save)
    result = _train_with_progress(cfg)
    if json:
        print_json(result)
        return
    console.print(f"{result['model']} on {result['dataset']}: test accuracy "
                  f"[bold]{100 * result['test_accuracy']:.2f}%[/] (val {100 * result['val_accuracy']:.2f}%), "
                  f"{result['epochs']} epochs, {result['seconds']:.1f} s")
    if "saved" in result:
        console.print(f"saved {result['saved']}")


def _train_with_progress(cfg: Any) -> dict[str, Any]:
    """Run the recipe with a progress bar on stderr."""

    with progress() as bar:
        task = bar.add_task(f"training {cfg.model}", total=None, info="loading data")

        def on_epoch(epoch: int, stats: dict[str, float]) -> None:
            bar.update(task, info=f"epoch {epoch + 1}: val acc {100 * stats['val_acc']:.2f}%")

        return run_training(cfg, Callbacks(
            on_start=lambda total: bar.update(task, total=total, info=""),
            on_batch=lambda: bar.advance(task),
            on_epoch=on_epoch))


@app.command("boundary")
def boundary_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="PNG file to write.")] = Path(
        "boundary.png"),
    seed: Annotated[int, typer.Option(help="Seed for the toy data and the models.")] = 0,
    json: Json = False,
) -> None:
    """Draw the perceptron's, logistic regression's and an MLP's decision boundaries on toy data."""

    result = draw_boundaries(output, seed=seed)
    if json:
        print_json(result)
        return
    for p in result["panels"]:
        console.print(f"{p['model']:<20} {p['dataset']:<7} train accuracy {100 * p['train_accuracy']:.1f}%")
    console.print(f"wrote {result['path']}")
