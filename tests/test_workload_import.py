"""Importing usage exports (llmcost.workload): synthetic files built from known totals.

Each test writes a real file in a tmp dir in one export format, from generating values chosen
here, and checks that the import gives those values back exactly (sums, counts, peak factor)
or within sampling error (distribution fits).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost import InvalidInputError
from llmcost.cli import main
from llmcost.cost.api import select_tier_price
from llmcost.scenario import load_scenario
from llmcost.workload import _read, fit_growth, from_usage, imported_api_cost, load_workload

#: Requests in each hour of the day (generating profile): peak 25 at 14:00.
HOURLY = np.array(
    [4, 3, 2, 2, 2, 3, 5, 8, 12, 15, 17, 18, 20, 22, 25, 21, 18, 15, 12, 10, 8, 7, 6, 5]
)
PEAK = 25 / HOURLY.mean()  # the generating peak-to-average
DAYS = 28  # 2025-02-01 … 2025-02-28: one full month, four of each weekday


def _litellm_rows(rng: np.random.Generator) -> pd.DataFrame:
    """DAYS × HOURLY requests, each with its own lengths, two models, two teams."""
    stamps = []
    for day in range(DAYS):
        for hour, n in enumerate(HOURLY):
            base = pd.Timestamp("2025-02-01") + pd.Timedelta(days=day, hours=hour)
            stamps += [base + pd.Timedelta(seconds=int(s)) for s in rng.integers(0, 3600, n)]
    n = len(stamps)
    return pd.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(n)],
            "startTime": [s.strftime("%Y-%m-%d %H:%M:%S.%f") for s in stamps],
            "model": rng.choice(["llama-3.1-70b", "gpt-4o"], n),
            "prompt_tokens": rng.integers(1, 5000, n),
            "completion_tokens": rng.integers(0, 800, n),
            "team_id": rng.choice(["search", "chat"], n),
            "spend": 0.0,
        }
    )


def test_litellm_spend_logs_give_back_the_generating_totals(tmp_path):
    rows = _litellm_rows(np.random.default_rng(1))
    rows.to_csv(tmp_path / "spend.csv", index=False)
    w = from_usage(tmp_path / "spend.csv", format="litellm")
    n = int(HOURLY.sum()) * DAYS
    assert w.totals["requests"] == n == len(rows)
    assert w.totals["input_tokens"] == int(rows["prompt_tokens"].sum())
    assert w.totals["output_tokens"] == int(rows["completion_tokens"].sum())
    # one full month (February): its sums, and requests per 730-h month = n / (28 × 24) × 730
    assert w.to_frame()["requests"].tolist() == [n]
    assert bool(w.to_frame()["full_month"].iloc[0])
    assert w.requests_per_month == pytest.approx(n / (DAYS * 24) * 730, rel=1e-12)
    # the generating profile: weight h = HOURLY[h] / mean; peak 25 / mean
    np.testing.assert_allclose(w.hourly_profile, HOURLY / HOURLY.mean(), rtol=1e-12)
    assert w.peak_to_average == pytest.approx(PEAK, rel=1e-12)
    np.testing.assert_allclose(w.weekday_profile, np.ones(7), rtol=1e-12)
    by_model = rows.groupby("model")["prompt_tokens"].sum()
    mix = {(r["model"], r["tag"]): r for r in w.mix}
    assert sum(r["input_tokens"] for k, r in mix.items() if k[0] == "gpt-4o") == by_model["gpt-4o"]
    # quantiles are the exact inverted-CDF ones
    for q, key in ((0.5, "p50"), (0.99, "p99"), (0.999, "p99.9")):
        want = np.quantile(rows["prompt_tokens"], q, method="inverted_cdf")
        assert w.input_distribution.quantiles_tokens[key] == want
    assert w.input_distribution.max_tokens == rows["prompt_tokens"].max()


def test_chunked_reading_equals_reading_whole(tmp_path, monkeypatch):
    rows = _litellm_rows(np.random.default_rng(2))
    rows.to_csv(tmp_path / "spend.csv", index=False)
    whole = from_usage(tmp_path / "spend.csv", format="litellm")
    monkeypatch.setattr(_read, "CHUNK_ROWS", 997)
    chunked = from_usage(tmp_path / "spend.csv", format="litellm")
    assert chunked.totals == whole.totals
    assert chunked.months == whole.months
    assert chunked.mix == whole.mix
    assert chunked.input_distribution == whole.input_distribution


def test_openai_usage_pages_hourly_buckets(tmp_path):
    """Usage API pages: buckets of 1 h, results per model, cached tokens inside input."""
    start = int(pd.Timestamp("2025-03-01", tz="UTC").timestamp())
    data = []
    for day in range(31):
        for hour, n in enumerate(HOURLY):
            t = start + (day * 24 + hour) * 3600
            data.append(
                {
                    "object": "bucket",
                    "start_time": t,
                    "end_time": t + 3600,
                    "results": [
                        {
                            "object": "organization.usage.completions.result",
                            "model": m,
                            "num_model_requests": int(n) * k,
                            "input_tokens": 1000 * int(n) * k,
                            "input_cached_tokens": 250 * int(n) * k,
                            "output_tokens": 100 * int(n) * k,
                            "project_id": None,
                        }
                        for m, k in (("gpt-4o", 1), ("gpt-4o-mini", 3))
                    ],
                }
            )
    (tmp_path / "usage.json").write_text(json.dumps({"object": "page", "data": data}))
    w = from_usage(tmp_path / "usage.json", format="openai")
    n = int(HOURLY.sum()) * 31 * 4
    assert w.totals["requests"] == n
    assert w.input_tokens_per_request == 1000.0
    assert w.output_tokens_per_request == 100.0
    assert w.cached_input_fraction == 0.25
    assert w.peak_to_average == pytest.approx(PEAK, rel=1e-12)
    assert w.input_distribution is None  # buckets: no per-request lengths
    shares = {r["model"]: r["request_share"] for r in w.mix}
    assert shares == {"gpt-4o-mini": 0.75, "gpt-4o": 0.25}


def test_openai_daily_csv_has_no_hourly_profile(tmp_path):
    days = pd.date_range("2025-01-01", "2025-03-31", freq="D", tz="UTC")
    frame = pd.DataFrame(
        {
            "start_time": (days - pd.Timestamp(0, tz="UTC")) // pd.Timedelta("1s"),
            "num_model_requests": 1000,
            "input_tokens": 2_000_000,
            "input_cached_tokens": 0,
            "output_tokens": 300_000,
            "model": "gpt-4o",
        }
    )
    frame.to_csv(tmp_path / "daily.csv", index=False)
    w = from_usage(tmp_path / "daily.csv", format="openai")
    assert w.hourly_profile is None
    assert w.peak_to_average is None
    assert w.to_frame()["requests"].tolist() == [31_000, 28_000, 31_000]


def test_anthropic_usage_report_tokens_without_request_counts(tmp_path):
    data = [
        {
            "starting_at": f"2025-04-{d:02d}T00:00:00Z",
            "ending_at": f"2025-04-{d + 1:02d}T00:00:00Z",
            "results": [
                {
                    "model": "claude-sonnet-4",
                    "workspace_id": None,
                    "uncached_input_tokens": 700,
                    "cache_creation": {
                        "ephemeral_5m_input_tokens": 100,
                        "ephemeral_1h_input_tokens": 50,
                    },
                    "cache_read_input_tokens": 150,
                    "output_tokens": 200,
                }
            ],
        }
        for d in range(1, 11)
    ]
    (tmp_path / "anthropic.json").write_text(json.dumps({"data": data, "has_more": False}))
    w = from_usage(tmp_path / "anthropic.json", format="anthropic")
    assert w.totals["input_tokens"] == 10 * 1000  # uncached + writes + reads
    assert w.totals["cache_write_tokens"] == 10 * 150
    assert w.totals["cached_input_tokens"] == 10 * 150
    assert w.cached_input_fraction == 0.15
    assert w.cache_write_fraction == 0.15
    assert not w.requests_known
    with pytest.raises(InvalidInputError, match="no request counts"):
        w.scenario_fields()


def test_completion_logs_openai_and_anthropic(tmp_path):
    t0 = int(pd.Timestamp("2025-05-01", tz="UTC").timestamp())
    chat = {
        "created": t0,
        "model": "gpt-4o",
        "usage": {
            "prompt_tokens": 120,
            "completion_tokens": 30,
            "prompt_tokens_details": {"cached_tokens": 64},
        },
    }
    batch = {
        "custom_id": "x",
        "response": {"status_code": 200, "body": chat | {"created": t0 + 7200}},
    }
    (tmp_path / "openai.jsonl").write_text(json.dumps(chat) + "\n\n" + json.dumps(batch) + "\n")
    w = from_usage(tmp_path / "openai.jsonl", format="openai-log")
    assert w.totals == {
        "requests": 2,
        "input_tokens": 240,
        "cached_input_tokens": 128,
        "cache_write_tokens": 0,
        "output_tokens": 60,
    }
    msg = {
        "timestamp": "2025-05-01T10:00:00Z",
        "model": "claude",
        "usage": {
            "input_tokens": 10,
            "cache_creation_input_tokens": 200,
            "cache_read_input_tokens": 790,
            "output_tokens": 50,
        },
    }
    (tmp_path / "anthropic.jsonl").write_text(json.dumps(msg) + "\n")
    w = from_usage(tmp_path / "anthropic.jsonl", format="anthropic-log")
    assert w.totals["input_tokens"] == 1000
    assert (w.cached_input_fraction, w.cache_write_fraction) == (0.79, 0.2)


def test_generic_csv_with_a_bom_and_a_column_mapping_and_parquet(tmp_path):
    frame = pd.DataFrame(
        {
            "ts": ["2025-06-01T00:10:00Z", "2025-06-01T13:00:00Z"],
            "prompt": [10, 20],
            "gen": [1, 2],
            "feature": ["a", "b"],
        }
    )
    (tmp_path / "log.csv").write_text(frame.to_csv(index=False), encoding="utf-8-sig")
    cols = {"timestamp": "ts", "input_tokens": "prompt", "output_tokens": "gen", "tag": "feature"}
    w = from_usage(tmp_path / "log.csv", format="csv", columns=cols)
    assert w.totals["input_tokens"] == 30
    assert [r["tag"] for r in w.mix] == ["a", "b"]
    pytest.importorskip("pyarrow")
    frame.to_parquet(tmp_path / "log.parquet")
    assert from_usage(tmp_path / "log.parquet", columns=cols).totals == w.totals


def test_lognormal_lengths_round_trip_within_sampling_error(tmp_path):
    rng = np.random.default_rng(7)
    n, mu, sigma = 40_000, 7.0, 0.8
    tokens = np.ceil(rng.lognormal(mu, sigma, n)).astype(int)
    stamps = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 86400 * 30, n), unit="s"
    )
    pd.DataFrame(
        {
            "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "input_tokens": tokens,
            "output_tokens": 1,
        }
    ).to_csv(tmp_path / "u.csv", index=False)
    d = from_usage(tmp_path / "u.csv").input_distribution
    # standard errors of the MLE: σ/√n for μ, σ/√(2n) for σ; ceil() adds < 1 token (+~0.1 % in μ)
    assert abs(d.lognormal_mu - mu) < 5 * sigma / math.sqrt(n) + 0.002
    assert abs(d.lognormal_sigma - sigma) < 5 * sigma / math.sqrt(2 * n) + 0.002
    assert d.ks_distance < 0.02  # ≈ 1.36/√n = 0.007 at 5 %, plus rounding
    # a wrong model is seen: uniform lengths are far from lognormal
    uniform = np.arange(1, 2001)
    from llmcost.workload import length_distribution

    assert length_distribution(uniform, np.ones_like(uniform)).ks_distance > 0.1


def test_bad_rows_name_file_line_column_value_and_can_be_skipped(tmp_path):
    text = (
        "startTime,prompt_tokens,completion_tokens\n"
        "2025-01-01 00:00:00,10,5\n"
        "2025-01-01 01:00:00,-3,5\n"
        "not a date,10,5\n"
        "2025-01-01 02:00:00,12,5\n"
    )
    (tmp_path / "bad.csv").write_text(text)
    with pytest.raises(InvalidInputError) as err:
        from_usage(tmp_path / "bad.csv", format="litellm")
    msg = str(err.value)
    assert "bad.csv: line 3, column 'prompt_tokens'" in msg
    assert "-3" in msg
    w = from_usage(tmp_path / "bad.csv", format="litellm", skip_bad_rows=True)
    assert (w.rows, w.skipped_rows, w.totals["input_tokens"]) == (2, 2, 22)
    assert "line 4, column 'startTime'" in w.bad_rows[1]
    assert "'not a date'" in w.bad_rows[1]
    with pytest.raises(InvalidInputError, match="needs a column for 'timestamp'"):
        from_usage(tmp_path / "bad.csv", format="csv")


def test_api_cost_equals_the_row_by_row_sum_with_tiers(tmp_path):
    rng = np.random.default_rng(3)
    n = 3000
    tin = rng.integers(1, 400_000, n)
    tin[:50] = 200_000  # exactly at the threshold: stays in the lower tier
    tout = rng.integers(0, 4000, n)
    cached = (tin * rng.uniform(0, 0.5, n)).astype(int)
    pd.DataFrame(
        {
            "timestamp": "2025-01-01T00:00:00Z",
            "input_tokens": tin,
            "output_tokens": tout,
            "cached_input_tokens": cached,
        }
    ).to_csv(tmp_path / "u.csv", index=False)
    w = from_usage(tmp_path / "u.csv")
    # Gemini 2.5 Pro-like tiers (illustrative): ≤200k $1.25/$10, >200k $2.50/$15 per 1M
    thresholds, p_in, p_out, p_cached = [0, 200_000], [1.25, 2.5], [10.0, 15.0], [0.31, 0.625]
    got = imported_api_cost(
        w,
        tier_threshold_tokens=thresholds,
        input_usd_per_mtok=p_in,
        output_usd_per_mtok=p_out,
        cached_input_usd_per_mtok=p_cached,
    )
    want = 0.0
    for i, o, c in zip(tin, tout, cached, strict=True):
        pi = float(select_tier_price(int(i), thresholds, p_in))
        po = float(select_tier_price(int(i), thresholds, p_out))
        pc = float(select_tier_price(int(i), thresholds, p_cached))
        want += ((i - c) * pi + c * pc + o * po) / 1e6
    assert got == pytest.approx(want, rel=1e-12)


def test_growth_fit_chooses_the_generating_model():
    months = np.arange(12)
    exp = fit_growth(5e5 * 1.08**months * (1 + 0.01 * np.sin(months)))
    assert exp.chosen == "exponential"
    assert abs(exp.exponential_rate - 0.08) < 3 * exp.exponential_rate_se + 1e-3
    lin = fit_growth(5e5 + 4e4 * months + 2e3 * np.cos(months))
    assert lin.chosen == "linear"
    assert lin.linear_slope == pytest.approx(4e4, rel=0.05)
    assert fit_growth(np.array([1.0, 2.0])) is None


def test_cli_import_show_and_a_scenario_that_uses_the_file(tmp_path, capsys):
    _litellm_rows(np.random.default_rng(4)).to_csv(tmp_path / "spend.csv", index=False)
    out = tmp_path / "workload.toml"
    argv = [
        "workload",
        "import",
        str(tmp_path / "spend.csv"),
        "--format",
        "litellm",
        "--features-by",
        "none",
        "--out",
        str(out),
        "--json",
    ]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["workload"]["hourly_profile"][14] == pytest.approx(PEAK)
    assert main(["workload", "show", str(out), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["usage"]["totals"] == payload["usage"]["totals"]
    w, _table = load_workload(out)
    (tmp_path / "s.toml").write_text(
        '[workload]\nfrom_usage = "workload.toml"\npeak_to_average = 2.0\n'
        '[[options]]\nname = "api"\nkind = "api"\noffer = "openai/gpt-4o"\n'
    )
    scenario = load_scenario(tmp_path / "s.toml")
    assert scenario.workload.requests_per_month == pytest.approx(w.requests_per_month)
    assert scenario.workload.peak_to_average == 2.0
    assert scenario.workload.hourly_profile is None
    (tmp_path / "bad.csv").write_text("startTime,prompt_tokens,completion_tokens\nx,1,1\n")
    assert main(["workload", "import", str(tmp_path / "bad.csv"), "--format", "litellm"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "bad.csv: line 2, column 'startTime'" in err[0]


@given(st.lists(st.integers(min_value=0, max_value=3_000_000), min_size=1, max_size=200))
@settings(max_examples=60, deadline=None)
def test_histogram_quantiles_equal_numpys_inverted_cdf(lengths):
    """The length table's quantiles are numpy's, whatever the lengths (capped ones included)."""
    from llmcost.workload import length_distribution
    from llmcost.workload._accumulate import LengthTable

    table = LengthTable()
    x = np.array(lengths, dtype=np.int64)
    table.add(x, x, np.zeros_like(x), np.zeros_like(x))
    d = length_distribution(*table.values_and_counts("input"))
    for q in (0.5, 0.9, 0.99):
        assert d.quantiles_tokens[f"p{q * 100:g}"] == np.quantile(x, q, method="inverted_cdf")
    assert d.mean_tokens == pytest.approx(x.mean())
    assert table.by_input_length()["requests"].sum() == x.size


def test_cli_format_help_names_every_reader() -> None:
    """The CLI lists the formats in its help without importing the readers (start-up time)."""
    from llmcost.cli import build_parser
    from llmcost.workload import FORMATS

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    workload = sub.choices["workload"]  # type: ignore[index]
    actions = next(a for a in workload._actions if a.dest == "action")
    help_text = actions.choices["import"].format_help()
    assert all(name in help_text for name in FORMATS)
