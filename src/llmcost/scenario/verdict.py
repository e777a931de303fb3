"""The plain-language verdict: one sentence a finance reader can act on, and its numbers.

:func:`verdict` is the one place that decides what ``llmcost compare`` (text and ``--json``),
``llmcost report`` and the workbook say first: which option is cheapest at the stated volume;
by how much per month and per 1 M tokens against the best option of the other kind (self-hosted
against API — the decision llmcost answers — or the runner-up when the scenario has one kind);
how many GPUs of which type the self-hosted side needs (at peak, per replica, on average); and
at what volume, GPU price and API price the answer flips. The volume comes from the scenario's
break-even (:func:`~llmcost.scenario.breakeven.scenario_breakeven`, the object ``llmcost
breakeven`` prints); the prices from the same engine run over each price.

>>> import llmcost  # doctest: +SKIP
>>> v = verdict(llmcost.compare(llmcost.load_scenario("chat.toml")))  # doctest: +SKIP
>>> v.sentence, v.margin_usd_per_month, v.flip_gpu_usd_per_hour  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from .._core.errors import InvalidInputError
from .._core.serialize import jsonable
from ..analysis.breakeven import BreakevenResult, breakeven_pairs
from .breakeven import ScenarioBreakeven, default_search_range, scenario_breakeven

__all__ = ["Verdict", "flip_text", "verdict"]

#: Grid of the price break-evens (costs are linear in prices: the grid only brackets).
PRICE_GRID = 257


@dataclass(frozen=True)
class Verdict:
    """The verdict sentence and every number in it (None: does not apply / never).

    ``cheapest`` and ``rival`` are option names; ``margin_*`` what the rival costs more
    [USD/month, USD per 1M tokens]; ``self_hosted`` the self-hosted option of the pair whose
    GPUs are stated (``gpus_peak``: GPUs running at the peak hour, ``gpus_per_replica``,
    ``gpus_avg``: averaged over the day, ``gpu``: type); ``flip_*``: the nearest value at which
    the cheaper of the two changes — volume [requests/month], the self-hosted option's price
    (``flip_gpu_variable``: ``gpu_usd_per_hour`` [USD/GPU-hour] or ``purchase_usd_per_gpu``
    [USD]) and the API option's price as a multiplier of its list prices [ratio].
    """

    sentence: str
    cheapest: str | None
    rival: str | None
    requests_per_month: float
    cheapest_usd_per_month: float | None
    rival_usd_per_month: float | None
    margin_usd_per_month: float | None
    margin_usd_per_mtok: float | None
    self_hosted: str | None
    gpu: str | None
    gpus_peak: float | None
    gpus_per_replica: float | None
    gpus_avg: float | None
    api: str | None
    flip_requests_per_month: float | None
    flip_gpu_variable: str | None
    gpu_price_now: float | None
    flip_gpu_price: float | None
    flip_api_price_multiplier: float | None
    breakeven_range: tuple[float, float] | None = None  # the volumes searched [requests/month]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN → None)."""
        out: dict[str, Any] = jsonable(asdict(self))
        return out


def _rival(comparison: Any) -> str | None:
    """The best feasible option of the other kind, else the runner-up."""
    feasible = sorted(
        (o for o in comparison.options if o.feasible and math.isfinite(o.monthly_cost_usd)),
        key=lambda o: o.monthly_cost_usd,
    )
    best = next((o for o in feasible if o.name == comparison.cheapest), None)
    if best is None:
        return None
    other = next((o.name for o in feasible if o.kind != best.kind), None)
    return other or next((o.name for o in feasible if o.name != best.name), None)


def _nearest_flip(r: BreakevenResult | None, at: float) -> float | None:
    """The change of ``r`` nearest to ``at`` (in ratio terms); None if it never changes."""
    if r is None or not r.crossings.size or at <= 0:
        return None
    return float(min(r.crossings, key=lambda x: abs(math.log(x / at)) if x > 0 else math.inf))


def _price_flip(comparison: Any, variable: str, lo: float, hi: float, pair: tuple[str, str]) -> Any:
    model = comparison.model
    if variable not in model.variables:
        return None, None
    now = model.baseline().get(variable)
    if now is None or not math.isfinite(now):
        return None, None
    (r,) = breakeven_pairs(
        model,
        variable,
        lo,
        hi * max(now, 1e-9),
        options=list(pair),
        n_grid=PRICE_GRID,
        scale="linear",
    )
    return now, _nearest_flip(r, now) if now > 0 else (r.first if r.crossings.size else None)


def _gpus(comparison: Any, name: str | None) -> dict[str, Any]:
    if name is None:
        return {"gpu": None, "gpus_peak": None, "gpus_per_replica": None, "gpus_avg": None}
    o = comparison.option(name)
    return {
        "gpu": o.details.get("gpu"),
        "gpus_peak": o.gpus,
        "gpus_per_replica": o.details.get("gpus_per_replica"),
        "gpus_avg": o.gpus_avg,
    }


