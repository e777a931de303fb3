"""``llmcost plan``: the best layout and the latency–throughput front per GPU type, priced.

For each GPU type the layout search (:func:`llmcost.perf.search_layouts`) runs over every
replicas × TP × PP × EP split of ``--gpus`` GPUs, precision and engine; each front point is
priced at the catalog's median on-demand (or ``--term``) rental price per GPU-hour as USD per
million output tokens at full utilization (:func:`llmcost.cost.token_price
.usd_per_mtok_at_throughput`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from .._core.errors import InfeasibleError, InvalidInputError, UnsupportedPrecisionError
from ..catalog import load_catalog
from ..cost.token_price import usd_per_mtok_at_throughput
from ..perf import LayoutChoice, LayoutSearch, search_layouts
from ._common import Output, add_json_flag, format_table

_FRONT_COLUMNS = (
    "replicas", "tp", "pp", "ep", "precision", "engine", "batch_size",
    "output_tokens_per_s_per_gpu", "output_tokens_per_s_per_user", "tpot_s", "ttft_s",
    "meets_slo",
)  # fmt: skip


def register(subparsers: Any) -> None:
    """Add the ``plan`` sub-command."""
    p = subparsers.add_parser(
        "plan", help="best layout and throughput/latency front per GPU type, with $/1M tokens"
    )
    p.add_argument("--model", required=True, help="model id, e.g. llama-3.1-70b")
    p.add_argument("--gpu", required=True, help="GPU ids, comma-separated: h100-sxm,h200,b200")
    p.add_argument("--gpus", type=int, default=8, help="GPUs to lay out (default 8)")
    p.add_argument("--input-tokens", type=float, required=True)
    p.add_argument("--output-tokens", type=float, required=True)
    p.add_argument("--precision", help="weight precisions, comma-separated (default bf16,fp8,fp4)")
    p.add_argument("--engine", help="engines, comma-separated (default vllm,sglang,trtllm)")
    p.add_argument("--tpot-slo-s", type=float, help="time-per-output-token target [s]")
    p.add_argument("--ttft-slo-s", type=float, help="time-to-first-token target [s]")
    p.add_argument("--max-pp", type=int, help="largest pipeline degree (default: any)")
    p.add_argument("--term", default="on_demand", help="rental term priced (default on_demand)")
    p.add_argument(
        "--chart", metavar="FILE", help="write the fronts as a chart (log axes): .png, .svg or .pdf"
    )
    p.add_argument("--force", action="store_true", help="replace an existing --chart file")
    add_json_flag(p)
    p.set_defaults(handler=_plan)


def _listed(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise InvalidInputError(f"expected a comma-separated list; got {value!r}")
    return items


def choice_payload(choice: LayoutChoice | None, usd_per_gpu_hour: float | None) -> Any:
    """A layout choice as JSON, with USD per million output tokens when priced."""
    if choice is None:
        return None
    out = choice.as_dict()
    out["usd_per_mtok_output"] = (
        None
        if usd_per_gpu_hour is None
        else usd_per_mtok_at_throughput(usd_per_gpu_hour, choice.output_tokens_per_s_per_gpu)
    )
    return out


def search_payload(result: LayoutSearch, usd_per_gpu_hour: float | None) -> dict[str, Any]:
    """Best, runner-up, its loss and the counts of one search (shared by perf --layout best)."""
    return {
        "best": choice_payload(result.best, usd_per_gpu_hour),
        "runner_up": choice_payload(result.runner_up, usd_per_gpu_hour),
        "runner_up_loss_fraction": result.runner_up_loss_fraction,
        "search": {k: v for k, v in result.basis.items() if k not in ("model", "gpu")},
    }


def _front_rows(result: LayoutSearch, usd_per_gpu_hour: float | None) -> list[dict[str, Any]]:
    f = result.front
    price = (
        [None] * f["tp"].size
        if usd_per_gpu_hour is None
        else np.atleast_1d(
            usd_per_mtok_at_throughput(usd_per_gpu_hour, f["output_tokens_per_s_per_gpu"])
        ).tolist()
    )
    rows = []
    for i in range(f["tp"].size):
        row = {k: f[k][i].item() for k in _FRONT_COLUMNS}
        row["usd_per_mtok_output"] = price[i]
        rows.append(row)
    return rows


def _price(cat: Any, gpu: str, term: str) -> float | None:
    try:
        usd, _ = cat.gpu_price_usd_per_hour(gpu, term)
    except InvalidInputError:
        return None
    return float(usd)


#: Chart formats ``--chart`` writes, by suffix (matplotlib's own writers).
CHART_SUFFIXES = (".png", ".svg", ".pdf")


def _plan(args: argparse.Namespace) -> Output:
    chart = None
    if args.chart:  # checked before the search: a bad target fails fast and writes nothing
        from ..export.output import check_target

        chart = check_target(args.chart, "--chart", CHART_SUFFIXES, force=args.force)
    cat = load_catalog()
    model = cat.model_spec(args.model)
    gpu_ids = _listed(args.gpu) or []
    plans: list[dict[str, Any]] = []
    searches: dict[str, LayoutSearch] = {}
    for gpu_id in gpu_ids:
        gpu = cat.gpu_spec(gpu_id)
        try:
            result = search_layouts(
                model, gpu, gpus=args.gpus, input_tokens=args.input_tokens,
                output_tokens=args.output_tokens, precisions=_listed(args.precision),
                engines=_listed(args.engine), tpot_slo_s=args.tpot_slo_s,
                ttft_slo_s=args.ttft_slo_s, max_pp=args.max_pp,
            )  # fmt: skip
        except (UnsupportedPrecisionError, InfeasibleError) as exc:
            plans.append({"gpu": gpu_id, "error": str(exc)})
            continue
        price = _price(cat, gpu_id, args.term)
        plan = {"gpu": gpu_id, "usd_per_gpu_hour": price, **search_payload(result, price)}
        plan["front"] = _front_rows(result, price)
        plans.append(plan)
        if result.best is not None:
            searches[gpu_id] = result
    if not searches:
        reasons = "; ".join(f"{p['gpu']}: {p.get('error', 'no feasible layout')}" for p in plans)
        raise InfeasibleError(f"no GPU type serves {model.id} as asked ({reasons})")
    payload: dict[str, Any] = {
        "model": model.id,
        "gpus": args.gpus,
        "input_tokens": args.input_tokens,
        "output_tokens": args.output_tokens,
        "tpot_slo_s": args.tpot_slo_s,
        "ttft_slo_s": args.ttft_slo_s,
        "term": args.term,
        "plans": plans,
        "cheapest": _cheapest(plans),
    }
    if chart is not None:
        payload["chart"] = _write_chart(searches, args, model.id, chart)
    return Output(payload, _text(payload, searches))


def _cheapest(plans: list[dict[str, Any]]) -> dict[str, Any] | None:
    priced = [p for p in plans if p.get("best") and p["best"]["usd_per_mtok_output"] is not None]
    if not priced:
        return None
    top = min(priced, key=lambda p: p["best"]["usd_per_mtok_output"])
    return {"gpu": top["gpu"], **top["best"]}


def _write_chart(
    searches: dict[str, LayoutSearch], args: argparse.Namespace, model: str, path: Path
) -> str:
    """Draw the fronts and write them to ``path`` atomically.

    :func:`~llmcost.export.output.write_all` writes a temporary file and moves it into place,
    so a failure leaves nothing behind.
    """
    from ..export.front_plot import layout_front_figure
    from ..export.output import write_all

    title = (
        f"{model} on {args.gpus} GPUs, {args.input_tokens:g} in / {args.output_tokens:g} out: "
        "Pareto front of layouts"
    )
    fig = layout_front_figure(searches, tpot_slo_s=args.tpot_slo_s, title=title)
    fmt = path.suffix.lower().lstrip(".")
    write_all([(path, lambda p: fig.savefig(p, format=fmt, dpi=130))])
    return str(path)


def _text(payload: dict[str, Any], searches: dict[str, LayoutSearch]) -> str:
    lines = []
    for plan in payload["plans"]:
        if "error" in plan:
            lines += [f"{plan['gpu']}: skipped ({plan['error']})", ""]
            continue
        price = plan["usd_per_gpu_hour"]
        priced = "no catalog price" if price is None else f"${price:,.2f}/GPU-hour"
        lines.append(f"== {plan['gpu']} ({priced}) ==")
        lines.append(searches[plan["gpu"]].explain() if plan["gpu"] in searches else "")
        lines.append(format_table(plan["front"], [*_FRONT_COLUMNS, "usd_per_mtok_output"]))
        lines.append("")
    top = payload["cheapest"]
    if top is not None:
        lines.append(
            f"Cheapest: {top['gpu']} as {top['replicas']}× tp{top['tp']} pp{top['pp']} "
            f"ep{top['ep']} {top['precision']} {top['engine']}: "
            f"${top['usd_per_mtok_output']:,.4f} per 1M output tokens at full utilization."
        )
    if "chart" in payload:
        lines.append(f"Chart written to {payload['chart']}")
    return "\n".join(lines)


def perf_best_layout(args: argparse.Namespace) -> Output:
    """``llmcost perf --layout best``.

    The best split of ``--gpus`` at the precision and engine given, at max throughput or under the
    SLO flags.
    """
    for flag, value in (
        ("--batch", args.batch),
        ("--concurrency", args.concurrency),
        ("--tp", args.tp),
        ("--ep", args.ep),
        ("--requests", args.requests),
        ("--pp", None if args.pp == 1 else args.pp),
        ("--image-tiles", args.image_tiles or None),
    ):
        if value is not None:
            raise InvalidInputError(
                f"--layout best chooses the batch and split itself (text only); drop {flag}"
            )
    if getattr(args, "speculative", None) is not None:
        raise InvalidInputError(
            "--layout best does not search with speculative decoding (it would rank layouts "
            "without it); drop --speculative, or use a scenario's layout = 'auto', which does"
        )
    has_slo = args.tpot_slo_s is not None or args.ttft_slo_s is not None
    if args.max_throughput == has_slo:
        raise InvalidInputError(
            "--layout best needs exactly one of --max-throughput or an SLO (--tpot-slo-s, "
            "--ttft-slo-s)"
        )
    cat = load_catalog()
    result = search_layouts(
        cat.model_spec(args.model), cat.gpu_spec(args.gpu), gpus=args.gpus,
        input_tokens=args.input_tokens, output_tokens=args.output_tokens,
        precisions=args.precision, engines=args.engine, tpot_slo_s=args.tpot_slo_s,
        ttft_slo_s=args.ttft_slo_s, kv_precision=args.kv_precision,
        cached_input_fraction=args.cached_input_fraction, quant_scope=args.quant_scope,
    )  # fmt: skip
    best = result.require_best()
    payload = {
        "model": args.model,
        "gpu": args.gpu,
        "gpus": args.gpus,
        "layout": {k: getattr(best, k) for k in ("replicas", "tp", "pp", "ep", "gpus_per_replica")},
        **{k: v for k, v in best.as_dict().items() if k not in ("replicas", "tp", "pp", "ep")},
        **search_payload(result, None),
    }
    del payload["best"]
    return Output(payload, result.explain())
