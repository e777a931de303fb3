"""What the scenario commands share.

The SCENARIO.toml, ``--as-of`` and ``--catalog`` flags, and loading the scenario, the date and the
catalog they name.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from datetime import date
from typing import TYPE_CHECKING

from .._core.errors import InvalidInputError
from ._common import add_json_flag

if TYPE_CHECKING:  # the scenario stack (pandas, scipy) is imported when a command runs
    from ..catalog import Catalog
    from ..scenario import Scenario, ScenarioModel


def add_price_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--as-of DATE``, ``--catalog DIR`` and ``--prices PATH`` (the prices used)."""
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        help="use the prices in force on DATE (YYYY-MM-DD); default: the scenario's, else latest",
    )
    parser.add_argument(
        "--catalog",
        metavar="DIR",
        help="a directory of catalog sheets replacing the bundled ones file by file, or a "
        "LiteLLM model_prices_and_context_window.json adding its API prices",
    )
    parser.add_argument(
        "--prices",
        metavar="PATH",
        action="append",
        help="API prices to add (offers of the same id replaced): an api_prices.csv sheet, a "
        "LiteLLM model_prices_and_context_window.json or a genai-prices data file; repeatable",
    )


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    """SCENARIO.toml, ``--as-of``, ``--catalog`` and ``--json``."""
    parser.add_argument("scenario", metavar="SCENARIO.toml", help="scenario file (TOML)")
    add_price_arguments(parser)
    add_json_flag(parser)


def load_from_args(args: argparse.Namespace) -> tuple[Scenario, date | None, Catalog | None]:
    """The scenario, the ``--as-of`` date and the catalog the flags name.

    ``--as-of`` None: the scenario's, else latest; ``--catalog`` None: the bundled one; each
    ``--prices`` file adds its API offers to it (:func:`llmcost.catalog.with_prices`).
    """
    from ..catalog import load_catalog, with_prices
    from ..scenario import load_scenario

    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise InvalidInputError(
                f"--as-of must be a date YYYY-MM-DD; got {args.as_of!r}"
            ) from None
    scenario = load_scenario(args.scenario)
    catalog = load_catalog(args.catalog) if args.catalog else None
    for path in getattr(args, "prices", None) or []:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            catalog = with_prices(catalog or load_catalog(), path)
        for w in caught:  # one line each on stderr, no source line
            print(f"llmcost: warning: {w.message}", file=sys.stderr)
    return scenario, as_of, catalog


def model_from_args(args: argparse.Namespace) -> tuple[Scenario, ScenarioModel]:
    """Load the scenario and build its vectorized model."""
    from ..scenario import scenario_model

    scenario, as_of, catalog = load_from_args(args)
    return scenario, scenario_model(scenario, as_of=as_of, catalog=catalog)
