# %% [markdown]
# # Long contexts and images: where pay-per-token costs rise
#
# "Pay-per-token costs rise with long contexts and multimodal inputs." An agent sends a
# 100,000-token prompt (its history, tool output, documents) plus two 1920×1080 screenshots
# and gets 1,000 tokens back. Each provider turns an image into input tokens by its own
# published rule; self-hosted Llama 4 turns it into prefill tokens by its image processor
# (336-px tiles, 144 tokens each after pixel shuffle, plus a global tile), and each tile's pass
# through the vision encoder (about 1 TFLOP, in BF16) adds to the prefill compute.
#
# The images are a workload input (``images_per_request`` of ``image_width_px`` ×
# ``image_height_px``): one scenario holds every option, and each option turns the images into
# its own input tokens.
#
# Options: GPT-4o (128k context), GPT-4.1 (1M context, cheaper, 75 % off cached input),
# Gemini 2.5 Pro (a long-context tiered offer: a prompt of more than 200k tokens is billed
# entirely at higher prices) and Llama 4 Maverick (FP8, vLLM) on 8×H100 on demand. Each is
# compared with and without prompt caching (90 % of the prompt a cache hit, as an agent loop
# that appends to its context gets).

# %%
from llmcost.analysis import breakeven
from llmcost.scenario import compare, parse_scenario

TEXT_TOKENS, OUTPUT_TOKENS = 100_000, 1_000
IMAGES, WIDTH_PX, HEIGHT_PX = 2, 1920, 1080
REQUESTS_PER_MONTH = 300_000  # ~7 agent calls a minute
CACHED = 0.9

# %% [markdown]
# ## One scenario for every option: text plus two screenshots per request

# %%
API_OFFERS = {
    "gpt-4o": "openai/gpt-4o",
    "gpt-4-1": "openai/gpt-4.1",
    "gemini-2-5-pro": "google/gemini-2.5-pro",
}
OPTIONS = {
    **{n: {"name": n, "kind": "api", "offer": o} for n, o in API_OFFERS.items()},
    "maverick-8xh100": {
        "name": "maverick-8xh100",
        "kind": "self_hosted",
        "model": "llama-4-maverick",
        "gpu": "h100-sxm",
        "gpus_per_replica": 8,
        "precision": "fp8",
        "engine": "vllm",
    },
}


def agent_comparison(text_tokens: int, names):
    """Compare the options ``names`` on the agent workload (text + images per request)."""
    return compare(
        parse_scenario(
            {
                "name": "agent",
                "workload": {
                    "requests_per_month": REQUESTS_PER_MONTH,
                    "input_tokens_per_request": text_tokens,
                    "output_tokens_per_request": OUTPUT_TOKENS,
                    "images_per_request": IMAGES,
                    "image_width_px": WIDTH_PX,
                    "image_height_px": HEIGHT_PX,
                },
                "options": [OPTIONS[n] for n in names],
            }
        )
    )


comparison = agent_comparison(TEXT_TOKENS, OPTIONS)
image_tokens = {
    name: comparison.option(name).indicators["image_tokens_per_request"] for name in OPTIONS
}
for name, tokens in image_tokens.items():
    print(f"{name:>16}: {IMAGES} × {WIDTH_PX}×{HEIGHT_PX} images = {tokens:,.0f} input tokens")


all_options = comparison.model  # inputs → monthly cost [USD] of every option, vectorized


monthly = {
    label: all_options({"cached_input_fraction": fraction})
    for label, fraction in (("no caching", 0.0), ("caching", CACHED))
}
print(f"{REQUESTS_PER_MONTH:,} requests a month, {TEXT_TOKENS:,} text tokens each:")
for name in OPTIONS:
    no, yes = monthly["no caching"][name], monthly["caching"][name]
    print(
        f"  {name:>16}: ${no:,.0f}/month without caching, ${yes:,.0f} with "
        f"({1 - yes / no:.0%} saved); ${no / REQUESTS_PER_MONTH:.4f} → "
        f"${yes / REQUESTS_PER_MONTH:.4f} per request"
    )
