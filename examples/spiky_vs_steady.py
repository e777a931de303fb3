# %% [markdown]
# # Spiky prototype vs steady production: the same average volume, different winners
#
# "GPT-4o is pay-per-token: it scales cleanly for prototypes and variable workloads, but costs
# rise with high-volume production." The API bill depends only on tokens; a self-hosted fleet
# pays for the replicas it runs each hour, sized for that hour's demand and never below one.
# So the daily *shape* matters: here the same average volume with a peak-to-average ratio of
# 10 (a spiky prototype: most traffic in a few hours) and 1.3 (steady production).
#
# Options: GPT-4o, and Llama 3.3 70B (FP8, vLLM) on 2×H100 rented on demand at the catalog
# median, replicas added and removed hour by hour (planned at 80 % utilization, at least one
# always on), plus half an engineer to run it (llmcost's default staff assumption); and the
# same deployment with ``autoscaling = false``: a fleet sized for the peak hour, running all month.

# %%

from llmcost.analysis import breakeven
from llmcost.scenario import compare, parse_scenario

SHAPES = {"spiky": 10.0, "steady": 1.3}
LLAMA = {
    "kind": "self_hosted",
    "model": "llama-3.3-70b",
    "gpu": "h100-sxm",
    "gpus_per_replica": 2,
    "precision": "fp8",
    "engine": "vllm",
}
scenario = parse_scenario(
    {
        "name": "spiky-vs-steady",
        "workload": {
            "requests_per_month": 10_000_000,
            "input_tokens_per_request": 1000,
            "output_tokens_per_request": 300,
            "peak_to_average": SHAPES["steady"],
        },
        "options": [
            {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
            {"name": "llama-70b-2xh100", **LLAMA},
            {"name": "llama-70b-2xh100-static", "autoscaling": False, **LLAMA},
        ],
    }
)
comparison = compare(scenario)
model = comparison.model
API, SELF, STATIC = "gpt-4o", "llama-70b-2xh100", "llama-70b-2xh100-static"
BASE_REQUESTS = model.mix.total_requests_per_month
print(comparison)

# %% [markdown]
# Two ways to run the fleet: **autoscaled** hour by hour, or **static** — sized for the peak
# hour and left running, as a prototype without autoscaling usually is (the option with
# ``autoscaling = false``).


# %%
def costs(inputs, *, static=False):
    """Monthly cost [USD] of the API and of the self-hosted fleet (autoscaled or static)."""
    out = model.evaluate(inputs)
    fleet = out[STATIC if static else SELF]
    return {
        API: out[API]["monthly_cost_usd"],
        SELF: fleet["monthly_cost_usd"],
        "replicas_avg": fleet["replicas_avg"],
        "replicas_peak": fleet["replicas_peak"],
        "utilization": fleet["utilization"],
    }


# %% [markdown]
# ## The same 10M requests a month, two daily shapes

# %%
FLEETS = ("autoscaled", "static")
by_case = {}
for label, ratio in SHAPES.items():
    for fleet in FLEETS:
        r = costs({"peak_to_average": ratio}, static=fleet == "static")
        by_case[label, fleet] = r
        print(
            f"{label:>6} (peak/avg {ratio:4g}), {fleet:>10}: GPT-4o ${r[API]:,.0f}/month; "
            f"self-hosted ${r[SELF]:,.0f} ({r['replicas_avg']:.2f} replicas on average, "
            f"{r['replicas_peak']:.0f} at peak, {r['utilization']:.0%} utilized)"
        )

# %% [markdown]
# ## Where it flips: break-even volume for each shape and fleet
#
# The solver scans 100k–1B requests a month on a log grid and refines every crossing (costs
# jump each time a replica is added, so there can be several); ``sustained`` is the volume
# above which self-hosting stays cheaper.

# %%
flip = {}
for label, ratio in SHAPES.items():
    for fleet in FLEETS:
        result = breakeven(
            lambda x, static=(fleet == "static"): costs(x, static=static),
            "requests_per_month",
            1e5,
            1e9,
            option_a=API,
            option_b=SELF,
            inputs={"peak_to_average": ratio},
            scale="log",
            n_grid=513,
        )
        flip[label, fleet] = result.sustained
        where = (
            f"from {result.sustained:,.0f} requests/month "
            f"({result.sustained / BASE_REQUESTS:.2f}x the base volume)"
            if result.sustained == result.sustained  # NaN: never within 100k-1B
            else "never within 100k-1B requests/month"
        )
        print(
            f"{label:>6}, {fleet:>10}: {result.cheaper_at_start} cheaper at low volume; "
            f"self-hosting cheaper for good {where}"
        )

# %% [markdown]
# ## Verdict

# %%
spiky, steady = by_case["spiky", "autoscaled"], by_case["steady", "autoscaled"]
static_spiky = by_case["spiky", "static"]
print(
    f"VERDICT: At {BASE_REQUESTS:,.0f} requests a month the API bill is "
    f"${steady[API]:,.0f} whatever the shape; self-hosting costs ${steady[SELF]:,.0f} "
    f"steady, ${spiky[SELF]:,.0f} spiky with hourly autoscaling and "
    f"${static_spiky[SELF]:,.0f} spiky with a fleet sized for the peak "
    f"({static_spiky['replicas_peak']:.0f} replicas, {static_spiky['utilization']:.0%} "
    f"utilized). Pay-per-token wins below {flip['steady', 'autoscaled']:,.0f} requests/month "
    f"for steady traffic, below {flip['spiky', 'autoscaled']:,.0f} for spiky traffic with "
    + (
        f"autoscaling and below {flip['spiky', 'static']:,.0f} without "
        f"({flip['spiky', 'static'] / flip['steady', 'autoscaled']:.1f}x the steady flip); above, "
        if flip["spiky", "static"] == flip["spiky", "static"]
        else "autoscaling, and at any volume up to 1B for a static fleet sized for the peak; "
        "above the others, "
    )
    + "self-hosting does. Assumptions: 1,000 in / 300 out tokens, Llama 3.3 70B FP8 on 2×H100 "
    "on demand at the catalog median price, 80 % planned utilization, min 1 replica, 0.5 FTE "
    "at $240k/year, hourly replica changes without start-up cost."
)
