# %% [markdown]
# # Repeated sampling: Llama 3.1 70B × k samples vs GPT-4o × 1, per *solved* coding task
#
# The claim: with more samples at inference time Llama 3.1 reached pass@100 = 90.5 % on
# Python code generation, against 90.2 % for GPT-4o with one sample, and pass@1000 = 95.1 %.
#
# Source check (2026-11-23). Brown et al. 2024, *Large Language Monkeys* (arXiv:2407.21787),
# is the reference for coverage growing as an exponentiated power law with k; its headline
# results are SWE-bench Lite (DeepSeek-Coder-V2), CodeContests, GSM8K/MATH (Llama-3-8B/70B
# Instruct) and MiniF2F. The 90.5 % / 95.1 % figures were NOT found in the parts of the paper
# we could read; 90.2 % is GPT-4o's published HumanEval pass@1 (OpenAI simple-evals), so the
# benchmark is most likely HumanEval (164 Python problems, unit-test verified). The Llama size
# is not established: we follow the claim's usual reading (70B) and show the 8B as well.
#
# A verified task needs a verifier: we assume the benchmark's unit tests (run in a sandbox)
# decide, which is optimistic — real test suites let wrong solutions through (Stroebl et al.
# 2024, "Inference Scaling fLaws", arXiv:2411.17501).

# %%
import numpy as np

from llmcost.analysis import (
    accepted_within_k,
    breakeven_usd_per_sample,
    cost_per_solved_task_usd,
    expected_samples_until_success,
    fit_coverage,
    usd_per_sample,
    verified_accuracy_within_k,
    verified_precision,
)
from llmcost.catalog import load_catalog
from llmcost.scenario import compare, parse_scenario

K_PUBLISHED = np.array([100.0, 1000.0])
PASS_PUBLISHED = np.array([0.905, 0.951])  # Llama 3.1, as claimed
GPT4O_PASS_AT_1 = 0.902
# A HumanEval-style task: prompt (signature + docstring + instructions) and one solution.
INPUT_TOKENS, OUTPUT_TOKENS = 300, 300
# Verifier: ~2 CPU-seconds of unit tests in a sandbox at $0.04 per vCPU-hour (assumption).
VERIFIER_USD = 2.0 * 0.04 / 3600.0

# %% [markdown]
# ## Coverage curve: fitted to the two published points

# %%
fit = fit_coverage(K_PUBLISHED, PASS_PUBLISHED, kind="exp_power")
curve_k = np.arange(1, 1001, dtype=float)
curve = fit.predict(curve_k)["pass_at_k"].to_numpy()
k_match_gpt4o = fit.smallest_k(GPT4O_PASS_AT_1)
k_95 = fit.smallest_k(0.95)
print(
    f"exp-power fit: log(-log pass@k) = {fit.intercept:.3f} {fit.slope:+.3f}·log k "
    f"(two points: no residual, no interval)"
)
print(
    f"  fitted pass@1 {curve[0]:.1%}, pass@10 {curve[9]:.1%}; GPT-4o's {GPT4O_PASS_AT_1:.1%} "
    f"is reached at k = {k_match_gpt4o:.0f}, 95 % at k = {k_95:.0f}"
)

# %% [markdown]
# ## Cost of one sample
#
# GPT-4o: list prices. Llama 3.1 70B self-hosted: $/1M tokens of a sampling fleet from a
# scenario — FP8 on 2×H100 (vLLM), median on-demand price, a batch job planned at 90 %
# utilization; the k samples of one task share their prompt, so 95 % of input tokens are
# prefix-cache hits. GPU cost only (marginal); 50 billion tokens a month keeps replica
# rounding small. Also a third-party API (DeepInfra) and the 8B on one H100.

# %%
catalog = load_catalog()
gpt4o = catalog.api_price("openai/gpt-4o")
gpt4o_sample_usd = usd_per_sample(
    INPUT_TOKENS, OUTPUT_TOKENS, gpt4o.input_usd_per_mtok, gpt4o.output_usd_per_mtok
)


