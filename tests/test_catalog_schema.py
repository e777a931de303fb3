"""Every bundled catalog row validates, ids are unique, sources and dates are present, and the
facts other layers rely on match their published values."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from llmcost._core.units import BYTES_PER_ELEMENT
from llmcost.catalog import ENTITIES, bundled_dir, load_catalog
from llmcost.catalog.load import FILES

# docs/architecture.md §3: ids the CLI contract relies on.
DESIGN_MODELS = {
    "llama-2-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.2-1b",
    "llama-3.2-3b", "llama-3.3-70b", "llama-4-scout", "llama-4-maverick", "llama-4-behemoth",
}  # fmt: skip
DESIGN_GPUS = {
    "a10g", "l4", "l40s", "a100-40gb", "a100-80gb", "a100-80gb-pcie", "h100-pcie", "h100-sxm",
    "h100-nvl", "h200", "gh200", "b200", "gb200", "mi300x", "mi325x",
}  # fmt: skip


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def _raw_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (bundled_dir() / name).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_file_has_headers_equal_to_field_names(entity):
    name, record = FILES[entity]
    header, rows = _raw_rows(name)
    assert header == record.columns()
    assert rows, f"{name} is empty"


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_row_validates_and_has_source_and_date(cat, entity):
    name, _ = FILES[entity]
    _, raw = _raw_rows(name)
    rows = getattr(cat, entity)
    assert len(rows) == len(raw)  # no row silently dropped
    for row in rows:
        assert row.source.strip(), row.key
        assert row.as_of.year >= 2020, row.key


def test_manifest_names_a_version_and_every_file(cat):
    import tomllib

    manifest = tomllib.loads((bundled_dir() / "manifest.toml").read_text())
    assert cat.catalog_version == manifest["catalog_version"] == "2026.12.01"
    assert set(manifest["files"]) == {name for name, _ in FILES.values()}


@pytest.mark.parametrize(
    ("entity", "key"),
    [
        ("models", lambda r: r.id),
        ("gpus", lambda r: r.id),
        ("api_prices", lambda r: (r.offer_id, r.effective_from, r.min_prompt_tokens)),
        ("gpu_offers", lambda r: (r.provider, r.instance_type, r.region, r.term, r.as_of)),
        ("hardware", lambda r: r.item_id),
        ("facility", lambda r: r.parameter),
    ],
)
def test_keys_are_unique(cat, entity, key):
    counts = Counter(key(r) for r in getattr(cat, entity))
    assert [k for k, n in counts.items() if n > 1] == []


def test_every_design_id_is_present(cat):
    assert {m.id for m in cat.models} >= DESIGN_MODELS
    assert {g.id for g in cat.gpus} >= DESIGN_GPUS


def test_no_fp8_on_ampere_and_no_fp4_before_blackwell(cat):
    for gpu in cat.gpus:
        if gpu.architecture == "ampere":
            assert gpu.fp8_tflops is None, gpu.id
            assert not gpu.to_spec().supports("fp8")
        if gpu.architecture not in ("blackwell", "cdna4"):  # CDNA 4 (MI355X) has MXFP4
            assert gpu.fp4_tflops is None, gpu.id
    assert cat.gpu_spec("l40s").supports("fp8")  # Ada has FP8
    assert cat.gpu_spec("b200").supports("fp4")


def test_gpu_reference_values(cat):
    # NVIDIA H100 datasheet: 1,979 TFLOPS BF16 with sparsity -> 989.4 dense; 3.35 TB/s; 700 W.
    h100 = cat.gpu_spec("h100-sxm")
    assert (h100.bf16_tflops, h100.fp8_tflops) == (989.4, 1978.9)
    assert (h100.hbm_bandwidth_gb_per_s, h100.tdp_w, h100.interconnect_gb_per_s) == (3350, 700, 900)
    # ROCm mi300.md: MI300X dense BF16 1307.4 TFLOPS, 5.3 TB/s, 192 GB.
    mi = cat.gpu_spec("mi300x")
    assert (mi.memory_gb, mi.hbm_bandwidth_gb_per_s, mi.bf16_tflops) == (192, 5300, 1307.4)
    assert mi.interconnect_kind == "xgmi"
    # PCIe-only cards carry their GPU-to-GPU traffic over PCIe.
    for gpu_id in ("l4", "l40s", "a10g", "a100-80gb-pcie", "h100-pcie"):
        spec = cat.gpu_spec(gpu_id)
        assert spec.interconnect_kind == "pcie"
        assert spec.interconnect_gb_per_s == spec.pcie_gb_per_s
    assert cat.gpu("h100-nvl").scale_up_domain_gpus == 2  # NVLink bridge joins pairs only


def test_model_reference_values(cat):
    # docs/architecture.md §2: Llama 3.1 70B KV cache in bf16
    # = 2 x 80 layers x 8 KV heads x 128 x 2 B.
    s = cat.model_spec("llama-3.1-70b")
    kv = 2 * s.num_layers * s.num_kv_heads * s.head_dim * BYTES_PER_ELEMENT["bf16"]
    assert kv == 327_680
    # Model cards: 1B (1.23B), 3B (3.21B); Llama 4: 17B active of 109B / 400B total.
    assert cat.model("llama-3.2-1b").params_total_official == 1.23e9
    assert cat.model("llama-3.2-3b").params_total_official == 3.21e9
    scout, maverick = cat.model_spec("llama-4-scout"), cat.model_spec("llama-4-maverick")
    assert (scout.params_total_official, scout.params_active_official) == (109e9, 17e9)
    assert (maverick.params_total_official, maverick.params_active_official) == (400e9, 17e9)
    assert (scout.num_experts, scout.moe_layer_step) == (16, 1)
    assert (maverick.num_experts, maverick.moe_layer_step, maverick.num_moe_layers) == (128, 2, 24)
    assert maverick.intermediate_size == 16384
    assert maverick.expert_intermediate_size == 8192
    assert maverick.attention_chunk_tokens == 8192
    assert maverick.num_global_attention_layers == 12
    # Meta's 405B FP8 checkpoint: MLP-only, first and last layers in BF16 (Llama 3 paper §6.2).
    big = cat.model_spec("llama-3.1-405b")
    assert (big.fp8_checkpoint_scope, big.fp8_checkpoint_bf16_layers) == ("mlp_only", 2)


def test_llama4_vision_encoder_size_follows_its_config(cat):
    # HF Llama4VisionConfig: hidden 1408, 34 layers, MLP 5632, patch 14, image 336 (577
    # positions), pixel-shuffle MLP 5632->4096->4096, projector 4096->5120 (text hidden size).
    h, inner, layers = 1408, 5632, 34
    per_layer = 4 * (h * h + h) + (h * inner + inner) + (inner * h + h) + 2 * 2 * h
    embeddings = 3 * 14 * 14 * h + h + 577 * h + 2 * 2 * h
    adapter = inner * 4096 + 4096 * 4096
    projector = 4096 * 5120
    expected = layers * per_layer + embeddings + adapter + projector
    assert cat.model("llama-4-scout").vision_encoder_params == expected == 871_932_416
    assert cat.model("llama-4-maverick").vision_encoder_params == expected


def test_behemoth_is_announced_only(cat):
    b = cat.model("llama-4-behemoth")
    assert not b.released
    assert (b.params_active_official, b.num_experts) == (288e9, 16)
    assert b.hidden_size is None


def test_api_offers_cover_the_required_providers_and_models(cat):
    offers = set(cat.offer_ids)
    required = {
        "openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4.1", "openai/gpt-4.1-mini",
        "openai/gpt-4.1-nano", "anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5",
        "google/gemini-2.5-pro", "google/gemini-2.5-flash", "together/llama-4-maverick",
    }  # fmt: skip
    assert required <= offers
    for llama in ("llama-4-maverick", "llama-4-scout", "llama-3.3-70b", "llama-3.1-8b"):
        providers = {r.provider for r in cat.api_prices if r.llama_model == llama}
        assert len(providers) >= 4, (llama, providers)


def test_price_history_has_several_dated_rows_where_prices_changed(cat):
    for offer in (
        "openai/gpt-4o",
        "openai/o3",
        "bedrock/llama-3.1-70b",
        "deepinfra/llama-4-maverick",
    ):
        assert len({r.effective_from for r in cat.api_prices if r.offer_id == offer}) >= 2


def test_gpu_offers_cover_four_providers_and_the_main_gpus(cat):
    assert len({o.provider for o in cat.gpu_offers}) >= 4
    for gpu in ("h100-sxm", "h200", "a100-80gb", "l40s", "l4", "b200"):
        assert any(o.gpu == gpu for o in cat.gpu_offers), gpu


def test_facility_defaults_are_present(cat):
    # Latest documented values (facility.csv has one row per parameter, no history):
    assert cat.facility_default("pue").value == 1.54  # Uptime Institute survey 2025 average
    assert cat.facility_default("usd_per_kwh").value == pytest.approx(0.0806)  # EIA 2023
    assert cat.facility_default("colocation_usd_per_kw_month").value == 194.95  # CBRE year-end 2025


def test_bundled_dir_is_the_repo_data_in_a_source_checkout():
    import llmcost

    if (Path(llmcost.__file__).parent / "_data").is_dir():
        pytest.skip("llmcost is installed from a wheel here; test_catalog_packaging covers it")
    repo_data = Path(__file__).resolve().parents[1] / "data" / "pricing"
    assert bundled_dir().resolve() == repo_data.resolve()


def test_gpu_achievable_ratios_follow_from_their_microbenchmarks(cat):
    """Each ratio = this GPU's measured share of its datasheet peak ÷ the H100 SXM's share.
    Published inputs: H100 SXM mamf-finder matmul BF16 794.5 of 989, FP8 1402.6 of 1979 TFLOPS
    (stas00/ml-engineering compute/accelerator README); AMD max-achievable FLOPs, hipBLASLt,
    MI300X BF16 708 / FP8 1273, MI325X 843 / 1519 (ROCm blog "Measuring Max-Achievable FLOPs –
    Part 2", 2025-02-28); mamf-finder MI300X BF16 668.4, MI325X 784.9 of 1300; Azure
    AI-benchmarking-guide ND MI300X v5 / ND H100 v5: FP8 GEMM 1159.54 / 1382.2 TFLOPS, HBM triad
    4.09 / 2.97 TB/s, copy 4.11 / 2.90 TB/s; arXiv 2510.27583: BabelStream 81 % vs 90 %."""
    h100_bf16, h100_fp8 = 794.5 / 989, 1402.6 / 1979
    mi300x_compute = [
        (708 / 1307.4) / h100_bf16,  # 0.674
        (1273 / 2614.9) / h100_fp8,  # 0.687
        (668.4 / 1300) / h100_bf16,  # 0.640
        (1159.54 / 2614.9) / (1382.2 / 1978.9),  # 0.635 (same harness on both GPUs)
    ]
    mi300x_bandwidth = [
        (4.09 / 5.3) / (2.97 / 3.35),  # triad 0.870
        (4.11 / 5.3) / (2.90 / 3.35),  # copy 0.896
        0.81 / 0.90,  # BabelStream 0.900
    ]
    mi325x_compute = [(843 / 1307.4) / h100_bf16, (1519 / 2614.9) / h100_fp8,
                      (784.9 / 1300) / h100_bf16]  # fmt: skip
    mi300x, mi325x = cat.gpu_spec("mi300x"), cat.gpu_spec("mi325x")
    assert mi300x.achievable_compute_ratio == round(float(np.median(mi300x_compute)), 2)  # 0.66
    assert mi300x.achievable_bandwidth_ratio == round(float(np.mean(mi300x_bandwidth)), 2)  # 0.89
    assert mi325x.achievable_compute_ratio == round(float(np.median(mi325x_compute)), 2)  # 0.80
    assert mi325x.achievable_bandwidth_ratio == 1.0  # no MI325X STREAM-like measurement found
    for gpu_id in ("mi300x", "mi325x"):
        assert "achievable" in cat.gpu(gpu_id).notes.lower()
        assert "2025" in cat.gpu(gpu_id).source  # dated microbenchmark sources


def test_nvidia_gpus_keep_the_calibrated_achievable_ratio_of_1(cat):
    """The engine profiles were calibrated on H100 SXM / A100 SXM: their achievable shares are
    inside the efficiencies. No NVIDIA GPU's measured share differs clearly enough (and in the
    validation tables) to carry its own ratio; their notes say what was checked."""
    for gpu in cat.gpus:
        if gpu.vendor == "nvidia":
            spec = gpu.to_spec()
            assert (spec.achievable_bandwidth_ratio, spec.achievable_compute_ratio) == (1, 1)
    for gpu_id in ("h200", "b200", "gb200", "a100-80gb"):
        assert "Achievable ratios" in cat.gpu(gpu_id).notes, gpu_id


def test_newest_gpus_carry_their_sourced_specs(cat):
    """gpus.csv rows added for Blackwell Ultra, CDNA 4, H200 NVL and RTX PRO 6000 (sources in
    each row): dense figures are half the vendors' sparse ones or rack totals ÷ 72."""
    gb300 = cat.gpu("gb300")
    assert gb300.fp4_tflops == pytest.approx(1.1e6 / 72, abs=1.0)  # 1.1 EF dense FP4 / 72
    assert gb300.fp8_tflops == pytest.approx(360e3 / 72)  # 360 PF FP8 / 72
    assert gb300.scale_up_domain_gpus == 72
    assert cat.gpu("b300").memory_gb == 288
    assert cat.gpu("b300").int8_tops is None  # Blackwell Ultra cuts INT8
    assert cat.gpu("mi355x").fp4_tflops == pytest.approx(20.1e3 / 2)  # 20.1 PF with sparsity
    assert cat.gpu("mi355x").vendor == "amd"
    assert cat.gpu("rtx-pro-6000").fp4_tflops == pytest.approx(4000 / 2)  # 4,000 sparse TOPS
    assert cat.gpu("rtx-pro-6000").interconnect_kind == "pcie"
    assert cat.gpu("h200-nvl").scale_up_domain_gpus == 4  # 4-way NVLink bridge
    assert cat.gpu("b300").nvls
    assert not cat.gpu("h200-nvl").nvls  # a bridge, no switch
