"""Issue #13 statistics: Iman–Conover hits the target Spearman ρ, LHS / Sobol' sampling, and the
public Sobol' estimator (SALib's analyze contract) on Ishigami with every design."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.sobol import analyze, saltelli_sample
from llmcost.analysis.space import ParameterSpace, normal_score_correlation

PI = float(np.pi)
#: Ishigami (a = 7, b = 0.1), Saltelli et al. (2008) *Global Sensitivity Analysis: The Primer*
S1_ISHIGAMI = np.array([0.3139, 0.4424, 0.0])
ST_ISHIGAMI = np.array([0.5576, 0.4424, 0.2437])


def _space(correlation: float | None = None) -> ParameterSpace:
    spec = {
        "gpu": {"dist": "triangular", "low": 1.8, "mode": 2.5, "high": 3.5},
        "util": {"dist": "uniform", "low": 0.3, "high": 0.9},
    }
    corr = None if correlation is None else {("gpu", "util"): correlation}
    return ParameterSpace.from_dict(spec, correlation=corr)


def test_normal_score_correlation_is_pearsons_sine_map() -> None:
    # Pearson (1907): for a bivariate normal, Spearman ρ = (6/π) arcsin(r/2); at r = 1, ρ = 1
    assert float(normal_score_correlation(1.0)) == pytest.approx(1.0)
    assert float(normal_score_correlation(0.5)) == pytest.approx(2 * np.sin(np.pi / 12))
    r = np.linspace(-0.99, 0.99, 7)
    np.testing.assert_allclose(6 / np.pi * np.arcsin(normal_score_correlation(r) / 2), r)


@pytest.mark.parametrize("rho", [-0.9, -0.6, -0.3, 0.0, 0.3, 0.6, 0.9])
@pytest.mark.parametrize("method", ["monte_carlo", "lhs"])
def test_iman_conover_reproduces_the_target_spearman(rho: float, method: str) -> None:
    draws = _space(rho).sample(100_000, seed=7, method=method)
    got = stats.spearmanr(draws["gpu"], draws["util"])[0]
    assert abs(got - rho) < 0.005, got


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_lhs_and_sobol_draws_keep_each_marginal(method: str) -> None:
    space = _space()
    n = 4096
    draws = space.sample(n, seed=3, method=method)
    u = stats.uniform(0.3, 0.6).cdf(draws["util"])
    # one point in each of the n strata (LHS) / near-uniform strata counts (Sobol')
    counts = np.bincount(np.floor(u * 64).astype(int), minlength=64)
    assert counts.min() >= (n // 64 if method == "lhs" else n // 64 - 2)
    assert stats.kstest(draws["gpu"], space["gpu"].distribution.cdf).pvalue > 0.01
    again = space.sample(n, seed=3, method=method)
    np.testing.assert_array_equal(again["gpu"], draws["gpu"])


def test_unknown_method_is_named() -> None:
    with pytest.raises(InvalidInputError, match="method must be one of monte_carlo, lhs, sobol"):
        _space().sample(10, seed=1, method="halton")


def _ishigami(x: dict[str, np.ndarray]) -> np.ndarray:
    x1, x2, x3 = x["x1"], x["x2"], x["x3"]
    return np.sin(x1) + 7.0 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)


@pytest.mark.parametrize(("method", "n_base"), [("sobol", 2**14), ("lhs", 2**16)])
def test_ishigami_with_each_design_through_the_salib_contract(method: str, n_base: int) -> None:
    space = ParameterSpace.from_dict(
        {f"x{i}": {"dist": "uniform", "low": -PI, "high": PI} for i in (1, 2, 3)}
    )
    x, names = saltelli_sample(space, n_base, seed=11, method=method)
    si = analyze(space, _ishigami(x), seed=11).to_salib()
    assert si["names"] == names == ["x1", "x2", "x3"]
    np.testing.assert_allclose(si["S1"], S1_ISHIGAMI, atol=0.01)
    np.testing.assert_allclose(si["ST"], ST_ISHIGAMI, atol=0.01)
    assert np.all(si["S1_conf"] < 0.03)  # the bootstrap intervals are reported, and narrow
    assert np.all(si["ST_conf"] < 0.03)


def test_analyze_rejects_outputs_of_the_wrong_length() -> None:
    space = ParameterSpace.from_dict(
        {f"x{i}": {"dist": "uniform", "low": 0, "high": 1} for i in (1, 2)}
    )
    with pytest.raises(InvalidInputError, match=r"N·\(k \+ 2\) outputs for the k = 2"):
        analyze(space, np.ones(10))


def test_cli_sensitivity_samples_a_latin_hypercube(capsys: pytest.CaptureFixture[str]) -> None:
    import json
    from pathlib import Path

    from llmcost.cli import main

    scenario = Path(__file__).parent.parent / "examples/scenarios/chat-assistant.toml"
    argv = ["sensitivity", str(scenario), "--monte-carlo", "2000", "--sampling", "lhs", "--json"]
    assert main(argv) == 0
    mc = json.loads(capsys.readouterr().out)["monte_carlo"]
    assert mc["sampling"] == "lhs"
    assert mc["n"] == 2000
