"""llmcost: should we serve Llama ourselves on GPUs, or pay per token for an API?

A pure library (no server, no network): a sourced catalog of models, GPUs and prices; a
performance model of Llama serving; API billing and self-hosted TCO; break-even solvers and
sensitivity analysis; finance-ready exports.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
