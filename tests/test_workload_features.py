"""Several features with their own length distributions, and the p99 context checks (issue 18).

A synthetic per-request log with two tags is written to a real file, imported, saved with one
feature per tag and compared through a scenario that points at it: the API bill equals the sum
of the per-request bills computed row by row; self-hosted sizing takes the p99 of the whole
mix; options whose context window is below the p99 of prompt + output are infeasible, and
the share of the requests beyond a limit is named.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost import compare
from llmcost.scenario import load_scenario
from llmcost.scenario.workload import (
    FeatureMix,
    LengthMix,
    feature_mix,
    mixed_sequences,
    sequence_quantile,
)
from llmcost.workload import from_usage, load_workload

#: anthropic/claude-sonnet-4 in the catalog on 2025-10-01 [USD per 1M tokens]: ≤ 200k prompt
#: tokens 3 / 0.30 cached / 3.75 cache write / 15 output; above 200k 6 / 0.60 / 7.50 / 22.50
#: (data/pricing/api_prices.csv, rows effective 2025-05-14 and 2025-09-01).
BASE = (3.0, 0.3, 3.75, 15.0)
LONG = (6.0, 0.6, 7.5, 22.5)
DAYS = 7
API = '[[options]]\nname = "sonnet"\nkind = "api"\noffer = "anthropic/claude-sonnet-4"\n'
#: openai/gpt-4o: context window 128,000 tokens (data/pricing/api_prices.csv)
GPT4O = '[[options]]\nname = "gpt4o"\nkind = "api"\noffer = "openai/gpt-4o"\n'
SELF = (
    '[[options]]\nname = "own"\nkind = "self_hosted"\nmodel = "llama-3.1-8b"\ngpu = "h100-sxm"\n'
    "gpus_per_replica = 1\ngpu_usd_per_hour = 2.0\n"
)


def _log(rng: np.random.Generator) -> pd.DataFrame:
    """'chat' (3,000 short requests) and 'docs' (600, a third above 200k tokens), 7 days."""
    parts = []
    kinds = (("chat", 3000, 100, 4000, 800), ("docs", 600, 20_000, 120_000, 3000))
    for tag, n, lo, hi, out in kinds:
        tin = rng.integers(lo, hi, n)
        if tag == "docs":
            tin[: n // 3] = rng.integers(200_001, 400_000, n // 3)
        cached = (tin * rng.uniform(0, 0.5, n)).astype(np.int64)
        write = ((tin - cached) * rng.uniform(0, 0.2, n)).astype(np.int64)
        seconds = rng.integers(0, DAYS * 86_400, n)
        stamps = pd.Timestamp("2025-09-01", tz="UTC") + pd.to_timedelta(seconds, unit="s")
        parts.append(
            pd.DataFrame(
                {
                    "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "input_tokens": tin,
                    "output_tokens": rng.integers(1, out, n),
                    "cached_input_tokens": cached,
                    "cache_write_tokens": write,
                    "model": "claude-sonnet-4",
                    "tag": tag,
                }
            )
        )
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=3)


def _row_by_row_usd(rows: pd.DataFrame) -> float:
    """Each request at the tier of its own prompt, summed (the check's reference)."""
    total = 0.0
    for r in rows.itertuples(index=False):
        p_in, p_cached, p_write, p_out = LONG if r.input_tokens > 200_000 else BASE
        plain = r.input_tokens - r.cached_input_tokens - r.cache_write_tokens
        total += (
            plain * p_in
            + r.cached_input_tokens * p_cached
            + r.cache_write_tokens * p_write
            + r.output_tokens * p_out
        ) / 1e6
    return total


def _scenario(tmp_path, options: str, workload: str = "workload.toml") -> str:
    path = tmp_path / f"s_{abs(hash(options)) % 10**8}.toml"
    path.write_text(
        f'name = "imported"\nas_of = 2025-10-01\n[workload]\nfrom_usage = "{workload}"\n'
        + options
    )
    return str(path)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("features")
    rows = _log(np.random.default_rng(5))
    rows.to_csv(tmp / "log.csv", index=False)
    w = from_usage(tmp / "log.csv")
    w.save(tmp / "workload.toml", feature_by="tag")
    return tmp, rows, w


def test_each_feature_keeps_its_own_distribution(imported):
    tmp, rows, _ = imported
    scenario = load_scenario(_scenario(tmp, API))
    feats = {f.name: f for f in scenario.workload.features}
    assert set(feats) == {"chat", "docs"}
    for name, f in feats.items():
        part = rows[rows["tag"] == name]
        dist = f.length_distribution
        assert sum(dist.requests) == len(part)
        assert sum(dist.sequence_requests) == len(part)
        assert dist.means()[0] == pytest.approx(part["input_tokens"].mean(), rel=1e-12)
        seq = part["input_tokens"] + part["output_tokens"]
        assert dist.sequence_tokens_p99 == float(np.quantile(seq, 0.99, method="inverted_cdf"))
    # the whole (all features) reads back from the file as the sum of the features' tables
    back, _ = load_workload(tmp / "workload.toml")
    assert int(back.requests_by_input_length()["requests"].sum()) == len(rows)


def test_compare_bills_a_multi_feature_import_exactly_request_by_request(imported):
    tmp, rows, _ = imported
    result = compare(_scenario(tmp, API))
    sonnet = result.option("sonnet")
    # a scenario month is 730 h; the span is DAYS whole days
    scale = 730.0 / (DAYS * 24)
    assert sonnet.monthly_cost_usd == pytest.approx(_row_by_row_usd(rows) * scale, rel=1e-12)
    for name in ("chat", "docs"):
        want = _row_by_row_usd(rows[rows["tag"] == name]) * scale
        assert sonnet.features[name] == pytest.approx(want, rel=1e-12)
    assert "docs (33.33% of its requests)" in " ".join(sonnet.warnings)


def test_self_hosted_sizing_takes_the_p99_of_the_whole_mix(imported):
    tmp, rows, _ = imported
    result = compare(_scenario(tmp, SELF))
    own = result.option("own")
    seq = rows["input_tokens"] + rows["output_tokens"]
    pooled = float(np.quantile(seq, 0.99, method="inverted_cdf"))
    got = {a["name"]: a["value"] for a in result.assumptions if a["option"] == "own"}
    assert got["sequence_tokens_p99"] == pooled
    # the docs feature alone has a longer p99: the mix, not the longest feature, sets the cap
    docs = rows[rows["tag"] == "docs"]
    docs_p99 = float(
        np.quantile(docs["input_tokens"] + docs["output_tokens"], 0.99, method="inverted_cdf")
    )
    assert pooled < docs_p99
    assert f"{pooled:,.0f} tokens" in own.details["capacity_basis"]


def _one_feature_log(tmp_path, long_share: float, long_tokens: int) -> pd.DataFrame:
    n = 4000
    tin = np.full(n, 2000)
    k = round(n * long_share)
    tin[:k] = long_tokens
    rows = pd.DataFrame(
        {"timestamp": "2025-09-01T12:00:00Z", "input_tokens": tin, "output_tokens": 500}
    )
    rows.to_csv(tmp_path / "log.csv", index=False)
    from_usage(tmp_path / "log.csv").save(tmp_path / "workload.toml", feature_by="none")
    return rows


def test_an_offer_whose_window_is_below_the_p99_is_infeasible_with_the_share(tmp_path):
    # 3 % of the requests have 150,000 + 500 tokens: above gpt-4o's 128,000 and above the p99
    _one_feature_log(tmp_path, 0.03, 150_000)
    result = compare(_scenario(tmp_path, GPT4O + API))
    gpt = result.option("gpt4o")
    assert not gpt.feasible
    assert gpt.details["share_beyond_context"] == pytest.approx(0.03)
    assert gpt.details["sequence_tokens_p99"] == 150_500
    text = " ".join(gpt.warnings)
    assert "3.00% of the requests" in text
    assert "cannot serve the tail" in text
    # the mean (6,440 prompt + 500 output tokens) fits: only the tail check sees it
    assert gpt.details["tail_within_context"] is False
    sonnet = result.option("sonnet")  # a 200k window serves every request
    assert sonnet.feasible
    assert sonnet.details["share_beyond_context"] == 0.0
    assert result.cheapest == "sonnet"


def test_a_share_below_the_tail_is_priced_with_a_warning(tmp_path):
    # 0.5 % beyond the window: the p99 (2,500 tokens) fits, the warning names the share
    _one_feature_log(tmp_path, 0.005, 150_000)
    gpt = compare(_scenario(tmp_path, GPT4O)).option("gpt4o")
    assert gpt.feasible
    assert gpt.details["share_beyond_context"] == pytest.approx(0.005)
    assert "0.50% of the requests" in " ".join(gpt.warnings)
    assert "priced as if they were served" in " ".join(gpt.warnings)


def test_self_hosted_max_model_len_below_the_p99_is_infeasible(tmp_path):
    _one_feature_log(tmp_path, 0.02, 20_000)
    option = SELF + "engine_knobs = { max_model_len = 16384 }\n"
    own = compare(_scenario(tmp_path, option)).option("own")
    assert not own.feasible
    assert own.details["share_beyond_context"] == pytest.approx(0.02)
    assert "the engine's max_model_len" in " ".join(own.warnings)


# -- mixtures --------------------------------------------------------------------------------

histograms = st.lists(
    st.tuples(st.integers(1, 300_000), st.integers(1, 40)),
    min_size=1,
    max_size=25,
    unique_by=lambda r: r[0],
)


def _mix(hists: list[list[tuple[int, int]]], volumes: list[float]) -> FeatureMix:
    lengths = []
    for h in hists:
        v, n = (np.array(c, dtype=np.float64) for c in zip(*sorted(h), strict=True))
        lengths.append(
            LengthMix(v, n, np.zeros_like(v), np.zeros_like(v), np.zeros_like(v), 1.0, v, n)
        )
    k = len(hists)
    zeros = np.zeros(k)
    return FeatureMix(
        tuple(f"f{i}" for i in range(k)),
        np.array(volumes, dtype=np.float64),
        np.ones(k),
        np.ones(k),
        zeros,
        zeros,
        zeros,
        np.ones(24),
        1.0,
        lengths=tuple(lengths),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(histograms, min_size=1, max_size=4), st.sampled_from([0.5, 0.9, 0.99, 0.999]))
def test_the_mixture_at_observed_volumes_is_the_pooled_sample(hists, q):
    # volumes in proportion to each feature's observed requests: the mixture is the pool
    mix = _mix(hists, [float(sum(n for _, n in h)) * 7.0 for h in hists])
    values, shares = mixed_sequences(mix)
    assert shares.sum() == pytest.approx(1.0)
    assert np.all(np.diff(values) > 0)
    pooled = np.concatenate([np.repeat([v for v, _ in h], [n for _, n in h]) for h in hists])
    assert sequence_quantile(values, shares, q) == float(
        np.quantile(pooled, q, method="inverted_cdf")
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(histograms, st.floats(1.0, 1e9)), min_size=1, max_size=4),
    st.sampled_from([0.5, 0.9, 0.99]),
)
def test_a_mixture_quantile_lies_between_its_features_quantiles(parts, q):
    mix = _mix([h for h, _ in parts], [vol for _, vol in parts])
    got = sequence_quantile(*mixed_sequences(mix), q)
    own = [sequence_quantile(*lm.sequences(), q) for lm in mix.lengths]
    assert min(own) <= got <= max(own)


