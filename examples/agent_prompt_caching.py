# %% [markdown]
# # An agent with long contexts and heavy prompt caching: who wins depends on the hit rate
#
# The decision: a tool-using agent makes 2M model calls a month; each re-sends a ~40k-token
# transcript of which ~85 % was sent one step earlier
# (`examples/scenarios/example-agent-prompt-caching.toml`). Providers price a cache hit very
# differently — GPT-4o 50 % off, GPT-4.1 75 % off, Claude Sonnet 4.5 and Gemini 2.5 Pro 90 %
# off, Claude also charging 25 % extra to *write* the cache — and a self-hosted engine with
# prefix caching turns hits into spare capacity rather than a discount. So the hit rate, an
# input nobody knows exactly before launch, decides the ranking. This notebook finds the hit
# rates where the ranking changes and how likely each option is to be cheapest given the
# uncertainty. (The long-context and image side of agents is `long_context_multimodal.py`.)

# %%
from pathlib import Path

import numpy as np

from llmcost.analysis import ParameterSpace, breakeven, monte_carlo
from llmcost.scenario import compare, load_scenario

HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
SCENARIO = HERE / "scenarios" / "example-agent-prompt-caching.toml"
comparison = compare(load_scenario(SCENARIO))
model = comparison.model
names = model.option_names
print(comparison)

# %% [markdown]
# ## Where each bill goes at an 85 % hit rate

# %%
for option in comparison.options:
    parts = ", ".join(f"{k} ${v:,.0f}" for k, v in option.components.items() if v)
    print(f"  {option.name:>18}: {parts}")

# %% [markdown]
# ## The hit-rate sweep
#
# The workload also writes 5 % of each prompt to the cache, so the hit rate runs to 95 %.
# Self-hosted capacity comes from the performance model with that share of the prompt
# skipping prefill.

# %%
hit_rates = np.array([0.0, 0.25, 0.5, 0.75, 0.85, 0.95])
swept = model.evaluate(cached_input_fraction=hit_rates)
costs = np.stack([swept[n]["monthly_cost_usd"] for n in names])
cheapest_by_rate = [names[i] for i in np.argmin(costs, axis=0)]
print("hit rate  " + "  ".join(f"{n:>17}" for n in names))
for j, rate in enumerate(hit_rates):
    row = "  ".join(f"{costs[i, j]:>17,.0f}" for i in range(len(names)))
    print(f"{rate:7.0%}   {row}   cheapest: {cheapest_by_rate[j]}")
caching_saving = {n: 1 - costs[i, 4] / costs[i, 0] for i, n in enumerate(names)}

# %% [markdown]
# ## Break-even hit rates
#
# The hit rate at which two options cost the same: Claude's deeper read discount against
# GPT-4.1's cheaper list price, and self-hosted Maverick against the cheapest API.

# %%
PAIRS = (("gpt-4.1", "claude-sonnet-4.5"), ("gemini-2.5-pro", "maverick-8xh100"))
flip = {}
for a, b in PAIRS:
    result = breakeven(model, "cached_input_fraction", 0.0, 0.95, option_a=a, option_b=b)
    flip[a, b] = result
    where = (
        f"at a hit rate of {result.first:.1%}: {result.cheaper_above[0]} cheaper above"
        if result.crossings.size
        else f"nowhere in 0–95 %: {result.cheaper_at_start} cheaper throughout"
    )
    print(f"  {a} vs {b}: equal {where}")

# %% [markdown]
# ## Uncertainty: how likely is each option to be cheapest?
#
# Hit rate PERT(50 %, 85 %, 95 %) — the transcript may be reordered or truncated more than
# planned — and volume triangular(1M, 2M, 4M steps a month); 2,000 seeded draws.

# %%
baseline_volume = model.mix.total_requests_per_month
space = ParameterSpace.from_dict(
    {
        "cached_input_fraction": {"dist": "pert", "low": 0.5, "mode": 0.85, "high": 0.95},
        "requests_per_month": {
            "dist": "triangular",
            "low": 0.5 * baseline_volume,
            "mode": baseline_volume,
            "high": 2.0 * baseline_volume,
        },
    }
)
uncertain = monte_carlo(model, space, 2_000, seed=7, options=list(names))
for name in names:
    s = uncertain.summary[name]
    print(
        f"  {name:>18}: P50 ${s['p50']:,.0f}/month (P5 ${s['p5']:,.0f} – P95 ${s['p95']:,.0f}), "
        f"cheapest in {uncertain.probability_cheapest[name]:.0%} of draws"
    )

# %% [markdown]
# ## Verdict

# %%
likely = max(uncertain.probability_cheapest, key=uncertain.probability_cheapest.__getitem__)
c41 = flip["gpt-4.1", "claude-sonnet-4.5"]
mav = flip["gemini-2.5-pro", "maverick-8xh100"]
print(
    f"VERDICT: At the planned 85 % hit rate {comparison.cheapest} is cheapest "
    f"(${comparison.option(str(comparison.cheapest)).monthly_cost_usd:,.0f}/month); caching "
    f"saves {caching_saving['gemini-2.5-pro']:.0%} on Gemini, "
    f"{caching_saving['claude-sonnet-4.5']:.0%} on Claude, {caching_saving['gpt-4.1']:.0%} on "
    f"GPT-4.1, {caching_saving['gpt-4o']:.0%} on GPT-4o and "
    f"{caching_saving['maverick-8xh100']:.0%} self-hosted (hits skip prefill: fewer replicas "
    "at peak). "
    + (
        f"Claude overtakes GPT-4.1 above a {c41.first:.0%} hit rate. "
        if c41.crossings.size
        else f"{c41.cheaper_at_start} is cheaper than "
        f"{({c41.option_a, c41.option_b} - {c41.cheaper_at_start}).pop()} at every hit rate "
        "up to 95 %. "
    )
    + (
        f"Self-hosted Maverick is cheaper than Gemini below a {mav.first:.0%} hit rate, "
        "Gemini above. "
        if mav.crossings.size
        else f"{mav.cheaper_at_start} is cheaper than "
        f"{({mav.option_a, mav.option_b} - {mav.cheaper_at_start}).pop()} at every hit rate "
        "up to 95 %. "
    )
    + f"With the hit rate and volume uncertain, {likely} is cheapest in "
    f"{uncertain.probability_cheapest[likely]:.0%} of draws. Assumptions: 40k-token prompts, "
    "600 output tokens, 5 % cache writes, catalog prices today, Maverick FP8 with TTFT ≤ 3 s "
    "and TPOT ≤ 60 ms on catalog-median on-demand H100s, 0.5 FTE."
)
