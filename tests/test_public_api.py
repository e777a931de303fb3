"""The top-level ``llmcost`` namespace: every advertised name resolves, lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import llmcost


@pytest.mark.parametrize("name", llmcost.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(llmcost, name) is not None


def test_lazy_names_are_the_subpackage_objects() -> None:
    from llmcost.catalog import load_catalog
    from llmcost.scenario import compare

    assert llmcost.compare is compare
    assert llmcost.load_catalog is load_catalog


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'comapre'"):
        _ = llmcost.comapre  # type: ignore[attr-defined]


def test_import_llmcost_does_not_import_the_layers() -> None:
    # A fresh interpreter: `import llmcost` must stay cheap (no pandas, no scenario).
    code = "import sys, llmcost; print('llmcost.scenario' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_compare_from_the_top_level() -> None:
    scenario = llmcost.parse_scenario(
        {
            "name": "top-level",
            "as_of": "2025-06-01",
            "workload": {
                "requests_per_month": 3_000_000,
                "input_tokens_per_request": 1500,
                "output_tokens_per_request": 300,
            },
            "options": [
                {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
                {"name": "mini", "kind": "api", "offer": "openai/gpt-4o-mini"},
            ],
        }
    )
    result = llmcost.compare(scenario)
    # 3e6 × (1500 × $2.50 + 300 × $10) / 1e6 = $20,250 (OpenAI GPT-4o 2024-08-06 prices).
    assert result.option("gpt-4o").monthly_cost_usd == pytest.approx(20_250.0)
