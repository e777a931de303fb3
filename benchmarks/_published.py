"""What the benchmark scripts share: the published model and GPU names as llmcost ids, the
llmcost settings a published case implies, and the markdown error table for README.

Settings every published case implies: Maverick runs with ``--ep`` (expert parallelism with
attention data parallelism) are ``tp=1, ep=N`` in llmcost's layout, a case with ``"pp": P``
splits its GPUs into P pipeline stages of ``N / P``-way tensor parallelism, everything else is
tensor-parallel over all GPUs; a case's optional ``kv_precision`` is the KV-cache precision the
run used (else the engine's default); an offline run's request count is the ``num_requests=``
of its notes (NaN when absent: an endless queue).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MODEL_IDS = {
    "Llama-2-70B": "llama-2-70b",
    "Llama-3.1-8B": "llama-3.1-8b",
    "Llama-3.1-70B": "llama-3.1-70b",
    "Llama-3.3-70B": "llama-3.3-70b",
    "Llama-3.1-405B": "llama-3.1-405b",
    "Llama-4-Scout-17B-16E": "llama-4-scout",
    "Llama-4-Maverick-17B-128E": "llama-4-maverick",
}
GPU_IDS = {
    "H100-SXM-80GB": "h100-sxm",
    "A100-SXM4-80GB": "a100-80gb",
    "A100-SXM4-40GB": "a100-40gb",
    "H200-SXM-141GB": "h200",
    "A100-PCIE-80GB": "a100-80gb-pcie",
    "L40S-48GB": "l40s",
    "B200-180GB": "b200",
    "GB200-192GB": "gb200",
    "MI300X-192GB": "mi300x",
}


def num_requests(notes: str) -> float:
    """The run's request count from a case's notes (``num_requests=3000``); NaN if absent."""
    found = re.search(r"num_requests\s*=\s*(\d+)", notes)
    return float(found.group(1)) if found else float("nan")


def case_settings(case: Mapping[str, Any]) -> dict[str, Any]:
    """The llmcost deployment of a published case: ids, GPUs, precision, KV precision,
    lengths, split and request count."""
    notes = str(case["notes"])
    n = int(case["num_gpus"])
    pp = int(case.get("pp", 1))
    expert_parallel = "--ep" in notes
    return {
        "model": MODEL_IDS[case["model"]],
        "gpu": GPU_IDS[case["gpu"]],
        "gpus": n,
        "precision": str(case["precision"]).lower(),
        "kv_precision": str(case["kv_precision"]).lower() if "kv_precision" in case else None,
        "input_tokens": case["input_tokens"],
        "output_tokens": case["output_tokens"],
        "tp": 1 if expert_parallel else n // pp,
        "pp": pp,
        "ep": n if expert_parallel else 1,
        "requests": num_requests(notes),
    }


def total_row(label_columns: int, cases: int, median_pct: float, worst_pct: float) -> list[str]:
    """The bold "all" row: label columns left empty, then cases, median and worst error."""
    return [
        "**all**",
        *[""] * (label_columns - 1),
        f"**{cases}**",
        f"**{median_pct:.1f} %**",
        f"**{worst_pct:.1f} %**",
    ]


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, right_aligned: int
) -> str:
    """A markdown table whose last ``right_aligned`` columns are right-aligned (numbers)."""
    align = ["---"] * (len(header) - right_aligned) + ["---:"] * right_aligned
    return "\n".join(
        "|" + "|".join(f" {cell} " if cell else " " for cell in row) + "|"
        for row in [header, align, *rows]
    )
