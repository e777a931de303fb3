"""The example notebook (docs/examples/analyst-workflow.ipynb) runs top to bottom in a real
Jupyter kernel (nbclient), and the figures it shows are the library's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from llmcost import ParameterSpace, compare, load_scenario, tornado  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "examples" / "analyst-workflow.ipynb"
SCENARIO = ROOT / "examples" / "scenarios" / "chat-assistant.toml"
#: Appended to the notebook before it runs: the figures the test checks, as one JSON line.
_REPORT = """import json
print(json.dumps({"cheapest": cheapest, "cheapest_usd": cheapest_usd, "busier_usd": busier_usd,
                  "tornado_baseline_usd": tornado_baseline_usd, "budget_usd": budget_usd,
                  "quarter": str(first_quarter)}))"""


@pytest.fixture(scope="module")
def executed() -> tuple[object, dict[str, object]]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_REPORT))
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    figures = json.loads(nb.cells[-1].outputs[0]["text"])
    return nb, figures


def test_committed_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_every_cell_runs_and_the_charts_render(executed: tuple[object, dict[str, object]]) -> None:
    nb, _ = executed
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]  # type: ignore[attr-defined]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the 2 × 2 chart grid


@pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
def test_the_notebook_shows_the_library_figures(
    executed: tuple[object, dict[str, object]],
) -> None:
    _, shown = executed
    scenario = load_scenario(SCENARIO)
    result = compare(scenario)
    assert shown["cheapest"] == result.cheapest
    assert shown["cheapest_usd"] == pytest.approx(result.option(result.cheapest).monthly_cost_usd)
    busier = compare(scenario.replace(requests_per_month=10_000_000))
    assert shown["busier_usd"] == pytest.approx(
        busier.option("llama-3.3-70b-2xh100").monthly_cost_usd
    )
    # the tornado's baseline is the difference compare reports (baselines = scenario values)
    difference = (
        result.option("llama-3.3-70b-2xh100").monthly_cost_usd
        - result.option("gpt-4o-mini").monthly_cost_usd
    )
    assert shown["tornado_baseline_usd"] == pytest.approx(difference, abs=0.005)
    space = ParameterSpace.from_scenario(scenario)
    tor = tornado(result.model, space, lambda o: o["llama-3.3-70b-2xh100"] - o["gpt-4o-mini"])
    assert shown["tornado_baseline_usd"] == pytest.approx(tor.baseline_output)
    quarter = str(shown["quarter"])
    assert shown["budget_usd"] == pytest.approx(
        result.quarterly_budget_usd("llama-3.3-70b-2xh100", quarter)
    )
