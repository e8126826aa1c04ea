"""The example project is documentation: every campaign validates, against the models and
against the generated JSON Schema through the independent ``jsonschema`` library."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pushflow.spec.check import check_project
from pushflow.spec.loader import campaign_files, read_documents
from pushflow.spec.schema import SCHEMAS, render
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = campaign_files([ROOT / "campaigns"])


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(render(name))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_there_are_examples_of_every_api() -> None:
    assert len(EXAMPLES) >= 10
    report = check_project([], project_file=ROOT / "pushflow.yaml", now=NOW)
    apis = {
        (c.campaign.provider, c.campaign.api, c.campaign.audience.kind) for c in report.campaigns
    }
    kinds = {kind for _, _, kind in apis}
    assert {"android_device", "ios_device", "harmony_device", "user", "broadcast"} <= kinds
    assert {"device", "account", "alias", "tag", "all"} <= kinds
    assert ("emas", "continuous", "device") in apis
    assert ("mpaas", "multiple", "user") in apis


def test_every_example_validates() -> None:
    report = check_project([], project_file=ROOT / "pushflow.yaml", now=NOW)
    assert [str(p) for p in report.problems] == []
    assert len(report.campaigns) == len(EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_schema_accepts_every_example(path: Path) -> None:
    validator = _validator("campaign.schema.json")
    for document in read_documents(path):
        errors = [e.message for e in validator.iter_errors(document.data)]
        assert errors == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_point_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/campaign.schema.json"


def test_schema_accepts_the_project_file() -> None:
    (document,) = read_documents(ROOT / "pushflow.yaml")
    assert [e.message for e in _validator("project.schema.json").iter_errors(document.data)] == []


def test_schema_rejects_what_the_models_reject() -> None:
    validator = _validator("campaign.schema.json")
    broken = {"name": "x", "provider": "emas", "app": "a", "message": {"kind": "notice"}}
    assert not validator.is_valid(broken)
    assert not validator.is_valid({**broken, "titel": "typo"})


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_checked_in_schemas_are_current(name: str) -> None:
    assert (ROOT / "schemas" / name).read_text(encoding="utf-8") == render(name)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_have_ids_titles_and_descriptions(name: str) -> None:
    schema = json.loads(render(name))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:pushflow:schema:")
    assert schema["title"]
    undocumented = [
        f"{model}.{prop}"
        for model, body in schema["$defs"].items()
        for prop, spec in body.get("properties", {}).items()
        if "description" not in spec
    ]
    assert undocumented == []
