"""Open the MLflow tracking store quietly and lazily: no banners, INFO logs, telemetry or progress bars."""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from inkread.core.errors import InkreadError
from inkread.registry.uris import artifact_root, is_server, sqlite_path

if TYPE_CHECKING:
    from mlflow import MlflowClient

# Set before mlflow is imported (it reads them then); a user's own settings win.
QUIET_ENV = {
    "MLFLOW_LOGGING_LEVEL": "WARNING",  # "Creating initial MLflow database tables..." and the like
    "MLFLOW_DISABLE_TELEMETRY": "true",  # nothing leaves the machine
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",  # no bars on stdout when copying artifacts
    # a stopped tracking server fails in seconds, not after 7 retries with doubling pauses (minutes)
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
}


def load_mlflow() -> ModuleType:
    """Import mlflow (about 2 s) with its logging and warnings turned down."""
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow  # ~2 s: only commands that track or register pay for it
    for name in ("mlflow", "alembic", "alembic.runtime.migration"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", module=r"mlflow(\.|$)")
    warnings.filterwarnings("ignore", module=r"alembic(\.|$)")
    return mlflow


def open_client(tracking_uri: str, *, create: bool = False) -> MlflowClient:
    """An MlflowClient on `tracking_uri`; a missing SQLite file is an error unless `create`."""
    db = sqlite_path(tracking_uri)
    if db is not None and not create and not db.is_file():
        raise InkreadError("no model registry here yet", where=db,
                           expected="an MLflow database written by `inkread train` or `inkread models "
                           "register`",
                           fix="train with `inkread train --register NAME`, or point --tracking-uri (or "
                           "MLFLOW_TRACKING_URI) at the registry you mean")
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    mlflow = load_mlflow()
    with warnings.catch_warnings(), _unsynced_creation(db), mlflow_errors(f"cannot open the MLflow store "
                                                                           f"{tracking_uri}"):
        warnings.simplefilter("ignore")
        client: MlflowClient = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        client.search_experiments(max_results=1)  # opens the store: creates and migrates a new database
    return client


@contextlib.contextmanager
def mlflow_errors(what: str) -> Iterator[None]:
    """Turn MLflow's exceptions (unreachable server, locked or foreign database) into one InkreadError."""
    try:
        yield
    except InkreadError:
        raise
    except Exception as exc:
        if not is_mlflow_error(exc):
            raise
        raise InkreadError(f"{what}: {mlflow_error(exc)}", where="MLflow",
                           fix="check --tracking-uri / MLFLOW_TRACKING_URI and that the tracking server "
                           "(if any) is running") from None


@contextlib.contextmanager
def _unsynced_creation(db: Path | None) -> Iterator[None]:
    """Create a new SQLite database without an fsync per schema migration (7-12 s -> 2-5 s here).

    Only connections opened while the database is being created skip the syncs; should the machine
    crash in those seconds, deleting the new, still empty file is the whole repair.
    """
    if db is None or db.exists():
        yield
        return
    # sqlalchemy loads only to check a database URL
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def no_sync(dbapi_conn: Any, _record: Any) -> None:
        if type(dbapi_conn).__module__.startswith("sqlite3"):
            dbapi_conn.execute("PRAGMA synchronous=OFF")

    event.listen(Engine, "connect", no_sync)
    try:
        yield
    finally:
        event.remove(Engine, "connect", no_sync)


def experiment_id(client: MlflowClient, name: str, tracking_uri: str, runs_dir: Path) -> str:
    """The id of experiment `name`, created with our artifact root (runs/mlartifacts) when missing."""
    found = client.get_experiment_by_name(name)
    if found is not None:
        if found.lifecycle_stage == "deleted":
            client.restore_experiment(found.experiment_id)
        return str(found.experiment_id)
    location = None if is_server(tracking_uri) else artifact_root(tracking_uri, runs_dir)
    return str(client.create_experiment(name, artifact_location=location))


def mlflow_error(exc: BaseException) -> str:
    """The first line of an MLflow exception's message, without its error-code prefix."""
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def is_mlflow_error(exc: BaseException) -> bool:
    """Whether `exc` is an MlflowException (checked without importing mlflow when it is not loaded)."""
    return any(cls.__module__.startswith("mlflow") for cls in type(exc).__mro__)


def error_code(exc: Any) -> str:
    """The MLflow error code of an exception (e.g. RESOURCE_DOES_NOT_EXIST), or ''."""
    return str(getattr(exc, "error_code", "") or "")
