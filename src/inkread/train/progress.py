"""A rich progress bar on stderr showing loss, accuracy, learning rate, images/s and ETA."""

from __future__ import annotations

import time
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn


class TrainProgress:
    """One bar per epoch on a terminal, plain epoch lines in a log file; a no-op when not `enabled`."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        self.enabled = enabled
        self._console = console or Console(stderr=True)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._start = 0.0
        self._images = 0

    def __enter__(self) -> TrainProgress:
        # a live bar only on a terminal: redirected to a file, rich would dump every bar, cut to 80
        # columns, when the run ends; there the epoch lines alone say how the run goes
        if self.enabled and self._console.is_terminal:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"), TextColumn("ETA"), TimeRemainingColumn(),
                console=self._console, transient=False)
            self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start_epoch(self, epoch: int, epochs: int, batches: int, done: int = 0) -> None:
        """Begin the bar of `epoch` (1-based) with `batches` steps, `done` of them already run."""
        self._start, self._images = time.perf_counter(), 0
        if self._progress is not None:
            self._task = self._progress.add_task(f"epoch {epoch}/{epochs}", total=batches, completed=done,
                                                 info="")

    def update(self, loss: float, accuracy: float, lr: float, images: int) -> None:
        """Advance one batch of `images` images, showing running loss and accuracy."""
        self._images += images
        if self._progress is None or self._task is None:
            return
        rate = self._images / max(time.perf_counter() - self._start, 1e-9)
        info = f"loss {loss:.4f}  acc {accuracy:.2%}  lr {lr:.2e}  {rate:,.0f} img/s"
        self._progress.update(self._task, advance=1, info=info)

    def note(self, text: str) -> None:
        """Print a line above the bars (e.g. the epoch's validation result), unwrapped in a log file."""
        if self.enabled:
            self._console.print(text, highlight=False, soft_wrap=True)


def epoch_line(r: dict[str, Any]) -> str:
    """One human-readable line per epoch."""
    val = f"  val loss {r['val_loss']:.4f} acc {r['val_accuracy']:.2%}" if "val_accuracy" in r else ""
    return (f"epoch {r['epoch']}: train loss {r['train_loss']:.4f} acc {r['train_accuracy']:.2%}{val}"
            f"  {r['images_per_s']:,.0f} img/s  {r['seconds']:.1f}s")


def nothing_left_note(run_dir: Path, epochs: int) -> str:
    """What a resumed run that had already trained all its epochs says instead of training."""
    return (f"{run_dir} has already trained all {epochs} epoch{'s' if epochs != 1 else ''}: nothing to "
            f"train, so its kept weights are tested again (to train longer: inkread train --resume "
            f"{run_dir} --set train.epochs=N)")
