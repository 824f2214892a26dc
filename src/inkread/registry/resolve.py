"""Turn models:/NAME@ALIAS or models:/NAME/VERSION into a verified local ONNX file."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from inkread.core.errors import InkreadError
from inkread.core.files import sha256_file
from inkread.registry.store import load_mlflow, open_client
from inkread.registry.uris import parse_model_ref, pick_tracking_uri
from inkread.registry.versions import find_version


def resolve_model_uri(uri: str, tracking_uri: str | None = None) -> Path:
    """The ONNX file of a registered version, located (or downloaded) and checked against its hash."""

    ref = parse_model_ref(uri)
    store = pick_tracking_uri(tracking_uri)
    client = open_client(store)
    version = find_version(client, ref)
    label = f"model {version.name} version {version.version}"
    tags = dict(version.tags or {})
    expected, name = tags.get("sha256"), tags.get("onnx_file")
    if not expected or not name:
        raise InkreadError(f"{label} carries no recorded ONNX hash", where=str(ref),
                           expected="a version registered by inkread (tags sha256 and onnx_file)",
                           fix="register the training run with `inkread models register RUN_DIR NAME`")
    path = _local_folder(str(version.source), store, version.name, str(version.version)) / name
    again = (f"register the training run again (`inkread models register {tags.get('run_dir', 'RUN_DIR')} "
             f"{version.name}`) and promote the new version")
    if not path.is_file():
        raise InkreadError(f"{label}: its ONNX artifact is missing", where=path, fix=again)
    actual = sha256_file(path)
    if actual != expected:
        raise InkreadError(f"{label}: the ONNX artifact's SHA-256 is {actual}, not the recorded {expected}; "
                           "it was changed after registration, so it is refused", where=path,
                           expected=f"sha256 {expected}", fix=again)
    return path


def _local_folder(source: str, tracking_uri: str, name: str, version: str) -> Path:
    """The version's artifact folder: used in place when local, else downloaded to the user cache."""
    parsed = urlparse(source)
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path))

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    dest = Path(base) / "inkread" / "models" / name / version
    dest.mkdir(parents=True, exist_ok=True)
    mlflow = load_mlflow()
    try:
        local = mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=str(dest),
                                                    tracking_uri=tracking_uri)
    except Exception as exc:
        raise InkreadError(f"cannot download model {name} version {version}: {exc}", where=source,
                           fix="check that the tracking server is running and reachable") from None
    return Path(local)
