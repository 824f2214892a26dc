"""`inkread read` over folders, whole command: single digits and amounts per second, batched on every
core against one process reading one image at a time.

Usage: .venv/bin/python benchmarks/read_speed.py [--digits 1000] [--amounts 200] [--quick]

Writes 1,000 CVL test writers' digits (PNG, 28x28 enlarged to 56x56) and 200 composed amounts
(benchmarks/read_amounts.py, scanned, plain paper) to temporary folders, then times the whole
command `inkread read DIR --format jsonl` (start-up, model load, reading, output) with its default
batching (one process per core, 64 images per model call) and with `--jobs 1`.
Targets: >= 300 single digits/s and >= 30 amounts/s with the defaults.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from harness import ratio, verdict
from inkread.data.real import load_real
from read_amounts import amount as amount_text
from read_amounts import compose, encode, on_paper, writers  # beside this script

TARGET_DIGITS, TARGET_AMOUNTS = 300.0, 30.0


def write_digits(folder: Path, count: int) -> None:
    """`count` CVL test digits as PNG files."""
    s = load_real("cvl")
    picks = np.flatnonzero(s.test)[:count]
    for i in picks:
        Image.fromarray(s.images[i]).resize((56, 56), Image.Resampling.BICUBIC).save(folder / f"{i}.png")


def write_amounts(folder: Path, count: int) -> None:
    """`count` composed amounts, scanned on plain paper."""
    rng, people = np.random.default_rng(7), writers(None)
    for i in range(count):
        dark = compose(people[int(rng.integers(len(people)))], amount_text(rng), rng)
        (folder / f"{i}.png").write_bytes(encode(on_paper(dark, "plain", "scanned", rng), "scanned"))


def per_second(folder: Path, count: int, *extra: str) -> float:
    """Images per second of the whole `inkread read` command over the folder."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "inkread", "read", str(folder), "--format", "jsonl", *extra],
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    assert len(done.stdout.splitlines()) == count, done.stderr
    return count / seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--digits", type=int, default=1000)
    p.add_argument("--amounts", type=int, default=200)
    p.add_argument("--quick", action="store_true", help="300 digits and 60 amounts")
    args = p.parse_args()
    if args.quick:
        args.digits, args.amounts = 300, 60
    with tempfile.TemporaryDirectory(prefix="inkread-read-speed-") as tmp:
        digits, amounts = Path(tmp, "digits"), Path(tmp, "amounts")
        digits.mkdir()
        amounts.mkdir()
        write_digits(digits, args.digits)
        write_amounts(amounts, args.amounts)
        rows = {"single digits": (digits, args.digits, TARGET_DIGITS),
                "amounts": (amounts, args.amounts, TARGET_AMOUNTS)}
        print(f"{'images':<16}{'batched /s':>12}{'--jobs 1 /s':>13}{'ratio':>8}")
        ok = True
        for name, (folder, count, target) in rows.items():
            fast, one = per_second(folder, count), per_second(folder, count, "--jobs", "1")
            print(f"{name:<16}{fast:>12.1f}{one:>13.1f}{ratio(fast, one):>8.2f}")
            ok &= fast >= target
            print(f"{verdict(fast >= target)}  {name} >= {target:g}/s, whole command ({count} images)")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
