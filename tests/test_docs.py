"""The documentation site: every page's Python examples run, nav lists every page, no page points
outside the repository. The site itself is built with warnings as errors by ``.ci/run``
(``mkdocs build --strict``), which takes ~40 s, so it is not repeated here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_hooks" not in p.parts)
#: Documents outside the repository (spelled in pieces so this file does not name them).
OUTSIDE = ("DESIGN" + ".md", "../" + "shared")
CODE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _page_id(path: Path) -> str:
    return str(path.relative_to(DOCS))


@pytest.mark.parametrize("page", [p for p in PAGES if CODE.search(p.read_text())], ids=_page_id)
def test_python_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in CODE.findall(page.read_text(encoding="utf-8")):
        exec(compile(block, str(page), "exec"), namespace)


def test_nav_lists_every_page() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    generated = {
        "validation.md",
        "reference/catalog.md",
        "reference/cli.md",
        "reference/price-crosscheck.md",
        "changelog.md",
    }
    listed = set(re.findall(r":\s*([\w/.-]+\.md)\s*$", nav, re.M))
    assert generated <= listed
    missing = {_page_id(p) for p in PAGES} - listed
    assert not missing, f"pages not in mkdocs.yml nav: {sorted(missing)}"


def test_no_file_points_outside_the_repository() -> None:
    hits = []
    for path in ROOT.rglob("*"):
        skipped = {".git", ".venv", "site", "__pycache__", ".hypothesis"}
        if any(part in skipped for part in path.parts):
            continue
        if path.is_file() and path.suffix in {".py", ".md", ".toml", ".csv", ".yml", ".txt"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(marker in text for marker in OUTSIDE):
                hits.append(str(path.relative_to(ROOT)))
    assert not hits, f"files pointing outside the repository: {hits}"


def test_license_matches_pyproject() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("Apache License")
    assert 'license = "Apache-2.0"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
