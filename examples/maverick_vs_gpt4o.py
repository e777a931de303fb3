# %% [markdown]
# # "Maverick beats GPT-4o at about one ninth of the cost per token" — when?
#
# Meta (2025-04-05) estimated serving Llama 4 Maverick at $0.19–$0.49 per 1M tokens (3:1
# input:output blend; $0.30–$0.49 on a single host) against $4.38 for GPT-4o. The "one
# ninth" is derived: 4.38 / 0.49 ≈ 8.9. Meta's figure is an internal serving-cost estimate,
# not a market price, and it states neither the GPU price nor the utilization behind it.
#
# Here: GPT-4o's blended price from the catalog, third-party Maverick APIs blended the same
# way, the self-hosted $/1M on 8×H100 and 8×H200 (FP8 weights, vLLM) at catalog rental
# prices, and — with the break-even solver and a tornado — the utilizations and GPU prices
# at which the ratio reaches 1/9, and where it does not.

# %%
import os
from pathlib import Path

import numpy as np

from llmcost.analysis import ParameterSpace, breakeven, sweep_arrays, tornado
from llmcost.catalog import load_catalog
from llmcost.cost.api import api_bill
from llmcost.scenario import compare, parse_scenario

catalog = load_catalog()
INPUT_SHARE = 0.75  # 3:1 input:output
BLEND_MTOK = 1e6  # price one blended million tokens


def blended_usd_per_mtok(offer_id: str) -> float:
    """Price of 1M tokens split 3:1 input:output on the offer's latest list prices."""
    row = catalog.api_price(offer_id)
    return api_bill(
        requests_per_month=1,
        input_tokens_per_request=INPUT_SHARE * BLEND_MTOK,
        output_tokens_per_request=(1 - INPUT_SHARE) * BLEND_MTOK,
        input_usd_per_mtok=row.input_usd_per_mtok,
        output_usd_per_mtok=row.output_usd_per_mtok,
    ).usd_per_mtok


gpt4o_blended = blended_usd_per_mtok("openai/gpt-4o")
TARGET_RATIO = 1 / 9
print(f"GPT-4o blended 3:1: ${gpt4o_blended:.3f} per 1M tokens (Meta: $4.38)")

# %% [markdown]
# ## Third-party Maverick APIs, blended 3:1

# %%
maverick_offers = sorted(
    {r.offer_id for r in catalog.api_prices if r.llama_model == "llama-4-maverick"}
)
third_party = {offer: blended_usd_per_mtok(offer) for offer in maverick_offers}
for offer, price in sorted(third_party.items(), key=lambda kv: kv[1]):
    print(f"  {offer:<28} ${price:.3f}/1M  = GPT-4o / {gpt4o_blended / price:4.1f}")

# %% [markdown]
# ## Self-hosted: a large fleet so that whole-replica rounding does not matter
#
# One trillion tokens a month at 1,500 input + 500 output tokens per request (3:1), a flat
# day, capacity from the performance model at max throughput, no staff or fixed costs (Meta's
# figure is a serving cost). GPU prices: the catalog's median on-demand offer among the
# instances that hold an 8-GPU replica whole (8-GPU instances), and the cheapest of those.

# %%
GPUS = {"h100": "h100-sxm", "h200": "h200"}
prices = {}
for short, gpu in GPUS.items():
    quote = catalog.replica_gpu_price(gpu, 8, "on_demand")
    cheapest = min(quote.used, key=lambda r: r.usd_per_gpu_hour)
    prices[short] = {
        "median": quote.usd_per_gpu_hour,
        "cheapest": cheapest.usd_per_gpu_hour,
        "cheapest_provider": cheapest.provider,
    }

