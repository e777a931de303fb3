"""The *Capacity* sheet: each self-hosted option's sizing rebuilt as formulas.

For every option whose capacity comes from the performance model, and every feature × point
of the library's cache-hit grid (``CACHED_GRID``), a table of 64 candidate batches — the
library's geometric grid ``floor(top^(k/63))`` up to the KV-cache / batch-cap capacity — with
step times, TPOT, TTFT and output tokens/s as formulas of the named constants on the
Assumptions sheet (:mod:`llmcost.export._xlsx_perf`). The batch with the highest throughput
that meets both latency targets is picked with ``MAX`` over a score column (``INDEX``/``MATCH``
shows which); without targets the capacity batch is used. Replica-seconds per request at the
feature's cache-hit share are interpolated linearly between grid points (as the library
does) and named ``o{j}_f{i}_replica_s_per_request``; the Model sheet turns them into
requests/s per replica, replicas hour by hour (``CEILING`` of demand / planned capacity),
GPUs, GPU-hours and cost. Edit tokens, cache share, SLOs, bandwidths or efficiencies and the
whole chain recalculates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._xlsx_book import GENERAL, INTEGER, Book, Formula, column_letter, write_value
from ._xlsx_perf import (
    PerfSetup,
    kv_bytes_per_sequence,
    launch_bound,
    layer_context_sum,
    step_time,
)
from .safety import write_text_cell

if TYPE_CHECKING:
    from ..scenario.evaluators import SelfHostedEvaluator
    from .xlsx import WorkbookSpec

__all__ = ["CANDIDATES", "CapacityWriter"]

#: Candidate batches per table (the library's ``_SLO_GRID_POINTS``).
CANDIDATES = 64
SECONDS = "0.000000"
TABLE = (
    ("k", "Candidate", GENERAL),
    ("batch", "Batch (sequences)", INTEGER),
    ("b", "Sequences per rank", "0.00"),
    ("chunk", "Prefill chunk (tokens)", "#,##0.0"),
    ("frac", "Steps with a chunk", "0.000"),
    ("mixed", "Mixed step (s)", SECONDS),
    ("decode", "Decode step (s)", SECONDS),
    ("tpot", "TPOT (s)", SECONDS),
    ("own", "Own-chunk step (s)", SECONDS),
    ("ttft", "TTFT (s)", "0.0000"),
    ("tps", "Output tokens/s", "#,##0.0"),
    ("ok", "Meets targets", GENERAL),
    ("score", "Score (tokens/s if met, else -1)", "#,##0.0"),
)
COL = {key: column_letter(k) for k, (key, _l, _f) in enumerate(TABLE, start=1)}


@dataclass
class CapacityWriter:
    """Writes the Capacity sheet; defines the names the Model sheet's capacity reads."""

    book: Book
    spec: WorkbookSpec
    setups: dict[int, PerfSetup]
    ws: Any = field(init=False)
    row: int = field(init=False, default=1)

    def __post_init__(self) -> None:
        widths = [44, 16, 14, 14, 12, 14, 14, 12, 14, 12, 14, 12, 16]
        self.ws = self.book.sheet("Capacity", [t[1] for t in TABLE], widths)

    def write(self) -> None:
        """One section per option with a perf-model capacity."""
        for j, setup in self.setups.items():
            ev = self.spec.model.evaluators[j - 1]
            self._option(j, ev, setup)  # type: ignore[arg-type]

    # -- helpers ---------------------------------------------------------------------------

    def _label(self, text: str, *, bold: bool = False) -> int:
        from openpyxl.styles import Font

        self.row += 1
        cell = self.ws.cell(row=self.row, column=1)
        write_text_cell(cell, text)
        if bold:
            cell.font = Font(bold=True)
        return self.row

    def _scalar(self, label: str, formula: str, fmt: str, unit: str = "") -> str:
        r = self._label(label)
        write_value(self.ws.cell(row=r, column=2), Formula("=" + formula), fmt)
        if unit:
            write_text_cell(self.ws.cell(row=r, column=3), unit)
        return f"$B${r}"

    def _named(self, name: str, label: str, formula: str, fmt: str, unit: str = "") -> str:
        ref = self._scalar(label, formula, fmt, unit)
        self.book.define(name, self.ws.title, ref)
        return name

    # -- sections --------------------------------------------------------------------------

    def _option(self, j: int, ev: SelfHostedEvaluator, setup: PerfSetup) -> None:
        p = f"o{j}_"
        self.row += 1
        self._label(f"Option {j}: {ev.name} — sizing from the performance model", bold=True)
        self._named(
            p + "eff_bytes_per_s",
            "Effective HBM bandwidth = datasheet × min(1, ratio × efficiency)",
            f"{p}hbm_bytes_per_s*MIN(1,{p}achievable_bandwidth_ratio*{p}bandwidth_efficiency)",
            "0.000E+00",
            "bytes/s",
        )
        fp4 = (
            f"*{p}fp4_gemm_efficiency_ratio"
            if any(c.key == "fp4_gemm_efficiency_ratio" for c in setup.constants)
            else ""
        )
        self._named(
            p + "eff_gemm_flops_per_s",
            "Effective GEMM FLOP/s = peak × min(1, ratio × efficiency)",
            f"{p}gemm_peak_flops_per_s*MIN(1,{p}achievable_compute_ratio*{p}compute_efficiency{fp4})",
            "0.000E+00",
            "FLOP/s",
        )
        self._named(
            p + "eff_attention_flops_per_s",
            "Effective attention FLOP/s",
            f"{p}attention_peak_flops_per_s*MIN(1,{p}achievable_compute_ratio*{p}compute_efficiency)",
            "0.000E+00",
            "FLOP/s",
        )
        self._named(
            p + "eff_link_bytes_per_s",
            "Effective link bandwidth = link × interconnect efficiency",
            f"{p}link_bytes_per_s*{p}interconnect_efficiency",
            "0.000E+00",
            "bytes/s",
        )
        grid = [float(g) for g in ev.cached_grid]
        n_features = len(self.spec.model.mix.names)
        # the summary rows come first; the tables below fill in the seconds they reference
        grid_row = self._label("Cache-hit grid (library CACHED_GRID)")
        for k, g in enumerate(grid):
            write_value(self.ws.cell(row=grid_row, column=3 + k), g, "0.00")
        first_feature = self.row + 1
        self.row += n_features
        verdict_row = self._label("Fits in memory and meets its latency targets (every table)")
        results: list[list[tuple[str, str, str]]] = []
        for i in range(1, n_features + 1):
            results.append([self._table(j, i, g, ev, setup) for g in grid])
        self._summary(j, ev, grid_row, first_feature, verdict_row, results)

    def _summary(
        self,
        j: int,
        ev: SelfHostedEvaluator,
        grid_row: int,
        first_feature: int,
        verdict_row: int,
        results: list[list[tuple[str, str, str]]],
    ) -> None:
        ws, n = self.ws, len(results[0])
        g_span = f"$C${grid_row}:${column_letter(2 + n)}${grid_row}"
        for i, per_grid in enumerate(results, start=1):
            r = first_feature + i - 1
            write_text_cell(
                ws.cell(row=r, column=1),
                f"{self.spec.model.mix.names[i - 1]}: replica-seconds per request by grid point "
                "→ at its cache-hit share (col J)",
            )
            for k, (seconds, _meets, _fits) in enumerate(per_grid):
                write_value(ws.cell(row=r, column=3 + k), Formula(f"={seconds}"), SECONDS)
            s_span = f"$C${r}:${column_letter(2 + n)}${r}"
            c = f"f{i}_cached_input_fraction"
            lo = f"MATCH({c},{g_span},1)"
            hi = f"MIN({lo}+1,{n})"

            def at(span: str, k: str) -> str:
                return f"INDEX({span},{k})"

            interp = (
                f"=IF({hi}={lo},{at(s_span, lo)},({at(s_span, hi)}-{at(s_span, lo)})"
                f"/({at(g_span, hi)}-{at(g_span, lo)})*({c}-{at(g_span, lo)})+{at(s_span, lo)})"
            )
            col = column_letter(3 + n)
            write_value(ws.cell(row=r, column=3 + n), Formula(interp), SECONDS)
            self.book.define(f"o{j}_f{i}_replica_s_per_request", ws.title, f"${col}${r}")
        checks = [
            x for per_grid in results for (_s, meets, fits) in per_grid for x in (meets, fits)
        ]
        write_value(ws.cell(row=verdict_row, column=2), Formula(f"=AND({','.join(checks)})"))
        self.book.define(f"o{j}_meets_latency_targets", ws.title, f"$B${verdict_row}")

    def _table(
        self, j: int, i: int, g: float, ev: SelfHostedEvaluator, setup: PerfSetup
    ) -> tuple[str, str, str]:
        """One candidate-batch table; returns (seconds, meets, fits) cell references."""
        p = f"o{j}_"
        self.row += 1
        name = self.spec.model.mix.names[i - 1]
        self._label(f"{ev.name} · {name} · cache-hit share {g:g}", bold=True)
        x = self._scalars(j, i, g, setup)
        header = self._label("")
        for k, (_key, label, _fmt) in enumerate(TABLE, start=1):
            write_text_cell(self.ws.cell(row=header, column=k), label)
        first = self.row + 1
        for k in range(CANDIDATES):
            self._candidate(p, setup, k, x)
        last = self.row
        span = {key: f"${COL[key]}${first}:${COL[key]}${last}" for key in COL}
        best = self._scalar(
            "Highest output tokens/s meeting the targets",
            f"MAX({span['score']})",
            "#,##0.0",
            "tokens/s",
        )
        if setup.max_throughput:
            meets = self._scalar("Meets targets (none given: capacity batch)", "TRUE", GENERAL)
            tps_ref = f"${COL['tps']}${last}"
            batch_ref = f"${COL['batch']}${last}"
        else:
            meets = self._scalar("Meets targets at some batch", f"{best}>0", GENERAL)
            tps_ref = f"IF({meets},{best},${COL['tps']}${first})"
            batch_ref = f"IF({meets},INDEX({span['batch']},MATCH({best},{span['score']},0)),1)"
        self._scalar("Batch chosen", batch_ref, INTEGER, "sequences")
        tps = self._scalar("Output tokens/s per replica", tps_ref, "#,##0.0", "tokens/s")
        rps = self._scalar("Requests/s per replica", f"{tps}/{x['out']}", "0.0000", "requests/s")
        seconds = self._scalar("Replica-seconds per request", f"1/{rps}", SECONDS, "s")
        fits = self._scalar("Fits (KV cache holds ≥ 1 sequence)", f"{x['capacity']}>=1", GENERAL)
        return seconds, meets, fits

    def _scalars(self, j: int, i: int, g: float, setup: PerfSetup) -> dict[str, str]:
        p, s = f"o{j}_", self._scalar
        x: dict[str, str] = {}
        r = self._label("Cache-hit share (grid point)")
        write_value(self.ws.cell(row=r, column=2), g, "0.00")
        x["g"] = f"$B${r}"
        images = self.spec.model.evaluators[j - 1].image_tokens_per_request is not None
        prompt = f"f{i}_input_tokens_per_request" + (
            f"+o{j}_f{i}_image_tokens_per_request" if images else ""
        )
        x["prompt"] = s("Prompt tokens (text + images)", prompt, INTEGER, "tokens")
        x["out"] = s("Output tokens", f"f{i}_output_tokens_per_request", INTEGER, "tokens")
        x["computed"] = s(
            "Prompt tokens prefilled (not cached)",
            f"{x['prompt']}*(1-{x['g']})",
            "#,##0.0",
            "tokens",
        )
        x["r"] = s("Prefill tokens per output token", f"{x['computed']}/{x['out']}", "0.000")
        x["ctx"] = s("Average decode context", f"{x['prompt']}+{x['out']}/2", "#,##0.0", "tokens")
        x["ctx_sum"] = s(
            "Attended context per decoded token, all layers",
            layer_context_sum(p, setup, f"{x['ctx']}-1", x["ctx"]),
            "#,##0",
            "tokens",
        )
        pre = layer_context_sum(p, setup, f"{x['prompt']}-{x['computed']}", x["prompt"])
        x["pctx"] = s(
            "Attended context per prefilled token, all layers",
            f"IF({x['computed']}>0,({pre})/MAX({x['computed']},1),0)",
            "#,##0",
            "tokens",
        )
        x["kv_read"] = s(
            "KV bytes read per decoding sequence per step, per GPU",
            kv_bytes_per_sequence(p, setup, x["ctx"], True),
            "0.000E+00",
            "bytes",
        )
        held = f"{x['prompt']}+{x['out']}" + ("" if setup.reserves_full_sequence_kv else "/2")
        x["held"] = s(
            "KV context held per sequence (engine admission rule)", held, "#,##0.0", "tokens"
        )
        paged = f"CEILING({x['held']}/{p}kv_block_tokens,1)*{p}kv_block_tokens"
        x["kv_seq"] = s(
            "KV bytes per sequence per GPU (whole pages)",
            kv_bytes_per_sequence(p, setup, f"({paged})", setup.kv_chunked),
            "0.000E+00",
            "bytes",
        )
        x["capacity"] = s(
            "Sequences the KV cache holds",
            f"IF({x['kv_seq']}>0,INT({p}kv_budget_bytes_per_gpu/{x['kv_seq']})*{p}ep,0)",
            INTEGER,
            "sequences",
        )
        x["top"] = s(
            "Largest candidate batch = max(1, min(KV capacity, batch cap))",
            f"MAX(MIN({x['capacity']},{p}max_batch*{p}ep),1)",
            INTEGER,
            "sequences",
        )
        if setup.images:
            x["enc"] = s(
                "Vision encoder FLOPs per prefilled token per GPU",
                f"o{j}_f{i}_image_tiles_per_request*{p}encoder_flops_per_tile/{x['prompt']}/{p}tp",
                "0.000E+00",
                "FLOPs",
            )
        return x

    def _candidate(self, p: str, setup: PerfSetup, k: int, x: dict[str, str]) -> None:
        self.row += 1
        r, ws = self.row, self.ws
        c = {key: f"{COL[key]}{r}" for key in COL}
        enc = x.get("enc")

        def step(prefill: str, pctx: str, with_encoder: bool = True, b: str = c["b"]) -> str:
            return step_time(
                p,
                setup,
                b=b,
                prefill=prefill,
                kv_read_per_seq=x["kv_read"],
                decode_ctx_sum=x["ctx_sum"],
                prefill_ctx=pctx,
                encoder_flops_per_token=enc if with_encoder else None,
            )

        tpot_slo, ttft_slo = f"{p}tpot_slo_s", f"{p}ttft_slo_s"
        steady = f"{x['r']}*{c['b']}"  # prompt tokens per step in the steady state
        pass_b = "0" if setup.separate_prefill else c["b"]  # who decodes in a prefill pass
        # a step shared with decoding leaves the budget minus the batch to prompts; a prefill
        # pass of its own has the whole budget (perf.serving._steady_state)
        room = f"{p}max_batched_tokens" + ("" if setup.separate_prefill else f"-{c['b']}")
        cells = {
            "k": str(k),
            "batch": f"INT({x['top']}^({k}/{CANDIDATES - 1}))",
            "b": f"{c['batch']}/({p}ep*{p}pp)",
            "chunk": f"MAX(MAX({room},{steady}),1)",
            "frac": f"IF({x['computed']}>0,MIN({steady}/{c['chunk']},1),0)",
            "mixed": launch_bound(p, step(c["chunk"], x["pctx"], b=pass_b))
            + (f"+{c['decode']}" if setup.separate_prefill else ""),
            "decode": step("0", "0", with_encoder=False),
            "tpot": f"{p}pp*({c['frac']}*{c['mixed']}+(1-{c['frac']})*{c['decode']})",
            "own": launch_bound(p, step(f"MIN({c['chunk']},{x['computed']})", x["pctx"], b=pass_b)),
            "ttft": f"MAX(CEILING({x['computed']}/{c['chunk']},1),1)*{p}pp*{c['own']}",
            "tps": f"{c['batch']}/{c['tpot']}",
            "ok": f"AND(IF(ISNUMBER({tpot_slo}),{c['tpot']}<={tpot_slo},TRUE),"
            f"IF(ISNUMBER({ttft_slo}),{c['ttft']}<={ttft_slo},TRUE))",
            "score": f"IF({c['ok']},{c['tps']},-1)",
        }
        for col, (key, _label, fmt) in enumerate(TABLE, start=1):
            text = cells[key]
            value: Any = float(k) if key == "k" else Formula("=" + text)
            write_value(ws.cell(row=r, column=col), value, fmt)
