"""``llmcost sampling``: pass@k and, with a scenario, the cost per solved task of each option.

``llmcost sampling --n N --correct C --k 1,10,100 [--json]`` → ``{"pass_at_k": {"1": …}}``
(the unbiased estimator of Chen et al. 2021). Measured rates can be given instead with
``--pass-at-k 100=0.905,1000=0.951``.

With ``--scenario FILE`` each task of the scenario's workload (its requests per month) is
sampled k times, so every option is costed at k × the volume (whole replicas, utilization and
all) and cost per solved task = (monthly cost at k × volume + k × verifier) / (tasks × pass@k).
``--versus OPTION --versus-pass-at-1 P`` adds a one-sample option (e.g. GPT-4o at 90.2 %) and,
for every k, the highest cost per sample at which sampling k times still costs no more per
solved task.

``--false-positive-rate F`` (default 0: a perfect verifier) lets the verifier accept a wrong
sample with probability F (Stroebl et al. 2024, arXiv:2411.17501): a task then counts as solved
only if the first accepted of its k samples is correct. Treating every task as equally hard
with per-sample success p = pass@1, that chance is (p/a)·(1 − (1 − a)^k) with a = p + (1 − p)·F
against 1 − (1 − p)^k for a perfect verifier; their ratio scales each measured pass@k into
``correct_at_k`` (F = 0 leaves it equal), which then divides the cost.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .._core.errors import InvalidInputError
from ._common import CliUsageError, Output, add_json_flag, format_table
from ._scenario import add_price_arguments, model_from_args


def _k_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CliUsageError(f"--k must be comma-separated whole numbers; got {text!r}") from exc
    if not values:
        raise CliUsageError("--k must list at least one sample budget, e.g. 1,10,100")
    return values


def _measured(text: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for part in (p for p in text.split(",") if p.strip()):
        k_text, _, p_text = part.partition("=")
        try:
            k, p = int(k_text), float(p_text)
        except ValueError:
            raise CliUsageError(
                f"--pass-at-k must look like 100=0.905,1000=0.951; got {text!r}"
            ) from None
        if k < 1 or not 0.0 <= p <= 1.0:
            raise InvalidInputError(f"--pass-at-k needs k ≥ 1 and 0 ≤ pass@k ≤ 1; got {part!r}")
        out[k] = p
    if not out:
        raise CliUsageError("--pass-at-k must list at least one k=value pair")
    return out


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sampling`` sub-command."""
    parser = subparsers.add_parser(
        "sampling",
        help="pass@k from n samples with c correct; cost per solved task with a scenario",
        description="Unbiased pass@k = 1 − C(n−c, k) / C(n, k) (Chen et al. 2021); with "
        "--scenario, each option's cost per solved task when every task is sampled k times.",
    )
    parser.add_argument("--n", type=int, help="samples drawn per problem")
    parser.add_argument("--correct", type=int, help="samples that passed")
    parser.add_argument("--k", default="1,10,100", help="sample budgets, e.g. 1,10,100")
    parser.add_argument(
        "--pass-at-k", metavar="K=P,...", help="measured pass@k instead of --n/--correct"
    )
    parser.add_argument("--scenario", metavar="FILE", help="scenario whose options to cost")
    parser.add_argument(
        "--verifier-usd", type=float, default=0.0, help="cost of checking one sample [USD]"
    )
    parser.add_argument(
        "--false-positive-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="probability that the verifier accepts a wrong sample (default 0: perfect)",
    )
    parser.add_argument("--versus", metavar="OPTION", help="an option sampled once")
    parser.add_argument("--versus-pass-at-1", type=float, metavar="P", help="its pass@1")
    add_price_arguments(parser)
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def _pass_rates(args: argparse.Namespace) -> tuple[list[int], list[float], dict[str, Any]]:
    if args.pass_at_k is not None:
        if args.n is not None or args.correct is not None:
            raise CliUsageError("give --n/--correct or --pass-at-k, not both")
        measured = _measured(args.pass_at_k)
        return list(measured), list(measured.values()), {"source": "measured"}
    if args.n is None or args.correct is None:
        raise CliUsageError("give --n and --correct (or --pass-at-k)")
    from ..analysis.sampling import pass_at_k

    ks = _k_list(args.k)
    values = np.atleast_1d(pass_at_k(args.n, args.correct, np.array(ks)))
    return ks, [float(v) for v in values], {"n": args.n, "correct": args.correct}


