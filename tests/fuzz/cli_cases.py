"""Generated command lines for the fuzz suite: every sub-command, each of its flags (read from
the parser itself, so a new flag is fuzzed without editing this file) with a hostile or
boundary value, on a directory of valid input files."""

from __future__ import annotations

import argparse
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from llmcost.cli import build_parser

from .cases import scenario_toml


class Picker(Protocol):
    """What a generator draws with: :class:`random.Random` or a hypothesis adapter."""

    def choice(self, seq: Any) -> Any: ...

    def random(self) -> float: ...


#: A valid command line of each leaf command; ``{root}`` is the case's directory.
BASE_ARGV: dict[tuple[str, ...], list[str]] = {
    ("breakeven",): ["{root}/s.toml", "--json"],
    ("calibrate",): ["{root}/runs.csv", "--json"],
    ("catalog",): ["gpus", "--json"],
    ("compare",): ["{root}/s.toml", "--json"],
    ("memory",): ["--model", "llama-3.1-8b", "--precision", "fp8", "--gpu", "h100-sxm", "--json"],
    ("perf",): ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--precision",
                "fp8", "--input-tokens", "100", "--output-tokens", "100", "--max-throughput",
                "--json"],
    ("plan",): ["--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpus", "1", "--input-tokens",
                "100", "--output-tokens", "100", "--precision", "fp8", "--engine", "vllm",
                "--json"],
    ("report",): ["{root}/s.toml", "--out", "{root}/r.md"],
    ("sampling",): ["--n", "100", "--correct", "5", "--k", "10", "--json"],
    ("sensitivity",): ["{root}/s.toml", "--json"],
    ("workload", "import"): ["{root}/spend.csv", "--format", "litellm", "--json"],
    ("workload", "show"): ["{root}/w.toml", "--json"],
}  # fmt: skip

#: More valid command lines of some commands: the file writers (perf --grid --out, calibrate
#: --out/--plot, workload import --out) and the newer flags (--prices, plan's layout search).
VARIANT_ARGV: dict[tuple[str, ...], list[list[str]]] = {
    ("perf",): [["--grid", "{root}/grid.csv", "--out", "{root}/rows.csv", "--json"]],
    ("calibrate",): [["{root}/runs.csv", "--out", "{root}/p.toml", "--plot", "{root}/p.png",
                      "--json"]],
    ("workload", "import"): [["{root}/spend.csv", "--format", "litellm", "--out",
                              "{root}/w2.toml", "--json"]],
    ("compare",): [["{root}/s.toml", "--prices", "{root}/prices.csv", "--json"]],
}  # fmt: skip


def base_argvs(command: tuple[str, ...]) -> list[list[str]]:
    """Every valid command line of ``command``: the base one, then its variants."""
    return [BASE_ARGV[command], *VARIANT_ARGV.get(command, [])]


#: Flags whose value is a file the command writes.
OUTPUT_FLAGS = ("--out", "--csv", "--xlsx", "--chart", "--plot")

#: Files every case starts with (the inputs of the base command lines).
INPUT_FILES = ("s.toml", "runs.csv", "spend.csv", "w.toml", "grid.csv", "prices.csv")

#: Hostile and boundary flag values (``{root}``: the case's directory).
FLAG_VALUES: list[str] = [
    "0", "1", "-1", "2", "3", "8", "1024", "1025", "0.5", "1e-300", "1e308", "1e400", "9" * 400,
    "-" + "9" * 400, "nan", "NaN", "inf", "-inf", "", " ", "true", "a\nb", "x\x07y",
    "\u202eevil", "=1+1", "+SUM(A1)", "@cmd", "-2", "1e5:1e9", "1e9:1e5", "0:1", "nan:1",
    "2025-06-01", "2025-13-45", "1900-01-01", "9999-12-31", "llama-3.1-8b", "llama-3.1-70b",
    "h100-sxm", "h100-pcie", "mi300x", "fp4", "fp8", "int4", "bf16", "vllm", "trtllm",
    "sglang", "lhs", "sobol", "dask", "best", "gpus", "models", "api_prices", "gpu_offers",
    "requests_per_month", "gpu_usd_per_hour", "difference", "gpt-4o", "llama-8b",
    "{root}/s.toml", "{root}/new.csv", "{root}/new.xlsx", "{root}/new.html", "{root}/new.md",
    "{root}/new.png", "{root}/new.json", "{root}/new.toml", "{root}/new.pdf", "{root}/new.txt",
    "{root}/runs.csv", "{root}/grid.csv", "{root}/w.toml", "{root}", "{root}/", "/dev/full",
    "/dev/null", "{root}/missing/x.csv", "{root}/missing.toml",
]  # fmt: skip


