"""The spreadsheet formulas equal the cost layer's math, recomputed by a real formula engine.

Random inputs are written as named assumption cells, the formulas of
``llmcost.export._xlsx_formulas`` over them into a model sheet, and the ``formulas`` package
(an Excel formula engine) recomputes the file; every cell must equal the library's own function
within 1e-9 relative.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost.cost.api import api_bill
from llmcost.cost.load import replica_plan
from llmcost.cost.owned import owned_cost, power_draw_fraction
from llmcost.cost.rental import committed_replicas, rental_cost, replica_hours_above
from llmcost.cost.staff import staff_usd_per_month
from llmcost.export import _xlsx_formulas as fx
from llmcost.export._xlsx_book import AssumptionsSheet, Book, Formula, GridSheet

formulas = pytest.importorskip("formulas")
pytest.importorskip("openpyxl")

RTOL = 1e-9


@functools.lru_cache(maxsize=4)
def _compiled(path: str, mtime_ns: int) -> Any:
    """The workbook's formulas parsed once (parsing dominates the engine's time)."""
    return formulas.ExcelModel().loads(path).finish()


def _recalculate_own(path: Path, inputs: dict[str, Any] | None) -> dict[str, Any]:
    """Recompute with llmcost's own formula evaluator (``export._xlsx_eval``), which reads only
    the formula text in the file: ``{"SHEET!A1": value}``."""
    import openpyxl

    from llmcost.export._xlsx_eval import Evaluator

    wb = openpyxl.load_workbook(path)
    sheets = {name.upper(): name for name in wb.sheetnames}
    for key, value in (inputs or {}).items():
        sheet, cell = key.split("!")
        wb[sheets[sheet.strip("'").upper()]][cell].value = value
    ev = Evaluator(wb)
    return {
        f"{ws.title}!{c.coordinate}".upper(): ev.cell(ws.title, c.row, c.column)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def recalculate(path: Path, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Recompute a workbook: ``{"SHEET!A1": value}``. ``inputs`` overrides cells (keyed the
    same way) before recomputing.

    Books without a Capacity sheet go through the independent ``formulas`` engine. A book with
    one (~12,000 formula cells of self-hosted sizing) takes the ``formulas`` engine many
    minutes, so it is recomputed by llmcost's own evaluator here, and by LibreOffice in
    ``test_xlsx_libreoffice`` / ``test_xlsx_capacity`` — the independent reader for those books.
    """
    import openpyxl

    if "Capacity" in openpyxl.load_workbook(path, read_only=True).sheetnames:
        return _recalculate_own(path, inputs)
    model = _compiled(str(path), path.stat().st_mtime_ns)
    prefixed = {}
    for key, value in (inputs or {}).items():
        sheet, cell = key.split("!")
        prefixed[f"'[{path.name}]{sheet}'!{cell}"] = value
    solution = model.calculate(inputs=prefixed)
    out: dict[str, Any] = {}
    for key, value in solution.items():
        book, _, cell = key.rpartition("!")
        if ":" in cell:
            continue
        sheet = book.split("]", 1)[-1].strip("'")
        raw = value.value if hasattr(value, "value") else value
        out[f"{sheet}!{cell}".upper()] = np.asarray(raw).ravel()[0]
    return out


def _close(a: Any, b: Any) -> bool:
    return bool(np.isclose(float(a), float(b), rtol=RTOL, atol=1e-9))


