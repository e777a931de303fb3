"""llmcost.calibrate: files in each format from a known profile (with noise) → parameters
recovered within their stated uncertainty; a held-back file predicted within 10 % median."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import _benchfiles as bench
from llmcost._core.errors import InvalidInputError
from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.perf.fit import predict_measurements
from llmcost.scenario.calibration import (
    CALIBRATED_FACTORS,
    calibrate,
    load_engine_profile,
    read_benchmarks,
)

CAT = load_catalog()
FIT_LENGTHS = [(128, 128), (1024, 256), (2048, 128), (512, 1024)]
HELD_LENGTHS = [(256, 512), (4096, 256), (1500, 300)]
CONCURRENCY = [1, 4, 16, 64, 256]


def _files(fmt: str, folder: Path, seed: int) -> list[Path]:
    frame = bench.runs(FIT_LENGTHS, CONCURRENCY, seed=seed)
    if fmt == "vllm":
        return bench.write_vllm(frame, folder)
    if fmt == "sglang":
        return [bench.write_sglang(frame, folder / "sglang.jsonl")]
    if fmt == "genai-perf":
        return bench.write_genai_perf(frame, folder)
    return [bench.write_csv(frame, folder / "runs.csv")]


@pytest.mark.parametrize(("fmt", "seed"), [("vllm", 1), ("sglang", 2), ("genai-perf", 3),
                                           ("csv", 4)])  # fmt: skip
def test_recovers_the_generating_parameters(fmt: str, seed: int, tmp_path: Path) -> None:
    files = _files(fmt, tmp_path, seed)
    deployment = {} if fmt == "csv" else bench.DEPLOYMENT
    cal = calibrate(files, engine="vllm", catalog=CAT, **deployment)
    assert len(cal.predictions) == len(FIT_LENGTHS) * len(CONCURRENCY)
    for name in CALIBRATED_FACTORS:
        truth = getattr(bench.TRUTH, name)
        sd = cal.std_error[name]
        assert 0 < sd < 0.5 * truth, (name, sd)  # identified: σ under half the value
        assert abs(cal.fitted[name] - truth) <= 3 * sd, (name, cal.fitted[name], truth, sd)
    # residuals are the 2 % noise, not a misfit
    assert cal.median_abs_pct_error < 3.0


def test_profile_predicts_a_held_back_file(tmp_path: Path) -> None:
    cal = calibrate(_files("vllm", tmp_path, seed=5), catalog=CAT, **bench.DEPLOYMENT)
    saved = cal.save(tmp_path / "mine.toml")
    held = bench.runs(HELD_LENGTHS, [2, 8, 32, 128], seed=6)
    held_csv = bench.write_csv(held, tmp_path / "held.csv")
    runs = read_benchmarks([held_csv])
    pred = predict_measurements(runs, load_engine_profile(saved), CAT)
    err = np.abs(pred / runs["measured_output_tokens_per_s"].to_numpy() - 1)
    assert np.median(err) < 0.10
    # the shipped vllm profile is much further off on this deployment
    shipped = predict_measurements(runs, "vllm", CAT)
    assert np.median(np.abs(shipped / runs["measured_output_tokens_per_s"] - 1)) > 0.10


def test_profile_file_round_trip_and_use_in_a_scenario(tmp_path: Path) -> None:
    from llmcost.scenario import compare, parse_scenario

    cal = calibrate(_files("csv", tmp_path, seed=7), catalog=CAT, name="my-h100")
    path = cal.save(tmp_path / "my-h100.toml")
    prof = load_engine_profile(path)
    assert prof.name == "my-h100"
    for k, v in cal.fitted.items():
        assert getattr(prof, k) == pytest.approx(v)
    option = {"name": "mine", "kind": "self_hosted", "model": "llama-3.1-8b", "gpu": "h100-sxm",
              "gpus_per_replica": 1, "precision": "bf16", "gpu_usd_per_hour": 2.0}  # fmt: skip
    wl = {"requests_per_month": 1e6, "input_tokens_per_request": 1000,
          "output_tokens_per_request": 200}  # fmt: skip
    sc = parse_scenario({"name": "c", "workload": wl, "options": [
        option, option | {"name": "calibrated", "engine_profile": str(path)}]})  # fmt: skip
    res = compare(sc, catalog=CAT)
    assert res.option("calibrated").details["engine_profile"] == "my-h100"
    cap = {o.name: o.indicators["capacity_requests_per_s_per_replica"] for o in res.options}
    assert cap["calibrated"] != pytest.approx(cap["mine"], rel=0.02)


def test_cli_calibrate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in _files("sglang", tmp_path, seed=8)]
    out = tmp_path / "p.toml"
    argv = ["calibrate", *files, "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1",
            "--precision", "bf16", "--out", str(out)]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["fitted"]) == set(CALIBRATED_FACTORS)
    assert len(payload["runs"]) == 20
    assert out.is_file()
    assert main(argv) == 2  # the profile exists: replaced only with --force (issue #19)
    assert "pass --force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    text = capsys.readouterr().out
    assert "predicted" in text
    assert "±" in text
    assert main(["perf", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1",
                 "--precision", "bf16", "--input-tokens", "500", "--output-tokens", "100",
                 "--concurrency", "8", "--engine-profile", str(out), "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["basis"]["engine"] == "vllm-calibrated"


def test_bad_files_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json")
    with pytest.raises(InvalidInputError, match=r"x\.json: not valid JSON"):
        read_benchmarks([bad], **bench.DEPLOYMENT)
    other = tmp_path / "y.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(InvalidInputError, match=r"y\.json: no 'completed'"):
        read_benchmarks([other], **bench.DEPLOYMENT)
    files = _files("vllm", tmp_path, seed=9)[:3]
    with pytest.raises(InvalidInputError, match="does not say model, gpu, gpus, precision"):
        read_benchmarks(files)
    with pytest.raises(InvalidInputError, match="at least 5 benchmark runs"):
        calibrate(files, catalog=CAT, **bench.DEPLOYMENT)
    assert main(["calibrate", str(bad), "--gpu", "h100-sxm"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_cli_calibrate_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    files = [str(p) for p in _files("csv", tmp_path, seed=10)]
    png = tmp_path / "cal.png"
    assert main(["calibrate", *files, "--plot", str(png), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["plot"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
