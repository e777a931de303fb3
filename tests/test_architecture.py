"""The import rules of docs/architecture.md §1, checked by parsing every module with ``ast``.

An arrow that runs the wrong way (the math importing the catalog, the catalog importing the
performance model, anything importing the CLI…) fails this test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "llmcost"

_BELOW_SCENARIO = {"_core", "catalog", "perf", "cost", "analysis"}
#: layer → the llmcost layers it may import.
ALLOWED: dict[str, set[str]] = {
    "_core": {"_core"},
    "catalog": {"_core", "catalog"},
    "perf": {"_core", "perf"},
    "cost": {"_core", "perf", "cost"},
    "analysis": {"_core", "perf", "cost", "analysis"},
    # workload (imported usage) sits between scenario and cost; it never reads the catalog
    "workload": {"_core", "perf", "cost", "workload"},
    "scenario": _BELOW_SCENARIO | {"workload", "scenario"},
    "export": _BELOW_SCENARIO | {"workload", "scenario", "export"},
    "testing": {"_core"},
    "cli": _BELOW_SCENARIO | {"workload", "scenario", "export", "cli", "__init__", "testing"},
    "__main__": {"cli"},
    "__init__": _BELOW_SCENARIO | {"workload", "scenario", "export", "testing", "__init__"},
}
#: layer → third-party packages it must not import (the math never touches pydantic).
FORBIDDEN_THIRD_PARTY: dict[str, set[str]] = {
    "_core": {"pandas", "pydantic", "scipy", "matplotlib", "openpyxl"},
    "perf": {"pydantic", "matplotlib", "openpyxl"},
    "cost": {"pydantic", "matplotlib", "openpyxl"},
    "analysis": {"pydantic", "openpyxl"},
    "catalog": {"scipy", "matplotlib", "openpyxl"},
    "workload": {"pydantic", "matplotlib", "openpyxl"},
}
#: layer → layers it may import only inside a function, never at module level. A result
#: object hands itself to the layer above, as pandas' ``DataFrame.to_excel`` defers to its io
#: layer: ``Comparison.to_excel`` imports :mod:`llmcost.export` when it is called, so importing
#: ``llmcost.scenario`` never imports ``export`` and there is no import cycle.
DEFERRED: dict[str, set[str]] = {"scenario": {"export"}}
NETWORK = {"socket", "urllib", "http", "requests", "httpx", "aiohttp", "ftplib", "smtplib"}


def _layer(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """Absolute dotted name of a ``from`` import inside ``module``."""
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    base = parts[: len(parts) - node.level]
    return ".".join(base + ([node.module] if node.module else []))


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    module = ".".join(rel.parts)
    if path.name == "__init__.py":
        module += ".__init__"  # so that relative imports resolve from the package itself
    return module


def _imports(source: str, module: str) -> list[tuple[str, int, bool]]:
    """Every import of ``source``: ``(absolute name, line, inside a function)``."""
    out: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                out.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, child)
                if target == "llmcost":  # `from llmcost import x` / `from .. import x`
                    out.extend(
                        (f"llmcost.{a.name}", child.lineno, in_function) for a in child.names
                    )
                else:
                    out.append((target, child.lineno, in_function))
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(source), False)
    return out


MODULES = sorted(SRC.rglob("*.py"))


def _violations(layer: str, module: str, source: str) -> list[str]:
    """Every import in ``source`` (the text of ``module``) that breaks ``layer``'s rules."""
    if layer not in ALLOWED:
        return [f"{layer!r} is not a layer of docs/architecture.md §1; add it to ALLOWED"]
    found = []
    for name, line, in_function in _imports(source, module):
        top = name.split(".")[0]
        where = f"{module}:{line} imports {name}"
        if top in NETWORK:
            found.append(f"{where}: no network, ever")
        if top in FORBIDDEN_THIRD_PARTY.get(layer, set()):
            found.append(f"{where}, which layer {layer!r} must not")
        if top != "llmcost":
            continue
        parts = name.split(".")
        target = parts[1] if len(parts) > 1 else "__init__"
        if target in {"__version__", "__init__"} and layer in {"cli", "__init__"}:
            continue
        if in_function and target in DEFERRED.get(layer, set()):
            continue
        if target not in ALLOWED[layer]:
            found.append(f"{where}: layer {layer!r} may import only {sorted(ALLOWED[layer])}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_follow_the_layers(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert _violations(_layer(path), _module_name(path), source) == []


@pytest.mark.parametrize(
    ("layer", "module", "source"),
    [
        ("perf", "llmcost.perf.memory", "from ..catalog import load\n"),
        ("cost", "llmcost.cost.api", "import llmcost.scenario\n"),
        ("catalog", "llmcost.catalog.load", "from llmcost.perf import memory\n"),
        ("perf", "llmcost.perf.memory", "import pydantic\n"),
        ("_core", "llmcost._core.units", "import urllib.request\n"),
        # the deferred import is allowed in a function only, and only of export
        ("scenario", "llmcost.scenario.comparison", "from ..export import write_workbook\n"),
        ("scenario", "llmcost.scenario.comparison", "import llmcost.export.xlsx\n"),
        (
            "scenario",
            "llmcost.scenario.comparison",
            "if True:\n    from ..export.xlsx import write_workbook\n",
        ),
        (
            "scenario",
            "llmcost.scenario.comparison",
            "class C:\n    from ..export import files\n",
        ),
        ("scenario", "llmcost.scenario.comparison", "def f():\n    from ..cli import main\n"),
        ("cost", "llmcost.cost.load", "def f():\n    from ..export import xlsx\n"),
    ],
)
def test_the_checker_catches_a_wrong_arrow(layer: str, module: str, source: str) -> None:
    """The rule above can fail: each of these imports is reported."""
    assert _violations(layer, module, source)


@pytest.mark.parametrize(
    "source",
    [
        "def to_excel(self, path):\n    from ..export.xlsx import write_workbook\n",
        "async def f():\n    import llmcost.export\n",
        "class C:\n    def m(self):\n        from .. import export\n",
    ],
)
def test_a_function_level_import_of_export_from_scenario_is_allowed(source: str) -> None:
    """The one deferred arrow (scenario → export), inside a function or method."""
    assert _violations("scenario", "llmcost.scenario.comparison", source) == []
