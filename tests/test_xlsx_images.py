"""A workbook of a scenario with images recomputes to compare(): each option's image tokens per
request are an input cell that its input-token formulas add to the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from llmcost.export._xlsx_model import COMPONENT_LABELS
from llmcost.export.xlsx import write_workbook
from llmcost.scenario import compare, parse_scenario
from test_xlsx_formulas import recalculate

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("formulas")

pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

RTOL = 1e-9
SCENARIO = {
    "name": "screenshots",
    "as_of": "2026-11-23",
    "workload": {
        "horizon_months": 3,
        "image_width_px": 1920,
        "image_height_px": 1080,
        "features": [
            {
                "name": "chat",
                "requests_per_month": 200_000,
                "input_tokens_per_request": 2000,
                "output_tokens_per_request": 300,
            },
            {
                "name": "agent",
                "requests_per_month": 50_000,
                # 199,000 text tokens + 2 images: over Gemini's 200k tier only with the images
                "input_tokens_per_request": 199_000,
                "output_tokens_per_request": 1000,
                "images_per_request": 2,
                "cached_input_fraction": 0.5,
            },
        ],
    },
    "options": [
        {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
        {"name": "gemini", "kind": "api", "offer": "google/gemini-2.5-pro"},
        {
            "name": "maverick",
            "kind": "self_hosted",
            "model": "llama-4-maverick",
            "gpu": "h100-sxm",
            "gpus_per_replica": 8,
            "precision": "fp8",
            "gpu_usd_per_hour": 2.5,
            "requests_per_s_per_replica": 0.5,  # measured capacity: images only count as tokens
        },
    ],
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    comparison = compare(parse_scenario(SCENARIO))
    path = write_workbook(comparison, tmp_path_factory.mktemp("img") / "images.xlsx")
    return path, comparison


def _labels(path: Path, sheet: str, column: int) -> dict[Any, int]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {ws.cell(row=r, column=column).value: r for r in range(1, ws.max_row + 1)}


def test_workbook_with_images_recomputes_to_compare(written: tuple[Path, Any]) -> None:
    path, comparison = written
    got = recalculate(path)
    rows = _labels(path, "Model", 1)
    # the images matter: Gemini's agent feature is at the >200k tier only because of them
    assert comparison.option("gemini").details["image_tokens_per_request"]["agent"] == 2 * 1548
    assert any("agent" in w for w in comparison.option("gemini").warnings)
    for j, opt in enumerate(comparison.options):
        col = chr(ord("C") + j)
        assert opt.indicators["image_tokens_per_request"] > 0
        total = got[f"MODEL!{col}{rows['Monthly cost']}"]
        assert np.isclose(total, opt.monthly_cost_usd, rtol=RTOL), opt.name
        tokens = got[f"MODEL!{col}{rows['Tokens, input + output']}"]
        assert np.isclose(tokens, opt.tokens_per_month, rtol=RTOL), opt.name
        per_mtok = got[f"MODEL!{col}{rows['Cost per 1M tokens (input + output)']}"]
        assert np.isclose(per_mtok, opt.usd_per_mtok, rtol=RTOL), opt.name
        for key, value in opt.components.items():
            cell = got[f"MODEL!{col}{rows[COMPONENT_LABELS[key]]}"]
            assert np.isclose(cell, value, rtol=RTOL, atol=1e-9), (opt.name, key)


def test_editing_the_image_tokens_moves_the_api_bill(written: tuple[Path, Any]) -> None:
    path, comparison = written
    names = _labels(path, "Assumptions", 2)
    row = names["o1_f2_image_tokens_per_request"]  # gpt-4o, agent feature
    assert openpyxl.load_workbook(path)["Assumptions"].cell(row=row, column=3).value == 2 * 1105
    got = recalculate(path, {f"ASSUMPTIONS!C{row}": 0.0})
    rows = _labels(path, "Model", 1)
    # 50,000 requests × 2,210 image tokens, half of them cache hits at $1.25, half at $2.50
    saved = 50_000 * 2210 * (0.5 * 2.5 + 0.5 * 1.25) / 1e6
    before = comparison.option("gpt-4o").monthly_cost_usd
    assert np.isclose(got[f"MODEL!C{rows['Monthly cost']}"], before - saved, rtol=RTOL)
