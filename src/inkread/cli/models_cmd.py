"""`inkread models ...`: the model registry (MLflow): list, show, register, promote and compare versions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from inkread.cli.bundled_cmd import bundle_cmd, info_cmd
from inkread.cli.output import console, err_console, print_json
from inkread.cli.train_cmd import passive_openmp
from inkread.registry.compare import compare, version_info
from inkread.registry.lineage import as_params
from inkread.registry.store import mlflow_errors, open_client
from inkread.registry.tracking import track_run
from inkread.registry.uris import check_alias, check_model_name, parse_model_ref, pick_tracking_uri
from inkread.registry.versions import describe, get_model, model_names, promote, versions_of

app = typer.Typer(help="The model registry (MLflow): list, show, register, promote and compare versions.",
                  no_args_is_help=True)
app.command("info")(info_cmd)
app.command("bundle")(bundle_cmd)

Json = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result on stdout.")]
TrackingUri = Annotated[str | None, typer.Option(
    "--tracking-uri", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else "
    "sqlite:///<abs runs>/mlflow.db).")]
Ref = Annotated[str, typer.Argument(help="NAME@ALIAS or NAME/VERSION (models:/ prefix optional).")]


def _errors() -> Any:
    """A context turning MLflow exceptions into one clear error."""

    return mlflow_errors("the model registry failed")


def _client(tracking_uri: str | None) -> Any:
    """An MLflow client on the chosen registry (which must exist)."""

    return open_client(pick_tracking_uri(tracking_uri))


def _pct(value: Any) -> str:
    """A fraction as a percentage, or '-'."""
    return f"{value:.2%}" if isinstance(value, (int, float)) else "-"


@app.command("list")
def list_cmd(tracking_uri: TrackingUri = None, json: Json = False) -> None:
    """List registered models with their versions, aliases and latest test accuracy."""


    client = _client(tracking_uri)
    with _errors():
        rows = [_summary(client, name) for name in model_names(client)]
    if json:
        print_json(rows)
        return
    if not rows:
        err_console.print("no registered models yet: `inkread train --register NAME` registers one")
        return
    table = Table("model", "versions", "latest", "aliases", "latest test acc.")
    for r in rows:
        table.add_row(r["name"], str(r["versions"]), str(r["latest"]),
                      ", ".join(f"{a}→{v}" for a, v in sorted(r["aliases"].items())) or "-",
                      _pct(r["latest_test_accuracy"]))
    console.print(table)


def _summary(client: Any, name: str) -> dict[str, Any]:
    """One row of `models list`: versions, aliases and the latest version's test accuracy."""

    aliases = {a: str(v) for a, v in (get_model(client, name).aliases or {}).items()}
    versions = versions_of(client, name)
    latest = describe(versions[-1], aliases) if versions else None
    accuracy = (latest or {}).get("metrics", {}).get("test_accuracy")
    return {"name": name, "versions": len(versions), "latest": latest["version"] if latest else None,
            "aliases": aliases, "latest_test_accuracy": accuracy}


@app.command("show")
def show_cmd(ref: Ref, tracking_uri: TrackingUri = None, json: Json = False) -> None:
    """Show a model's versions (NAME) or one version's lineage and metrics (NAME@ALIAS, NAME/VERSION)."""

    parsed = parse_model_ref(ref)
    client = _client(tracking_uri)
    with _errors():
        if parsed.alias is None and parsed.version is None:
            _show_model(client, parsed.name, json)
        else:
            _show_version(client, parsed, json)


def _show_model(client: Any, name: str, json: bool) -> None:
    """Print a model's aliases and a table of its versions."""


    model = get_model(client, name)
    aliases = {a: str(v) for a, v in (model.aliases or {}).items()}
    versions = [describe(v, aliases) for v in versions_of(client, name)]
    if json:
        print_json({"name": name, "aliases": aliases, "versions": versions})
        return
    table = Table("version", "aliases", "test acc.", "git commit", "run folder", title=f"model {name}")
    for v in versions:
        lin = v["lineage"]
        dirty = " (dirty)" if lin["git_dirty"] else ""
        table.add_row(v["version"], ", ".join(v["aliases"]) or "-", _pct(v["metrics"].get("test_accuracy")),
                      f"{str(lin['git_commit'])[:10]}{dirty}", str(lin["run_dir"]))
    console.print(table)


