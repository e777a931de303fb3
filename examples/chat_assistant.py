# %% [markdown]
# # Self-host or pay per token? A chat assistant, 5M turns a month
#
# The decision: a customer-facing chat assistant (`examples/scenarios/chat-assistant.toml`:
# 2,000 input / 350 output tokens a turn, 40 % of the prompt cached, business-hours traffic
# with a peak 2.5× the mean, +5 % a month). Options: GPT-4o, GPT-4o-mini, Llama 4 Maverick
# hosted by Together, and self-hosting Maverick (8×H100) or Llama 3.3 70B (2×H100) on rented
# GPUs with chat latency targets (TTFT ≤ 2 s, TPOT ≤ 50 ms) and half an engineer.
#
# The cleanest comparison is the *same model* both ways: Maverick through Together's API vs
# Maverick on our own H100s. Then: at what volume does self-hosting win, when does growth get
# us there, and which assumption moves the answer most?

# %%
import os
from pathlib import Path

import numpy as np

from llmcost.analysis import ParameterSpace, breakeven, sweep_arrays, tornado
from llmcost.catalog import load_catalog
from llmcost.scenario import compare, load_scenario

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
SCENARIO = HERE / "scenarios" / "chat-assistant.toml"
comparison = compare(load_scenario(SCENARIO))
model = comparison.model
print(comparison)  # in Jupyter, `comparison` alone renders an HTML table

# %% [markdown]
# ## The components behind each total

# %%
table = comparison.to_frame()
columns = ["monthly_cost_usd", "usd_per_mtok", "gpus_peak", "utilization_fraction"]
columns += ["ttft_s", "tpot_s"]
print(table[columns])
for option in comparison.options:
    parts = ", ".join(f"{k} ${v:,.0f}" for k, v in option.components.items() if v)
    print(f"  {option.name}: {parts}")

# %% [markdown]
# ## Break-even volume: self-hosting vs the API, same model and GPT-4o class
#
# Costs are step functions of volume (whole replicas), so the solver reports every crossing
# and the volume above which self-hosting stays cheaper.

# %%
PAIRS = {
    "maverick": ("maverick-together", "maverick-8xh100"),
    "gpt-4o class": ("gpt-4o", "llama-3.3-70b-2xh100"),
}
volume_now = model.mix.total_requests_per_month
flip = {}


def when_text(result) -> str:
    """Where self-hosting becomes and stays cheaper, in words."""
    if np.isnan(result.sustained):
        return f"at no volume up to {result.search_range[1]:,.0f} requests/month"  # never
    return (
        f"from {result.sustained:,.0f} requests/month "
        f"({result.sustained / volume_now:.1f}x today's volume)"
    )


for label, (api, own) in PAIRS.items():
    result = breakeven(
        model, "requests_per_month", 1e5, 1e10, option_a=api, option_b=own, scale="log"
    )
    flip[label] = result
    print(f"{label}: {own} wins against {api} {when_text(result)}")

# %% [markdown]
# ## When growth gets there: month by month over the horizon (+5 % a month)

# %%
horizon = comparison.horizon_frame().pivot(
    columns="option", values="cost_usd"
)  # long form (period, option, cost_usd, …) → one column per option, indexed by period
first_month = {}
for label, (api, own) in PAIRS.items():
    # the index is calendar months (pandas Period); month k of the horizon is position k - 1
    cheaper = np.flatnonzero((horizon[own] < horizon[api]).to_numpy())
    first_month[label] = int(cheaper[0]) + 1 if cheaper.size else None
    months = comparison.horizon_months
    when = (
        f"is cheaper from month {first_month[label]} of {months}"
        if first_month[label]
        else f"is not cheaper in any of the {months} months"
    )
    print(f"{label}: self-hosting {when}")

# %% [markdown]
# ## Tornado: what moves the saving of self-hosting Maverick
#
# Output: self-hosted minus hosted-API monthly cost (negative = self-hosting saves). Each
# input moves over a plausible range while the others stay at the scenario's values.

