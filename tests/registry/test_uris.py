"""Tracking URIs, artifact roots, model references and the config lineage, without MLflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inkread.core.errors import InkreadError
from inkread.registry.lineage import as_params, data_digest
from inkread.registry.uris import (
    ModelRef,
    artifact_root,
    check_alias,
    check_model_name,
    default_tracking_uri,
    parse_model_ref,
    pick_tracking_uri,
)


def test_default_store_is_sqlite_beside_the_runs_unless_the_environment_names_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert default_tracking_uri(tmp_path) == f"sqlite:///{tmp_path.resolve()}/mlflow.db"
    assert artifact_root(default_tracking_uri(tmp_path)) == (tmp_path.resolve() / "mlartifacts").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking:5000")
    assert default_tracking_uri(tmp_path) == "http://tracking:5000"
    assert artifact_root("http://tracking:5000") is None  # the server decides
    assert pick_tracking_uri("sqlite:////x/m.db", tmp_path) == "sqlite:////x/m.db"


@pytest.mark.parametrize("text, ref", [
    ("models:/digits@champion", ModelRef("digits", alias="champion")),
    ("digits/3", ModelRef("digits", version="3")),
    ("models:/digits/latest", ModelRef("digits", version="latest")),
    ("digits", ModelRef("digits")),
])
def test_model_references_parse(text: str, ref: ModelRef) -> None:
    assert parse_model_ref(text) == ref


@pytest.mark.parametrize("text", ["", "models:/", "digits@", "digits/", "digits/x", "a/1@b"])
def test_malformed_references_are_refused_with_the_syntax(text: str) -> None:
    with pytest.raises(InkreadError, match="NAME@ALIAS or NAME/VERSION"):
        parse_model_ref(text)


def test_names_and_aliases_are_checked() -> None:
    assert check_model_name("mnist-fast.v2") == "mnist-fast.v2" and check_alias("champion") == "champion"
    for bad in ("", "a/b", "a@b", "-x"):
        with pytest.raises(InkreadError):
            check_model_name(bad)
    for bad in ("latest", "v3", "a b"):
        with pytest.raises(InkreadError):
            check_alias(bad)


def test_config_flattens_to_dotted_params_and_digests_ignore_order() -> None:
    config: dict[str, Any] = {"optim": {"lr": 0.01, "betas": [0.9, 0.999]}, "augment": None,
                              "model": {"options": {}}}
    flat = as_params(config)
    assert flat == {"optim.lr": "0.01", "optim.betas": "[0.9, 0.999]", "augment": "null",
                    "model.options": "{}"}
    assert data_digest({"a": "1", "b": "2"}) == data_digest({"b": "2", "a": "1"}) != data_digest({"a": "1"})