scenario = parse_scenario(
    {
        "name": "maverick-vs-gpt-4o",
        "workload": {
            "tokens_per_month": 1e12,
            "input_tokens_per_request": 1500,
            "output_tokens_per_request": 500,
        },
        "options": [
            {"name": "gpt-4o", "kind": "api", "offer": "openai/gpt-4o"},
            *(
                {
                    "name": f"maverick-8x{short}",
                    "kind": "self_hosted",
                    "model": "llama-4-maverick",
                    "gpu": gpu,
                    "gpus_per_replica": 8,
                    "precision": "fp8",
                    "engine": "vllm",
                    "pricing": "on_demand",
                    "gpu_usd_per_hour": prices[short]["median"],
                    "target_utilization": 1.0,
                    "engineering_fte": 0.0,
                }
                for short, gpu in GPUS.items()
            ),
        ],
    }
)
comparison = compare(scenario)
model = comparison.model
api_cost = comparison.option("gpt-4o").monthly_cost_usd

self_hosted = {}
for short in GPUS:
    name = f"maverick-8x{short}"
    out = comparison.option(name)
    at_cheapest = model.evaluate(
        {f"{name}.gpu_usd_per_hour": prices[short]["cheapest"]}, outputs=("usd_per_mtok",)
    )[name]["usd_per_mtok"]
    self_hosted[short] = {
        "tokens_per_s_per_replica": out.indicators["capacity_requests_per_s_per_replica"] * 2000,
        "usd_per_mtok_median_price": out.usd_per_mtok,
        "usd_per_mtok_cheapest_price": float(at_cheapest),
        "replicas": out.replicas,
        "utilization": out.utilization,
    }
    r = self_hosted[short]
    print(
        f"{name}: {r['tokens_per_s_per_replica']:,.0f} tokens/s per replica, "
        f"{r['replicas']:.0f} replicas at {r['utilization']:.1%} load → "
        f"${r['usd_per_mtok_median_price']:.3f}/1M "
        f"at ${prices[short]['median']:.2f}/GPU-h (median), "
        f"${r['usd_per_mtok_cheapest_price']:.3f}/1M at ${prices[short]['cheapest']:.2f} "
        f"({prices[short]['cheapest_provider']})"
    )

# %% [markdown]
# ## Where the ratio reaches 1/9: GPU price at break-even, by utilization
#
# Self-hosted cost equals GPT-4o's cost / 9 along a line in (utilization, $/GPU-hour). The
# break-even solver finds, for each planned utilization, the highest GPU price at which
# Maverick still costs at most 1/9 of GPT-4o.

# %%
H100 = "maverick-8xh100"


def against_ninth(option: str):
    """A model: monthly cost of ``option`` and one ninth of GPT-4o's bill [USD]."""

    def costs(inputs):
        out = model(inputs)
        return {option: out[option], "gpt-4o / 9": out["gpt-4o"] * TARGET_RATIO}

    return costs


UTILIZATIONS = (1.0, 0.8, 0.6, 0.4, 0.2)
max_price_for_ninth = {}
for short in GPUS:
    name = f"maverick-8x{short}"
    for u in UTILIZATIONS:
        result = breakeven(
            against_ninth(name),
            f"{name}.gpu_usd_per_hour",
            0.25,
            20.0,
            option_a=name,
            option_b="gpt-4o / 9",
            inputs={"target_utilization": u},
            n_grid=257,
        )
        max_price_for_ninth[short, u] = result.first
    print(
        f"  {name}: 1/9 of GPT-4o while the GPU costs at most "
        + ", ".join(f"${max_price_for_ninth[short, u]:.2f}/h at {u:.0%}" for u in UTILIZATIONS)
    )

# %% [markdown]
# ## Tornado: what moves the ratio most
#
# Around a baseline of the median H100 price and 80 % planned utilization, each input moves
# over its whole range: GPU price from the cheapest to the most expensive on-demand H100 in
# the catalog; utilization 30–100 %; capacity ±30 % around the performance model (its error
# against published measurements is ~10–15 %, plus engine and tuning spread).

# %%
h100_offers = catalog.gpu_offers_for("h100-sxm", "on_demand")
RANGES = {
    "gpu_usd_per_hour": (
        min(r.usd_per_gpu_hour for r in h100_offers),
        max(r.usd_per_gpu_hour for r in h100_offers),
    ),
    "target_utilization": (0.3, 1.0),
    "capacity_multiplier": (0.7, 1.3),
}
BASELINE = {
    "gpu_usd_per_hour": prices["h100"]["median"],
    "target_utilization": 0.8,
    "capacity_multiplier": 1.0,
}
space = ParameterSpace.from_dict(
    {
        name: {"dist": "uniform", "low": lo, "high": hi, "baseline": BASELINE[name]}
        for name, (lo, hi) in RANGES.items()
    }
)
ratio_tornado = tornado(
    model,
    space,
    lambda o: o[H100] / o["gpt-4o"],
    output_name="Maverick 8×H100 cost / GPT-4o cost",
    ranges=RANGES,
)
print(ratio_tornado.to_frame()[["input", "low", "high", "output_at_low", "output_at_high"]])

