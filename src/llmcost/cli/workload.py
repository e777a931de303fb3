"""``llmcost workload {import|show}``: build a workload from usage exports, and show one.

``llmcost workload import FILE… [--format F] [--columns timestamp=ts,…] [--skip-bad-rows]
[--features-by model|tag|none] [--out workload.toml] [--json]`` reads the exports
(docs/how-to/workload-import.md) and prints what they imply; ``--out`` saves the workload
file a scenario can use (``[workload] from_usage = "workload.toml"``). ``llmcost workload show
workload.toml [--json]`` prints a saved one.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._common import Output, add_json_flag, format_table

if TYPE_CHECKING:  # pandas and scipy are imported when the command runs
    from ..workload import UsageWorkload


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``workload`` sub-command and its ``import`` and ``show`` actions."""
    parser = subparsers.add_parser(
        "workload", help="build a workload from usage exports (import) and show it (show)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    imp = actions.add_parser("import", help="read usage exports into a workload")
    imp.add_argument("files", nargs="+", metavar="FILE", help="CSV, JSONL, JSON or Parquet")
    imp.add_argument(
        "--format",
        default="csv",
        help="export format: openai, openai-log, anthropic, anthropic-log, litellm or csv "
        "(default csv)",
    )
    imp.add_argument(
        "--columns", metavar="FIELD=COLUMN,…", help="rename columns, e.g. timestamp=ts"
    )
    imp.add_argument("--skip-bad-rows", action="store_true", help="skip and count bad rows")
    imp.add_argument(
        "--features-by",
        default="model",
        choices=["model", "tag", "none"],
        help="one scenario feature per model (default) or tag, or a single workload",
    )
    imp.add_argument("--out", metavar="FILE.toml", help="save the workload file")
    imp.add_argument("--force", action="store_true", help="replace an existing --out file")
    add_json_flag(imp)
    imp.set_defaults(handler=_import)
    show = actions.add_parser("show", help="print a saved workload file")
    show.add_argument("file", metavar="FILE.toml")
    add_json_flag(show)
    show.set_defaults(handler=_show)


def _import(args: argparse.Namespace) -> Output:
    from ..export.output import check_target, write_all
    from ..workload import from_usage, parse_columns

    out = None
    if args.out:
        out = check_target(args.out, "--out", (".toml",), inputs=args.files, force=args.force)
    columns = parse_columns(args.columns) if args.columns else None
    w = from_usage(
        args.files, format=args.format, columns=columns, skip_bad_rows=args.skip_bad_rows
    )
    scenario = w.scenario_fields(args.features_by) if w.requests_known else None
    if out is not None:
        write_all([(out, lambda p: w.save(p, args.features_by))])
    return _output(w, scenario, saved=args.out)


def _show(args: argparse.Namespace) -> Output:
    from ..workload import load_workload

    w, scenario = load_workload(args.file)
    return _output(w, scenario, saved=None)


def _output(w: UsageWorkload, scenario: dict[str, Any] | None, saved: str | None) -> Output:
    payload = {"usage": w.to_dict(), "workload": scenario, "saved_to": saved}
    lines = [
        f"{', '.join(w.sources)} ({w.format}): {w.rows:,} rows, {w.first_day} … {w.last_day}"
        + (f"; {w.skipped_rows:,} bad rows skipped" if w.skipped_rows else ""),
        f"requests/month (730 h): {w.requests_per_month:,.0f}; tokens/request: "
        f"{w.input_tokens_per_request:,.0f} in, {w.output_tokens_per_request:,.0f} out; "
        f"cached input {w.cached_input_fraction:.1%}, cache writes {w.cache_write_fraction:.1%}",
    ]
    if w.peak_to_average is not None:
        lines.append(
            f"peak-to-average (hourly profile): {w.peak_to_average:.2f}; busiest clock hour "
            f"{w.peak_hour_to_average:.2f}× the mean hour"
        )
    for name, d in (("input", w.input_distribution), ("output", w.output_distribution)):
        if d is not None:
            q = ", ".join(f"{k} {v:,.0f}" for k, v in d.quantiles_tokens.items())
            lines.append(
                f"{name} tokens: {q}, max {d.max_tokens:,}; lognormal μ {d.lognormal_mu:.3f} "
                f"σ {d.lognormal_sigma:.3f} (KS distance {d.ks_distance:.3f})"
            )
    if w.growth is not None:
        g = w.growth
        lines.append(
            f"growth: {g.chosen} (AIC {g.aic_linear:.1f} linear vs {g.aic_exponential:.1f} "
            f"exponential), {g.growth_per_month:+.1%} ± {g.growth_per_month_se:.1%} a month"
        )
    lines += ["", format_table([dict(m) for m in w.months])]
    lines += ["", format_table([dict(m) for m in w.mix])]
    features = _feature_rows(scenario)
    if features:
        lines += ["", "Features of the scenario workload:", format_table(features)]
    if saved:
        lines.append(f"\nsaved: {saved}")
    return Output(payload=payload, text="\n".join(lines))


def _feature_rows(scenario: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per feature: volume, mean lengths and the p99 of input + output (if it has lengths)."""
    rows = []
    for f in (scenario or {}).get("features") or []:
        dist = f.get("length_distribution") or {}
        rows.append(
            {
                "feature": f["name"],
                "requests/month": f["requests_per_month"],
                "input tokens": f["input_tokens_per_request"],
                "output tokens": f["output_tokens_per_request"],
                "p99 input + output": dist.get("sequence_tokens_p99"),
            }
        )
    return rows
