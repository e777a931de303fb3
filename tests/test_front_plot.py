"""The layout-front chart: one line per GPU, log axes, labelled layouts, the TPOT target."""

from __future__ import annotations

import pytest

from llmcost._core.errors import InvalidInputError
from llmcost.export.front_plot import layout_front_figure
from llmcost.perf import search_layouts
from test_perf_specs import H100_SXM, L40S, LLAMA_31_8B


def test_front_figure_has_a_line_per_gpu_log_axes_and_labels(tmp_path) -> None:
    kw = dict(gpus=4, input_tokens=500, output_tokens=200, precisions="fp8", engines="vllm")
    searches = {
        "h100-sxm": search_layouts(LLAMA_31_8B, H100_SXM, **kw),
        "l40s": search_layouts(LLAMA_31_8B, L40S, **kw),
    }
    fig = layout_front_figure(searches, tpot_slo_s=0.02)
    (ax,) = fig.axes
    lines = [ln for ln in ax.get_lines() if ln.get_label() in searches]
    assert [ln.get_label() for ln in lines] == ["h100-sxm", "l40s"]
    for line, result in zip(lines, searches.values(), strict=True):
        assert list(line.get_ydata()) == pytest.approx(
            list(result.front["output_tokens_per_s_per_gpu"])
        )
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"
    texts = [t.get_text() for t in ax.texts]
    assert "TPOT ≤ 20 ms" in texts
    best = searches["h100-sxm"].best
    assert best is not None
    assert f"{best.replicas}× tp{best.tp} fp8 vllm" in texts  # the front's first point
    for line in lines:  # a layout is labelled once per GPU at most
        own = [t.get_text() for t in ax.texts if t.get_color() == line.get_color()]
        assert own
        assert len(own) == len(set(own))
    out = tmp_path / "front.png"
    fig.savefig(out)
    assert out.stat().st_size > 10_000


def test_front_figure_needs_a_search() -> None:
    with pytest.raises(InvalidInputError, match="at least one layout search"):
        layout_front_figure({})