# %% [markdown]
# ## Map: where self-hosting reaches 1/9 (optional figure)

# %%
price_axis = np.linspace(1.0, 12.0, 45)
util_axis = np.linspace(0.1, 1.0, 37)
grid_price, grid_util = np.meshgrid(price_axis, util_axis)
grid = sweep_arrays(
    against_ninth(H100),
    {"gpu_usd_per_hour": grid_price.ravel(), "target_utilization": grid_util.ravel()},
)
share_reaching_ninth = float(np.mean(grid[H100] <= grid["gpt-4o / 9"]))
out_dir = os.environ.get("LLMCOST_EXAMPLES_OUT")
if out_dir:
    from llmcost.export.plots import breakeven_map_figure

    figure = breakeven_map_figure(
        price_axis,
        util_axis,
        {k: v.reshape(grid_util.shape) for k, v in grid.items()},
        x_label="H100 price [USD/GPU-hour]",
        y_label="planned utilization",
    )
    figure.savefig(Path(out_dir) / "maverick_vs_gpt4o_map.png", dpi=100)

# %% [markdown]
# ## Verdict

# %%
h100, h200 = self_hosted["h100"], self_hosted["h200"]
# Lowest utilization (of those solved above) at which the median price reaches 1/9, if any.
lowest_utilization = {
    short: min(
        (u for u in UTILIZATIONS if max_price_for_ninth[short, u] >= prices[short]["median"]),
        default=None,
    )
    for short in GPUS
}
print(
    "VERDICT: 'One ninth' holds for a busy fleet at moderate GPU prices, not otherwise. "
    f"GPT-4o blended 3:1 = "
    f"${gpt4o_blended:.3f}/1M; 1/9 of it is ${gpt4o_blended * TARGET_RATIO:.3f}. Self-hosted "
    f"Maverick FP8 near full load: 8×H100 ${h100['usd_per_mtok_median_price']:.2f}/1M at the "
    f"median on-demand ${prices['h100']['median']:.2f}/GPU-h (GPT-4o / "
    f"{gpt4o_blended / h100['usd_per_mtok_median_price']:.1f}), "
    f"${h100['usd_per_mtok_cheapest_price']:.2f} at ${prices['h100']['cheapest']:.2f}; "
    f"8×H200 ${h200['usd_per_mtok_median_price']:.2f} at ${prices['h200']['median']:.2f}, "
    f"${h200['usd_per_mtok_cheapest_price']:.2f} at ${prices['h200']['cheapest']:.2f}. "
    f"The ratio reaches 1/9 on H100 below ${max_price_for_ninth['h100', 1.0]:.2f}/GPU-h at "
    f"100 % utilization, ${max_price_for_ninth['h100', 0.6]:.2f} at 60 %, "
    f"${max_price_for_ninth['h100', 0.2]:.2f} at 20 % ({share_reaching_ninth:.0%} of the "
    f"$1–12 × 10–100 % map); on H200 below ${max_price_for_ninth['h200', 1.0]:.2f} at 100 %. "
    + " ".join(
        f"At the median on-demand price the {short.upper()} fleet "
        + (
            f"reaches it from {lowest_utilization[short]:.0%} utilization."
            if lowest_utilization[short] is not None
            else "does not reach it even at 100 % utilization."
        )
        for short in GPUS
    )
    + " "
    + "Third-party Maverick "
    f"APIs charge ${min(third_party.values()):.2f}–${max(third_party.values()):.2f}/1M blended. "
    "Assumptions: vLLM at max throughput (1,500 in / 500 out), flat day, no staff, "
    "catalog on-demand prices."
)
