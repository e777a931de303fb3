"""The Capacity sheet keeps the self-hosted side live: edits flow through to every total.

The workbook is recalculated three ways and compared with the library's own total on the
edited scenario (``compare`` of a scenario with the edited workload or option):

- llmcost's own evaluator (:mod:`llmcost.export._xlsx_eval`, which also writes the cached
  values) — always;
- LibreOffice headless — one ``soffice`` run for all the edited books; skipped where
  ``soffice`` is not installed (CI installs ``libreoffice-calc-nogui``).

Library figures quoted in issue #14 (chat-assistant at 100 M requests/month): maverick-8xh100
$202,406 with output tokens × 2, llama-3.3-70b-2xh100 $54,822 with input tokens × 0.5.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost.export._xlsx_eval import Evaluator
from llmcost.export.xlsx import write_workbook
from llmcost.scenario import compare, load_scenario

openpyxl = pytest.importorskip("openpyxl")
pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

SCENARIOS = Path(__file__).resolve().parents[1] / "examples" / "scenarios"
SOFFICE = shutil.which("soffice")
RTOL = 0.005  # the issue's acceptance: within 0.5 % of the library
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _scenario(requests: float = 100e6) -> Any:
    s = load_scenario(SCENARIOS / "chat-assistant.toml")
    return s.model_copy(
        update={"workload": s.workload.model_copy(update={"requests_per_month": requests})}
    )


#: (workload field, book name) edits; values are multipliers of the scenario's value.
WORKLOAD = {
    "input_tokens_per_request": "f1_input_tokens_per_request",
    "output_tokens_per_request": "f1_output_tokens_per_request",
    "requests_per_month": "w_requests_per_month",
    "cached_input_fraction": "f1_cached_input_fraction",
    "peak_to_average": "w_peak_to_average",  # live through the Load profile sheet
}
#: option fields and the book's name (o{j}_ + it)
OPTION = {
    "gpu_usd_per_hour": "gpu_usd_per_hour",
    "target_utilization": "target_utilization",
    "tpot_slo_s": "tpot_slo_s",
}


def _library(
    scenario: Any, workload: dict[str, float], options: dict[tuple[str, str], float]
) -> dict[str, float]:
    w = scenario.workload.model_copy(update=workload)
    opts = []
    for o in scenario.options:
        upd = {f: v for (name, f), v in options.items() if name == o.name}
        opts.append(o.model_copy(update=upd) if upd else o)
    edited = scenario.model_copy(update={"workload": w, "options": opts})
    return {o.name: o.monthly_cost_usd for o in compare(edited).options}


def _edit_book(src: Path, dst: Path, values: dict[str, float]) -> None:
    wb = openpyxl.load_workbook(src)
    ws = wb["Assumptions"]
    rows = {ws.cell(row=r, column=2).value: r for r in range(1, ws.max_row + 1)}
    for name, value in values.items():
        ws.cell(row=rows[name], column=3).value = value
    wb.save(dst)


def _totals(wb: Any, evaluate: bool) -> list[Any]:
    ws = wb["Model"]
    r = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Monthly cost"
    )
    if evaluate:
        ev = Evaluator(wb)
        return [ev.cell("Model", r, c) for c in range(3, ws.max_column + 1)]
    return [ws.cell(row=r, column=c).value for c in range(3, ws.max_column + 1)]


def _cases(
    scenario: Any, n: int, seed: int
) -> list[tuple[dict[str, float], dict[str, float], dict[tuple[str, str], float]]]:
    """The issue's two edits, then ``n`` random edits of named inputs."""
    wl = scenario.workload
    base = {f: float(getattr(wl, f)) for f in WORKLOAD}
    cases = [
        (
            {WORKLOAD["output_tokens_per_request"]: base["output_tokens_per_request"] * 2},
            {"output_tokens_per_request": base["output_tokens_per_request"] * 2},
            {},
        ),
        (
            {WORKLOAD["input_tokens_per_request"]: base["input_tokens_per_request"] * 0.5},
            {"input_tokens_per_request": base["input_tokens_per_request"] * 0.5},
            {},
        ),
    ]
    rng = np.random.default_rng(seed)
    hosted = [(j, o) for j, o in enumerate(scenario.options, 1) if o.kind == "self_hosted"]
    for _ in range(n):
        book: dict[str, float] = {}
        wupd: dict[str, float] = {}
        oupd: dict[tuple[str, str], float] = {}
        for f in rng.choice(list(WORKLOAD), size=2, replace=False):
            if f == "cached_input_fraction":
                v = float(rng.uniform(0.0, 0.9))
            elif f == "peak_to_average":  # a busiest hour 1.2–4 × the mean hour
                v = float(np.round(rng.uniform(1.2, 4.0), 2))
            else:
                v = float(np.round(base[f] * rng.uniform(0.3, 3.0)))
            book[WORKLOAD[f]], wupd[f] = v, v
        j, opt = hosted[int(rng.integers(len(hosted)))]
        f = str(rng.choice(list(OPTION)))
        v = {
            "gpu_usd_per_hour": float(rng.uniform(1.0, 6.0)),
            "target_utilization": float(rng.uniform(0.4, 0.95)),
            "tpot_slo_s": float(rng.uniform(0.03, 0.1)),
        }[f]
        book[f"o{j}_{OPTION[f]}"], oupd[(opt.name, f)] = v, v
        cases.append((book, wupd, oupd))
    return cases


