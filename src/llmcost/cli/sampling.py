"""``llmcost sampling``: unbiased pass@k from n samples with c correct (Chen et al. 2021)."""

from __future__ import annotations

import argparse

import numpy as np

from ..analysis.sampling import pass_at_k
from ._common import CliUsageError, Output, add_json_flag, format_table


def _k_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CliUsageError(f"--k must be comma-separated whole numbers; got {text!r}") from exc
    if not values:
        raise CliUsageError("--k must list at least one sample budget, e.g. 1,10,100")
    return values


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sampling`` sub-command."""
    parser = subparsers.add_parser(
        "sampling",
        help="pass@k from n samples with c correct (repeated-sampling economics)",
        description="Unbiased pass@k = 1 − C(n−c, k) / C(n, k) (Chen et al. 2021).",
    )
    parser.add_argument("--n", type=int, required=True, help="samples drawn per problem")
    parser.add_argument("--correct", type=int, required=True, help="samples that passed")
    parser.add_argument("--k", default="1,10,100", help="sample budgets, e.g. 1,10,100")
    add_json_flag(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> Output:
    """Compute pass@k for each requested k."""
    ks = _k_list(args.k)
    values = [float(v) for v in np.atleast_1d(pass_at_k(args.n, args.correct, np.array(ks)))]
    payload = {
        "n": args.n,
        "correct": args.correct,
        "pass_at_k": {str(k): v for k, v in zip(ks, values, strict=True)},
    }
    rows = [{"k": k, "pass_at_k": round(v, 6)} for k, v in zip(ks, values, strict=True)]
    text = f"n = {args.n}, correct = {args.correct}\n" + format_table(rows)
    return Output(payload, text)
