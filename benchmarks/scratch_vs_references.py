"""Benchmark: inkread's NumPy MLP against the same MLP in torch and scikit-learn's MLPClassifier.

All three train on MNIST in one process with the same hidden sizes, batch size and Adam settings
(η = 1e-3, β = (0.9, 0.999), ε = 1e-8). inkread and torch start from the same weights, use the
CLI's default step schedule (η × 0.2 every 3 epochs) and are timed epoch by epoch, alternating
which goes first, so a busy machine slows both alike; scikit-learn runs `fit` with
max_iter = epochs (its own defaults otherwise, so no schedule). Test accuracy is measured after
every epoch (outside the timings) to find when inkread first reaches scikit-learn's final accuracy.
Threads default to 1 for all three (numpy's BLAS via threadpoolctl, torch.set_num_threads): on a
shared machine multi-threaded BLAS timings swing by 10x; pass --threads 2 to use both cores.

    .venv/bin/python benchmarks/scratch_vs_references.py            # full: 54k samples, 8 epochs
    .venv/bin/python benchmarks/scratch_vs_references.py --quick    # smoke test: 10k samples, 2 epochs
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from harness import verdict
from inkread.scratch.layers import Linear
from inkread.scratch.logreg import softmax_regression
from inkread.scratch.mnist import ArraySplits, load_arrays
from inkread.scratch.network import Sequential, build_mlp
from inkread.scratch.optim import Adam
from inkread.scratch.recipe import DEFAULTS
from inkread.scratch.schedule import StepLR
from inkread.scratch.train import Trainer, evaluate_arrays, fit_arrays
from inkread.train.step import StepSettings, train_step

HIDDEN, BATCH = (256, 128), 128
LR, LR_STEP, LR_GAMMA = (DEFAULTS["mlp"][k] for k in ("lr", "lr_step", "lr_gamma"))  # the CLI recipe


@dataclass
class Run:
    """Per-epoch training seconds and test accuracy of one implementation."""

    name: str
    seconds: list[float] = field(default_factory=list)
    acc: list[float] = field(default_factory=list)

    def time_to(self, target: float) -> float | None:
        """Cumulative training seconds when test accuracy first reaches `target`."""
        hits = [i for i, a in enumerate(self.acc) if a >= target]
        return sum(self.seconds[:hits[0] + 1]) if hits else None


def torch_copy(net: Sequential) -> torch.nn.Sequential:
    """The same network in torch (float32), with inkread's initial weights copied in."""
    mods: list[torch.nn.Module] = []
    for layer in net.layers:
        if isinstance(layer, Linear):
            lin = torch.nn.Linear(*layer.W.shape)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(layer.W.T.copy()))
                lin.bias.copy_(torch.from_numpy(layer.b.copy()))
            mods.append(lin)
        else:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


class TorchTrainer:
    """The same network trained by inkread's own torch step (inkread.train.step), Adam and StepLR."""

    def __init__(self, model: torch.nn.Sequential, seed: int) -> None:
        self.model, self.rng = model, np.random.default_rng(seed)
        self.opt = torch.optim.Adam(model.parameters(), lr=LR)
        self.sched = torch.optim.lr_scheduler.StepLR(self.opt, LR_STEP, LR_GAMMA)
        self.settings = StepSettings(label_smoothing=0.0, channels_last=False)  # plain cross-entropy

    def epoch(self, X: torch.Tensor, y: torch.Tensor) -> None:
        """One pass over the data in shuffled mini-batches."""
        self.model.train()
        order = torch.from_numpy(self.rng.permutation(len(X)))
        for i in range(0, len(X), BATCH):
            idx = order[i:i + BATCH]
            train_step(self.model, X[idx], y[idx], self.opt, self.settings)
        self.sched.step()

    def accuracy(self, X: torch.Tensor, y: torch.Tensor) -> float:
        """Test accuracy."""
        with torch.no_grad():
            return float((self.model(X).argmax(1) == y).float().mean())


def numpy_vs_torch(d: ArraySplits, epochs: int, seed: int) -> tuple[Run, Run]:
    """Train both from the same initial weights, alternating who goes first each epoch."""
    net = build_mlp([d.X_train.shape[1], *HIDDEN, len(d.classes)], seed=seed)
    tt = TorchTrainer(torch_copy(net), seed)
    opt = Adam(net.params, net.grads, lr=LR)
    trainer, sched = Trainer(net, opt, batch_size=BATCH, seed=seed), StepLR(opt, LR_STEP, LR_GAMMA)
    Xt, yt = torch.from_numpy(d.X_train), torch.from_numpy(d.y_train)
    Xs, ys = torch.from_numpy(d.X_test), torch.from_numpy(d.y_test)
    ours, ref = Run("inkread NumPy MLP"), Run("torch MLP (same init)")

    def step_numpy() -> None:
        start = time.perf_counter()
        trainer.run_epoch(d.X_train, d.y_train)
        ours.seconds.append(time.perf_counter() - start)
        sched.step()

    def step_torch() -> None:
        start = time.perf_counter()
        tt.epoch(Xt, yt)
        ref.seconds.append(time.perf_counter() - start)

    for e in range(epochs):
        for step in ((step_numpy, step_torch) if e % 2 == 0 else (step_torch, step_numpy)):
            step()
        ours.acc.append(evaluate_arrays(net, d.X_test, d.y_test)[1])
        ref.acc.append(tt.accuracy(Xs, ys))
        print(f"  epoch {e + 1}: numpy {ours.seconds[-1]:.2f} s {100 * ours.acc[-1]:.2f}% | "
              f"torch {ref.seconds[-1]:.2f} s {100 * ref.acc[-1]:.2f}%", flush=True)
    return ours, ref