@pytest.fixture(scope="module")
def edited_books(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, dict[str, float]]]:
    scenario = _scenario()
    tmp = tmp_path_factory.mktemp("capacity")
    src = write_workbook(compare(scenario), tmp / "chat.xlsx")
    out = []
    for k, (book, wupd, oupd) in enumerate(_cases(scenario, 20, seed=14)):
        dst = tmp / f"edit{k:02d}.xlsx"
        _edit_book(src, dst, book)
        out.append((dst, _library(scenario, wupd, oupd)))
    return out


def test_issue_figures_are_the_library_on_the_edited_scenario() -> None:
    # The issue quotes $202,406 and $54,822, measured before the topology-aware all-reduce
    # (perf/collectives.py) and the refitted trtllm/vllm profiles. On today's model the same
    # edits take 51,586.7 and 12,470.8 GPU-hours a month (compare(...).options[i]
    # .indicators["gpu_hours_per_month"]; 41,853.3 and 11,010.8 before vllm was calibrated on
    # its own published numbers, benchmarks/engine_calibration.py: decode at 0.77 instead of
    # 0.92 of trtllm's bandwidth efficiency, and 0.34 ms per layer of each eager prefill pass;
    # maverick was 44,043.3 before its routed experts became their own grouped GEMM,
    # llmcost.perf.moe); both options rent lambda's
    # gpu_8x_h100_sxm5 at $3.99/GPU-hour (the 8-GPU row of data/pricing/gpu_offers.csv; its
    # 1-GPU size, $4.29, cannot hold a 2- or 8-GPU replica whole, so the default is no longer
    # their median $4.14), plus $10,000 staff + $1,000 fixed:
    # 51,586.7 × 3.99 + 11,000 = 216,831 and 12,470.8 × 3.99 + 11,000 = 60,759.
    # The book must follow whichever the library says: the tests below compare with _library.
    s = _scenario()
    assert (
        round(_library(s, {"output_tokens_per_request": 700.0}, {})["maverick-8xh100"]) == 216_831
    )
    assert (
        round(_library(s, {"input_tokens_per_request": 1000.0}, {})["llama-3.3-70b-2xh100"])
        == 60_759
    )


def test_llmcost_evaluator_follows_every_edit(
    edited_books: list[tuple[Path, dict[str, float]]],
) -> None:
    for path, expected in edited_books:
        got = _totals(openpyxl.load_workbook(path), evaluate=True)
        for value, (name, want) in zip(got, expected.items(), strict=True):
            assert np.isclose(value, want, rtol=1e-9), (path.name, name, value, want)


@pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice (soffice) to recalculate")
def test_libreoffice_follows_every_edit(
    edited_books: list[tuple[Path, dict[str, float]]], tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    out = tmp_path / "lo"
    run = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *(str(p) for p, _ in edited_books),
        ],
        capture_output=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    for path, expected in edited_books:
        got = _totals(openpyxl.load_workbook(out / path.name, data_only=True), evaluate=False)
        for value, (name, want) in zip(got, expected.items(), strict=True):
            assert np.isclose(value, want, rtol=RTOL), (path.name, name, value, want)


def test_cached_values_show_every_total_before_recalculation(tmp_path: Path) -> None:
    comparison = compare(_scenario())
    wb = openpyxl.load_workbook(write_workbook(comparison, tmp_path / "c.xlsx"), data_only=True)
    for value, opt in zip(_totals(wb, evaluate=False), comparison.options, strict=True):
        assert np.isclose(value, opt.monthly_cost_usd, rtol=1e-12), opt.name
    empty = [
        (ws.title, c.coordinate)
        for ws in openpyxl.load_workbook(tmp_path / "c.xlsx").worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" and wb[ws.title][c.coordinate].value is None
    ]
    assert empty == []


@pytest.mark.parametrize("name", ["chat-assistant", "owned-hardware", "feature-mix"])
def test_every_defined_name_is_read_by_some_formula(name: str, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(
        write_workbook(compare(load_scenario(SCENARIOS / f"{name}.toml")), tmp_path / "b.xlsx")
    )
    text = " ".join(
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    )
    used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", text))
    inputs = [n for n, d in wb.defined_names.items() if d.attr_text.startswith("'Assumptions'!")]
    unread = sorted(n for n in inputs if n not in used)
    assert unread == []
    assert "o4_on_demand_usd_per_gpu_hour" not in wb.defined_names


def test_cli_and_python_write_the_same_book(tmp_path: Path) -> None:
    from llmcost.cli import main
    from llmcost.cli.compare import _workbook_analysis

    path = SCENARIOS / "chat-assistant.toml"
    cli_book = tmp_path / "cli.xlsx"
    assert main(["compare", str(path), "--xlsx", str(cli_book)]) == 0
    comparison = compare(load_scenario(path))

    class _Args:
        scenario = str(path)

    api_book = comparison.to_excel(
        tmp_path / "api.xlsx", analysis=_workbook_analysis(_Args(), comparison)
    )  # type: ignore[arg-type]
    for data_only in (False, True):
        a = openpyxl.load_workbook(cli_book, data_only=data_only)
        b = openpyxl.load_workbook(api_book, data_only=data_only)
        assert a.sheetnames == b.sheetnames
        for ws in a.worksheets:
            other = b[ws.title]
            cells = [(c.coordinate, c.value) for row in ws.iter_rows() for c in row]
            assert cells == [(c.coordinate, c.value) for row in other.iter_rows() for c in row], (
                ws.title
            )