def self_hosted_option(name: str, model: str, gpus: int) -> dict:
    return {
        "name": name,
        "kind": "self_hosted",
        "model": model,
        "gpu": "h100-sxm",
        "gpus_per_replica": gpus,
        "precision": "fp8",
        "engine": "vllm",
        "target_utilization": 0.9,
        "engineering_fte": 0.0,
    }


sampling_fleet = compare(
    parse_scenario(
        {
            "name": "sampling-fleet",
            "workload": {
                "tokens_per_month": 50e9,
                "input_tokens_per_request": INPUT_TOKENS,
                "output_tokens_per_request": OUTPUT_TOKENS,
                "cached_input_fraction": 0.95,
            },
            "options": [
                self_hosted_option("llama-70b-2xh100", "llama-3.1-70b", 2),
                self_hosted_option("llama-8b-1xh100", "llama-3.1-8b", 1),
                {"name": "deepinfra-70b", "kind": "api", "offer": "deepinfra/llama-3.1-70b"},
            ],
        }
    )
)
usd_per_mtok = {o.name: o.usd_per_mtok for o in sampling_fleet.options}
# The fleet's $/1M is over input + output tokens; a sample has 300 + 300 of them.
llama_sample_usd = {
    name: usd_per_sample(INPUT_TOKENS, OUTPUT_TOKENS, price, price)
    for name, price in usd_per_mtok.items()
}
print(f"GPT-4o: ${gpt4o_sample_usd:.6f} per sample")
for name, usd in llama_sample_usd.items():
    print(f"{name}: ${usd_per_mtok[name]:.3f}/1M tokens → ${usd:.6f} per sample")

# %% [markdown]
# ## Cost per solved task
#
# Two ways to spend k samples: draw all k and verify them (what pass@k measures), or stop at
# the first sample that passes the tests — then the expected number drawn is
# Σ_{j<k} (1 − pass@j), far below k when pass@1 is high.

# %%
LLAMA = "llama-70b-2xh100"
gpt4o_per_solved = cost_per_solved_task_usd(1, GPT4O_PASS_AT_1, gpt4o_sample_usd)
rows = []
for k in (1, 10, int(k_match_gpt4o), 100, 1000):
    p = float(curve[k - 1])
    drawn = float(expected_samples_until_success(curve[:k]))
    all_k = cost_per_solved_task_usd(k, p, llama_sample_usd[LLAMA], VERIFIER_USD)
    early = cost_per_solved_task_usd(drawn, p, llama_sample_usd[LLAMA], VERIFIER_USD)
    ceiling = breakeven_usd_per_sample(drawn, p, GPT4O_PASS_AT_1, gpt4o_sample_usd)
    rows.append((k, p, drawn, all_k, early, ceiling))
    print(
        f"k={k:5d}: pass@k {p:6.1%}; draw all k ${all_k:.5f}/solved; stop at first pass "
        f"({drawn:5.2f} drawn) ${early:.5f}/solved; break-even cost per sample "
        f"${ceiling:.6f}"
    )
print(f"GPT-4o, one sample: ${gpt4o_per_solved:.5f} per solved task")
# If the published figures are the 8B's, the same coverage costs this per solved task (k=100):
at_100_drawn = float(expected_samples_until_success(curve[:100]))
small_8b_per_solved = cost_per_solved_task_usd(
    at_100_drawn, float(curve[99]), llama_sample_usd["llama-8b-1xh100"], VERIFIER_USD
)
print(f"llama-3.1-8b, stop at first pass within k=100: ${small_8b_per_solved:.5f}/solved")

# %% [markdown]
# ## An imperfect verifier: wrong programs that pass the tests
#
# Stroebl et al. 2024 (arXiv:2411.17501) re-grade the samples that pass HumanEval's own tests
# with HumanEval+'s stricter ones: some are wrong ("false positives"), and resampling until
# the tests pass cannot remove them, so accuracy has a ceiling p / (p + (1 − p)·f) per problem,
# where f is the chance that a wrong sample passes. Their per-model results (Llama 3.1 70B and
# GPT-4o among them) are given as figures; we found no number for f we could quote, so f is an
# ASSUMPTION swept over 0–20 %. Simplification: every problem as hard as the fitted pass@1, whose
# ratio of imperfect to perfect accuracy at k scales the fitted pass@k (f = 0 leaves it as is).
# GPT-4o's 90.2 % is graded by the same tests and is left as published.

