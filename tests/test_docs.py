"""The user documentation says what the code does.

(a) The rules table of ``docs/campaigns.md`` lists exactly the rule names the code can report,
    each with the severities it is reported at. The names are read from the source with ``ast``
    (see :data:`RULE_ARGUMENT`), not from a hand-kept list.

(b) Every example in the docs is checked. Convention for fenced code blocks:

    - ```` ```yaml ````: a complete file that must validate with no problem at all (no warning
      either). A campaign (every document has ``name:`` and ``provider:``) is written to
      ``campaigns/example.yaml`` of a temporary copy of the repository's project (its
      ``pushflow.yaml``; each audience file it names is created with its id column and one
      row) and checked with :func:`pushflow.spec.check.check_project` at ``tests.conftest.NOW``.
      A project file (it has ``apps:``) is loaded with :func:`pushflow.spec.loader.load_project`.
    - ```` ```yaml snippet ````: a fragment (a few keys, a default, a broken example); it must
      only parse as YAML.
    - any other language (``text``, ``console``, ``json``, ``bash``…) is not checked.

    A plain ```` ```yaml ```` block that is neither a campaign nor a project fails the test:
    tag it ``snippet``.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pushflow.spec.check import check_project
from pushflow.spec.loader import load_project
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "pushflow" / "spec", ROOT / "pushflow" / "audience"]
CAMPAIGNS_DOC = ROOT / "docs" / "campaigns.md"
EXAMPLE_DOCS = [
    ROOT / "docs" / "campaigns.md",
    ROOT / "docs" / "project.md",
    ROOT / "docs" / "validate.md",
    ROOT / "docs" / "timing.md",
    ROOT / "docs" / "audiences.md",
    ROOT / "docs" / "policy.md",
    ROOT / "README.md",
]

#: Callables that take a rule name → (index of the positional argument, keyword name).
#: ``PydanticCustomError``'s first argument is an error type; it counts as a rule name when it
#: looks like one (kebab-case), unlike pydantic's own ``duration_too_long`` style.
RULE_ARGUMENT = {
    "Violation": (1, "rule"),
    "Problem": (2, "rule"),
    "expect": (2, "rule"),
    "text_limit": (2, "rule"),
    "max_lines": (1, "rule"),
    "PydanticCustomError": (0, "error_type"),
}
RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")

#: Non-literal rule arguments that only forward a rule given by a caller collected above
#: (``kind``: the loader passing on a ``PydanticCustomError`` type).
FORWARDED = {"rule", "violation.rule", "kind"}


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _argument(node: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for item in node.keywords:
        if item.arg == keyword:
            return item.value
    return node.args[index] if len(node.args) > index else None


def _severity(node: ast.Call) -> str:
    for item in node.keywords:
        if item.arg == "severity":
            assert isinstance(item.value, ast.Constant), ast.unparse(node)
            return str(item.value.value)
    return "error"


def code_rules() -> dict[str, set[str]]:
    """Every rule name the code can report → the severities it is reported at."""
    rules: dict[str, set[str]] = defaultdict(set)
    for folder in SOURCES:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and "rule" in {
                    a.arg for a in node.args.args + node.args.kwonlyargs
                }:
                    # A new helper that forwards a rule name must be taught to RULE_ARGUMENT.
                    assert node.name in RULE_ARGUMENT, f"{path}:{node.lineno}: {node.name}"
                if not isinstance(node, ast.Call) or _callee(node) not in RULE_ARGUMENT:
                    continue
                name = _callee(node)
                assert name is not None
                value = _argument(node, *RULE_ARGUMENT[name])
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if value is None:
                    continue  # a Problem without a rule name
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    rule = value.value
                    if name == "PydanticCustomError" and not KEBAB.match(rule):
                        continue
                    assert RULE_NAME.match(rule), f"{where}: odd rule name {rule!r}"
                    rules[rule].add(_severity(node))
                else:
                    assert ast.unparse(value) in FORWARDED, (
                        f"{where}: rule {ast.unparse(value)} is not a literal; teach "
                        "test_docs.py where it comes from"
                    )
    return dict(rules)


def documented_rules() -> dict[str, set[str]]:
    """The rules table of docs/campaigns.md: rule → severities in its second column."""
    text = CAMPAIGNS_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Rules\n", 1)[1].split("\n## ", 1)[0]
    rules: dict[str, set[str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \| ([^|]+) \|", line)
        if match:
            assert match[1] not in rules, f"{match[1]} is listed twice"
            rules[match[1]] = {s.strip() for s in match[2].split(",")}
    return rules


def test_rules_are_collected() -> None:
    rules = code_rules()
    # A few known ones, from each kind of call, so a broken collector cannot pass silently.
    for name in ("yaml-duplicate-key", "emas-push-time-7-days", "ios-badge-exclusive"):
        assert name in rules
    for name in ("android-popup-length", "harmony-inbox-lines", "send-channels-unique"):
        assert name in rules
    assert "duration_too_long" not in rules
    assert len(rules) > 60


def test_rules_table_lists_every_rule_and_only_those() -> None:
    code, docs = code_rules(), documented_rules()
    assert sorted(set(code) - set(docs)) == [], "rules missing from docs/campaigns.md"
    assert sorted(set(docs) - set(code)) == [], "rules in docs/campaigns.md the code never reports"
    wrong = {rule: (docs[rule], code[rule]) for rule in code if docs[rule] != code[rule]}
    assert wrong == {}, "severity column (docs, code) differs"


# --- examples --------------------------------------------------------------------------------

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def blocks() -> list[Any]:
    found = []
    for path in EXAMPLE_DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            info = match[1].split()
            if info[:1] != ["yaml"]:
                continue
            line = text.count("\n", 0, match.start()) + 1
            found.append(
                pytest.param(
                    info[1:], match[2], id=f"{path.relative_to(ROOT)}:{line}-{'-'.join(info)}"
                )
            )
    return found


def _documents(text: str) -> list[Any]:
    return [d for d in YAML(typ="safe", pure=True).load_all(text) if d is not None]


#: A target id every kind accepts (an EMAS device id is 32 digits and lowercase letters).
TARGET = "0123456789abcdef0123456789abcdef"


def _make_audience(campaign_file: Path, source: dict[str, Any]) -> None:
    row = {source.get("id_column", "id"): TARGET}
    if "timezone_column" in source:
        row[source["timezone_column"]] = "Europe/Berlin"
    for key in ("csv", "jsonl"):
        if key in source:
            path = campaign_file.parent / source[key]
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as handle:
                if key == "csv":
                    csv.writer(handle).writerows([list(row), list(row.values())])
                else:
                    handle.write(json.dumps(row) + "\n")


def test_the_docs_have_examples() -> None:
    tags = [param.values[0] for param in blocks()]
    assert tags.count([]) >= 10
    assert tags.count(["snippet"]) >= 3


@pytest.mark.parametrize(("tags", "text"), blocks())
def test_examples_validate(tags: list[str], text: str, tmp_path: Path) -> None:
    assert tags in ([], ["snippet"]), f"unknown block tags {tags}"
    documents = _documents(text)
    assert documents, "empty example"
    if tags == ["snippet"]:
        return
    root = tmp_path / "project"
    root.mkdir()
    if all(isinstance(d, dict) and "apps" in d for d in documents):
        (root / "pushflow.yaml").write_text(text, encoding="utf-8")
        load_project(root / "pushflow.yaml", now=NOW)  # raises SpecError on any error
        return
    campaigns = all(isinstance(d, dict) and {"name", "provider"} <= d.keys() for d in documents)
    assert campaigns, "neither a campaign nor a project file: tag the block `yaml snippet`"
    shutil.copy(ROOT / "pushflow.yaml", root / "pushflow.yaml")
    campaign_file = root / "campaigns" / "example.yaml"
    campaign_file.parent.mkdir()
    campaign_file.write_text(text, encoding="utf-8")
    for document in documents:
        source = (document.get("audience") or {}).get("source")
        if isinstance(source, dict):
            _make_audience(campaign_file, source)
    report = check_project([campaign_file], project_file=root / "pushflow.yaml", now=NOW)
    assert [str(p) for p in report.problems] == []
    assert len(report.campaigns) == len(documents)
