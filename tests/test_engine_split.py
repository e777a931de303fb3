"""The engine calibration split (benchmarks/engine_split.toml) is what it says: every file is
there, no row both fits and validates an engine, exclusions name real rows and a reason, and
every measurement carries its source and as-of date."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
SPLIT = tomllib.loads((BENCH / "engine_split.toml").read_text())
ENGINE_PREFIX = {"vllm": "vLLM", "sglang": "SGLang"}


def _rows(names: list[str], engine: str) -> list[dict]:
    rows = []
    for name in names:
        for row in json.loads((BENCH / "data" / name).read_text()):
            if str(row["engine"]).startswith(ENGINE_PREFIX[engine]):
                rows.append(row)
    return rows


@pytest.mark.parametrize("engine", ["vllm", "sglang"])
def test_fit_and_validation_rows_are_disjoint_and_sourced(engine):
    fit = _rows(SPLIT[engine]["fit"], engine)
    validation = _rows(SPLIT[engine]["validation"], engine)
    assert fit
    assert validation
    assert not {r["id"] for r in fit} & {r["id"] for r in validation}
    assert not set(SPLIT[engine]["fit"]) & set(SPLIT[engine]["validation"])
    for row in fit + validation:
        assert str(row["source"]).strip(), row["id"]
        assert str(row["date"]).strip(), row["id"]
        assert float(row["value"]) > 0, row["id"]


def test_fit_files_stay_out_of_the_validation_script():
    """benchmarks/validation.py scores validation_*.json as not fitted: no fit file may be one."""
    for engine in ("vllm", "sglang"):
        assert not any(name.startswith("validation_") for name in SPLIT[engine]["fit"])


def test_every_exclusion_names_a_row_and_a_reason():
    ids = {
        r["id"]
        for engine in ("vllm", "sglang")
        for role in ("fit", "validation")
        for r in _rows(SPLIT[engine][role], engine)
    }
    for row_id, reason in SPLIT["excluded"].items():
        assert row_id in ids
        assert reason in SPLIT["reasons"]


def test_sglang_rows_before_the_overlap_default_run_without_it():
    # sgl-project/sglang PR 2067 (merged 2024-11-19) turned the overlap scheduler on by default;
    # rows measured before that run with overlap_schedule false, later ones with the shipped on
    rows = _rows(SPLIT["sglang"]["fit"] + SPLIT["sglang"]["validation"], "sglang")
    for row in rows:
        off = row.get("engine_settings", {}).get("overlap_schedule") is False
        assert off == (str(row["date"]) < "2024-11"), row["id"]
