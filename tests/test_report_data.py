"""The report's embedded JSON (issue #13): its break-even is the CLI's, its inputs are complete."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llmcost.cli import main

SCENARIO = Path(__file__).parent.parent / "examples/scenarios/chat-assistant.toml"


class _Script(HTMLParser):
    """Collects the text of <script id="llmcost-data"> (and counts script elements)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.text = ""
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
            self.inside = dict(attrs).get("id") == "llmcost-data"
            assert dict(attrs).get("type") == "application/json"

    def handle_endtag(self, tag: str) -> None:
        self.inside = False if tag == "script" else self.inside

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


def _embedded(path: Path) -> tuple[dict, int]:  # type: ignore[type-arg]
    parser = _Script()
    parser.feed(path.read_text(encoding="utf-8"))
    return json.loads(parser.text), parser.scripts


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("report") / "r.html"
    assert main(["report", str(SCENARIO), "--out", str(out), "--monte-carlo", "200"]) == 0
    data, scripts = _embedded(out)
    assert scripts == 1
    return data


def test_breakeven_block_equals_the_cli_json(
    report: dict,  # type: ignore[type-arg]
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert main(["breakeven", str(SCENARIO), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    # schema_version is the envelope of every CLI object (docs/architecture.md §4); the member
    # embedded in the report is the object inside it
    assert cli.pop("schema_version") == "1"
    assert report["breakeven"] == cli
    assert report["breakeven"]["search_range"] == [50_000.0, 500_000_000.0]
    pair = next(
        p
        for p in report["breakeven"]["pairs"]
        if {p["option_a"], p["option_b"]} == {"maverick-together", "llama-3.3-70b-2xh100"}
    )
    assert pair["first"] is not None  # the report said "never" before issue #13
    assert len(pair["crossings"]) > 1


def test_inputs_restate_workload_defaults_and_catalog_rows(report: dict) -> None:  # type: ignore[type-arg]
    inputs = report["inputs"]
    w = inputs["workload"]
    assert w["requests_per_month"] == 5_000_000
    assert w["features"][0]["input_tokens_per_request"] == 2000
    assert w["features"][0]["cached_input_fraction"] == 0.4
    assert len(w["hourly_weights"]) == 24
    assert inputs["scenario_file"]["workload"]["requests_per_month"] == 5_000_000
    gpu_price = [
        a
        for a in inputs["defaults_applied"]
        if a["option"] == "llama-3.3-70b-2xh100" and a["name"] == "gpu_usd_per_hour"
    ]
    assert gpu_price
    assert gpu_price[0]["source"].startswith("catalog gpu_offers")
    rows = inputs["catalog_rows"]
    assert rows
    assert all(r["source"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["as_of"]) for r in rows)
    by_name = {o["name"]: o for o in inputs["options"]}
    own = by_name["llama-3.3-70b-2xh100"]
    assert own["model_inputs"]["target_utilization"] > 0
    assert own["basis"]["capacity_basis"].startswith("perf model")
    assert report["comparison"]["cheapest"] == "gpt-4o-mini"


def test_user_text_cannot_close_the_script_element(tmp_path: Path) -> None:
    text = SCENARIO.read_text(encoding="utf-8").replace(
        'name = "chat-assistant"', 'name = "x</script><script>alert(1)</script><!--"'
    )
    scenario = tmp_path / "evil.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(scenario), "--out", str(out), "--monte-carlo", "0"]) == 0
    data, scripts = _embedded(out)
    assert scripts == 1  # the name did not open a second script
    assert data["scenario"] == "x</script><script>alert(1)</script><!--"
    assert "<script>alert" not in out.read_text(encoding="utf-8")


def test_workbook_break_even_sheet_is_the_cli_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "chat.xlsx"
    assert main(["compare", str(SCENARIO), "--xlsx", str(book), "--json"]) == 0
    capsys.readouterr()
    assert main(["breakeven", str(SCENARIO), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    ws = openpyxl.load_workbook(book)["Break-even"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [(r["option_a"], r["option_b"]) for r in rows] == [
        (p["option_a"], p["option_b"]) for p in cli["pairs"]
    ]
    for row, pair in zip(rows, cli["pairs"], strict=True):
        assert row["crossings"] == len(pair["crossings"])
        if pair["first"] is None:
            assert row["first_crossing"] in (None, "n/a")
        else:
            assert row["first_crossing"] == pytest.approx(pair["first"], rel=1e-12)
        assert row["search_low"] == cli["search_range"][0]
        assert row["range_reason"] == cli["range_reason"]


def test_markdown_report_ends_with_the_same_data(tmp_path: Path) -> None:
    text = SCENARIO.read_text(encoding="utf-8").replace(
        'name = "chat-assistant"', 'name = "a ```json``` b"'
    )
    scenario = tmp_path / "ticks.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "r.md"
    assert main(["report", str(scenario), "--out", str(out), "--monte-carlo", "0"]) == 0
    md = out.read_text(encoding="utf-8")
    match = re.search(r"^(`{4,})json\n(.*)\n\1\n\Z", md, re.S | re.M)
    assert match is not None  # a 4-backtick fence: the name's ``` cannot close it
    data = json.loads(match.group(2))
    assert data["scenario"] == "a ```json``` b"
    assert data["breakeven"]["pairs"]
