"""The report: self-contained HTML/Markdown with charts, escaped user text, the CLI, and a real
headless-browser render when Chromium is installed."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from llmcost.cli import main
from llmcost.cli.sensitivity import space_for
from llmcost.export.report import analyze, render_report, write_report
from llmcost.scenario import compare, load_scenario, parse_scenario

pytest.importorskip("matplotlib")
pytestmark = pytest.mark.filterwarnings("ignore::llmcost._core.errors.StaleCatalogWarning")

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "owned-hardware.toml"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def comparison_and_analysis() -> tuple[Any, Any]:
    scenario = load_scenario(SCENARIO)
    comparison = compare(scenario)
    space, _ = space_for(scenario, comparison.model)
    return comparison, analyze(comparison, space=space, monte_carlo_draws=2000, seed=1)


@pytest.fixture(scope="module")
def html_text(comparison_and_analysis: tuple[Any, Any]) -> str:
    comparison, analysis = comparison_and_analysis
    return render_report(comparison, "html", analysis=analysis)


def _pngs(text: str) -> list[bytes]:
    return [
        base64.b64decode(m) for m in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    ]


def test_html_holds_every_section_and_five_charts(
    html_text: str, comparison_and_analysis: tuple[Any, Any]
) -> None:
    comparison, _ = comparison_and_analysis
    for title in (
        "Summary",
        "Comparison",
        "Cost against volume",
        "Sensitivity",
        "Uncertainty (Monte Carlo)",
        "Horizon",
        "Assumptions",
        "Sources",
    ):
        assert f"<h2>{title}</h2>" in html_text
    for opt in comparison.options:
        assert opt.name in html_text
    pngs = _pngs(html_text)
    # cumulative cost, cost curve, break-even map (volume × GPU price), tornado, Monte Carlo
    assert len(pngs) == 5
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") and len(p) > 10_000 for p in pngs)
    assert comparison.catalog_version in html_text
    assert f"${comparison.option(comparison.cheapest).monthly_cost_usd:,.0f}" in html_text


def test_html_loads_nothing_from_outside(html_text: str) -> None:
    # the only script is the inert JSON data block (type application/json: never executed)
    scripts = re.findall(r"<script[^>]*>", html_text)
    assert scripts == ['<script type="application/json" id="llmcost-data">']
    assert "<link" not in html_text
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html_text)
    assert "@import" not in html_text


def test_user_text_is_escaped() -> None:
    data = {
        "name": "<b>bold</b>",
        "workload": {
            "requests_per_month": 1e5,
            "input_tokens_per_request": 100,
            "output_tokens_per_request": 10,
        },
        "options": [
            {"name": "<script>alert(1)</script>", "kind": "api", "offer": "openai/gpt-4o"},
            {"name": "mini | pipe", "kind": "api", "offer": "openai/gpt-4o-mini"},
        ],
    }
    comparison = compare(parse_scenario(data))
    html_text = render_report(comparison, "html")
    assert "<script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    md = render_report(comparison, "md")
    assert "mini \\| pipe" in md  # a pipe cannot break a Markdown table
    assert "<script>" not in md


def test_markdown_is_self_contained(
    comparison_and_analysis: tuple[Any, Any], tmp_path: Path
) -> None:
    comparison, analysis = comparison_and_analysis
    path = write_report(comparison, tmp_path / "report.md", analysis=analysis)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# llmcost: owned-hardware")
    assert "| option | kind |" in text
    assert len(_pngs(text)) == 5
    assert "](http" not in text


def test_report_without_analysis_has_the_tables(comparison_and_analysis: tuple[Any, Any]) -> None:
    comparison, _ = comparison_and_analysis
    text = render_report(comparison, "md")
    assert "## Comparison" in text
    assert "## Sensitivity" not in text
    with pytest.raises(ValueError, match="fmt must be one of"):
        render_report(comparison, "pdf")


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code = main(["report", str(SCENARIO), "--out", str(out), "--monte-carlo", "500", "--json"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["report"] == str(out)
    assert payload["format"] == "html"
    assert out.stat().st_size == payload["bytes"]
    assert main(["report", str(SCENARIO), "--out", str(tmp_path / "no" / "r.html")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["report", str(SCENARIO), "--out", str(out), "--monte-carlo", "-1"]) == 2


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless browser check needs /usr/bin/chromium")
def test_renders_in_headless_chromium(html_text: str, tmp_path: Path) -> None:
    """A real browser lays the page out and decodes the embedded charts."""
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(html_text, encoding="utf-8")
    shot = tmp_path / "report.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--window-size=1200,2600",
        "--virtual-time-budget=5000",
    ]
    run = subprocess.run(
        [
            shutil.which(str(CHROMIUM)) or str(CHROMIUM),
            *flags,
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    dom = subprocess.run(
        [str(CHROMIUM), *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout.decode()
    assert "<h2>Cost against volume</h2>" in dom
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2600)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 200  # text, tables and charts, not a blank page
    # the cost chart's line colours (matplotlib C0 blue, C1 orange) were decoded and drawn
    rgb = {c for _, c in colours}
    assert any(abs(r - 31) < 25 and abs(g - 119) < 25 and abs(b - 180) < 25 for r, g, b in rgb)
    assert any(abs(r - 255) < 25 and abs(g - 127) < 25 and b < 60 for r, g, b in rgb)
