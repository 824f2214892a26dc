"""Compare two registered versions: metrics side by side, config and lineage differences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inkread.registry.lineage import as_params
from inkread.registry.versions import describe, find_version, get_model

if TYPE_CHECKING:
    from mlflow import MlflowClient

    from inkread.registry.uris import ModelRef

# Shown first, in this order; other metrics follow alphabetically.
HEADLINE = ("test_accuracy", "test_loss", "report.accuracy", "report.ece", "report.nll", "val_accuracy",
            "val_loss", "best_epoch", "epochs")
# Lower is better for these; higher for the others (epochs and timings are neither).
LOWER_BETTER = ("loss", "nll", "ece", "brier", "error_rate", "max_abs_diff")
NEUTRAL = ("best_epoch", "epochs", "seconds", "images", "images_per_s", "lr")
LINEAGE_KEYS = ("dataset", "data_digest", "git_commit", "git_dirty", "inkread_version")


def version_info(client: MlflowClient, ref: ModelRef) -> dict[str, Any]:
    """A version's description, with the final metrics of its training run added when the run exists."""
    version = find_version(client, ref)
    info = describe(version, get_model(client, version.name).aliases)
    try:
        run_metrics = client.get_run(str(version.run_id)).data.metrics if version.run_id else {}
    except Exception:  # the run was deleted: the version's own tags still hold the lineage
        run_metrics = {}
    info["metrics"] = {**{k: float(v) for k, v in run_metrics.items()}, **info["metrics"]}
    return info


def compare(client: MlflowClient, a: ModelRef, b: ModelRef) -> dict[str, Any]:
    """Metrics of A and B side by side (with B - A and which is better) and the keys whose values differ."""
    left, right = version_info(client, a), version_info(client, b)
    keys = [k for k in HEADLINE if k in left["metrics"] or k in right["metrics"]]
    keys += sorted((set(left["metrics"]) | set(right["metrics"])) - set(keys))
    rows = [_row(k, left["metrics"].get(k), right["metrics"].get(k)) for k in keys]
    config = _differences(as_params(left["config"]), as_params(right["config"]))
    lineage = _differences({k: str(left["lineage"].get(k)) for k in LINEAGE_KEYS},
                           {k: str(right["lineage"].get(k)) for k in LINEAGE_KEYS})
    return {"a": _head(a, left), "b": _head(b, right), "metrics": rows, "config": config, "lineage": lineage}


def _head(ref: ModelRef, info: dict[str, Any]) -> dict[str, Any]:
    """Which version a side of the comparison is."""
    return {"ref": str(ref), "name": info["name"], "version": info["version"], "aliases": info["aliases"],
            "run_dir": info["lineage"]["run_dir"]}


def _row(key: str, a: float | None, b: float | None) -> dict[str, Any]:
    """One metric of both versions, their difference and the better side ('a', 'b', '=' or None)."""
    delta = b - a if a is not None and b is not None else None
    better = None
    if delta is not None and not any(key.endswith(n) for n in NEUTRAL):
        lower = any(n in key for n in LOWER_BETTER)
        better = "=" if delta == 0 else ("b" if (delta < 0) == lower else "a")
    return {"metric": key, "a": a, "b": b, "delta": delta, "better": better}


def _differences(a: dict[str, str], b: dict[str, str]) -> list[dict[str, str | None]]:
    """Keys whose values differ between two flat mappings (None where a key is absent)."""
    return [{"key": k, "a": a.get(k), "b": b.get(k)} for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