def _correct_at_k(args: argparse.Namespace, ks: list[int], rates: list[float]) -> list[float]:
    """Measured pass@k scaled by the chance that the first accepted sample is correct."""
    f = args.false_positive_rate
    if not 0.0 <= f <= 1.0:
        raise InvalidInputError(f"--false-positive-rate must be in [0, 1]; got {f}")
    if f == 0.0:
        return rates
    p1 = dict(zip(ks, rates, strict=True)).get(1)
    if args.pass_at_k is None:
        p1 = args.correct / args.n
    if p1 is None:
        raise CliUsageError("--false-positive-rate needs pass@1: add 1=P to --pass-at-k")
    from ..analysis.sampling import accepted_within_k, verified_accuracy_within_k

    k_arr = np.array(ks, dtype=np.float64)
    perfect = np.asarray(accepted_within_k(p1, 0.0, k_arr))
    imperfect = np.asarray(verified_accuracy_within_k(p1, f, k_arr))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(perfect > 0, imperfect / np.where(perfect > 0, perfect, 1.0), 0.0)
    return (np.array(rates) * ratio).tolist()


def _costs(
    args: argparse.Namespace, ks: list[int], rates: list[float]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Per option: cost per sample and per solved task at each k (volume × k)."""
    from ..analysis.sampling import breakeven_usd_per_sample

    if args.verifier_usd < 0:
        raise InvalidInputError(f"--verifier-usd must be ≥ 0; got {args.verifier_usd}")
    rates = _correct_at_k(args, ks, rates)
    scenario, model = model_from_args(args)
    tasks = model.baseline()["requests_per_month"]
    if not tasks > 0:
        raise InvalidInputError("the scenario's requests_per_month must be > 0 (tasks per month)")
    k_arr = np.array(ks, dtype=np.float64)
    at_k = model.evaluate({"requests_per_month": tasks * k_arr})
    rate = np.array(rates)
    options = []
    for name in model.option_names:
        monthly = np.asarray(at_k[name]["monthly_cost_usd"], dtype=np.float64)
        per_sample = monthly / (tasks * k_arr) + args.verifier_usd
        with np.errstate(divide="ignore"):
            solved = np.where(rate > 0, k_arr * per_sample / np.where(rate > 0, rate, 1), np.inf)
        options.append(
            {
                "name": name,
                "usd_per_sample": dict(zip(map(str, ks), per_sample.tolist(), strict=True)),
                "cost_per_solved_task_usd": dict(zip(map(str, ks), solved.tolist(), strict=True)),
            }
        )
    meta: dict[str, Any] = {
        "scenario": scenario.name,
        "tasks_per_month": tasks,
        "verifier_usd_per_sample": args.verifier_usd,
        "false_positive_rate": args.false_positive_rate,
        "correct_at_k": dict(zip(map(str, ks), rates, strict=True)),
    }
    if args.versus is not None:
        if args.versus not in model.option_names:
            raise InvalidInputError(
                f"--versus must name an option ({', '.join(model.option_names)}); "
                f"got {args.versus!r}"
            )
        p1 = args.versus_pass_at_1
        if p1 is None or not 0 < p1 <= 1:
            raise InvalidInputError(f"--versus-pass-at-1 must be in (0, 1]; got {p1!r}")
        one = model.evaluate({"requests_per_month": tasks})[args.versus]
        usd = float(one["monthly_cost_usd"]) / tasks + args.verifier_usd
        be = breakeven_usd_per_sample(k_arr, rate, p1, usd)
        meta["versus"] = {
            "option": args.versus,
            "pass_at_1": p1,
            "usd_per_sample": usd,
            "cost_per_solved_task_usd": usd / p1,
            "breakeven_usd_per_sample": dict(
                zip(map(str, ks), np.atleast_1d(be).tolist(), strict=True)
            ),
        }
    return meta, options


def run(args: argparse.Namespace) -> Output:
    """pass@k for each requested k, and the scenario's costs when given."""
    for flag in ("versus", "versus_pass_at_1", "as_of", "catalog"):
        if getattr(args, flag) is not None and args.scenario is None:
            raise CliUsageError(f"--{flag.replace('_', '-')} needs --scenario")
    if args.false_positive_rate != 0.0 and args.scenario is None:
        raise CliUsageError("--false-positive-rate needs --scenario")
    ks, rates, source = _pass_rates(args)
    payload: dict[str, Any] = {**source, "pass_at_k": dict(zip(map(str, ks), rates, strict=True))}
    header = ", ".join(f"{k} = {v}" for k, v in source.items())
    rows: list[dict[str, Any]] = [
        {"k": k, "pass_at_k": round(v, 6)} for k, v in zip(ks, rates, strict=True)
    ]
    if args.scenario is not None:
        meta, options = _costs(args, ks, rates)
        payload |= meta
        payload["options"] = options
        for row in rows:
            for o in options:
                row[f"{o['name']} $/solved"] = o["cost_per_solved_task_usd"][str(row["k"])]
        if "versus" in meta:
            v = meta["versus"]
            header += (
                f"; {v['option']} once (pass@1 {v['pass_at_1']}): "
                f"${v['cost_per_solved_task_usd']:.6g} per solved task"
            )
    return Output(payload, header + "\n" + format_table(rows))