def test_a_feature_without_a_distribution_counts_at_its_mean_lengths(imported):
    tmp, _, _ = imported
    scenario = load_scenario(_scenario(tmp, API))
    mix = feature_mix(scenario.workload)
    values, shares = mixed_sequences(mix)
    # drop the chat feature's distribution: its requests sit at its mean input + output
    bare = FeatureMix(**{**mix.__dict__, "lengths": (None, mix.lengths[1])})
    v2, s2 = mixed_sequences(bare)
    mean = mix.input_tokens[0] + mix.output_tokens[0]
    assert s2[v2 == mean].sum() == pytest.approx(mix.request_shares[0])
    assert shares[values > 200_000].sum() == pytest.approx(s2[v2 > 200_000].sum())


def test_the_workbook_agrees_that_the_tail_makes_an_offer_infeasible(tmp_path):
    pytest.importorskip("openpyxl")
    import openpyxl

    from test_xlsx_formulas import recalculate

    _one_feature_log(tmp_path, 0.03, 150_000)
    result = compare(_scenario(tmp_path, GPT4O + API))
    path = tmp_path / "book.xlsx"
    result.to_excel(path)
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names["cheapest_option"].destinations))
    values = recalculate(path)
    # gpt-4o's mean request fits its window; only the library's p99 check rules it out
    assert values[f"{sheet}!{ref.replace('$', '')}".upper()] == "sonnet"


def test_workload_show_lists_each_features_p99(imported, capsys):
    from llmcost.cli import main

    tmp, rows, _ = imported
    assert main(["workload", "show", str(tmp / "workload.toml")]) == 0
    out = capsys.readouterr().out
    assert "Features of the scenario workload:" in out
    docs = rows[rows["tag"] == "docs"]
    p99 = np.quantile(docs["input_tokens"] + docs["output_tokens"], 0.99, method="inverted_cdf")
    line = next(x for x in out.splitlines() if x.startswith("docs "))
    assert f"{float(p99):,.0f}" in line
