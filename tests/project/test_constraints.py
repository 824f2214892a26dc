"""constraints.txt pins every installed package to one version, within the ranges pyproject.toml allows."""

from __future__ import annotations

import importlib.metadata as md
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
UNPINNED = {"inkread"}  # inkread itself; its build tools are pinned: the wheel test builds without isolation


def _pins() -> dict[str, Version]:
    """Map each package named in constraints.txt to its pinned version."""
    pins: dict[str, Version] = {}
    for n, line in enumerate((REPO / "constraints.txt").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        exact = len(specs) == 1 and specs[0].operator == "=="
        assert exact, f"constraints.txt:{n}: {line!r} is not name==version"
        name = canonicalize_name(req.name)
        assert name not in pins, f"constraints.txt:{n}: {req.name} is pinned twice"
        pins[name] = Version(specs[0].version)
    return pins


def _declared() -> list[Requirement]:
    """Return the requirements pyproject.toml declares, runtime and dev."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    lines = project["dependencies"] + [line for extra in extras for line in extra]
    return [Requirement(line) for line in lines]


def test_every_declared_requirement_is_pinned_within_its_range() -> None:
    pins = _pins()
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in constraints.txt: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {req.name}=={pins[name]}, outside pyproject.toml's {req.specifier}"
        )


def test_the_test_environment_has_exactly_the_pinned_versions() -> None:
    pins = _pins()
    installed = {canonicalize_name(d.metadata["Name"]): Version(d.version) for d in md.distributions()}
    missing = sorted(set(installed) - set(pins) - UNPINNED)
    assert not missing, (f"installed but not in constraints.txt: {missing}; run `make lock` if pyproject.toml"
                         " needs them, else `make clean test` (a venv left from earlier versions)")
    # A local tag (torch's +cpu) names the build, not the release: the pin leaves it free.
    differ = {n: f"{v} installed, {pins[n]} pinned" for n, v in installed.items()
              if n in pins and Version(v.public) != pins[n]}
    assert not differ, f"the environment is not the pinned one: {differ}; run `make clean test`"
