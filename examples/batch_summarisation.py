# %% [markdown]
# # A batch summarisation pipeline: batch-API discount or a busy self-hosted fleet?
#
# The decision: 3M documents a month (6,000 tokens in, a 400-token summary out), needed by the
# next morning (`examples/scenarios/example-batch-summarisation.toml`). Because nothing waits
# for an answer, both sides get their best price: the APIs' batch endpoints (50 % off at
# OpenAI and Bedrock) and a self-hosted fleet that works off a queue around the clock at
# 95 % utilization, without latency targets, on demand or on spot GPUs.

# %%
from pathlib import Path

import numpy as np

from llmcost.analysis import breakeven
from llmcost.scenario import compare, load_scenario

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
SCENARIO = HERE / "scenarios" / "example-batch-summarisation.toml"
comparison = compare(load_scenario(SCENARIO))
model = comparison.model
documents = model.mix.total_requests_per_month
print(comparison)

# %% [markdown]
# ## What the batch discount is worth
#
# The same scenario with no request sent through a batch API (``batch_eligible_fraction``
# = 0): the API bills double, self-hosted costs do not move.

# %%
interactive = model.evaluate(batch_eligible_fraction=0.0)
batch_saving = {}
for option in comparison.options:
    full = interactive[option.name]["monthly_cost_usd"]
    batch_saving[option.name] = 1 - option.monthly_cost_usd / full
    print(
        f"  {option.name:>27}: ${full:>9,.0f}/month interactive → "
        f"${option.monthly_cost_usd:>9,.0f} batch ({batch_saving[option.name]:.0%} saved)"
    )

# %% [markdown]
# ## Cost per 1,000 documents, and what self-hosting costs per token at this utilization

# %%
for option in comparison.options:
    per_1k = option.monthly_cost_usd / documents * 1000
    extra = (
        f"; {option.gpus:.0f} GPUs, {option.utilization:.0%} utilized"
        if option.kind == "self_hosted"
        else ""
    )
    print(
        f"  {option.name:>27}: ${per_1k:6.2f} per 1,000 documents, "
        f"${option.usd_per_mtok:.3f}/1M tokens{extra}"
    )

# %% [markdown]
# ## Break-even volumes: self-hosted Llama 3.3 70B vs the batch APIs
#
# The same model on Bedrock's batch API is the fair comparison; GPT-4o batch is the premium
# alternative. Volume runs from 100k to 1B documents a month.

# %%
PAIRS = (
    ("llama-70b-bedrock", "llama-70b-2xh100-spot"),
    ("llama-70b-bedrock", "llama-70b-2xh100-on-demand"),
    ("gpt-4o", "llama-70b-2xh100-on-demand"),
)
flip = {}
for api, own in PAIRS:
    result = breakeven(
        model, "requests_per_month", 1e5, 1e9, option_a=api, option_b=own, scale="log"
    )
    flip[api, own] = result.sustained
    text = (
        f"from {result.sustained:,.0f} documents/month"
        if np.isfinite(result.sustained)
        else f"at no volume up to {result.search_range[1]:,.0f} documents/month"
    )
    print(f"  {own} beats {api} {text}")

# %% [markdown]
# ## How much the fleet's utilization matters
#
# A batch fleet is cheap only while the queue keeps it busy. Planned at 50 % instead of
# 95 % (e.g. a job that must finish in a 12-hour window), the same volume needs about twice
# the replica-hours.

# %%
SPOT = "llama-70b-2xh100-spot"
big = 30 * documents  # a fleet of several replicas, where utilization shows
by_util = model.evaluate(requests_per_month=big, target_utilization=np.array([0.95, 0.5]))
bedrock_big = by_util["llama-70b-bedrock"]["monthly_cost_usd"][0]
for u, cost in zip((0.95, 0.5), by_util[SPOT]["monthly_cost_usd"], strict=True):
    print(
        f"  {big:,.0f} documents/month, planned {u:.0%}: spot fleet ${cost:,.0f} vs Bedrock "
        f"batch ${bedrock_big:,.0f}"
    )

# %% [markdown]
# ## Verdict

# %%
spot, od = comparison.option(SPOT), comparison.option("llama-70b-2xh100-on-demand")
bedrock, mini = comparison.option("llama-70b-bedrock"), comparison.option("gpt-4o-mini")
spot_vs_bedrock = flip["llama-70b-bedrock", SPOT]
print(
    f"VERDICT: At {documents:,.0f} documents a month, "
    + (
        "use a batch API"
        if comparison.option(str(comparison.cheapest)).kind == "api"
        else "self-host"
    )
    + ": Llama 3.3 70B on "
    f"Bedrock batch costs ${bedrock.monthly_cost_usd:,.0f}/month "
    f"({batch_saving['llama-70b-bedrock']:.0%} below its interactive price), GPT-4o-mini batch "
    f"${mini.monthly_cost_usd:,.0f}. Self-hosting the same 70B model at "
    f"{spot.utilization:.0%} utilization costs ${od.monthly_cost_usd:,.0f} on demand and "
    f"${spot.monthly_cost_usd:,.0f} on spot (${spot.usd_per_mtok:.3f}/1M tokens; "
    f"${spot.components['staff_usd']:,.0f} of it staff) and beats Bedrock batch "
    + (
        f"from {spot_vs_bedrock:,.0f} documents/month on spot"
        if np.isfinite(spot_vs_bedrock)
        else "at no volume up to 1B documents/month on spot"
    )
    + (
        f", from {flip['llama-70b-bedrock', od.name]:,.0f} on demand. "
        if np.isfinite(flip["llama-70b-bedrock", od.name])
        else ", and on demand at no volume up to 1B. "
    )
    + "Against GPT-4o batch, on-demand self-hosting wins from "
    f"{flip['gpt-4o', od.name]:,.0f} documents/month. Assumptions: 6,000 in / 400 out tokens, "
    "no prompt caching, a flat queue at 95 % planned utilization, catalog median on-demand "
    "and spot H100 prices (10 % of spot hours re-run), 0.25 FTE."
)
