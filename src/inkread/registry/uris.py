"""Where the registry lives (tracking URI, artifact root) and how model references are written."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from inkread.core.errors import InkreadError

ENV_VAR = "MLFLOW_TRACKING_URI"
DB_FILE = "mlflow.db"
ARTIFACTS_DIR = "mlartifacts"
ALIASES = ("champion", "challenger")
# Our references use "@" and "/" as separators, so names keep to a safe alphabet.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
# Database schemes MLflow accepts as a tracking store without a server (artifacts then need a root of ours).
DB_SCHEMES = ("sqlite", "postgresql", "mysql", "mssql")


def default_tracking_uri(runs_dir: str | Path | None = None) -> str:
    """$MLFLOW_TRACKING_URI, else a SQLite database beside the run folders: sqlite:///<abs runs>/mlflow.db."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    return "sqlite:///" + str(Path(runs_dir or "runs").expanduser().resolve() / DB_FILE)


def pick_tracking_uri(explicit: str | None, runs_dir: str | Path | None = None) -> str:
    """The tracking URI an option names, else the default for `runs_dir`."""
    return explicit.strip() if explicit and explicit.strip() else default_tracking_uri(runs_dir)


def sqlite_path(tracking_uri: str) -> Path | None:
    """The database file of a sqlite:/// URI; None for other stores."""
    if not tracking_uri.startswith("sqlite:///"):
        return None
    return Path(tracking_uri.removeprefix("sqlite:///").split("?", 1)[0])


def is_server(tracking_uri: str) -> bool:
    """Whether the URI names a tracking server (which then decides where artifacts go)."""
    return urlparse(tracking_uri).scheme in ("http", "https", "databricks")


def artifact_root(tracking_uri: str, runs_dir: str | Path | None = None) -> str | None:
    """The artifact location for new experiments: <db folder>/mlartifacts as a file URI; None for servers."""
    db = sqlite_path(tracking_uri)
    if db is not None:
        return (db.parent / ARTIFACTS_DIR).resolve().as_uri()
    if urlparse(tracking_uri).scheme.split("+")[0] in DB_SCHEMES:
        return (Path(runs_dir or "runs").resolve() / ARTIFACTS_DIR).as_uri()
    return None


@dataclass(frozen=True)
class ModelRef:
    """NAME, NAME@ALIAS or NAME/VERSION (VERSION a number or `latest`)."""

    name: str
    alias: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        if self.alias:
            return f"{self.name}@{self.alias}"
        return f"{self.name}/{self.version}" if self.version else self.name


def parse_model_ref(text: str) -> ModelRef:
    """Parse `[models:/]NAME[@ALIAS|/VERSION]`; a malformed reference is an InkreadError."""
    body = text.strip().removeprefix("models:/")
    name, at, alias = body.partition("@")
    name, slash, version = name.partition("/")
    bad = (not name or (at and not alias) or (slash and not version) or (at and slash)
           or (version and not (version.isdigit() or version == "latest")))
    if bad:
        raise InkreadError(f"'{text}' is not a model reference", where="model",
                           expected="NAME, NAME@ALIAS or NAME/VERSION, optionally prefixed by models:/ "
                           "(e.g. models:/digits@champion or digits/3)",
                           fix="run `inkread models list` to see the registered names")
    return ModelRef(name, alias or None, version or None)


def check_model_name(name: str) -> str:
    """Return `name` if it can be registered, else raise InkreadError naming the allowed characters."""
    if not NAME_PATTERN.fullmatch(name):
        raise InkreadError(f"'{name}' cannot be a model name", where="model name",
                           expected="1-100 letters, digits, '_', '.' or '-', starting with a letter or digit",
                           fix="choose a name like digits or mnist-fast")
    return name


def check_alias(alias: str) -> str:
    """Return `alias` if MLflow accepts it (not a version-like word), else raise InkreadError."""
    if not NAME_PATTERN.fullmatch(alias) or alias.lower() == "latest" or re.fullmatch(r"[vV]\d+", alias):
        raise InkreadError(f"'{alias}' cannot be an alias", where="alias",
                           expected=f"a word such as {' or '.join(ALIASES)} (not 'latest' or v<number>)",
                           fix="use champion for the served model and challenger for its candidate")
    return alias
