"""``llmcost perf --grid`` by column (issue 16): the §4 JSON contract, row errors that never stop
the rest, ``--out`` CSV/Parquet/JSON written in one go, the truncated terminal table."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.perf import PerfEstimate, estimate_serving

KEYS = list(PerfEstimate.HEADLINE_COLUMNS)
HEADER = "model,gpu,gpus,precision,input_tokens,output_tokens,batch,max_throughput,image_tiles\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _grid(tmp_path, body: str, name: str = "grid.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_each_row_equals_the_model_called_on_that_row_alone(tmp_path, capsys):
    rng = np.random.default_rng(3)
    rows = [
        (m, g, int(n), int(i), int(o), int(b))
        for m, g, n, i, o, b in zip(
            rng.choice(["llama-3.1-8b", "llama-3.1-70b"], 40),
            rng.choice(["h100-sxm", "a100-80gb"], 40),
            rng.choice([2, 4], 40),
            rng.integers(64, 4000, 40),
            rng.integers(16, 1000, 40),
            rng.integers(1, 128, 40),
            strict=True,
        )
    ]
    body = "".join(f"{m},{g},{n},bf16,{i},{o},{b},,\n" for m, g, n, i, o, b in rows)
    status, out, err = run(capsys, "perf", "--grid", str(_grid(tmp_path, body)), "--json")
    assert status == 0, err
    results = json.loads(out)["results"]
    cat = load_catalog()
    for (m, g, n, i, o, b), got in zip(rows, results, strict=True):
        alone = estimate_serving(
            cat.model_spec(m), cat.gpu_spec(g), gpus=n, precision="bf16",
            input_tokens=i, output_tokens=o, batch=b,
        )  # fmt: skip
        assert list(got) == KEYS
        for key in KEYS:
            want = getattr(alone, key)
            if got[key] is None:  # JSON null: NaN (e.g. the batch does not fit)
                assert np.isnan(want), key
            elif isinstance(got[key], float):
                assert got[key] == pytest.approx(float(want), rel=1e-12), key
            else:
                assert got[key] == (want.item() if hasattr(want, "item") else want), key


def test_bad_cells_mark_their_row_only(tmp_path, capsys):
    body = (
        "llama-3.1-8b,h100-sxm,1,bf16,1000,200,16,,\n"  # 0 fine
        "llama-3.1-8b,h100-sxm,1,bf16,abc,200,16,,\n"  # 1 not a number
        "llama-3.1-8b,h100-sxm,1.5,bf16,1000,200,16,,\n"  # 2 not whole
        "llama-9,h100-sxm,1,bf16,1000,200,16,,\n"  # 3 unknown model (its group)
        "llama-3.1-8b,h100-sxm,1,bf16,1000,200,16,,2\n"  # 4 images on a text model
        "llama-3.1-8b,h100-sxm,1,bf16,1000,200,0,,\n"  # 5 batch 0
        "llama-3.1-8b,h100-sxm,1,bf16,1000,200,,yes,\n"  # 6 fine (max throughput)
        "llama-3.1-8b,h100-sxm,1,bf16,1000,200,8,true,\n"  # 7 two modes
        ",h100-sxm,1,bf16,1000,200,8,,\n"  # 8 no model
        "llama-3.1-8b,h100-sxm,1,bf16,1000,200,32,,\n"  # 9 fine, after the bad rows
    )
    status, out, err = run(capsys, "perf", "--grid", str(_grid(tmp_path, body)), "--json")
    assert status == 0, err
    results = json.loads(out)["results"]
    errors = {i: r["error"] for i, r in enumerate(results) if "error" in r}
    assert sorted(errors) == [1, 2, 3, 4, 5, 7, 8]
    assert all(set(r) == {"error"} for i, r in enumerate(results) if i in errors)
    assert errors[1] == "input_tokens must be a number; got 'abc'"
    assert errors[2] == "gpus must be a whole number; got 1.5"
    assert "llama-9" in errors[3]
    assert "needs a vision encoder" in errors[4]
    assert errors[5] == "batch must be > 0; got 0.0"
    assert "exactly one of" in errors[7]
    assert errors[8] == "column model is empty"
    assert results[0]["batch_size"] == 16
    assert results[6]["limited_by"] in ("memory", "batch_cap")
    assert results[9]["batch_size"] == 32


def test_a_bad_setting_fails_its_whole_group_and_nothing_else(tmp_path, capsys):
    good = "llama-3.1-8b,h100-sxm,1,bf16,1000,200,{b},,\n"
    bad = "llama-3.1-70b,a100-80gb,2,fp8,1000,200,{b},,\n"  # A100 has no FP8
    body = "".join((bad if i % 3 == 0 else good).format(b=i + 1) for i in range(30))
    status, out, _ = run(capsys, "perf", "--grid", str(_grid(tmp_path, body)), "--json")
    results = json.loads(out)["results"]
    assert status == 0
    for i, r in enumerate(results):
        if i % 3 == 0:
            assert "not supported" in r["error"]
        else:
            assert r["batch_size"] == i + 1


def test_row_order_does_not_change_a_row_s_result(tmp_path, capsys):
    lines = [
        f"llama-3.1-{m},h100-sxm,{g},fp8,{i},{o},{b},,\n"
        for m in ("8b", "70b")
        for g in (1, 2)
        for i, o, b in ((500, 50, 4), (2000, 300, 64), (100, 900, 1))
    ]
    _, first, _ = run(capsys, "perf", "--grid", str(_grid(tmp_path, "".join(lines))), "--json")
    order = np.random.default_rng(0).permutation(len(lines))
    path = _grid(tmp_path, "".join(lines[k] for k in order), "shuffled.csv")
    _, second, _ = run(capsys, "perf", "--grid", str(path), "--json")
    a, b = json.loads(first)["results"], json.loads(second)["results"]
    assert [b[j] for j in np.argsort(order)] == a


def test_out_writes_every_row_in_each_format(tmp_path, capsys):
    body = "llama-3.1-8b,h100-sxm,1,bf16,1000,200,16,,\n" * 5 + "=HYPERLINK(1),l4,1,bf16,1,1,1,,\n"
    grid = _grid(tmp_path, body)
    _, as_json, _ = run(capsys, "perf", "--grid", str(grid), "--json")
    for suffix in ("json", "csv", "parquet"):
        target = tmp_path / f"out.{suffix}"
        status, out, err = run(capsys, "perf", "--grid", str(grid), "--out", str(target), "--json")
        assert status == 0, err
        assert json.loads(out) == {
            "schema_version": "1", "out": str(target), "format": suffix, "rows": 6, "errors": 1,
        }
    assert (tmp_path / "out.json").read_text() == as_json  # one answer, two places
    csv = pd.read_csv(tmp_path / "out.csv")
    parquet = pd.read_parquet(tmp_path / "out.parquet")
    for table in (csv, parquet):
        assert len(table) == 6
        assert list(table["batch_size"][:5]) == [16] * 5
        assert table["error"].notna().tolist() == [False] * 5 + [True]
    assert csv["model"][5] == "'=HYPERLINK(1)"  # user text never becomes a formula
    status, _, err = run(capsys, "perf", "--grid", str(grid), "--out", str(tmp_path / "x.txt"))
    assert status == 2
    assert "--out: expected a file ending in .csv or .parquet or .json" in err
    status, _, err = run(
        capsys, "perf", "--model", "llama-3.1-8b", "--out", str(tmp_path / "a.csv")
    )
    assert status == 2
    assert "--out writes the rows of a --grid" in err


def test_text_is_a_truncated_table_on_a_terminal_and_csv_in_a_pipe(tmp_path, capsys, monkeypatch):
    grid = _grid(tmp_path, "llama-3.1-8b,h100-sxm,1,bf16,1000,200,4,,\n" * 25)
    _, piped, _ = run(capsys, "perf", "--grid", str(grid))
    assert len(pd.read_csv(__import__("io").StringIO(piped))) == 25
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, shown, _ = run(capsys, "perf", "--grid", str(grid))
    lines = shown.splitlines()
    assert lines[0].split()[:2] == ["row", "batch_size"]
    assert len(lines) == 2 + 20 + 1
    assert lines[-1].startswith("… 5 more rows")


def test_a_grid_without_a_required_column_exits_2(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text("model,gpu\nllama-3.1-8b,h100-sxm\n")
    status, out, err = run(capsys, "perf", "--grid", str(path), "--json")
    assert status == 2
    assert out == ""
    assert "needs column(s) gpus, precision, input_tokens, output_tokens" in err
    status, _, err = run(capsys, "perf", "--grid", str(tmp_path / "missing.csv"))
    assert status == 2
    assert "cannot read grid" in err


def test_an_empty_grid_has_no_results(tmp_path, capsys):
    status, out, err = run(capsys, "perf", "--grid", str(_grid(tmp_path, "")), "--json")
    assert status == 0, err
    assert json.loads(out) == {"schema_version": "1", "results": []}