# %%
OWN, API = PAIRS["maverick"][1], PAIRS["maverick"][0]
baseline = model.baseline()
h100_prices = [r.usd_per_gpu_hour for r in load_catalog().gpu_offers_for("h100-sxm")]
RANGES = {
    "requests_per_month": (0.5 * volume_now, 2.0 * volume_now),
    f"{OWN}.gpu_usd_per_hour": (min(h100_prices), max(h100_prices)),  # catalog on-demand
    f"{OWN}.engineering_fte": (0.25, 1.0),
    f"{OWN}.capacity_multiplier": (0.7, 1.3),  # perf-model error and tuning
    f"{OWN}.target_utilization": (0.6, 0.95),
    "peak_to_average": (1.5, 4.0),
    "cached_input_fraction": (0.2, 0.7),
    f"{API}.api_price_multiplier": (0.7, 1.5),
}
space = ParameterSpace.from_dict(
    {
        name: {"dist": "uniform", "low": lo, "high": hi, "baseline": baseline[name]}
        for name, (lo, hi) in RANGES.items()
    }
)
saving = tornado(
    model,
    space,
    lambda out: out[OWN] - out[API],
    output_name=f"{OWN} − {API} [USD/month]",
    ranges=RANGES,
)
print(f"baseline: ${saving.baseline_output:,.0f}/month")
print(saving.to_frame()[["input", "low", "high", "output_at_low", "output_at_high"]].to_string())

# %% [markdown]
# ## Figures (written when LLMCOST_EXAMPLES_OUT names a directory)

# %%
out_dir = os.environ.get("LLMCOST_EXAMPLES_OUT")
if out_dir:
    from llmcost.export.plots import cost_curve_figure, tornado_figure

    volumes = np.geomspace(1e5, 1e9, 200)
    curves = sweep_arrays(model, {"requests_per_month": volumes})
    cost_curve_figure(volumes, curves, crossings=list(flip.values()), log_x=True).savefig(
        Path(out_dir) / "chat_assistant_costs.png", dpi=100
    )
    tornado_figure(saving).savefig(Path(out_dir) / "chat_assistant_tornado.png", dpi=100)

# %% [markdown]
# ## Verdict

# %%
own, api = comparison.option(OWN), comparison.option(API)
llama, gpt4o = comparison.option("llama-3.3-70b-2xh100"), comparison.option("gpt-4o")
top = saving.rows[0]
print(
    f"VERDICT: At {volume_now:,.0f} turns a month it depends on the model you need. For "
    f"Maverick, {'pay per token' if api.monthly_cost_usd < own.monthly_cost_usd else 'self-host'}"
    f": {API} costs ${api.monthly_cost_usd:,.0f}/month against "
    f"${own.monthly_cost_usd:,.0f} on our own H100s ({own.gpus:.0f} at peak, "
    f"{own.utilization:.0%} utilized, ${own.components['staff_usd']:,.0f} of it staff); "
    f"self-hosting it wins {when_text(flip['maverick'])}. For GPT-4o-class quality, Llama 3.3 "
    f"70B on 2×H100 costs ${llama.monthly_cost_usd:,.0f} vs GPT-4o's "
    f"${gpt4o.monthly_cost_usd:,.0f} and wins {when_text(flip['gpt-4o class'])}. "
    f"The Maverick answer moves most with {top['input']} (self-hosted minus API "
    f"${top['output_at_low']:,.0f} to ${top['output_at_high']:,.0f}/month). GPT-4o-mini is "
    f"cheapest of all at ${comparison.option('gpt-4o-mini').monthly_cost_usd:,.0f} if its "
    "quality is enough. Assumptions: the scenario file's inputs (latency targets TTFT 2 s, "
    "TPOT 50 ms; 0.5 FTE; Lambda on-demand H100s); catalog prices in force today."
)
