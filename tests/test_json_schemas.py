"""Every command's ``--json`` output validates against its published JSON Schema.

The schemas (src/llmcost/schemas/*.schema.json, draft 2020-12) are the contract a budgeting
script can check against; docs/reference/json-schemas.md lists them.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from _json_samples import samples
from llmcost import LlmcostError
from llmcost.cli import build_parser, main
from llmcost.export import json_schemas as schemas

pytestmark = pytest.mark.filterwarnings("ignore::llmcost.StaleCatalogWarning")
DOC_PAGE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "json-schemas.md"


def _run(argv: list[str]) -> dict[str, Any]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main([*argv, "--json"])
    assert code == 0, argv
    doc: dict[str, Any] = json.loads(buffer.getvalue())
    return doc


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    # in order: workload-import writes the file workload-show reads
    return {
        name: [_run(argv) for argv in invocations]
        for name, invocations in samples(tmp_path_factory.mktemp("json")).items()
    }


def _validator(name: str) -> Any:
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_schema_has_samples_and_every_sample_a_schema(tmp_path: Path) -> None:
    assert set(samples(tmp_path)) == set(schemas.names())


def test_every_leaf_command_has_a_schema() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    leaves = []
    for command, parser in sub.choices.items():
        nested = [a for a in parser._actions if getattr(a, "choices", None) and a.dest != "help"]
        words = nested[0].choices if command in ("catalog", "workload") else [None]
        leaves += [command if w is None else f"{command}-{w}" for w in words]
    assert set(leaves) <= set(schemas.names())


@pytest.mark.parametrize("name", schemas.names())
def test_output_validates_against_its_schema(
    name: str, outputs: dict[str, list[dict[str, Any]]]
) -> None:
    validator = _validator(name)
    for doc in outputs[name]:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
        assert errors == []


@pytest.mark.parametrize("name", schemas.names())
def test_schema_declares_every_top_level_key(
    name: str, outputs: dict[str, list[dict[str, Any]]]
) -> None:
    # the schema allows new keys (a consumer must not break on them), but ours lists them all
    declared = set(schemas.load(name)["properties"])
    for doc in outputs[name]:
        assert set(doc) <= declared


def test_a_broken_document_is_rejected(outputs: dict[str, list[dict[str, Any]]]) -> None:
    validator = _validator("compare")
    good = outputs["compare"][0]
    assert validator.is_valid(good)
    wrong_type = copy.deepcopy(good)
    wrong_type["options"][0]["monthly_cost_usd"] = "2,250"  # text where a number is meant
    missing = {k: v for k, v in good.items() if k != "options"}
    future = good | {"schema_version": "2"}
    nan_as_text = copy.deepcopy(good)
    nan_as_text["options"][0]["npv_usd"] = "NaN"  # "never" is null, not a string
    for doc in (wrong_type, missing, future, nan_as_text):
        assert not validator.is_valid(doc)


def test_unknown_schema_names_the_known_ones() -> None:
    with pytest.raises(LlmcostError, match=r"no JSON schema named 'comapre'; there are: .*compare"):
        schemas.load("comapre")


def test_doc_page_lists_every_schema() -> None:
    text = DOC_PAGE.read_text(encoding="utf-8")
    for name in schemas.names():
        assert f"`{name}`" in text