maverick = comparison.option("maverick-8xh100")
print(
    f"  Maverick capacity {maverick.indicators['capacity_requests_per_s_per_replica']:.2f} "
    f"requests/s per replica without caching; TTFT {maverick.ttft_s:.2f} s at full load"
)

# %% [markdown]
# ## Break-even volume against the cheapest API, with and without caching

# %%
flip = {}
for label, fraction in (("no caching", 0.0), ("caching", CACHED)):
    cheapest_api = min(API_OFFERS, key=lambda n: monthly[label][n])
    result = breakeven(
        all_options,
        "requests_per_month",
        1e3,
        1e8,
        option_a=cheapest_api,
        option_b="maverick-8xh100",
        inputs={"cached_input_fraction": fraction},
        scale="log",
        n_grid=513,
    )
    flip[label] = (cheapest_api, result.sustained)
    print(
        f"{label}: self-hosted Maverick cheaper than {cheapest_api} from "
        f"{result.sustained:,.0f} requests/month"
    )

# %% [markdown]
# ## Longer prompts: the context window and the long-context tier
#
# At 250,000 text tokens GPT-4o cannot take the prompt at all (128k window) and Gemini 2.5
# Pro bills the whole request at its >200k tier.

# %%
LONG_TEXT = 250_000
long_comparison = agent_comparison(LONG_TEXT, API_OFFERS)  # compare() checks each window
long_prompt = {}
tier_factor = {}  # USD per prompt token at 250k ÷ at 100k
for name in API_OFFERS:
    option = long_comparison.option(name)
    if not option.feasible:
        long_prompt[name] = None
        print(f"  {name:>16}: infeasible: {option.warnings[0]}")
        continue
    prompt = LONG_TEXT + image_tokens[name]
    per_request = option.monthly_cost_usd / REQUESTS_PER_MONTH
    long_prompt[name] = per_request
    per_1k = per_request / (prompt / 1000)
    short_per_1k = (
        monthly["no caching"][name]
        / REQUESTS_PER_MONTH
        / ((TEXT_TOKENS + image_tokens[name]) / 1000)
    )
    tier_factor[name] = per_1k / short_per_1k
    notes = "; ".join(option.warnings)
    print(
        f"  {name:>16}: ${per_request:.4f} per request, ${per_1k:.5f} per 1k prompt tokens "
        f"(vs ${short_per_1k:.5f} at 100k). {notes}".rstrip()
    )

# %% [markdown]
# ## Verdict

# %%
gpt4o = monthly["no caching"]["gpt-4o"], monthly["caching"]["gpt-4o"]
mav = monthly["no caching"]["maverick-8xh100"], monthly["caching"]["maverick-8xh100"]
print(
    f"VERDICT: At {REQUESTS_PER_MONTH:,} agent calls a month with 100k-token prompts and "
    f"{IMAGES} screenshots, GPT-4o costs ${gpt4o[0]:,.0f}/month (${gpt4o[1]:,.0f} with 90 % "
    f"prompt caching), GPT-4.1 ${monthly['no caching']['gpt-4-1']:,.0f} "
    f"(${monthly['caching']['gpt-4-1']:,.0f}), self-hosted Maverick on 8×H100 "
    f"${mav[0]:,.0f} (${mav[1]:,.0f}). Without caching self-hosting wins above "
    f"{flip['no caching'][1]:,.0f} calls/month against {flip['no caching'][0]}; caching cuts "
    f"the API bill more than the GPU bill and moves the flip to {flip['caching'][1]:,.0f} "
    f"against {flip['caching'][0]}. Images add {image_tokens['gpt-4o']:,.0f} tokens on "
    f"OpenAI, {image_tokens['gemini-2-5-pro']:,.0f} on Gemini and "
    f"{image_tokens['maverick-8xh100']:,.0f} prefill tokens on Llama 4 — small next to 100k "
    "of text. Past 200k tokens Gemini 2.5 Pro's tier raises the price per token "
    f"{tier_factor['gemini-2-5-pro']:.2f}x "
    "and GPT-4o cannot take the prompt. Assumptions: 1,000 output tokens, vLLM at max "
    "throughput with prefix caching, catalog median on-demand H100 price, 80 % planned "
    "utilization, 0.5 FTE."
)