def test_api_formulas_equal_api_bill(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    book = Book()
    a = AssumptionsSheet(book)
    classes, values = [], []
    for i in range(3):
        v = {
            "requests_per_month": float(rng.uniform(0, 5e6)),
            "input_tokens_per_request": float(rng.uniform(0, 5000)),
            "output_tokens_per_request": float(rng.uniform(0, 800)),
            "cached_input_fraction": float(rng.uniform(0, 0.5)),
            "cache_write_fraction": float(rng.uniform(0, 0.4)),
            "batch_eligible_fraction": float(rng.uniform(0, 1)),
        }
        values.append(v)
        classes.append(fx.RequestClass(**{k: a.add(f"f{i}_{k}", k, x, "") for k, x in v.items()}))
    p = {"input": 2.5, "cached_input": 1.25, "cache_write": 3.1, "output": 10.0, "batch": 0.5}
    prices = fx.ApiPrices(
        input=a.add("p_in", "input", p["input"], ""),
        cached_input=a.add("p_cached", "cached", p["cached_input"], ""),
        cache_write=a.add("p_write", "write", p["cache_write"], ""),
        output=a.add("p_out", "output", p["output"], ""),
        batch_discount=a.add("p_batch", "batch", p["batch"], ""),
    )
    grid = GridSheet(book, "Model", ["api"])
    parts = fx.api_components(classes, [prices] * len(classes))
    for key, text in parts.items():
        grid.add(key, key, "USD", lambda _c, t=text: Formula("=" + t))
    path = tmp_path / "api.xlsx"
    book.save(path)
    got = recalculate(path)

    bills = [
        api_bill(
            **v,
            input_usd_per_mtok=p["input"],
            cached_input_usd_per_mtok=p["cached_input"],
            cache_write_usd_per_mtok=p["cache_write"],
            output_usd_per_mtok=p["output"],
            batch_discount_fraction=p["batch"],
        )
        for v in values
    ]
    for key in parts:
        expected = sum(b.components()[key] for b in bills)
        assert _close(got[f"MODEL!C{grid.rows[key]}"], expected), key


@pytest.mark.parametrize(
    ("pricing", "commitment", "to_zero"),
    [
        ("on_demand", None, False),
        ("reserved", None, False),
        ("reserved", 0.5, False),
        ("spot", None, True),
    ],
)
def test_replica_and_rental_formulas_equal_the_library(
    pricing: str, commitment: float | None, to_zero: bool, tmp_path: Path
) -> None:
    rng = np.random.default_rng(2)
    weights = rng.uniform(0.1, 3.0, 24)
    if to_zero:
        weights[:5] = 0.0  # hours without demand: no replica with scale-to-zero
    weights = weights / weights.mean()
    demand, cap, util, g = 7.3, 1.9, 0.8, 8.0
    min_rep, max_rep = (0.0, 9.0) if to_zero else (1.0, 9.0)  # the cap binds at the peak
    price, reserved = 4.1, 2.7
    overhead = 0.1 if pricing == "spot" else 0.0
    reserving = pricing == "reserved"

    book = Book()
    a = AssumptionsSheet(book)
    w = [a.add(f"w_h{h:02d}", f"weight {h}", float(weights[h]), "") for h in range(24)]
    names = {
        "demand": a.add("demand", "demand", demand, "req/s"),
        "cap": a.add("cap", "cap", cap, "req/s"),
        "util": a.add("util", "util", util, ""),
        "min": a.add("min_rep", "min", min_rep, ""),
        "max": a.add("max_rep", "max", max_rep, ""),
        "zero": a.add("to_zero", "zero", to_zero, ""),
        "g": a.add("g", "g", g, ""),
        "price": a.add("price", "price", price, ""),
        "reserved": a.add("reserved", "reserved", reserved, ""),
        "overhead": a.add("overhead", "overhead", overhead, ""),
        "commit": a.add("commit", "commit", commitment if commitment is not None else "base", ""),
    }
    grid = GridSheet(book, "Model", ["x"])
    col = grid.columns[0]

    def row(key: str, text: str) -> None:
        grid.add(key, key, "", lambda _c: Formula("=" + text))

    row("planned", fx.planned_capacity(names["cap"], names["util"]))
    row("per_weight", fx.replicas_per_weight(names["demand"], col.cell("planned")))
    row("floor", fx.replica_floor(names["min"], names["zero"]))
    row("cap", fx.replica_cap(names["max"]))
    for h in range(24):
        row(
            f"h{h:02d}",
            fx.replicas_in_hour(
                per_weight=col.cell("per_weight"),
                weight=w[h],
                floor=col.cell("floor"),
                cap=col.cell("cap"),
                scale_to_zero=names["zero"],
            ),
        )
    hours = col.span("h00", "h23")
    row("committed", fx.committed_replicas(hours, names["commit"]) if reserving else "0")
    row(
        "usage_hours",
        fx.replica_hours_above(hours, col.cell("committed"))
        if reserving
        else f"AVERAGE({hours})*730",
    )
    parts = fx.rental_components(
        usage_replica_hours=col.cell("usage_hours"),
        gpus_per_replica=names["g"],
        usd_per_gpu_hour=names["price"],
        committed=col.cell("committed"),
        committed_usd_per_gpu_hour=names["reserved"],
        interruption_overhead_fraction=names["overhead"],
    )
    for key, text in parts.items():
        row(key, text)
    path = tmp_path / "rental.xlsx"
    book.save(path)
    got = recalculate(path)

    plan = replica_plan(
        requests_per_s=demand,
        hourly_weights=weights,
        capacity_requests_per_s_per_replica=cap,
        target_utilization=util,
        min_replicas=min_rep,
        max_replicas=max_rep,
        scale_to_zero=to_zero,
    )
    assert not plan.feasible  # the cap binds: the formulas must clip like the library
    for h in range(24):
        assert got[f"MODEL!C{grid.rows[f'h{h:02d}']}"] == plan.replicas_by_hour[h]
    if to_zero:
        assert plan.replicas_by_hour[:5].max() == 0
    committed = (
        committed_replicas(plan.replicas_by_hour, np.nan if commitment is None else commitment)
        if reserving
        else 0.0
    )
    usage = (
        replica_hours_above(plan.replicas_by_hour, committed)
        if reserving
        else plan.replica_hours_per_month
    )
    assert _close(got[f"MODEL!C{grid.rows['committed']}"], committed)
    assert _close(got[f"MODEL!C{grid.rows['usage_hours']}"], usage)
    cost = rental_cost(
        usage_replica_hours_per_month=usage,
        gpus_per_replica=g,
        usd_per_gpu_hour=price,
        committed_replicas=committed,
        committed_usd_per_gpu_hour=reserved,
        interruption_overhead_fraction=overhead,
    )
    for key in parts:
        assert _close(got[f"MODEL!C{grid.rows[key]}"], getattr(cost, key)), key


def test_owned_and_staff_formulas_equal_the_library(tmp_path: Path) -> None:
    v = {
        "gpus": 16.0,
        "purchase_usd_per_gpu": 31_250.0,
        "life_years": 4.0,
        "residual_fraction": 0.1,
        "cost_of_capital_per_year": 0.08,
        "power_kw_per_gpu": 1.275,
        "pue": 1.3,
        "usd_per_kwh": 0.11,
        "colocation_usd_per_kw_month": 150.0,
        "maintenance_fraction_per_year": 0.05,
    }
    utilization, idle, fte, salary = 0.63, 0.3, 0.75, 240_000.0
    book = Book()
    a = AssumptionsSheet(book)
    names = {k: a.add(k, k, x, "") for k, x in v.items()}
    u, i = a.add("utilization", "u", utilization, ""), a.add("idle", "idle", idle, "")
    f, s = a.add("fte", "fte", fte, ""), a.add("salary", "salary", salary, "")
    grid = GridSheet(book, "Model", ["owned"])
    grid.add("draw", "draw", "", lambda _c: Formula("=" + fx.power_draw_fraction(u, i)))
    draw_cell = grid.columns[0].cell("draw")
    parts = fx.owned_components(**names, power_draw_fraction=draw_cell)
    for key, text in parts.items():
        grid.add(key, key, "USD", lambda _c, t=text: Formula("=" + t))
    grid.add("staff", "staff", "USD", lambda _c: Formula("=" + fx.staff_usd_per_month(f, s)))
    path = tmp_path / "owned.xlsx"
    book.save(path)
    got = recalculate(path)

    draw = power_draw_fraction(utilization, idle)
    cost = owned_cost(**v, power_draw_fraction=draw)
    assert _close(got[f"MODEL!C{grid.rows['draw']}"], draw)
    for key in parts:
        assert _close(got[f"MODEL!C{grid.rows[key]}"], getattr(cost, key)), key
    assert _close(got[f"MODEL!C{grid.rows['staff']}"], staff_usd_per_month(fte, salary))
