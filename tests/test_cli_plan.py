"""``llmcost perf --layout best`` and ``llmcost plan``: the searched layout, priced fronts."""

from __future__ import annotations

import json

import pytest

from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.cost.token_price import usd_per_mtok_at_throughput

PERF_70B = (
    "perf", "--model", "llama-2-70b", "--gpu", "h200", "--precision", "fp8", "--engine",
    "trtllm", "--input-tokens", "128", "--output-tokens", "2048",
)  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_usd_per_mtok_at_throughput_by_hand() -> None:
    # $2.50 per GPU-hour at 500 tok/s: 1.8 Mtok per hour → 2.50 / 1.8 = $1.3889 per Mtok
    assert usd_per_mtok_at_throughput(2.5, 500.0) == pytest.approx(2.5 / 1.8)


def test_perf_layout_best_reports_eight_replicas_at_eight_times_one_gpu(capsys) -> None:
    status, out, err = run(capsys, *PERF_70B, "--gpus", "8", "--max-throughput", "--layout",
                           "best", "--json")  # fmt: skip
    assert status == 0, err
    best = json.loads(out)
    status, out, err = run(capsys, *PERF_70B, "--gpus", "1", "--max-throughput", "--json")
    one = json.loads(out)
    assert best["layout"] == {"replicas": 8, "tp": 1, "pp": 1, "ep": 1, "gpus_per_replica": 1}
    assert best["output_tokens_per_s"] == pytest.approx(8 * one["output_tokens_per_s"])
    assert best["limited_by"] == "memory"
    assert best["runner_up"]["replicas"] * best["runner_up"]["gpus_per_replica"] == 8
    assert 0 <= best["runner_up_loss_fraction"] < 1
    status, out, _ = run(capsys, *PERF_70B, "--gpus", "8", "--max-throughput", "--layout", "best")
    assert status == 0
    assert "Best: 8× tp1 pp1 ep1 fp8 trtllm" in out
    assert "Runner-up" in out


def test_perf_layout_best_under_an_slo_meets_it(capsys) -> None:
    status, out, err = run(
        capsys, *PERF_70B, "--gpus", "8", "--tpot-slo-s", "0.02", "--layout", "best", "--json"
    )
    assert status == 0, err
    payload = json.loads(out)
    assert payload["tpot_s"] <= 0.02
    assert payload["limited_by"] == "slo"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--batch", "8"), "drop --batch"),
        (("--max-throughput", "--tp", "2"), "drop --tp"),
        (("--max-throughput", "--pp", "2"), "drop --pp"),
        ((), "exactly one of --max-throughput or an SLO"),
        (("--max-throughput", "--tpot-slo-s", "0.05"), "exactly one of"),
        (("--tpot-slo-s", "1e-6"), "miss the SLO"),
    ],
)
def test_perf_layout_best_bad_input_exits_2(capsys, extra, message) -> None:
    status, out, err = run(capsys, *PERF_70B, "--gpus", "8", *extra, "--layout", "best")
    assert status == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_plan_prices_each_gpu_front_and_names_the_cheapest(capsys, tmp_path) -> None:
    chart = tmp_path / "front.png"
    status, out, err = run(
        capsys, "plan", "--model", "llama-3.1-70b", "--gpu", "h100-sxm,h200", "--gpus", "8",
        "--input-tokens", "1000", "--output-tokens", "500", "--precision", "fp8", "--engine",
        "vllm", "--tpot-slo-s", "0.05", "--chart", str(chart), "--json",
    )  # fmt: skip
    assert status == 0, err
    payload = json.loads(out)
    cat = load_catalog()
    plans = {p["gpu"]: p for p in payload["plans"]}
    assert set(plans) == {"h100-sxm", "h200"}
    for gpu, plan in plans.items():
        price, _ = cat.gpu_price_usd_per_hour(gpu, "on_demand")
        assert plan["usd_per_gpu_hour"] == pytest.approx(price)
        best = plan["best"]
        assert best["tpot_s"] <= 0.05
        # $ per 1M output tokens = price per GPU-hour / (tok/s/GPU × 3600 s) × 1e6
        assert best["usd_per_mtok_output"] == pytest.approx(
            price / (best["output_tokens_per_s_per_gpu"] * 3600) * 1e6
        )
        front = plan["front"]
        assert front
        assert front[0]["output_tokens_per_s_per_gpu"] >= best["output_tokens_per_s_per_gpu"]
        assert all(r["usd_per_mtok_output"] > 0 for r in front)
    cheapest = min(plans.values(), key=lambda p: p["best"]["usd_per_mtok_output"])
    assert payload["cheapest"]["gpu"] == cheapest["gpu"]
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert payload["chart"] == str(chart)


def test_plan_text_and_a_gpu_that_cannot_run_the_precision(capsys) -> None:
    status, out, err = run(
        capsys, "plan", "--model", "llama-3.1-8b", "--gpu", "a100-80gb,h100-sxm", "--gpus", "2",
        "--input-tokens", "500", "--output-tokens", "200", "--precision", "fp8",
        "--engine", "vllm",
    )  # fmt: skip
    assert status == 0, err
    assert "a100-80gb: skipped" in out
    assert "== h100-sxm" in out
    assert "Cheapest: h100-sxm" in out
    status, out, err = run(
        capsys, "plan", "--model", "llama-3.1-8b", "--gpu", "a100-80gb", "--input-tokens", "5",
        "--output-tokens", "5", "--precision", "fp8",
    )  # fmt: skip
    assert status == 2
    assert "no GPU type serves llama-3.1-8b" in err
    status, _, err = run(
        capsys, "plan", "--model", "llama-3.1-8b", "--gpu", ",", "--input-tokens", "5",
        "--output-tokens", "5",
    )  # fmt: skip
    assert status == 2
    assert "comma-separated list" in err