def _show_version(client: Any, ref: Any, json: bool) -> None:
    """Print one version: aliases, hash, source, lineage and metrics."""

    info = version_info(client, ref)
    if json:
        print_json(info)
        return
    lin = info["lineage"]
    aliases = f"  ({', '.join(info['aliases'])})" if info["aliases"] else ""
    console.print(f"[bold]{info['name']}[/] version {info['version']}{aliases}  {info['description']}")
    for label, value in (("sha256", info["sha256"]), ("source", info["source"]), ("run id", info["run_id"]),
                         ("run folder", lin["run_dir"]), ("dataset", lin["dataset"]),
                         ("data digest", lin["data_digest"]),
                         ("code", f"{lin['git_commit']}{' (dirty)' if lin['git_dirty'] else ''} "
                                  f"inkread {lin['inkread_version']}")):
        console.print(f"  {label:<12} {value}", highlight=False, soft_wrap=True)
    for name, digest in (lin["data_hashes"] or {}).items():
        console.print(f"  {'':<12} {name} {digest}", highlight=False, soft_wrap=True)
    console.print("  metrics      " + ", ".join(f"{k} {v:.4g}" for k, v in sorted(info["metrics"].items())),
                  highlight=False, soft_wrap=True)
    console.print("  config       " + " ".join(f"{k}={v}" for k, v in as_params(info["config"]).items()),
                  highlight=False, soft_wrap=True)


@app.command("promote")
def promote_cmd(name: Annotated[str, typer.Argument(help="Registered model name.")],
                version: Annotated[str, typer.Argument(help="Version number to point the alias at.")],
                alias: Annotated[str, typer.Argument(help="Alias: champion (served) or challenger.")],
                tracking_uri: TrackingUri = None, json: Json = False) -> None:
    """Point an alias (champion, challenger) at a version; the alias moves off any other version."""

    client = _client(tracking_uri)
    with _errors():
        result = promote(client, name, version, alias)
    if json:
        print_json(result)
        return
    before = f" (was version {result['previous']})" if result["previous"] else ""
    console.print(f"{name}@{alias} -> version {result['version']}{before}")


@app.command("compare")
def compare_cmd(a: Ref, b: Ref, tracking_uri: TrackingUri = None, json: Json = False) -> None:
    """Print two versions' metrics side by side and their config and lineage differences."""


    client = _client(tracking_uri)
    with _errors():
        result = compare(client, parse_model_ref(a), parse_model_ref(b))
    if json:
        print_json(result)
        return
    head_a, head_b = (f"{side} {h['name']}/{h['version']}" for side, h in (("A", result["a"]),
                                                                          ("B", result["b"])))
    table = Table("metric", head_a, head_b, "B - A", "better")
    for row in result["metrics"]:
        table.add_row(row["metric"], *(f"{row[k]:.4g}" if row[k] is not None else "-"
                                       for k in ("a", "b", "delta")), row["better"] or "")
    console.print(table)
    for title, diffs in (("config", result["config"]), ("lineage", result["lineage"])):
        console.print(f"{title} differences:{' none' if not diffs else ''}")
        for d in diffs:
            a, b = ("(absent)" if v is None else v for v in (d["a"], d["b"]))
            console.print(f"  {d['key']}: {a} -> {b}", highlight=False, soft_wrap=True)


@app.command("register")
def register_cmd(run_dir: Annotated[Path, typer.Argument(help="A finished run folder (runs/<name>).")],
                 name: Annotated[str, typer.Argument(help="Model name to add a version to.")],
                 alias: Annotated[str | None, typer.Option("--alias", help="Also point this alias "
                                                           "(e.g. champion) at the new version.")] = None,
                 tracking_uri: Annotated[str | None, typer.Option(
                     "--tracking-uri", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else "
                     "sqlite:///<run's folder parent>/mlflow.db).")] = None,
                 json: Json = False) -> None:
    """Register a finished training run's ONNX export as a new version (logging the run first if needed)."""

    passive_openmp()

    check_model_name(name)
    if alias is not None:
        check_alias(alias)
    with _errors():
        tracked = track_run(run_dir, register_as=name, tracking_uri=tracking_uri)
    result: dict[str, Any] = {"name": name, "version": tracked.version, "run_id": tracked.run_id,
                              "tracking_uri": tracked.tracking_uri}
    if alias is not None and tracked.version is not None:
        with _errors():
            promote(open_client(tracked.tracking_uri), name, tracked.version, alias)
        result["alias"] = alias
    if json:
        print_json(result)
        return
    console.print(f"registered {name} version {tracked.version}{f' as {name}@{alias}' if alias else ''} "
                  f"(run {tracked.run_id}, {tracked.tracking_uri})", highlight=False, soft_wrap=True)
