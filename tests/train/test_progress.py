"""The training progress display: a live bar on a terminal, whole epoch lines in a log file."""

from __future__ import annotations

import io

from rich.console import Console

from inkread.train.progress import TrainProgress, epoch_line

RECORD = {"epoch": 1, "train_loss": 0.70601, "train_accuracy": 0.9503, "val_loss": 0.155,
          "val_accuracy": 0.9848, "images_per_s": 8467.2, "seconds": 6.41}


def _show(console: Console, enabled: bool = True) -> None:
    with TrainProgress(enabled, console=console) as bar:
        bar.start_epoch(1, 3, batches=4)
        for _ in range(4):
            bar.update(loss=0.7, accuracy=0.95, lr=0.01, images=128)
        bar.note(epoch_line(RECORD))


def test_log_file_gets_whole_epoch_lines_and_no_bar() -> None:
    out = io.StringIO()
    _show(Console(file=out, width=40))  # narrower than the line: it must still not wrap
    assert out.getvalue().splitlines() == [epoch_line(RECORD)]
    assert "6.4s" in out.getvalue().splitlines()[0] and "━" not in out.getvalue()


def test_terminal_gets_the_bar_with_its_figures() -> None:
    out = io.StringIO()
    _show(Console(file=out, force_terminal=True, width=160))
    text = out.getvalue()
    assert "epoch 1/3" in text and "4/4" in text and "lr 1.00e-02" in text and "img/s" in text
    assert epoch_line(RECORD) in text


def test_disabled_prints_nothing() -> None:
    out = io.StringIO()
    _show(Console(file=out, force_terminal=True), enabled=False)
    assert out.getvalue() == ""
