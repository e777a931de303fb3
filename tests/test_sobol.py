"""Sobol indices against analytic test functions with known indices."""

from __future__ import annotations

import numpy as np
import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.analysis.sobol import saltelli_sample, sobol
from llmcost.analysis.space import ParameterSpace

PI = float(np.pi)


def _ishigami(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Ishigami & Homma (1990) with a = 7, b = 0.1."""
    x1, x2, x3 = x["x1"], x["x2"], x["x3"]
    return {"y": np.sin(x1) + 7.0 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)}


def test_ishigami_matches_published_indices_within_the_interval() -> None:
    """Published values (a = 7, b = 0.1), e.g. Saltelli et al. (2008) *Global Sensitivity
    Analysis: The Primer*, and the SALib documentation's Ishigami example:
    S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437."""
    space = ParameterSpace.from_dict(
        {f"x{i}": {"dist": "uniform", "low": -PI, "high": PI} for i in (1, 2, 3)}
    )
    r = sobol(_ishigami, space, "y", n_base=2**13, seed=42)
    s1_true = np.array([0.3139, 0.4424, 0.0])
    st_true = np.array([0.5576, 0.4424, 0.2437])
    assert np.all(np.abs(r.s1 - s1_true) <= r.s1_conf)
    assert np.all(np.abs(r.st - st_true) <= r.st_conf)
    np.testing.assert_allclose(r.s1, s1_true, atol=0.01)
    np.testing.assert_allclose(r.st, st_true, atol=0.01)
    assert r.n_evaluations == 2**13 * 5
    frame = r.to_frame()
    assert list(frame["input"]) == ["x1", "x2", "x3"]
    assert r.to_dict()["indices"][1]["input"] == "x2"


def test_linear_model_gives_the_analytic_indices() -> None:
    """Y = Σ aᵢXᵢ with independent Xᵢ: Sᵢ = STᵢ = aᵢ² Var(Xᵢ) / Σ aⱼ² Var(Xⱼ).

    X1 ~ U(0, 1) (var 1/12), X2 ~ N(5, 2) (var 4), X3 ~ U(−3, 3) (var 3), a = (6, 1, 1):
    numerators 36/12 = 3, 4, 3 → S = 0.3, 0.4, 0.3. A large constant offset must not matter.
    """
    space = ParameterSpace.from_dict(
        {
            "x1": {"dist": "uniform", "low": 0, "high": 1},
            "x2": {"dist": "normal", "mean": 5, "sd": 2},
            "x3": {"dist": "uniform", "low": -3, "high": 3},
            "const": 10.0,
        }
    )

    def model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"y": 1e6 * x["const"] + 6 * x["x1"] + x["x2"] + x["x3"]}

    r = sobol(model, space, "y", n_base=2**12, seed=3)
    assert r.inputs == ("x1", "x2", "x3")  # the fixed input is not analysed
    want = np.array([0.3, 0.4, 0.3])
    np.testing.assert_allclose(r.s1, want, atol=0.02)
    np.testing.assert_allclose(r.st, want, atol=0.02)
    assert np.all(np.abs(r.s1 - want) <= r.s1_conf)
    assert np.all(np.abs(r.st - want) <= r.st_conf)


def test_same_seed_same_indices_and_derived_output() -> None:
    space = ParameterSpace.from_dict({k: {"dist": "uniform", "low": 0, "high": 1} for k in "ab"})

    def model(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"api": 3 * x["a"], "own": x["b"]}

    r1 = sobol(model, space, lambda o: o["api"] - o["own"], output_name="diff", seed=5, n_base=512)
    r2 = sobol(model, space, lambda o: o["api"] - o["own"], output_name="diff", seed=5, n_base=512)
    np.testing.assert_array_equal(r1.st, r2.st)
    assert r1.output == "diff"
    np.testing.assert_allclose(r1.st, [0.9, 0.1], atol=0.03)  # 9/12 vs 1/12 of variance


def test_saltelli_design_shape() -> None:
    space = ParameterSpace.from_dict({"a": {"dist": "uniform", "low": 0, "high": 1}, "k": 2.0})
    inputs, names = saltelli_sample(space, 8, seed=0)
    assert names == ["a"]
    assert inputs["a"].shape == (8 * 3,)
    assert np.all(inputs["k"] == 2.0)
    # AB_1 takes column a from B
    np.testing.assert_array_equal(inputs["a"][16:], inputs["a"][8:16])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"n_base": 1000}, "power of two"), ({"confidence_level": 1.5}, "confidence_level")],
)
def test_bad_arguments(kwargs: dict[str, float], match: str) -> None:
    space = ParameterSpace.from_dict({"a": {"dist": "uniform", "low": 0, "high": 1}})
    with pytest.raises(InvalidInputError, match=match):
        sobol(lambda x: {"y": x["a"]}, space, "y", **kwargs)  # type: ignore[arg-type]


def test_correlated_or_nan_inputs_are_rejected() -> None:
    spec = {k: {"dist": "uniform", "low": 0, "high": 1} for k in "ab"}
    corr = ParameterSpace.from_dict(spec, correlation={("a", "b"): 0.5})
    with pytest.raises(InvalidInputError, match="independent"):
        sobol(lambda x: {"y": x["a"]}, corr, "y")
    space = ParameterSpace.from_dict(spec)
    with pytest.raises(InvalidInputError, match="NaN"):
        sobol(lambda x: {"y": np.where(x["a"] > 0.5, np.nan, 1.0)}, space, "y", n_base=64)
