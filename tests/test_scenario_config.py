"""Scenario files: validation errors name the field path and the value; TOML loading."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost._core.errors import InvalidInputError, UnknownIdError
from llmcost.catalog import load_catalog
from llmcost.scenario import compare, load_scenario, parse_scenario

BASE: dict[str, Any] = {
    "name": "t",
    "workload": {
        "requests_per_month": 1_000_000,
        "input_tokens_per_request": 1000,
        "output_tokens_per_request": 200,
    },
    "options": [
        {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
        {
            "name": "llama",
            "kind": "self_hosted",
            "model": "llama-3.3-70b",
            "gpu": "h100-sxm",
            "gpus_per_replica": 2,
            "precision": "fp8",
            "gpu_usd_per_hour": 2.5,
            "requests_per_s_per_replica": 4.0,
        },
    ],
}


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def test_valid_scenario_parses() -> None:
    s = parse_scenario(BASE)
    assert s.options[1].gpus_per_replica == 2
    assert s.workload.feature_list()[0].name == "all"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("workload", "cached_input_fraction"), 1.5, "workload.cached_input_fraction = 1.5"),
        (("workload", "requests_per_month"), -5, "workload.requests_per_month = -5"),
        (("workload", "peak_to_average"), 0.5, "workload.peak_to_average = 0.5"),
        (("workload", "colour"), "red", "workload.colour: unknown key"),
        (("options", 1, "gpu_usd_per_hr"), 2.0, "options[1](llama).gpu_usd_per_hr: unknown key"),
        (("options", 1, "pricing"), "leased", "options[1](llama).pricing = 'leased'"),
        (("options", 0, "kind"), "apii", "options[0](gpt-4o).kind = 'apii'"),
        (("options", 1, "target_utilization"), 0.0, "options[1](llama).target_utilization = 0"),
        (("options", 1, "name"), "gpt-4o", "option names must be unique"),
        (("options", 1, "name"), " padded", "options[1]( padded).name = ' padded'"),
    ],
)
def test_errors_name_the_field(path: tuple[Any, ...], value: Any, expected: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_scenario(_with(path, value))
    assert expected in str(info.value)


def test_cross_field_rules() -> None:
    with pytest.raises(InvalidInputError, match="only apply with pricing = 'owned'"):
        parse_scenario(_with(("options", 1, "pue"), 1.3))
    both = _with(("workload", "tokens_per_month"), 1e9)
    with pytest.raises(InvalidInputError, match="exactly one of requests_per_month"):
        parse_scenario(both)
    profile = _with(("workload", "hourly_profile"), [1.0] * 23)
    with pytest.raises(InvalidInputError, match="24 non-negative weights"):
        parse_scenario(profile)
    feats = _with(
        ("workload", "features"),
        [
            {
                "name": "a",
                "requests_per_month": 1,
                "input_tokens_per_request": 1,
                "output_tokens_per_request": 1,
            }
        ],
    )
    with pytest.raises(InvalidInputError, match="per feature, not at the top level"):
        parse_scenario(feats)


def test_unknown_ids_name_the_option_and_suggest() -> None:
    catalog = load_catalog()
    bad_gpu = parse_scenario(_with(("options", 1, "gpu"), "h100"))
    with pytest.raises(
        UnknownIdError, match=r"options\[1\]\(llama\)\.gpu.*did you mean.*'h100-sxm'"
    ):
        compare(bad_gpu, catalog=catalog)
    bad_offer = parse_scenario(_with(("options", 0, "offer"), "openai/gpt4o"))
    with pytest.raises(UnknownIdError, match=r"options\[0\]\(gpt-4o\)\.offer.*openai/gpt-4o"):
        compare(bad_offer, catalog=catalog)
    bad_model = parse_scenario(_with(("options", 1, "model"), "llama-3-70b"))
    with pytest.raises(UnknownIdError, match=r"options\[1\]\(llama\)\.model"):
        compare(bad_model, catalog=catalog)


def test_uncertainty_keys_are_checked() -> None:
    data = copy.deepcopy(BASE)
    data["uncertainty"] = {"gpu_usd_per_hr": {"distribution": "uniform", "low": 2, "high": 3}}
    with pytest.raises(InvalidInputError, match="did you mean 'gpu_usd_per_hour'"):
        compare(parse_scenario(data))
    data["uncertainty"] = {"gpu_usd_per_hour": {"distribution": "uniform", "low": 2, "high": 3}}
    assert compare(parse_scenario(data)).cheapest


def test_every_distribution_of_the_analysis_layer_can_be_declared() -> None:
    """Each [uncertainty] spelling reaches ParameterSpace intact (lognormal by P5/P95, fixed)."""
    from llmcost.analysis import ParameterSpace

    data = copy.deepcopy(BASE)
    data["uncertainty"] = {
        "requests_per_month": {"distribution": "lognormal", "p5": 1e6, "p95": 9e6},
        "gpu_usd_per_hour": {"distribution": "fixed", "value": 2.0},
        "engineering_fte": {"distribution": "lognormal", "median": 0.5, "sigma": 0.3},
    }
    scenario = parse_scenario(data)
    spec = {k: v.model_dump(exclude_none=True) for k, v in scenario.uncertainty.items()}
    draws = ParameterSpace.from_dict(spec).sample(20_000, seed=3)
    # A lognormal with P5 = 1e6 and P95 = 9e6 has median sqrt(1e6 × 9e6) = 3e6.
    assert abs(float(np.median(draws["requests_per_month"])) / 3e6 - 1) < 0.03
    assert np.all(draws["gpu_usd_per_hour"] == 2.0)


def test_load_toml(tmp_path: Path) -> None:
    good = tmp_path / "ok.toml"
    good.write_text(
        """
[workload]
requests_per_month = 1_000_000
input_tokens_per_request = 1000
output_tokens_per_request = 200

[[options]]
name = "gpt-4o"
kind = "api"
offer = "openai/gpt-4o"
""",
        encoding="utf-8",
    )
    scenario = load_scenario(good)
    assert scenario.name == "ok"  # the file's stem by default
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text() + "\nhorizon_months = 3\n[workload.x\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"bad\.toml: not valid TOML"):
        load_scenario(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text(good.read_text().replace("requests_per_month", "request_per_month"))
    with pytest.raises(InvalidInputError, match=r"typo.toml: workload.request_per_month: unknown"):
        load_scenario(typo)
    with pytest.raises(InvalidInputError, match="scenario file not found"):
        load_scenario(tmp_path / "missing.toml")


FRACTION_FIELDS = ["cached_input_fraction", "batch_eligible_fraction", "cache_write_fraction"]


@settings(max_examples=30, deadline=None)
@given(
    field=st.sampled_from(FRACTION_FIELDS),
    value=st.one_of(st.floats(1.0001, 1e6), st.floats(-1e6, -0.0001)),
)
def test_any_out_of_range_fraction_names_field_and_value(field: str, value: float) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_scenario(_with(("workload", field), value))
    message = str(info.value)
    assert f"workload.{field} = {value!r}" in message
