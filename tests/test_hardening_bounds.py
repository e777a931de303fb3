"""Issue #19, found by fuzzing: inputs that ran without bound (memory or time) now exit 2 naming
the field and its allowed range, or run in bounded memory; huge counts raise no OverflowError."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from tests.fuzz.cases import scenario_toml

import llmcost
from llmcost import LlmcostError
from llmcost.analysis import ParameterSpace
from llmcost.analysis.blocks import check_full_array_fits
from llmcost.analysis.streaming import MAX_STREAM_DRAWS, monte_carlo_stream
from llmcost.cli import main
from llmcost.export.report import analyze

CHAT = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "chat-assistant.toml"
HUGE = "9" * 400


def _scenario(tmp_path: Path, field: tuple[str | int | None, str] | None, value: object) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(scenario_toml(field, value), encoding="utf-8")
    return path


@pytest.mark.parametrize("key", ["requests_per_s_per_replica", "output_tokens_per_s_per_replica"])
@pytest.mark.parametrize("value", [1e-300, 1e-7])
def test_measured_capacity_below_the_floor_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, value: float
) -> None:
    # 1e-300 requests/s per replica made the sizing ask for ~1e300 replicas (the break-even
    # search then allocated without bound); the floor is 1e-6 (one request in 11.6 days)
    path = _scenario(tmp_path, None, None)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("requests_per_s_per_replica = 10.0", f"{key} = {value!r}"))
    assert main(["compare", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert f"options[2](llama-8b).{key}" in err
    assert "1e-06" in err
    assert err.count("\n") == 1


def test_measured_capacity_at_the_floor_is_costed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1e6 requests/month at 1e-6 requests/s per replica: 0.38 requests/s on average, so
    # hundreds of thousands of replicas — a legal, absurdly expensive option, costed finitely
    path = _scenario(tmp_path, (2, "requests_per_s_per_replica"), 1e-6)
    assert main(["compare", str(path), "--json"]) == 0
    options = {o["name"]: o for o in json.loads(capsys.readouterr().out)["options"]}
    assert math.isfinite(options["llama-8b"]["monthly_cost_usd"])
    assert options["llama-8b"]["monthly_cost_usd"] > options["gpt-4o"]["monthly_cost_usd"]


@pytest.mark.parametrize("requests_per_month", [10**12, 10**15])
def test_a_fleet_of_millions_of_replicas_gets_a_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], requests_per_month: int
) -> None:
    # the break-even search enumerated every replica step (10^12 requests/month: millions of
    # them) and ran out of memory; past MAX_STEP_BRACKETS the grid alone brackets the changes
    path = _scenario(tmp_path, ("workload", "requests_per_month"), requests_per_month)
    assert main(["compare", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert all(math.isfinite(o["monthly_cost_usd"]) for o in payload["options"])
    assert "verdict" in payload


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["report", "{chat}", "--out", "{tmp}/r.md", "--monte-carlo", str(MAX_STREAM_DRAWS + 1)],
         "--monte-carlo must be a whole number ≥ 0 and ≤ 10,000,000,000"),
        (["report", "{chat}", "--out", "{tmp}/r.md", "--monte-carlo", "-" + HUGE],
         "--monte-carlo must be ≥ 0 (0 for none); got a negative 400-digit number"),
        (["sensitivity", "{chat}", "--monte-carlo", HUGE, "--json"],
         "got a 400-digit number"),
        (["sensitivity", "{chat}", "--monte-carlo", str(MAX_STREAM_DRAWS + 1), "--stream"],
         "or up to 10,000,000,000 with --stream"),
    ],
)  # fmt: skip
def test_monte_carlo_draws_are_bounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    # before: report and sensitivity --stream ran for ever on a huge N; sensitivity without
    # --stream raised OverflowError (int too large to convert to float) from the memory check
    filled = [a.replace("{chat}", str(CHAT)).replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(filled) == 2
    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_the_memory_check_takes_any_count() -> None:
    with pytest.raises(LlmcostError, match="a 401-digit number rows × 3 columns need more than"):
        check_full_array_fits(10**400, 3, 1.0, "draws")
    with pytest.raises(LlmcostError, match=r"1,000,000,000 rows × 3 columns need 24\.0 GB"):
        check_full_array_fits(10**9, 3, 1.0, "draws")
    check_full_array_fits(10**6, 3, 1.0, "draws")  # 0.024 GB: fits


@pytest.mark.parametrize("n", [10**400, MAX_STREAM_DRAWS + 1, True, 2.5])
def test_the_api_bounds_the_draws(n: object) -> None:
    comparison = llmcost.compare(CHAT)
    with pytest.raises(LlmcostError, match="monte_carlo_draws must be a whole number"):
        analyze(comparison, monte_carlo_draws=n)  # type: ignore[arg-type]
    space = ParameterSpace.from_dict({"p": {"dist": "uniform", "low": 0, "high": 1}})
    with pytest.raises(LlmcostError, match="n must be a whole number"):
        monte_carlo_stream(lambda x: {"a": x["p"]}, space, n)  # type: ignore[arg-type]