def leaf_parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every leaf sub-command's parser, by its path (``("workload", "import")``)."""
    out: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out[path] = parser
            return
        for name, sub in subs[0].choices.items():
            walk(sub, (*path, name))

    walk(build_parser(), ())
    return out


@functools.cache
def flags() -> dict[tuple[str, ...], list[tuple[str, bool]]]:
    """(flag, takes a value) of every leaf command, help excluded."""
    return {
        path: [
            (a.option_strings[-1], a.nargs != 0)
            for a in parser._actions
            if a.option_strings and not isinstance(a, argparse._HelpAction)
        ]
        for path, parser in leaf_parsers().items()
    }


@dataclass(frozen=True)
class CliCase:
    """One command line: the command, the flag made hostile and its value."""

    command: tuple[str, ...]
    flag: str | None  # None: the positional argument is replaced
    value: str | None  # None: a flag without a value
    variant: int = 0  # which of base_argvs(command)

    def argv(self, root: Path) -> list[str]:
        """The command line with ``{root}`` filled in."""
        base = list(base_argvs(self.command)[self.variant])
        value = None if self.value is None else self.value.replace("{root}", str(root))
        if self.flag is None:
            base[0] = value or ""
        elif self.flag in base:
            i = base.index(self.flag)
            if value is None:
                pass
            elif i + 1 < len(base) and not base[i + 1].startswith("--"):
                base[i + 1] = value
            else:
                base.insert(i + 1, value)
        else:
            base += [self.flag] if value is None else [self.flag, value]
        argv = [*self.command, *(a.replace("{root}", str(root)) for a in base)]
        return argv

    def outputs(self, argv: list[str]) -> list[str]:
        """The files the command may write: values of output flags that are not inputs."""
        out = []
        for i, a in enumerate(argv[:-1]):
            if a in OUTPUT_FLAGS and Path(argv[i + 1]).name not in INPUT_FILES:
                out.append(argv[i + 1])
        return out


def cli_case(pick: Picker) -> CliCase:
    """A random case: a command, one of its flags (or its positional) and a value."""
    command = pick.choice(sorted(BASE_ARGV))
    variant = pick.choice(range(len(base_argvs(command))))
    base = base_argvs(command)[variant]
    choices = flags()[command]
    if pick.random() < 0.1 and base and not base[0].startswith("-"):
        return CliCase(command, None, pick.choice(FLAG_VALUES), variant)
    flag, takes = pick.choice(choices)
    return CliCase(command, flag, pick.choice(FLAG_VALUES) if takes else None, variant)


@functools.cache
def _template() -> Path:
    """A directory with the valid input files, written once per process."""
    import tests._benchfiles as bench

    from llmcost.workload import from_usage

    root = Path(tempfile.mkdtemp(prefix="llmcost-fuzz-"))
    (root / "s.toml").write_text(scenario_toml(None, None), encoding="utf-8")
    frame = bench.runs([(128, 128), (1024, 256), (2048, 128)], [1, 16], seed=0)
    bench.write_csv(frame, root / "runs.csv")
    (root / "spend.csv").write_text(
        "startTime,prompt_tokens,completion_tokens\n"
        "2025-06-01T10:00:00Z,100,20\n2025-06-02T11:00:00Z,300,40\n",
        encoding="utf-8",
    )
    from_usage(root / "spend.csv", format="litellm").save(root / "w.toml", "none")
    (root / "prices.csv").write_text(
        "offer_id,provider,model,effective_from,input_usd_per_mtok,output_usd_per_mtok,source,"
        "as_of\nopenai/gpt-4o,openai,gpt-4o,2025-01-01,2.0,8.0,fuzz fixture,2025-05-01\n",
        encoding="utf-8",
    )
    (root / "grid.csv").write_text(
        "model,gpu,gpus,precision,input_tokens,output_tokens,batch\n"
        "llama-3.1-8b,h100-sxm,1,fp8,100,100,8\n",
        encoding="utf-8",
    )
    return root


def case_dir() -> Path:
    """A fresh copy of the template directory (the caller removes it)."""
    root = Path(tempfile.mkdtemp(prefix="llmcost-case-"))
    for p in _template().iterdir():
        shutil.copy(p, root / p.name)
    return root