def verdict(comparison: Any, breakeven: ScenarioBreakeven | None = None) -> Verdict:
    """The verdict on ``comparison``.

    ``breakeven``: the scenario's break-even, computed with the default range when not given.
    """
    volume = float(comparison.model.mix.total_requests_per_month)
    cheapest, rival = comparison.cheapest, _rival(comparison)
    if cheapest is None or rival is None:
        return _no_contest(comparison, volume, cheapest)
    best, other = comparison.option(cheapest), comparison.option(rival)
    kinds = {best.kind: best.name, other.kind: other.name}
    self_hosted, api = kinds.get("self_hosted"), kinds.get("api")
    searched = default_search_range(comparison.model, "requests_per_month")
    try:
        summary = breakeven or scenario_breakeven(comparison.model, scenario=comparison.scenario)
        flip_volume = _nearest_flip(summary.pair(cheapest, rival), volume)
        searched = summary.search_range
    except InvalidInputError:  # e.g. a capacity so small its replica steps outgrow the grid cap
        flip_volume = None
    gpu_var = gpu_now = gpu_flip = api_flip = None
    if self_hosted is not None:
        pricing = comparison.option(self_hosted).details.get("pricing")
        short = "purchase_usd_per_gpu" if pricing == "owned" else "gpu_usd_per_hour"
        gpu_var = short
        gpu_now, gpu_flip = _price_flip(
            comparison, f"{self_hosted}.{short}", 0.0, 10.0, (cheapest, rival)
        )
    if api is not None:
        _, api_flip = _price_flip(
            comparison, f"{api}.api_price_multiplier", 0.0, 20.0, (cheapest, rival)
        )
    margin = other.monthly_cost_usd - best.monthly_cost_usd
    tokens = best.tokens_per_month
    v = Verdict(
        sentence="",
        cheapest=cheapest,
        rival=rival,
        requests_per_month=volume,
        cheapest_usd_per_month=best.monthly_cost_usd,
        rival_usd_per_month=other.monthly_cost_usd,
        margin_usd_per_month=margin,
        margin_usd_per_mtok=margin / tokens * 1e6 if tokens > 0 else None,
        self_hosted=self_hosted,
        **_gpus(comparison, self_hosted),
        api=api,
        flip_requests_per_month=flip_volume,
        flip_gpu_variable=gpu_var,
        gpu_price_now=gpu_now,
        flip_gpu_price=gpu_flip,
        flip_api_price_multiplier=api_flip,
        breakeven_range=(searched.lo, searched.hi),
    )
    return Verdict(**(asdict(v) | {"sentence": _sentence(v, comparison)}))


def _no_contest(comparison: Any, volume: float, cheapest: str | None) -> Verdict:
    if cheapest is None:
        text = f"At {volume:,.0f} requests a month no option can serve the workload as specified."
    else:
        text = f"At {volume:,.0f} requests a month {cheapest} is the only feasible option."
    empty: dict[str, Any] = {k: None for k in Verdict.__dataclass_fields__}
    return Verdict(
        **(empty | {"sentence": text, "cheapest": cheapest, "requests_per_month": volume})
    )


def _usd(x: float) -> str:
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def _kind(comparison: Any, name: str) -> str:
    return "self-hosted" if comparison.option(name).kind == "self_hosted" else "API"


def _sentence(v: Verdict, comparison: Any) -> str:
    if v.cheapest is None or v.rival is None:  # pragma: no cover - _no_contest handles it
        return ""
    parts = [
        f"At {v.requests_per_month:,.0f} requests a month, {v.cheapest} "
        f"({_kind(comparison, v.cheapest)}) is cheapest at {_usd(v.cheapest_usd_per_month or 0)} "
        f"a month, {_usd(v.margin_usd_per_month or 0)} a month less than {v.rival} "
        f"({_kind(comparison, v.rival)})"
        + (f", {_usd(v.margin_usd_per_mtok)} less per 1M tokens" if v.margin_usd_per_mtok else "")
        + "."
    ]
    if v.self_hosted is not None and v.gpus_peak is not None:
        plural = "" if v.gpus_peak == 1 else "s"
        parts.append(
            f"Self-hosting ({v.self_hosted}) needs {v.gpus_peak:,.0f} {v.gpu} GPU{plural} at the "
            f"peak hour ({v.gpus_per_replica} per replica; {v.gpus_avg or 0:,.1f} on average "
            "over the day)."
        )
    flips = flip_text(v, comparison)
    return " ".join(parts + ([flips] if flips else []))


def flip_text(v: Verdict, comparison: Any) -> str:
    """Return the verdict sentence's last part: where the answer flips.

    At what volume / GPU price / API price the answer flips, and the searched ranges in which
    it does not ("" when nothing was solved). The workbook's Summary sheet shows this text as
    computed (it cannot recalculate a break-even).
    """
    if v.cheapest is None or v.rival is None:
        return ""
    flips, never = _flips(v, comparison)
    parts = []
    if flips:
        parts.append("The answer flips " + "; ".join(flips) + ".")
    if never:
        parts.append("It does not flip for " + "; ".join(never) + ".")
    return " ".join(parts)


def _flips(v: Verdict, comparison: Any) -> tuple[list[str], list[str]]:
    """What flips the answer, and the searched ranges in which nothing does."""
    flips, never = [], []
    if v.flip_requests_per_month is not None:
        flips.append(f"at {v.flip_requests_per_month:,.0f} requests a month")
    else:
        be = v.breakeven_range
        if be is not None:
            never.append(f"any volume from {be[0]:,.0f} to {be[1]:,.0f} requests a month")
    if v.self_hosted is not None and v.gpu_price_now is not None:
        unit = "per GPU-hour" if v.flip_gpu_variable == "gpu_usd_per_hour" else "per GPU bought"
        if v.flip_gpu_price is not None:
            flips.append(
                f"at a GPU price of {_usd(v.flip_gpu_price)} {unit} (now {_usd(v.gpu_price_now)})"
            )
        elif v.self_hosted == v.rival:
            never.append("any GPU price, even free GPUs (its other costs alone are more)")
        else:
            never.append(f"any GPU price up to 10× today's {_usd(v.gpu_price_now)} {unit}")
    if v.api is not None:
        if v.flip_api_price_multiplier is not None:
            flips.append(f"if {v.api}'s prices were {v.flip_api_price_multiplier:.2f}× today's")
        else:
            never.append(f"any {v.api} price from 0 to 20× today's")
    return flips, never
