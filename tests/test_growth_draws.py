"""Monte Carlo from the fitted growth (issue 18, item 3): draws match the fit, and each
draw's horizon is the comparison's horizon at that growth rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmcost import InvalidInputError, compare
from llmcost.analysis import growth_draws
from llmcost.scenario import horizon_monte_carlo, load_scenario
from llmcost.workload import from_usage

#: Requests in each month of 2025-01 … 2025-06 (about +10 %/month with noise).
MONTHS = [3000, 3320, 3610, 4010, 4380, 4850]


def _growing_log(rng: np.random.Generator) -> pd.DataFrame:
    stamps = []
    for m, count in enumerate(MONTHS):
        start = pd.Timestamp(f"2025-{m + 1:02d}-01", tz="UTC")
        seconds = (start + pd.offsets.MonthEnd(0) + pd.Timedelta(days=1) - start).total_seconds()
        offsets = rng.integers(0, int(seconds), count)
        offsets[0] = 0 if m == 0 else offsets[0]  # the span covers Jan 1 …
        offsets[-1] = int(seconds) - 1 if m == len(MONTHS) - 1 else offsets[-1]  # … Jun 30
        stamps.append(start + pd.to_timedelta(offsets, unit="s"))
    ts = pd.DatetimeIndex(np.concatenate(stamps))
    n = len(ts)
    return pd.DataFrame(
        {
            "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "input_tokens": rng.integers(100, 2000, n),
            "output_tokens": rng.integers(10, 500, n),
        }
    )


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("growth")
    _growing_log(np.random.default_rng(5)).to_csv(tmp / "log.csv", index=False)
    w = from_usage(tmp / "log.csv")
    assert w.growth is not None
    assert w.growth.months == 6
    w.save(tmp / "workload.toml", feature_by="none")
    path = tmp / "s.toml"
    path.write_text(
        'name = "growth"\n[workload]\nfrom_usage = "workload.toml"\nhorizon_months = 12\n'
        '[[options]]\nname = "api"\nkind = "api"\noffer = "openai/gpt-4o-mini"\n'
        '[[options]]\nname = "own"\nkind = "self_hosted"\nmodel = "llama-3.1-8b"\n'
        'gpu = "l4"\ngpus_per_replica = 1\ngpu_usd_per_hour = 0.8\n'
    )
    return path, w


def test_the_scenario_carries_the_fits_rate_and_standard_error(scenario_path):
    path, w = scenario_path
    wl = load_scenario(path).workload
    assert wl.growth_per_month == pytest.approx(w.growth.growth_per_month, rel=1e-12)
    assert wl.growth_per_month_sd == pytest.approx(w.growth.growth_per_month_se, rel=1e-12)
    assert 0.05 < wl.growth_per_month < 0.15
    assert wl.growth_per_month_sd > 0


def test_draw_mean_and_sd_match_the_fit(scenario_path):
    path, _ = scenario_path
    wl = load_scenario(path).workload
    n = 40_000
    result = horizon_monte_carlo(path, n=n, seed=3)
    rates = result.growth.rates
    g, sd = wl.growth_per_month, wl.growth_per_month_sd
    assert result.growth.clipped_fraction == 0.0
    # sampling error of a mean: sd/√n; of an sd: ≈ sd/√(2n) — 5 of each allowed
    assert abs(rates.mean() - g) < 5 * sd / np.sqrt(n)
    assert abs(rates.std(ddof=1) - sd) < 5 * sd / np.sqrt(2 * n)
    # month 2 volume = base × (1 + g): mean base(1 + ĝ), sd base × se (linear in g)
    base = result.growth.base_per_month
    month2 = result.growth.volumes[:, 1]
    assert abs(month2.mean() - base * (1 + g)) < 5 * base * sd / np.sqrt(n)
    assert month2.std(ddof=1) == pytest.approx(base * sd, rel=5 / np.sqrt(2 * n))
    frame = result.growth.to_frame()
    assert frame["month"].tolist() == list(range(1, 13))
    assert (frame["sd_requests_per_month"].diff().iloc[1:] > 0).all()  # spreads with time


def test_each_draw_is_the_comparisons_horizon_at_its_rate(scenario_path):
    path, _ = scenario_path
    result = horizon_monte_carlo(path, n=50, seed=1)
    scenario = load_scenario(path)
    for i in (0, 17):
        g = float(result.growth.rates[i])
        again = compare(scenario.replace(growth_per_month=g))
        for name in ("api", "own"):
            opt = again.option(name)
            assert result.total_usd[name][i] == pytest.approx(sum(opt.horizon_monthly_usd))
            assert result.npv_usd[name][i] == pytest.approx(opt.npv_usd)
    frame = result.to_frame()
    assert frame["probability_cheapest"].sum() == pytest.approx(1.0)


def test_with_zero_sd_every_draw_is_the_scenario_rate_and_without_one_it_says_so(tmp_path):
    d = growth_draws(
        base_per_month=1e6, growth_per_month=0.05, growth_per_month_sd=0.0, horizon_months=4
    )
    np.testing.assert_allclose(d.volumes, np.tile(1e6 * 1.05 ** np.arange(4), (1000, 1)))
    clipped = growth_draws(
        base_per_month=1.0, growth_per_month=-0.45, growth_per_month_sd=0.5, horizon_months=2
    )
    assert clipped.rates.min() == -0.5
    assert clipped.clipped_fraction > 0
    with pytest.raises(InvalidInputError, match="growth_per_month_sd must be ≥ 0"):
        growth_draws(
            base_per_month=1.0, growth_per_month=0.0, growth_per_month_sd=-1.0, horizon_months=2
        )
    path = tmp_path / "s.toml"
    path.write_text(
        'name = "x"\n[workload]\nrequests_per_month = 1e6\ninput_tokens_per_request = 100\n'
        'output_tokens_per_request = 10\n[[options]]\nname = "api"\nkind = "api"\n'
        'offer = "openai/gpt-4o-mini"\n'
    )
    with pytest.raises(InvalidInputError, match="growth_per_month_sd is not set"):
        horizon_monte_carlo(path)


# -- the CLI: llmcost sensitivity SCENARIO --growth ---------------------------------------------


def test_cli_growth_json_is_the_api_result(scenario_path, capsys):
    import json

    from llmcost.cli import main

    path, w = scenario_path
    assert main(["sensitivity", str(path), "--growth", "--monte-carlo", "300", "--seed", "2",
                 "--json"]) == 0  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert next(iter(payload)) == "schema_version"
    mc = horizon_monte_carlo(path, n=300, seed=2)
    assert payload["growth"]["n"] == 300
    assert payload["growth"]["growth_per_month_sd"] == pytest.approx(w.growth.growth_per_month_se)
    assert len(payload["growth"]["volumes"]) == 12
    for got, want in zip(payload["options"], mc.to_frame().to_dict("records"), strict=True):
        assert got["option"] == want["option"]
        assert got["p50_total_usd"] == pytest.approx(want["p50_total_usd"], rel=1e-12)
        assert got["probability_cheapest"] == want["probability_cheapest"]
    # --growth-sd replaces the workload's standard error; the text names it
    assert main(["sensitivity", str(path), "--growth", "--growth-sd", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "± 0.05 per month" in out
    assert "Cost over the horizon [USD]:" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--growth", "--breakeven"], "--breakeven is not used with --growth"),
        (["--growth", "--monte-carlo", "1"], "--monte-carlo must be ≥ 2 with --growth; got 1"),
        (["--growth", "--growth-sd", "-0.1"], "growth_per_month_sd must be ≥ 0; got -0.1"),
        (["--growth-sd", "0.1"], "--growth-sd needs --growth"),
    ],
)
def test_cli_growth_bad_flags_exit_2_with_one_line(scenario_path, capsys, extra, message):
    from llmcost.cli import main

    path, _ = scenario_path
    assert main(["sensitivity", str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
