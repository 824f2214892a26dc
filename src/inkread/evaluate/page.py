"""The report's index.html: one self-contained page (inline CSS, no scripts, no CDN), readable on a phone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:980px;
padding:12px;color:#222;background:#fafafa;line-height:1.4}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px}
.card b{display:block;font-size:1.4em}.card span{color:#666;font-size:.85em}
.scroll{overflow-x:auto}table{border-collapse:collapse;background:#fff;font-size:.9em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f0f0f0}
td.l,th.l{text-align:left}figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption{color:#555;font-size:.9em}
"""

FIGURE_CAPTIONS = {
    "confusion_matrix": "Confusion matrix: counts per (true, predicted) pair, colour = fraction of the row.",
    "reliability": "Reliability diagram: accuracy per confidence bin; the red part is the gap to confidence.",
    "coverage": "Accuracy against coverage: keep only the most confident predictions, reject the rest.",
    "gallery": "The most confidently wrong test images.",
}


def _pct(x: float) -> str:
    """A fraction as a percentage with two decimals."""
    return f"{100 * x:.2f}%"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], left: int = 1) -> str:
    """An HTML table (every cell escaped); the first `left` columns are left-aligned."""
    def cells(tag: str, values: Sequence[Any]) -> str:
        return "".join(f'<{tag}{" class=l" if i < left else ""}>{escape(str(v))}</{tag}>'
                       for i, v in enumerate(values))

    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
    return f'<div class=scroll><table><tr>{cells("th", header)}</tr>{body}</table></div>'


def _cards(m: dict[str, Any]) -> str:
    """The headline metrics as a grid of cards."""
    items = [
        ("accuracy", _pct(m["accuracy"])), ("error rate", _pct(m["error_rate"])),
        ("macro F1", f"{m['macro_f1']:.4f}"), ("NLL", f"{m['nll']:.4f}"),
        ("ECE", f"{m['ece']:.4f}"), ("Brier", f"{m['brier']:.4f}"),
        ("samples", f"{m['num_samples']:,}"), ("classes", str(m["num_classes"])),
    ]
    return "<div class=cards>" + "".join(
        f"<div class=card><b>{escape(v)}</b><span>{escape(k)}</span></div>" for k, v in items) + "</div>"


def _per_class(m: dict[str, Any]) -> str:
    """The per-class table with a macro-average row."""
    rows: list[Sequence[Any]] = [
        (r["class"], f"{r['precision']:.4f}", f"{r['recall']:.4f}", f"{r['f1']:.4f}", r["support"])
        for r in m["per_class"]
    ]
    rows.append(("macro average", f"{m['macro_precision']:.4f}", f"{m['macro_recall']:.4f}",
                 f"{m['macro_f1']:.4f}", m["num_samples"]))
    return _table(("class", "precision", "recall", "F1", "support"), rows)


def _coverage(m: dict[str, Any]) -> str:
    """The accuracy-against-coverage table."""
    rows = [(_pct(p["coverage"]), _pct(p["accuracy"]), f"{p['threshold']:.4f}", p["kept"])
            for p in m["coverage"]]
    r = m.get("reject")
    if r:  # the checkpoint's own operating point, wherever it falls on the curve
        acc = "–" if r["accuracy"] is None else _pct(r["accuracy"])
        rows.append((f"{_pct(r['coverage'])} (stored threshold)", acc, f"{r['threshold']:.4f}", r["kept"]))
    return _table(("coverage", "accuracy", "keep if confidence ≥", "kept"), rows)


def _before_after(m: dict[str, Any]) -> str:
    """NLL and ECE before and after the temperature, when the report has both."""
    if "uncalibrated" not in m:
        return ""
    before = m["uncalibrated"]
    t = m.get("temperature", 1.0)
    return (f"<p>Probabilities are divided by the temperature T = {t:.3f} fitted on the validation split "
            "(logits / T before the softmax).</p>"
            + _table(("", "NLL", "ECE"), [("before (T = 1)", f"{before['nll']:.4f}", f"{before['ece']:.4f}"),
                                         (f"after (T = {t:.3f})", f"{m['nll']:.4f}", f"{m['ece']:.4f}")]))


def _reject(m: dict[str, Any]) -> str:
    """What the stored reject threshold keeps, in one sentence."""
    r = m.get("reject")
    if not r:
        return ""
    acc = "none is accepted" if r["accuracy"] is None else f"{_pct(r['accuracy'])} of the accepted are right"
    return escape(f"At the stored threshold (keep an answer when its confidence is at least "
                  f"{r['threshold']:.4f}): coverage {_pct(r['coverage'])}, {acc}; {r['rejected']:,} of "
                  f"{r['kept'] + r['rejected']:,} answers are rejected (read as “?”).").join(("<p>", "</p>"))


def _confused(m: dict[str, Any]) -> str:
    """The most confused (true, predicted) pairs, or a note when there are none."""
    if not m["most_confused"]:
        return "<p>No errors.</p>"
    return _table(("true", "predicted", "count"),
                  [(c["true"], c["pred"], c["count"]) for c in m["most_confused"]], left=2)


def _figure(key: str, file: str) -> str:
    """One image with its caption."""
    return (f'<figure><img src="{escape(file)}" alt="{escape(key.replace("_", " "))}" loading="lazy">'
            f"<figcaption>{escape(FIGURE_CAPTIONS.get(key, key))}</figcaption></figure>")


def _readable(key: str, value: Any) -> Any:
    """A details value as a person reads it: yes/no, the code version in words, a dict as key: value pairs."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "code" and isinstance(value, dict):  # checkpoint.code_version()
        commit, dirty = value.get("git_commit"), value.get("git_dirty")
        where = f", commit {str(commit)[:12]}" if commit else ", not from a git checkout"
        return f"inkread {value.get('version', '?')}{where}{' with uncommitted changes' if dirty else ''}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_readable(str(k), v)}" for k, v in value.items())
    return value


def _details(extra: dict[str, Any]) -> str:
    """The caller's extra fields (checkpoint, dataset, ...) as a two-column table."""
    if not extra:
        return ""
    rows = [(k, _readable(k, v)) for k, v in extra.items()]
    return "<h2>Details</h2>" + _table(("field", "value"), rows, left=2)


def render_page(m: dict[str, Any], extra: dict[str, Any]) -> str:
    """The whole index.html for the report dict `m` (as written to metrics.json)."""
    title = escape(str(m.get("title", "Evaluation report")))
    figs = m["figures"]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        f"<title>{title}</title><style>{CSS}</style></head><body>",
        f"<h1>{title}</h1>", _cards(m), _details(extra),
        "<h2>Per class</h2>", _per_class(m),
        "<h2>Confusion</h2>", _figure("confusion_matrix", figs["confusion_matrix"]),
        "<p>Most confused pairs:</p>", _confused(m),
        "<h2>Most confidently wrong</h2>", _figure("gallery", figs["gallery"]),
        "<h2>Calibration</h2>", _before_after(m), _figure("reliability", figs["reliability"]),
        "<h2>Reject option</h2>", _reject(m), _figure("coverage", figs["coverage"]), _coverage(m),
        '<p><a href="metrics.json">metrics.json</a> holds every number on this page.</p>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