def sklearn_run(d: ArraySplits, epochs: int, seed: int) -> Run:
    """scikit-learn's MLPClassifier with the same sizes, batch and Adam settings, `epochs` passes."""
    clf = MLPClassifier(hidden_layer_sizes=HIDDEN, batch_size=BATCH, learning_rate_init=LR,
                        beta_1=0.9, beta_2=0.999, epsilon=1e-8, max_iter=epochs, shuffle=True,
                        random_state=seed, tol=0.0, n_iter_no_change=epochs + 1)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(d.X_train, d.y_train)
    total = time.perf_counter() - start
    run = Run("scikit-learn MLPClassifier")
    run.seconds, run.acc = [total / clf.n_iter_] * clf.n_iter_, [clf.score(d.X_test, d.y_test)]
    return run


def logreg_run(d: ArraySplits, epochs: int, seed: int) -> Run:
    """Softmax regression (multi-class logistic regression) with Adam, the `logreg` recipe."""
    model = softmax_regression(d.X_train.shape[1], len(d.classes), seed)
    hist = fit_arrays(model, d.X_train, d.y_train, optimizer=Adam(model.params, model.grads, lr=LR),
               epochs=epochs, batch_size=BATCH, seed=seed)
    run = Run("inkread logistic regression")
    run.seconds, run.acc = hist.seconds, [evaluate_arrays(model, d.X_test, d.y_test)[1]]
    return run


def report(runs: list[Run], sk: Run, ours: Run, ref: Run, logreg: Run, quick: bool) -> bool:
    """Print the side-by-side table, the ratios and PASS/FAIL per target; True if all pass."""
    print(f"\n{'':30}{'test acc':>10}{'s/epoch':>10}{'fit s':>9}{'epochs':>8}")
    for r in runs:
        print(f"{r.name:30}{100 * r.acc[-1]:>9.2f}%{np.mean(r.seconds):>10.2f}"
              f"{sum(r.seconds):>9.1f}{len(r.seconds):>8}")
    per_epoch = np.mean(ours.seconds) / np.mean(ref.seconds)
    t_reach, sk_fit = ours.time_to(sk.acc[-1]), sum(sk.seconds)
    reach = t_reach / sk_fit if t_reach is not None else float("inf")
    print(f"\nratios: NumPy/torch time per epoch = {per_epoch:.2f} (median of per-epoch ratios "
          f"{np.median(np.divide(ours.seconds, ref.seconds)):.2f}); NumPy/scikit-learn time per "
          f"epoch = {np.mean(ours.seconds) / np.mean(sk.seconds):.2f}")
    print(f"        NumPy reaches scikit-learn's {100 * sk.acc[-1]:.2f}% after "
          + (f"{t_reach:.1f} s = {reach:.2f} x scikit-learn's {sk_fit:.1f} s fit" if t_reach
             is not None else "never (within these epochs)"))
    targets = [(ours.acc[-1] >= 0.98, f"NumPy MLP test accuracy >= 98.0% ({100 * ours.acc[-1]:.2f}%)",
                True),
               (per_epoch <= 1.0, f"NumPy time per epoch <= 1.0 x torch ({per_epoch:.2f} x)", False),
               (reach <= 0.5, f"NumPy reaches scikit-learn's accuracy in <= 0.5 x its fit time "
                f"({reach:.2f} x)", True),
               (logreg.acc[-1] >= 0.92, f"logistic regression test accuracy >= 92% "
                f"({100 * logreg.acc[-1]:.2f}%)", True)]
    print()
    for ok, text, needs_full in targets:
        print(("SKIP (quick)" if quick and needs_full else verdict(bool(ok))), " ", text)
    return all(ok for ok, _, needs_full in targets if not (quick and needs_full))


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the three trainings and the logistic regression, print the report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10k samples, 2 epochs (smoke test)")
    ap.add_argument("--epochs", type=int, default=None, help="MLP epochs (default 8, quick 2)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS/torch threads for all (default 1)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    epochs = args.epochs or (2 if args.quick else 8)
    torch.set_num_threads(args.threads)
    d = load_arrays("mnist", seed=args.seed, limit=10000 if args.quick else None)
    print(f"MNIST {len(d.X_train)} train / {len(d.X_test)} test; MLP 784-{HIDDEN[0]}-{HIDDEN[1]}-10 "
          f"ReLU, Adam lr {LR}, batch {BATCH}, {epochs} epochs; {args.threads} thread(s); "
          f"numpy {np.__version__}, torch {torch.__version__}")
    with threadpool_limits(args.threads):
        ours, ref = numpy_vs_torch(d, epochs, args.seed)
        sk = sklearn_run(d, epochs, args.seed)
        logreg = logreg_run(d, 2 if args.quick else 5, args.seed)
    ok = report([ours, ref, sk, logreg], sk, ours, ref, logreg, args.quick)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
