"""MkDocs hook: pages generated from the repository at build time, never edited by hand.

- ``validation.md``: what ``benchmarks/accuracy.py`` (calibration, what was fitted) and
  ``benchmarks/validation.py`` (held-out measurements) print, and a predicted-vs-measured plot;
- ``reference/catalog.md``: every row of ``data/pricing/`` with its source and as-of date;
- ``reference/cli.md``: the help of every ``llmcost`` sub-command, from the parser itself;
- ``reference/price-crosscheck.md``: the reviewed differences between ``data/pricing/`` and the
  ``genai-prices`` package (``benchmarks/data/genai_prices_known_differences.csv``);
- ``changelog.md``: ``CHANGELOG.md`` at the repository root.

Nothing is written into ``docs/``: pages are added to the build as generated files.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> str:
    """Stdout of a benchmark script run with this interpreter [text]."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return proc.stdout


def _cases(text: str) -> list[tuple[str, float, float]]:
    """``(id, measured, predicted)`` rows of ``validation.py --cases`` output."""
    rows = []
    for line in text.splitlines()[1:]:
        parts = line.split()
        if len(parts) != 4:
            break
        try:
            rows.append((parts[0], float(parts[1]), float(parts[2])))
        except ValueError:
            continue
    return rows


def _scatter_png(rows: list[tuple[str, float, float]]) -> bytes:
    """Predicted vs measured on log axes, one colour per metric [PNG bytes]."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics: dict[str, list[tuple[float, float]]] = {}
    for case_id, measured, predicted in rows:
        metric = next((m for m in ("ttft_ms", "tpot_ms", "request_latency_ms") if m in case_id),
                      "throughput")
        if predicted == predicted and predicted > 0 and measured > 0:
            metrics.setdefault(metric, []).append((measured, predicted))
    fig, ax = plt.subplots(figsize=(6.5, 6), dpi=110)
    lo, hi = 1e9, 0.0
    for metric, points in sorted(metrics.items()):
        xs, ys = zip(*points, strict=True)
        ax.scatter(xs, ys, s=12, alpha=0.7, label=f"{metric} ({len(points)})")
        lo, hi = min(lo, *xs, *ys), max(hi, *xs, *ys)
    ax.plot([lo, hi], [lo, hi], color="black", lw=1)
    for factor, style in ((1.25, ":"), (0.8, ":")):
        ax.plot([lo, hi], [lo * factor, hi * factor], color="grey", lw=0.8, ls=style)
    ax.set(xscale="log", yscale="log", xlabel="published (measured)", ylabel="llmcost predicted",
           title="Held-out validation: predicted vs measured (dotted: ±25 %)")
    ax.legend(fontsize=8, loc="upper left")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _as_markdown(text: str) -> str:
    """Script output with its markdown tables rendered as tables, the rest as text blocks."""
    out: list[str] = []
    block: list[str] = []
    in_table = False
    for line in text.strip().splitlines():
        is_row = line.startswith("|")
        if is_row != in_table and block:
            out.append("\n".join(block) if in_table else "```text\n" + "\n".join(block) + "\n```")
            block = []
        in_table = is_row
        block.append(line)
    if block:
        out.append("\n".join(block) if in_table else "```text\n" + "\n".join(block) + "\n```")
    return "\n\n".join(out)


def _validation_page() -> tuple[str, bytes]:
    accuracy = _run("accuracy.py")
    engines = _run("engine_calibration.py", "--shipped")
    validation = _run("validation.py", "--cases")
    head = validation.split("Predicted vs published", 1)
    summary = "Predicted vs published" + head[1] if len(head) == 2 else validation
    page = f"""# Validation

Generated at build time from the scripts in `benchmarks/`; the figures below are what they print
on the catalog and model of this build. Nothing here is typed by hand.

## What was fitted on what

`benchmarks/accuracy.py` fits the `trtllm` engine profile (a handful of global, physical factors)
on the published TensorRT-LLM tables it names, and shows a hold-out between editions:

{_as_markdown(accuracy)}