# %%
FALSE_POSITIVE_RATES = (0.0, 0.05, 0.1, 0.2)  # assumption, not the paper's measurement
p1 = float(curve[0])


def correct_at_k(k: np.ndarray, f: float) -> np.ndarray:
    """Fitted pass@k × (first accepted sample correct, imperfect / perfect verifier)."""
    ratio = np.asarray(verified_accuracy_within_k(p1, f, k)) / np.asarray(
        accepted_within_k(p1, 0.0, k)
    )
    return curve[k.astype(int) - 1] * ratio


fp_rows = {}
for f in FALSE_POSITIVE_RATES:
    at = correct_at_k(np.array([100.0, 1000.0]), f)
    per_correct = np.array([100.0, 1000.0]) * (llama_sample_usd[LLAMA] + VERIFIER_USD) / at
    fp_rows[f] = (float(verified_precision(p1, f)), at, per_correct)
    print(
        f"f = {f:4.0%}: ceiling {fp_rows[f][0]:6.1%}; correct {at[0]:6.1%} at k=100, "
        f"{at[1]:6.1%} at k=1000; draw all k ${per_correct[0]:.5f} / ${per_correct[1]:.5f} "
        "per correct task"
    )
beats_gpt4o = [f for f in FALSE_POSITIVE_RATES if fp_rows[f][1][1] >= GPT4O_PASS_AT_1]

# %% [markdown]
# ## Verdict

# %%
at_100 = next(r for r in rows if r[0] == 100)
at_1000 = next(r for r in rows if r[0] == 1000)
print(
    "VERDICT: Repeated sampling of Llama 3.1 70B beats GPT-4o's accuracy at k ≈ "
    f"{k_match_gpt4o:.0f}; drawing all k samples costs "
    f"{'more' if at_100[3] > gpt4o_per_solved else 'less'} per solved task: "
    f"${at_100[3]:.4f} at k=100 and ${at_1000[3]:.4f} at k=1000 against "
    f"${gpt4o_per_solved:.4f} for GPT-4o (at ${usd_per_mtok[LLAMA]:.3f}/1M self-hosted, "
    f"{at_100[3] / gpt4o_per_solved:.1f}x and {at_1000[3] / gpt4o_per_solved:.0f}x). "
    f"Stopping at the first verified pass needs only {at_100[2]:.1f} samples on average "
    f"(k=100) and costs ${at_100[4]:.5f} — "
    + ("cheaper" if at_100[4] < gpt4o_per_solved else "still dearer")
    + f" than GPT-4o, with {at_100[1]:.1%} solved vs {GPT4O_PASS_AT_1:.1%}. "
    f"Were the figures the 8B's: ${small_8b_per_solved:.5f}. "
    f"If the tests pass wrong programs with probability f (Stroebl et al. 2024), 10 % caps "
    f"accuracy at {fp_rows[0.1][0]:.1%} and gives {fp_rows[0.1][1][1]:.1%} at k=1000 "
    f"({fp_rows[0.2][1][1]:.1%} at 20 %): GPT-4o's {GPT4O_PASS_AT_1:.1%} stays in reach only "
    f"for f ≤ {max(beats_gpt4o):.0%} of the rates tried. "
    f"Assumptions: {INPUT_TOKENS} in / {OUTPUT_TOKENS} out tokens per sample, unit tests as "
    f"the verifier at ${VERIFIER_USD:.6f} a run (perfect in the figures above; f assumed "
    "0-20 %, equally hard problems), FP8 on 2×H100 at 90 % planned "
    "utilization, GPU cost only, coverage fitted to the two published points (its pass@1 "
    f"of {curve[0]:.0%} is below Meta's published 80.5 % for 70B: the fit is pessimistic "
    "at small k)."
)
