"""``--measured NAME=TOKENS_PER_S[@CONCURRENCY]``: a benchmark's throughput for one option.

Sets ``output_tokens_per_s_per_replica`` (and ``at_concurrency``) of the self-hosted option
called NAME, replacing its performance-model (or other measured) capacity.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from .._core.errors import InvalidInputError

if TYPE_CHECKING:  # the scenario stack is imported when a command runs
    from ..scenario import Scenario


def add_measured_argument(parser: argparse.ArgumentParser) -> None:
    """The repeatable ``--measured`` flag."""
    parser.add_argument(
        "--measured",
        metavar="NAME=TOKENS_PER_S[@C]",
        action="append",
        default=[],
        help="measured output tokens/s of one replica of the self-hosted option NAME "
        "(optionally @C concurrent requests), instead of the performance model; repeatable",
    )


def parse_measured(text: str) -> tuple[str, float, int | None]:
    """``"llama=2400@64"`` → ("llama", 2400.0, 64); bad text raises naming the flag."""
    name, sep, value = text.rpartition("=")
    rate_text, _, conc_text = value.partition("@")
    try:
        rate = float(rate_text)
        conc = int(conc_text) if conc_text else None
    except ValueError:
        rate, conc = math.nan, None
    bad_conc = conc is not None and conc < 1
    if not sep or not name or not math.isfinite(rate) or rate <= 0 or bad_conc:
        raise InvalidInputError(
            f"--measured must be NAME=TOKENS_PER_S[@CONCURRENCY] with tokens/s > 0 and "
            f"concurrency ≥ 1, e.g. llama-70b=2400@64; got {text!r}"
        )
    return name, rate, conc


def apply_measured(scenario: Scenario, flags: list[str]) -> Scenario:
    """The scenario with each ``--measured`` flag applied to its option."""
    from ..scenario import SelfHostedOption

    options = list(scenario.options)
    names = [o.name for o in options]
    for text in flags:
        name, rate, conc = parse_measured(text)
        if name not in names:
            raise InvalidInputError(
                f"--measured: no option named {name!r}; options: {', '.join(names)}"
            )
        i = names.index(name)
        if not isinstance(options[i], SelfHostedOption):
            raise InvalidInputError(
                f"--measured: option {name!r} is an API offer; a measured throughput applies "
                "to self-hosted options"
            )
        data = options[i].model_dump() | {
            "output_tokens_per_s_per_replica": rate,
            "requests_per_s_per_replica": None,
            "at_concurrency": conc,
        }
        options[i] = SelfHostedOption.model_validate(data)
    return scenario.model_copy(update={"options": options})
