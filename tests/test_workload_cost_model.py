"""Imported length distributions in the cost model (issue 18, item 3).

A synthetic per-request log is written to a real file, imported, saved as a workload file and
compared through a scenario that points at it: the API bill equals the sum of the per-request
bills computed row by row (long-context tiers on both sides of the threshold), and
self-hosted capacity comes from the length buckets with the batch capped at the p99 length.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost import InvalidInputError, compare
from llmcost.catalog import load_catalog
from llmcost.perf import estimate_serving
from llmcost.perf.knobs import EngineKnobs
from llmcost.scenario import load_scenario
from llmcost.scenario.workload import LengthMix, feature_mix
from llmcost.workload import from_usage, load_workload

#: anthropic/claude-sonnet-4 in the catalog on 2025-10-01 [USD per 1M tokens]: ≤ 200k prompt
#: tokens 3 / 0.30 cached / 3.75 cache write / 15 output; above 200k 6 / 0.60 / 7.50 / 22.50
#: (data/pricing/api_prices.csv, rows effective 2025-05-14 and 2025-09-01).
BASE = (3.0, 0.3, 3.75, 15.0)
LONG = (6.0, 0.6, 7.5, 22.5)
DAYS = 7


def _log(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``n`` requests over DAYS days, a tenth of them with prompts above 200k tokens."""
    tin = rng.integers(200, 20_000, n)
    tin[: n // 10] = rng.integers(200_001, 400_000, n // 10)
    tin[n // 10 : n // 10 + 20] = 200_000  # exactly at the threshold: the lower tier
    cached = (tin * rng.uniform(0, 0.6, n)).astype(np.int64)
    write = ((tin - cached) * rng.uniform(0, 0.3, n)).astype(np.int64)
    seconds = rng.integers(0, DAYS * 86_400, n)
    stamps = pd.Timestamp("2025-09-01", tz="UTC") + pd.to_timedelta(seconds, unit="s")
    return pd.DataFrame(
        {
            "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "input_tokens": tin,
            "output_tokens": rng.integers(1, 3000, n),
            "cached_input_tokens": cached,
            "cache_write_tokens": write,
        }
    )


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


def _scenario(tmp_path, options: str) -> str:
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "imported"\nas_of = 2025-10-01\n[workload]\nfrom_usage = "workload.toml"\n'
        + options
    )
    return str(path)


API = '[[options]]\nname = "sonnet"\nkind = "api"\noffer = "anthropic/claude-sonnet-4"\n'


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("imported")
    rows = _log(np.random.default_rng(7), 4000)
    rows.to_csv(tmp / "log.csv", index=False)
    w = from_usage(tmp / "log.csv")
    w.save(tmp / "workload.toml", feature_by="none")
    return tmp, rows, w


def test_compare_bills_an_imported_workload_exactly_request_by_request(imported):
    tmp, rows, w = imported
    result = compare(_scenario(tmp, API))
    # the span is DAYS whole days; a scenario month is 730 h: cost/month = span cost × 730/168
    per_month = _row_by_row_usd(rows) * 730.0 / (DAYS * 24)
    assert result.option("sonnet").monthly_cost_usd == pytest.approx(per_month, rel=1e-12)
    # the mean lengths at the base tier alone would bill far less: the tiers matter here
    flat = (
        w.requests_per_month
        * w.input_tokens_per_request
        * (
            (1 - w.cached_input_fraction - w.cache_write_fraction) * BASE[0]
            + w.cached_input_fraction * BASE[1]
            + w.cache_write_fraction * BASE[2]
        )
        + w.requests_per_month * w.output_tokens_per_request * BASE[3]
    ) / 1e6
    assert per_month > 1.2 * flat
    warning = " ".join(result.option("sonnet").warnings)
    assert "long-context tier prices apply to: all (10.00% of its requests)" in warning


def test_the_saved_table_reads_back_to_the_same_per_request_cost(imported):
    tmp, rows, w = imported
    back, table = load_workload(tmp / "workload.toml")
    pd.testing.assert_frame_equal(
        back.requests_by_input_length().reset_index(drop=True),
        w.requests_by_input_length().reset_index(drop=True),
        check_dtype=False,
    )
    seq = rows["input_tokens"] + rows["output_tokens"]
    want = float(np.quantile(seq, 0.99, method="inverted_cdf"))
    assert table["length_distribution"]["sequence_tokens_p99"] == want
    scenario = load_scenario(_scenario(tmp, API))
    dist = scenario.workload.length_distribution
    assert sum(dist.requests) == len(rows)
    assert dist.means()[0] == pytest.approx(rows["input_tokens"].mean(), rel=1e-12)


def test_own_volume_keys_drop_the_imported_distribution(imported):
    tmp, _, _ = imported
    path = tmp / "own.toml"
    path.write_text(
        '[workload]\nfrom_usage = "workload.toml"\nrequests_per_month = 1e6\n'
        "input_tokens_per_request = 500\noutput_tokens_per_request = 100\n" + API
    )
    assert load_scenario(path).workload.length_distribution is None


def test_a_length_table_that_disagrees_with_the_means_is_refused(imported):
    tmp, _, w = imported
    data = load_scenario(_scenario(tmp, API)).model_dump(exclude_unset=True)
    data["workload"]["input_tokens_per_request"] = w.input_tokens_per_request + 1.0
    from llmcost.scenario.loading import parse_scenario

    with pytest.raises(InvalidInputError, match="differs from the mean of length_distribution"):
        parse_scenario(data, source="test")


SELF = (
    '[[options]]\nname = "own"\nkind = "self_hosted"\nmodel = "llama-3.1-8b"\ngpu = "h100-sxm"\n'
    "gpus_per_replica = 1\ngpu_usd_per_hour = 2.0\n"
)


def test_self_hosted_capacity_weights_bucket_step_times_with_the_p99_batch_cap(tmp_path):
    rng = np.random.default_rng(11)
    n = 5000
    tin = np.where(rng.uniform(size=n) < 0.03, rng.integers(60_000, 100_000, n), 1000)
    rows = pd.DataFrame(
        {
            "timestamp": "2025-09-01T12:00:00Z",
            "input_tokens": tin,
            "output_tokens": rng.integers(100, 400, n),
        }
    )
    rows.to_csv(tmp_path / "log.csv", index=False)
    from_usage(tmp_path / "log.csv").save(tmp_path / "workload.toml", feature_by="none")
    result = compare(_scenario(tmp_path, SELF))
    own = result.option("own")
    # by hand: the batch that holds p99-long sequences, then each bucket at that cap
    scenario = load_scenario(_scenario(tmp_path, SELF))
    lm = feature_mix(scenario.workload).lengths[0]
    spec = load_catalog().model_spec("llama-3.1-8b")
    gpu = load_catalog().gpu("h100-sxm").to_spec()
    kw = {"gpus": 1, "precision": "bf16"}
    probe = estimate_serving(
        spec, gpu, input_tokens=lm.sequence_tokens_p99, output_tokens=1, max_throughput=True, **kw
    )
    cap = int(probe.max_batch_size)
    assert cap < 1024  # the p99 length, not the engine's default cap, sets the batch
    share, mean_in, mean_out = lm.buckets()
    est = estimate_serving(
        spec,
        gpu,
        input_tokens=mean_in,
        output_tokens=mean_out,
        max_throughput=True,
        knobs=EngineKnobs(max_num_seqs=cap),
        **kw,
    )
    seconds = float(np.sum(share / est.requests_per_s))
    assert own.indicators["capacity_requests_per_s_per_replica"] == pytest.approx(1 / seconds)
    assert f"batch ≤ {cap}" in own.details["capacity_basis"]
    # the same mean lengths without the distribution: the mean-only sizing is more optimistic
    flat = tmp_path / "flat.toml"
    flat.write_text(
        f"[workload]\nrequests_per_month = 1e6\ninput_tokens_per_request = {float(tin.mean())!r}\n"
        f"output_tokens_per_request = {float(rows['output_tokens'].mean())!r}\n" + SELF
    )
    mean_only = compare(flat).option("own")
    ratio = (
        mean_only.indicators["capacity_requests_per_s_per_replica"]
        / own.indicators["capacity_requests_per_s_per_replica"]
    )
    assert ratio > 1.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 10**6), st.integers(1, 50), st.integers(0, 10**6)),
        min_size=1,
        max_size=60,
        unique_by=lambda r: r[0],
    )
)
def test_buckets_keep_the_requests_and_the_mean_lengths(rows):
    rows = sorted(rows)
    lengths, req, out = (np.array(c, dtype=np.float64) for c in zip(*rows, strict=True))
    lm = LengthMix(lengths, req, out, np.zeros_like(req), np.zeros_like(req), 1.0)
    share, mean_in, mean_out = lm.buckets()
    assert share.sum() == pytest.approx(1.0)
    assert np.all(share > 0)
    assert len(share) <= 13
    assert np.sum(share * mean_in) == pytest.approx(np.sum(lengths * req) / req.sum(), rel=1e-9)
    assert np.sum(share * mean_out) == pytest.approx(out.sum() / req.sum(), rel=1e-9, abs=1e-9)
