"""JSON Schemas generated from the spec models, for editors and for other tools.

The files in ``schemas/`` are checked in (so editors find them through the
``# yaml-language-server: $schema=…`` line of each campaign) and must equal what this module
generates: ``pushflow schema --check`` fails CI when they are stale.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from pushflow.plan.model import Plan
from pushflow.spec.campaign import CampaignDocument
from pushflow.spec.project import ProjectDocument

DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: File name → (model, $id, title).
SCHEMAS: dict[str, tuple[type[BaseModel], str, str]] = {
    "campaign.schema.json": (
        CampaignDocument,
        "urn:pushflow:schema:campaign:1",
        "pushflow campaign",
    ),
    "project.schema.json": (
        ProjectDocument,
        "urn:pushflow:schema:project:1",
        "pushflow project (pushflow.yaml)",
    ),
    "plan.schema.json": (
        Plan,
        "urn:pushflow:schema:plan:1",
        "pushflow plan (its JSON view)",
    ),
}


def generate(model: type[BaseModel], schema_id: str, title: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``model`` with its ``$id`` and title."""
    body = model.model_json_schema(mode="validation")
    body.pop("title", None)
    return {"$schema": DIALECT, "$id": schema_id, "title": title, **body}


def render(name: str) -> str:
    """The exact text of ``schemas/<name>``: stable key order, a final newline."""
    model, schema_id, title = SCHEMAS[name]
    return json.dumps(generate(model, schema_id, title), indent=2, ensure_ascii=False) + "\n"
