"""``llmcost calibrate FILE… [--engine E] [--engine-profile NAME] [--out PROFILE.toml] [--force]``.

Fit a deployment profile to benchmark results (vLLM, SGLang, genai-perf/aiperf, CSV).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.errors import InvalidInputError
from ._common import Output, add_json_flag

if TYPE_CHECKING:  # the scenario stack (pandas, scipy) is imported when the command runs
    from ..scenario.calibration import Calibration

#: How each fitted parameter is shown: unit label and scale.
_SHOWN = {
    "bandwidth_efficiency": ("", 1.0),
    "compute_efficiency": ("", 1.0),
    "step_overhead_s": (" ms", 1e3),
    "sequence_overhead_s": (" µs", 1e6),
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``calibrate`` sub-command."""
    parser = subparsers.add_parser(
        "calibrate",
        help="fit an engine profile to your benchmark results",
        description="Import vLLM benchmark_serving / vllm bench serve JSON, SGLang "
        "bench_serving JSONL, genai-perf / aiperf profile exports or a CSV; fit "
        "bandwidth and compute efficiency and the per-step and per-sequence overheads, with "
        "standard errors; print predicted vs measured.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--engine", default="vllm", help="engine the runs used (default vllm)")
    parser.add_argument("--engine-profile", metavar="NAME", help="name of the fitted profile")
    parser.add_argument("--out", metavar="PROFILE.toml", help="write the profile file")
    parser.add_argument(
        "--plot", metavar="FILE.png", help="also draw predicted vs measured (extra: plot)"
    )
    parser.add_argument("--force", action="store_true", help="replace existing --out/--plot files")
    for flag in ("--model", "--gpu", "--precision"):
        parser.add_argument(flag, help="when the files do not say")
    parser.add_argument("--gpus", type=int, help="GPUs of one replica, when the files do not say")
    add_json_flag(parser)
    parser.set_defaults(handler=handle)


def render_text(cal: Calibration) -> str:
    """Fitted parameters ± standard error, then predicted vs measured for every run."""
    lines = [f"profile {cal.name} (base {cal.base}) fitted to {len(cal.predictions)} runs:"]
    for k, v in cal.fitted.items():
        unit, scale = _SHOWN[k]
        lines.append(f"  {k}: {v * scale:.4g} ± {cal.std_error[k] * scale:.2g}{unit}")
    lines += [
        f"median |error| {cal.median_abs_pct_error:.1f} %, worst {cal.max_abs_pct_error:.1f} %",
        "",
    ]
    rows = [
        {
            "file": str(r["file"]),
            "in": f"{r['input_tokens']:.0f}",
            "out": f"{r['output_tokens']:.0f}",
            "conc": "" if r["concurrency"] != r["concurrency"] else f"{r['concurrency']:.0f}",
            "measured tok/s": f"{r['measured_output_tokens_per_s']:,.0f}",
            "predicted tok/s": f"{r['predicted_output_tokens_per_s']:,.0f}",
            "error": f"{r['error_pct']:+.1f} %",
        }
        for r in cal.predictions.to_dict(orient="records")
    ]
    from .._core.display import text_table

    return "\n".join(lines) + "\n" + text_table(rows)


def handle(args: argparse.Namespace) -> Output:
    """Run ``calibrate``; both outputs are checked before the fit, written both or neither."""
    from ..export.output import check_target, write_all
    from ..scenario.calibration import calibrate

    out = plot = None
    if args.out:
        out = check_target(args.out, "--out", (".toml",), inputs=args.files, force=args.force)
    if args.plot:
        inputs = [*args.files, *([] if out is None else [out])]
        plot = check_target(args.plot, "--plot", PLOT_SUFFIXES, inputs=inputs, force=args.force)
        if out is not None and out.resolve() == plot.resolve():  # pragma: no cover - suffixes
            raise InvalidInputError("--out and --plot name the same file")
    cal = calibrate(
        args.files,
        engine=args.engine,
        name=args.engine_profile,
        model=args.model,
        gpu=args.gpu,
        gpus=args.gpus,
        precision=args.precision,
    )
    payload, text = cal.to_dict(), render_text(cal)
    jobs: list[tuple[Path, Callable[[Path], Any]]] = []
    if out is not None:
        jobs.append((out, cal.save))
        payload["written"] = str(out)
        text += f'\nwrote {out} (use: engine_profile = "{out}")'
    if plot is not None:
        fig, fmt = _figure(cal), plot.suffix.lower().lstrip(".")
        jobs.append((plot, lambda p: fig.savefig(p, format=fmt, dpi=120)))
        payload["plot"] = str(plot)
        text += f"\nwrote {plot}"
    write_all(jobs)
    return Output(payload=payload, text=text)


#: What ``calibrate --plot`` draws, by suffix.
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def _figure(cal: Calibration) -> Any:
    """The calibration chart (the starting profile's predictions as hollow markers)."""
    from ..catalog import load_catalog
    from ..export.calibration_plot import calibration_figure
    from ..perf.fit import predict_measurements

    before = predict_measurements(cal.predictions, cal.base, load_catalog())
    return calibration_figure(cal, before=before)
