"""``layout = "auto"``: size a self-hosted option on the cheapest GPU and replica layout.

Candidates: for each GPU of the option's ``gpu`` (one id or a list), every valid
``tp × pp × ep`` split of 1, 2, 4, … up to one scale-up domain of GPUs (``scale_up_domain_gpus``,
8 on HGX) per replica (:func:`llmcost.perf.enumerate_layouts`: heads and experts divide, TP × EP
stays on the fabric). Each becomes a fixed option (same name, precision, engine, SLOs, pricing)
resolved and priced exactly as a fixed option would be — capacity under the SLOs, replicas per
hour of the load profile, rent or ownership, staff — and the feasible one with the lowest
monthly cost at the scenario's base volume is kept. So an auto option never costs more than
the same option with any one of its candidate layouts fixed. Its details name the chosen
layout and the runner-up (the next cheapest candidate) with its cost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from .._core.errors import InvalidInputError, PriceNotYetAvailableError
from .._core.specs import GpuSpec, ModelSpec
from ..catalog import Catalog
from ..perf import enumerate_layouts
from ..perf.layout import heads_allow_tp
from .config import SelfHostedOption
from .model import ScenarioModel
from .workload import FeatureMix

if TYPE_CHECKING:
    from .resolve import Resolved

__all__ = ["auto_candidates", "resolve_auto_layout"]

ResolveFixed = Callable[[SelfHostedOption, int, FeatureMix, Catalog, date | None], "Resolved"]


def auto_candidates(option: SelfHostedOption, catalog: Catalog) -> list[SelfHostedOption]:
    """The fixed options an auto option chooses from (see the module notes)."""
    where = f"option {option.name!r}"
    try:
        model = catalog.model_spec(option.model)
    except KeyError as exc:
        raise InvalidInputError(f"{where}.model: {exc}") from None
    fields = option.model_dump(exclude={"gpu", "layout", "gpus_per_replica", "tp", "pp", "ep"})
    out = []
    for gpu_id in option.gpu_choices:
        try:
            gpu = catalog.gpu_spec(gpu_id)
        except KeyError as exc:
            raise InvalidInputError(f"{where}.gpu: {exc}") from None
        if option.disaggregated is not None:
            out += _pool_candidates(option, fields | {"gpu": gpu_id}, model, gpu)
            continue
        size = 1
        while size <= gpu.scale_up_domain_gpus:
            layouts = enumerate_layouts(model, gpu, size)
            one = layouts.replicas == 1
            for tp, pp, ep in zip(layouts.tp[one], layouts.pp[one], layouts.ep[one], strict=True):
                split = {"gpus_per_replica": size, "tp": int(tp), "pp": int(pp), "ep": int(ep)}
                out.append(SelfHostedOption.model_validate(fields | {"gpu": gpu_id} | split))
            size *= 2
    return out


def _pool_candidates(
    option: SelfHostedOption, fields: dict[str, Any], model: ModelSpec, gpu: GpuSpec
) -> list[SelfHostedOption]:
    """Disaggregated candidates: every prefill × decode pair of GPUs per replica.

    Each of 1, 2, 4, … up to one scale-up domain that the heads allow (each pool is all
    tensor-parallel).
    """
    assert option.disaggregated is not None  # the caller checks
    sizes = [s for s in _powers_of_two(gpu.scale_up_domain_gpus) if heads_allow_tp(model, s)]
    out = []
    for p in sizes:
        for d in sizes:
            pools = option.disaggregated.model_copy(update={"prefill_gpus": p, "decode_gpus": d})
            out.append(SelfHostedOption.model_validate(fields | {"disaggregated": pools}))
    return out


def _powers_of_two(limit: int) -> list[int]:
    """1, 2, 4, … up to ``limit``.

    >>> _powers_of_two(8)
    [1, 2, 4, 8]
    """
    out, size = [], 1
    while size <= limit:
        out.append(size)
        size *= 2
    return out


def _describe(option: SelfHostedOption, cost: float) -> dict[str, Any]:
    pools = option.disaggregated
    return {
        "gpu": option.gpu,
        "gpus_per_replica": option.gpus_per_replica,
        "tp": option.tp,
        "pp": option.pp,
        "ep": option.ep,
        "prefill_gpus": None if pools is None else pools.prefill_gpus,
        "decode_gpus": None if pools is None else pools.decode_gpus,
        "monthly_cost_usd": cost,
    }


def _label(d: dict[str, Any]) -> str:
    if d["prefill_gpus"] is not None:
        return f"{d['prefill_gpus']} prefill + {d['decode_gpus']} decode × {d['gpu']}"
    return f"{d['gpus_per_replica']} × {d['gpu']} (tp{d['tp']} pp{d['pp']} ep{d['ep']})"


def resolve_auto_layout(
    option: SelfHostedOption,
    index: int,
    mix: FeatureMix,
    catalog: Catalog,
    as_of: date | None,
    resolve_fixed: ResolveFixed,
) -> Resolved:
    """Resolve every candidate with ``resolve_fixed`` and keep the cheapest feasible one.

    Candidates a catalog cannot price (no rental offer or purchase row for that GPU) are
    skipped; when every candidate is infeasible the cheapest-looking infeasible one is returned
    (its cost is NaN and it says why), so the comparison still reports the option.
    """
    priced: list[tuple[float, int, SelfHostedOption, Resolved]] = []
    errors: list[str] = []
    not_yet: list[date] = []
    for i, cand in enumerate(auto_candidates(option, catalog)):
        try:
            res = resolve_fixed(cand, index, mix, catalog, as_of)
        except InvalidInputError as exc:
            errors.append(f"{cand.gpu}: {exc}")
            if isinstance(exc, PriceNotYetAvailableError):
                not_yet.append(exc.available_from)
            continue
        out = ScenarioModel(mix=mix, evaluators=(res.evaluator,)).evaluate()[cand.name]
        cost = float(out["monthly_cost_usd"])
        feasible = bool(out["feasible"]) and np.isfinite(cost)
        priced.append((cost if feasible else np.inf, i, cand, res))
    if not priced and not_yet and len(not_yet) == len(errors):
        raise PriceNotYetAvailableError(
            f"options[{index}]({option.name}): layout = 'auto': no GPU is priced on {as_of}",
            min(not_yet),
        )
    if not priced:
        raise InvalidInputError(
            f"options[{index}]({option.name}): layout = 'auto' found no candidate it can price: "
            + "; ".join(dict.fromkeys(errors))
        )
    priced.sort(key=lambda t: (t[0], t[1]))
    cost, _, chosen, res = priced[0]
    choice = _describe(chosen, cost)
    res.details["layout"] = "auto"
    res.details["layout_choice"] = choice
    res.details["layout_candidates"] = len(priced)
    note = f"layout auto: chose {_label(choice)} of {len(priced)} candidates"
    if len(priced) > 1 and np.isfinite(priced[1][0]):
        second = _describe(priced[1][2], priced[1][0])
        extra = second["monthly_cost_usd"] - cost
        second["extra_usd_per_month"] = extra
        res.details["layout_runner_up"] = second
        note += (
            f"; runner-up {_label(second)} costs ${second['monthly_cost_usd']:,.0f}/month "
            f"(+${extra:,.0f}, +{extra / cost:.1%})"
            if cost > 0
            else ""
        )
    else:
        res.details["layout_runner_up"] = None
    res.notes.append(note)
    return res