## vLLM and SGLang: fit set and validation set

`benchmarks/engine_calibration.py --shipped` scores the shipped `vllm` and `sglang` profiles on
the fit and validation files that `benchmarks/engine_split.toml` names (method, parameters and
residuals with causes: [Engines calibrated](concepts/engine-calibration.md)):

{_as_markdown(engines)}

## Held-out measurements

`benchmarks/validation.py` runs every published case the model was **not** fitted on through the
public API (`llmcost.perf.estimate_serving`) and compares with the published value:

![predicted vs measured](validation-scatter.png)

{_as_markdown(summary)}
"""
    return page, _scatter_png(_cases(validation))


def _cell(value: object) -> str:
    text = "" if value is None or value != value else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _catalog_page() -> str:
    import pandas as pd

    parts = [
        "# Catalog",
        "",
        "Every row of the bundled catalog (`data/pricing/`, shipped in the wheel), with its source "
        "and as-of date. Generated at build time from the CSV files.",
    ]
    manifest = (ROOT / "data" / "pricing" / "manifest.toml").read_text(encoding="utf-8")
    parts += ["", "```toml", manifest.strip(), "```"]
    for path in sorted((ROOT / "data" / "pricing").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        cols = [c for c in frame.columns if c != "notes"]
        parts += ["", f"## `{path.name}` ({len(frame)} rows)", ""]
        parts.append("| " + " | ".join(cols) + " |")
        parts.append("| " + " | ".join("---" for _ in cols) + " |")
        for _, row in frame.iterrows():
            parts.append("| " + " | ".join(_cell(row[c]) for c in cols) + " |")
    return "\n".join(parts) + "\n"


def _crosscheck_page() -> str:
    import pandas as pd

    path = ROOT / "benchmarks" / "data" / "genai_prices_known_differences.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    parts = [
        "# Price cross-check",
        "",
        "The bundled API prices (`data/pricing/api_prices.csv`) are compared with the "
        "[`genai-prices`](https://pypi.org/project/genai-prices/) package wherever both cover "
        "a model: input, cached input, cache write and output price [USD per 1M tokens] in "
        "force on the catalog's version date, base tier only "
        "(`python benchmarks/price_crosscheck.py`; genai-prices is in the `test` extra, never a "
        "runtime dependency). `tests/test_price_crosscheck.py` fails on a disagreement that is "
        "not listed below, and on a listed one that no longer holds.",
        "",
        "The disagreements a person has reviewed, and what is still to resolve (generated from "
        f"`benchmarks/data/{path.name}`, {len(frame)} rows):",
        "",
    ]
    cols = list(frame.columns)
    parts.append("| " + " | ".join(cols) + " |")
    parts.append("| " + " | ".join("---" for _ in cols) + " |")
    for _, row in frame.iterrows():
        parts.append("| " + " | ".join(_cell(row[c]) for c in cols) + " |")
    return "\n".join(parts) + "\n"


def _cli_page() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["COLUMNS"] = "100"
    from llmcost.cli import build_parser

    parser = build_parser()
    parts = ["# CLI reference", "", "Generated from the parser (`llmcost --help` and each "
             "sub-command's `--help`).", "", "```text", parser.format_help().strip(), "```"]
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, child in sorted(sub.choices.items()):  # type: ignore[attr-defined]
        parts += ["", f"## `llmcost {name}`", "", "```text", child.format_help().strip(), "```"]
    return "\n".join(parts) + "\n"


def on_files(files: Files, config: dict[str, object]) -> Files:
    """Add the generated pages to the build."""
    validation, scatter = _validation_page()
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for uri, content in (
        ("validation.md", validation),
        ("validation-scatter.png", scatter),
        ("reference/catalog.md", _catalog_page()),
        ("reference/cli.md", _cli_page()),
        ("reference/price-crosscheck.md", _crosscheck_page()),
        ("changelog.md", changelog),
    ):
        files.append(File.generated(config, uri, content=content))  # type: ignore[arg-type]
    return files
