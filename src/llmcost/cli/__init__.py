"""The ``llmcost`` command: a thin layer over the public API (docs/architecture.md §4).

Each sub-command lives in its own module of this package and exposes
``register(subparsers) -> None``; the module's handler returns a :class:`Output`. Every command
takes ``--json`` and then prints one JSON object on stdout and nothing else. Bad input exits
with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from .._core.errors import LlmcostError
from ._common import CliUsageError, Output, emit

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliUsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """Parser with every sub-command found in this package."""
    parser = _Parser(
        prog="llmcost",
        description="Self-hosted Llama vs pay-per-token APIs: performance, cost, break-even.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"llmcost {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return 2
        out: Output = args.handler(args)
        emit(out, as_json=getattr(args, "json", False))
        return 0
    except (LlmcostError, CliUsageError) as exc:
        print(f"llmcost: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `llmcost catalog models | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
