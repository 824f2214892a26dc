"""User-facing errors: one clear message naming the thing, what was expected and the fix."""

from __future__ import annotations

from pathlib import Path


class InkreadError(Exception):
    """A mistake in the user's input or environment; the CLI prints it and exits with code 2."""

    def __init__(
        self,
        problem: str,
        *,
        where: str | Path | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.where = str(where) if where is not None else None
        self.expected = expected
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """Format the error as `where: problem. Expected: ... Fix: ...`."""
        head = f"{self.where}: {self.problem}" if self.where else self.problem
        parts = [head.rstrip(".") + "."]
        if self.expected:
            parts.append(f"Expected {self.expected.rstrip('.')}.")
        if self.fix:
            parts.append(f"Fix: {self.fix.rstrip('.')}.")
        return " ".join(parts)


class DataError(InkreadError):
    """A data file or folder is missing, corrupt or inconsistent."""


class ConfigError(InkreadError):
    """A configuration value or key is invalid."""
