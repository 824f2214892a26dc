"""Reading many images: folders searched by content, rows in order, one model call per chunk, bad files
reported in their rows, every output format, and the same readings on several processes."""

from __future__ import annotations

import csv
import io
import json
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from inkread.core.model import LoadedModel
from inkread.read.batch import find_images, is_image, read_chunk, read_images
from inkread.registry.loader import load_model
from tests.conftest import run_cli
from tests.support.mnist import Mnist


def digits(folder: Path, mnist: Mnist, count: int, start: int = 0) -> list[tuple[Path, str]]:
    """MNIST test digits as dark-on-white PNGs named by index; (path, label) each."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + count):
        path = folder / f"{i:04d}.png"
        Image.fromarray(255 - mnist.test.images[i]).resize((56, 56)).save(path)
        out.append((path, str(mnist.test.labels[i])))
    return out


def test_folders_are_searched_recursively_by_content(tmp_path: Path, mnist: Mnist) -> None:
    digits(tmp_path / "a", mnist, 2)
    digits(tmp_path / "a" / "deeper", mnist, 1, start=5)
    Image.new("L", (20, 20), 255).save(tmp_path / "a" / "scan.dat", "PNG")  # an image, whatever its name
    (tmp_path / "a" / "fake.png").write_text("not a picture")  # a name is no image
    found = find_images([tmp_path / "a"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/0000.png", "a/0001.png", "a/deeper/0005.png", "a/scan.dat"]
    assert is_image(tmp_path / "a" / "scan.dat") and not is_image(tmp_path / "a" / "fake.png")


def test_a_chunk_reads_each_character_once_and_bad_files_are_rows(tmp_path: Path, mnist: Mnist) -> None:
    model = load_model("default")
    calls: list[int] = []

    class Counting(LoadedModel):
        classes, calibration = model.classes, model.calibration

        def logits(self, x: np.ndarray) -> np.ndarray:
            calls.append(len(x))
            return model.logits(x)

    images = digits(tmp_path, mnist, 6)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    paths = [p for p, _ in images[:3]] + [broken] + [p for p, _ in images[3:]]
    rows = read_chunk(Counting(), paths, None, 10_000_000)
    assert [r.image for r in rows] == [str(p) for p in paths]
    assert rows[3].reading is None and "broken.png" in (rows[3].error or "")
    assert [r.reading.text for r in rows if r.reading] == [label for _, label in images]
    # wide characters are judged whole while cutting (one call each, not read again); the others
    # all in one call: each of the six characters is read exactly once
    assert sum(calls) == 6 and set(calls[:-1]) <= {1} and calls[-1] == 6 - len(calls[:-1])


@pytest.mark.slow
def test_several_processes_read_as_one_does(tmp_path: Path, mnist: Mnist) -> None:
    paths = [p for p, _ in digits(tmp_path, mnist, 300)]
    model = load_model("default")
    alone = [r.reading for r in read_images(paths, model, partial(load_model, "default"), None, 10**7, 1)]
    pooled = [r.reading for r in read_images(paths, model, partial(load_model, "default"), None, 10**7, 2)]
    assert pooled == alone and len(alone) == 300


def test_cli_formats_and_exit_code(tmp_path: Path, mnist: Mnist) -> None:
    images = digits(tmp_path / "in", mnist, 3)
    missing = tmp_path / "missing.png"
    args = ["read", str(tmp_path / "in"), str(missing)]
    jsonl = run_cli(*args, "--format", "jsonl")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert jsonl.returncode == 1 and "Traceback" not in jsonl.stderr  # one failed, the others read
    assert [r.get("text") for r in rows] == [label for _, label in images] + [None]
    assert "no such file" in rows[-1]["error"] and rows[-1]["image"] == str(missing)
    table = list(csv.DictReader(io.StringIO(run_cli(*args, "--format", "csv").stdout)))
    assert [r["text"] for r in table] == [label for _, label in images] + [""]
    assert table[0]["characters"] == "1" and float(table[0]["min_confidence"]) > 0.5 and table[-1]["error"]
    document = json.loads(run_cli(*args, "--format", "json").stdout)
    assert isinstance(document, list) and len(document) == 4 and document[0]["chars"][0]["box"]
    text = run_cli(*args)
    assert text.returncode == 1 and f"{images[0][0]}: {images[0][1]}" in text.stdout


def test_digits_only_drops_the_punctuation(tmp_path: Path) -> None:
    img = Image.new("L", (300, 120), 255)
    d = ImageDraw.Draw(img)
    d.line((40, 30, 40, 90), fill=0, width=6)  # 1
    d.ellipse((60, 80, 68, 88), fill=0)  # .
    d.ellipse((90, 30, 130, 90), outline=0, width=6)  # 0
    d.line((150, 60, 175, 60), fill=0, width=5)  # -
    img.save(tmp_path / "amount.png")
    full = json.loads(run_cli("read", str(tmp_path / "amount.png"), "--json").stdout)
    digits = json.loads(run_cli("read", str(tmp_path / "amount.png"), "--json", "--digits-only").stdout)
    assert [c["kind"] for c in full["chars"]] == ["digit", "punct", "digit", "punct"]
    assert full["text"] == "1.0-" and digits["text"] == "10" and len(digits["chars"]) == 2


def test_a_damaged_image_in_a_folder_is_its_row_and_the_rest_are_read(tmp_path: Path, mnist: Mnist) -> None:
    images = digits(tmp_path, mnist, 2)
    (tmp_path / "zz-damaged.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)  # a PNG by content
    result = run_cli("read", str(tmp_path), "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [r.get("text") for r in rows[:2]] == [label for _, label in images]
    assert rows[2]["image"].endswith("zz-damaged.png") and "not a readable image" in rows[2]["error"]
