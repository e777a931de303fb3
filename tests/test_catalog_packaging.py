"""The catalog is found both in a built wheel (``llmcost/_data/pricing``) and in a source checkout
(editable install: ``data/pricing`` at the repository root)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from llmcost._core.errors import CatalogError
from llmcost.catalog import bundled_dir, load_catalog
from llmcost.catalog.load import FILES

REPO = Path(__file__).resolve().parents[1]
CATALOG_FILES = {"manifest.toml"} | {name for name, _ in FILES.values()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)]
    if importlib.util.find_spec("hatchling") is not None:
        cmd.insert(5, "--no-build-isolation")  # offline when the backend is installed
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.skip(
            f"cannot build a wheel here (no hatchling, no network?): {result.stderr[-300:]}"
        )
    return next(out.glob("llmcost-*.whl"))


def test_wheel_ships_the_catalog(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.removeprefix("llmcost/_data/pricing/") for n in names if "/_data/pricing/" in n}
    assert shipped >= CATALOG_FILES


def test_unpacked_wheel_resolves_and_loads_its_own_catalog(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    package = tmp_path / "llmcost"
    found = bundled_dir(package)
    assert found == package / "_data" / "pricing"
    cat = load_catalog(found)  # every file present: nothing falls back to the checkout
    assert all(Path(f).parent == found for f in cat.files.values())
    assert cat.catalog_version == load_catalog().catalog_version


def test_source_checkout_resolves_by_walking_up(tmp_path):
    package = tmp_path / "src" / "llmcost"
    package.mkdir(parents=True)
    shutil.copytree(REPO / "data" / "pricing", tmp_path / "data" / "pricing")
    assert bundled_dir(package) == tmp_path / "data" / "pricing"


def test_missing_catalog_is_a_catalog_error(tmp_path):
    package = tmp_path / "llmcost"
    package.mkdir()
    with pytest.raises(CatalogError, match="bundled catalog was not found"):
        bundled_dir(package)
