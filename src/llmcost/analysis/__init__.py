"""Break-even solvers, sweeps, sensitivity analysis and repeated-sampling economics.

Everything here is generic over a *model*: a callable taking named 1-d input arrays and
returning named output arrays (e.g. each option's monthly cost [USD]); see
:mod:`llmcost.analysis._model`. The sensitivity contract follows SALib: a
:class:`ParameterSpace` → ``sample()`` → evaluate the model on whole arrays → analyze
(:func:`tornado`, :func:`monte_carlo`, :func:`sobol`) into results with ``to_frame()``.
"""

from ._model import Model
from .breakeven import (
    BreakevenResult,
    Crossing,
    breakeven,
    breakeven_curve,
    breakeven_linear,
    breakeven_pairs,
    payback_months,
    payback_months_constant,
)
from .breakeven_draws import BreakevenDraws, breakeven_per_draw
from .crossings import find_crossings
from .growth_draws import GrowthDraws, growth_draws
from .montecarlo import MonteCarloResult, monte_carlo, probability_cheapest, summarize_draws
from .oat import TornadoResult, tornado
from .sampling import (
    CoverageFit,
    accepted_within_k,
    breakeven_usd_per_sample,
    cost_per_correct_task_usd,
    cost_per_solved_task_usd,
    dataset_pass_at_k,
    dataset_verified_at_k,
    expected_attempts_until_accepted,
    expected_samples_until_success,
    fit_coverage,
    pass_at_k,
    smallest_k_for_target,
    usd_per_sample,
    verified_accuracy_within_k,
    verified_precision,
)
from .sobol import SobolResult, saltelli_sample, sobol
from .sobol import analyze as sobol_analyze
from .space import SAMPLING_METHODS, Parameter, ParameterSpace, normal_score_correlation
from .streaming import (
    BreakevenCounts,
    StreamingMonteCarloResult,
    monte_carlo_stream,
    sweep_stream,
)
from .sweep import SweepFrame, cartesian, sweep, sweep_arrays

__all__ = [
    "SAMPLING_METHODS",
    "BreakevenCounts",
    "BreakevenDraws",
    "BreakevenResult",
    "CoverageFit",
    "Crossing",
    "GrowthDraws",
    "Model",
    "MonteCarloResult",
    "Parameter",
    "ParameterSpace",
    "SobolResult",
    "StreamingMonteCarloResult",
    "SweepFrame",
    "TornadoResult",
    "accepted_within_k",
    "breakeven",
    "breakeven_curve",
    "breakeven_linear",
    "breakeven_pairs",
    "breakeven_per_draw",
    "breakeven_usd_per_sample",
    "cartesian",
    "cost_per_correct_task_usd",
    "cost_per_solved_task_usd",
    "dataset_pass_at_k",
    "dataset_verified_at_k",
    "expected_attempts_until_accepted",
    "expected_samples_until_success",
    "find_crossings",
    "fit_coverage",
    "growth_draws",
    "monte_carlo",
    "monte_carlo_stream",
    "normal_score_correlation",
    "pass_at_k",
    "payback_months",
    "payback_months_constant",
    "probability_cheapest",
    "saltelli_sample",
    "smallest_k_for_target",
    "sobol",
    "sobol_analyze",
    "summarize_draws",
    "sweep",
    "sweep_arrays",
    "sweep_stream",
    "tornado",
    "usd_per_sample",
    "verified_accuracy_within_k",
    "verified_precision",
]
