"""``llmcost perf --disaggregated P:D``: the API figures, KV figures by hand, clear errors."""

from __future__ import annotations

import json

import pytest

from llmcost.catalog import load_catalog
from llmcost.cli import main
from llmcost.cli._disaggregated import KV_LINK_CHOICES
from llmcost.perf.disaggregated import KV_LINKS, estimate_disaggregated

BASE = (
    "perf", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--precision", "fp8",
    "--input-tokens", "2000", "--output-tokens", "300",
)  # fmt: skip


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_the_api_estimate_and_the_kv_figures_by_hand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys, *BASE, "--disaggregated", "4:4", "--ttft-slo-s", "1", "--tpot-slo-s", "0.04",
        "--request-rate", "20", "--json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    cat = load_catalog()
    est = estimate_disaggregated(
        cat.model_spec("llama-3.1-70b"), cat.gpu_spec("h100-sxm"), prefill_gpus=4,
        decode_gpus=4, precision="fp8", input_tokens=2000, output_tokens=300,
        ttft_slo_s=1.0, tpot_slo_s=0.04,
    )  # fmt: skip
    row = est.to_frame().iloc[0]
    for key in ("prefill_requests_per_s_per_replica", "decode_requests_per_s_per_replica",
                "ttft_s", "tpot_s", "decode_batch"):  # fmt: skip
        assert doc[key] == pytest.approx(float(row[key]), rel=1e-12)
    # Llama 3.1 70B: 80 layers × 8 KV heads × 128 dims × K and V × 2 bytes (bf16 KV) =
    # 327,680 bytes per token (config.json of meta-llama/Llama-3.1-70B); × 2,000 tokens
    assert doc["kv_bytes_per_request"] == 655_360_000
    # H100 NVLink 450 GB/s per direction × vLLM's interconnect efficiency 0.39 = 175.5 GB/s;
    # each of the 4 GPUs sends its quarter, plus the 20 µs transfer latency
    assert doc["basis"]["kv_link"] == "intra_node"
    assert doc["kv_transfer_s"] == pytest.approx(655.36e6 / (4 * 175.5e9) + 20e-6, rel=1e-9)
    pools = doc["pools"]
    per_p, per_d = (
        doc["prefill_requests_per_s_per_replica"],
        doc["decode_requests_per_s_per_replica"],
    )
    assert pools["prefill_replicas"] == -(-20 // per_p)  # ⌈20 / per-replica rate⌉
    assert pools["decode_replicas"] == -(-20 // per_d)
    assert pools["gpus"] == 4 * pools["prefill_replicas"] + 4 * pools["decode_replicas"]


def test_inter_node_link_by_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, *BASE, "--disaggregated", "2:2", "--kv-link", "inter_node",
        "--kv-link-gb-per-s", "25", "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0
    assert doc["basis"]["kv_link"] == "inter_node"
    # 655.36 MB over 2 GPUs × 25 GB/s each, plus 20 µs
    assert doc["kv_transfer_s"] == pytest.approx(655.36e6 / (2 * 25e9) + 20e-6, rel=1e-9)
    assert "pools" not in doc


def test_text_names_the_pools(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, *BASE, "--disaggregated", "4:4", "--request-rate", "20")
    assert code == 0
    assert "4 prefill + 4 decode GPUs per replica" in out
    assert "at 20 requests/s:" in out


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (("--disaggregated", "4x4"), "--disaggregated '4x4': give P:D"),
        (("--disaggregated", "0:4"), "two whole numbers ≥ 1"),
        (("--disaggregated", "4:4", "--gpus", "8"), "--gpus does not apply with --disaggregated"),
        (("--disaggregated", "4:4", "--tp", "2"), "--tp does not apply"),
        (("--disaggregated", "4:4", "--max-throughput"), "--max-throughput does not apply"),
        (("--kv-link", "inter_node", "--gpus", "4"), "--kv-link needs --disaggregated"),
        (("--disaggregated", "4:4", "--kv-link-gb-per-s", "-1"), "kv_link_gb_per_s"),
    ],
)
def test_bad_flags_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], named: str
) -> None:
    code, out, err = _run(capsys, *BASE, *extra)
    assert code == 2
    assert out == ""
    assert named in err
    assert err.count("\n") == 1


def test_kv_link_choices_match_the_model() -> None:
    assert KV_LINK_CHOICES == KV_LINKS
