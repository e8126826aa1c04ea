"""The user documentation says what the code does.

(a) The rules table of ``docs/campaigns.md`` lists exactly the rule names the code can report,
    each with the severities it is reported at. The names are read from the source with ``ast``
    (see :data:`RULE_ARGUMENT`), not from a hand-kept list.

(b) Every example in the docs (README.md and docs/**/*.md) is checked. Convention for fenced
    code blocks (the info string is ``LANGUAGE [TAG...]``):

    - ```` ```yaml ````: a complete file that must validate with no problem at all (no warning
      either). A campaign (every document has ``name:`` and ``provider:``) is written to
      ``campaigns/example.yaml`` of a temporary copy of the repository's project (its
      ``pushflow.yaml``; each audience file it names is created with its id column and one
      row) and checked with :func:`pushflow.spec.check.check_project` at ``tests.conftest.NOW``.
      A project file (it has ``apps:``) is loaded with :func:`pushflow.spec.loader.load_project`.
    - ```` ```yaml snippet ````: a fragment (a few keys, a default, a broken example); it must
      only parse as YAML.
    - ```` ```console ````: ``$ `` lines are commands, the lines under one are its output. The
      page's shell blocks run in order, in a temporary copy of the repository's project with no
      credentials (the embedded emulator serves every app), through ``tests/docs/shell.py``.
      Each command must exit 0 unless the next line is ``$ echo $?``, whose output shows the
      code. Output shown must match (``tests/docs/matching.py``: a ``...`` line elides lines, a
      ``...`` in a line elides text); a command shown without output is not compared.
    - ```` ```sh ```` / ```` ```bash ````: every line is a command that must exit 0.
    - ```` ```console norun ```` (or ``bash norun``): not run, for the few examples that need
      what a test cannot have (credentials, PostgreSQL on another host, installing pushflow);
      its ``pushflow`` command lines must still parse. :data:`NORUN` lists them.
    - ``file=PATH`` on any block: the block is also written to PATH (relative to the working
      folder of the page's examples) before the next command.
    - ``<!-- docs-test: setup`` … ``-->``: shell lines run before the next example, unchecked
      (for deliberate mistakes a page describes in words); ``<!-- docs-test: at ISO -->`` moves
      the examples' clock.
    - any other language (``text``, ``json``, ``python``…) is not checked, but a ``text`` block
      may not hold ``$ pushflow`` lines: make it ``console``.

    A plain ```` ```yaml ```` block that is neither a campaign nor a project fails the test:
    tag it ``snippet``.

(c) The generated files (schemas, docs/reference/, the usage blocks of docs/commands/) are
    current, and every command has a page.
"""

from __future__ import annotations

import ast
import csv
import difflib
import json
import re
import shlex
import shutil
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import pytest
from ruamel.yaml import YAML

from pushflow.cli import cli
from pushflow.reference.generated import generated_files, stale_files
from pushflow.spec.check import check_project
from pushflow.spec.loader import load_project
from tests.conftest import NOW
from tests.docs.links import anchors, links, slug
from tests.docs.matching import explain, matches
from tests.docs.pages import ROOT, SHELLS, Block, Directive, Item, blocks, items, pages, steps
from tests.docs.shell import OPERATORS, Session, scratch

SOURCES = [ROOT / "pushflow" / "spec", ROOT / "pushflow" / "audience"]
CAMPAIGNS_DOC = ROOT / "docs" / "campaigns.md"

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


# --- YAML examples ---------------------------------------------------------------------------


def yaml_blocks() -> list[Any]:
    return [
        pytest.param(block.flags, block.body, id=f"{block.where}-{'-'.join(block.tags)}")
        for block in blocks("yaml")
    ]


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
    tags = [param.values[0] for param in yaml_blocks()]
    assert tags.count(()) >= 10
    assert tags.count(("snippet",)) >= 3


@pytest.mark.parametrize(("tags", "text"), yaml_blocks())
def test_examples_validate(tags: tuple[str, ...], text: str, tmp_path: Path) -> None:
    assert tags in ((), ("snippet",)), f"unknown block tags {tags}"
    documents = _documents(text)
    assert documents, "empty example"
    if tags == ("snippet",):
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


# --- shell examples --------------------------------------------------------------------------

#: The shell blocks that are not run, and why. Keep this short: every other example runs.
NORUN = {
    ("README.md", "pip install -e . && pushflow apply --yes"): "installs pushflow, runs the tests",
    ("docs/getting-started.md", "pip install -e . && pushflow apply --yes"): "the same",
    ("docs/getting-started.md", "$ export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5t..."): (
        "needs a real AccessKey and reaches Alibaba Cloud"
    ),
    ("docs/daemon.md", "$ pushflow daemon --state postgresql://push@db/pushflow"): (
        "needs a PostgreSQL server at a host named db"
    ),
    ("docs/commands/daemon.md", "$ pushflow daemon --state postgresql://pushflow@db.internal"): (
        "needs a PostgreSQL server at db.internal"
    ),
    ("docs/lifecycle.md", "$ pushflow drift"): "needs tasks changed behind pushflow's back",
}


def _runnable(item: Item) -> bool:
    if isinstance(item, Directive):
        return True
    return item.language in SHELLS and "norun" not in item.flags


def shell_pages() -> list[Any]:
    return [
        pytest.param(page, id=str(page.relative_to(ROOT)))
        for page in pages()
        if any(_runnable(item) for item in items(page))
    ]


def _run_block(session: Session, block: Block) -> None:
    todo = steps(block)
    for index, step in enumerate(todo):
        where = f"{block.page.relative_to(ROOT)}:{step.line}"
        output = session.run(step.command)
        if step.output is not None:
            shown = [session.local(line) for line in step.output]
            assert matches(shown, output), (
                f"{where}: `{step.command}`: {explain(shown, output)}\n--- it printed ---\n"
                f"{output}\n--- the page shows ---\n" + "\n".join(shown)
            )
        checked = index + 1 < len(todo) and todo[index + 1].command == "echo $?"
        if not checked:
            assert session.status == 0, (
                f"{where}: `{step.command}` exited {session.status} (show it with `$ echo $?`)"
                f":\n{output}"
            )


def _run_item(session: Session, item: Item) -> None:
    if isinstance(item, Directive):
        if item.kind == "at":
            session.set_clock(datetime.fromisoformat(item.body.strip()))
        elif item.kind == "setup":
            for line in item.body.strip().splitlines():
                output = session.run(line.strip())
                assert session.status == 0, f"{item.where}: setup `{line}` failed:\n{output}"
        else:
            raise AssertionError(f"{item.where}: unknown directive {item.kind!r}")
        return
    if item.file is not None:
        path = session.cwd / item.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.body, encoding="utf-8")
    if _runnable(item):
        _run_block(session, item)


@pytest.mark.parametrize("page", shell_pages())
def test_shell_examples_run(page: Path, tmp_path: Path) -> None:
    runnable = [item for item in items(page) if isinstance(item, Block) and _runnable(item)]
    with scratch(tmp_path) as folder:
        session = Session(folder)
        session.reserve_ports([step.command for block in runnable for step in steps(block)])
        try:
            for item in items(page):
                _run_item(session, item)
        finally:
            session.close()


def _commands(block: Block) -> list[list[str]]:
    """The ``pushflow`` command lines of a shell block, as argument lists."""
    found = []
    for step in steps(block):
        tokens = shlex.split(step.command, comments=True)
        while "pushflow" in tokens:
            tokens = tokens[tokens.index("pushflow") + 1 :]
            end = next((i for i, t in enumerate(tokens) if t in OPERATORS), len(tokens))
            found.append(tokens[:end])
            tokens = tokens[end:]
    return found


def norun_blocks() -> list[Block]:
    return [block for block in blocks(SHELLS) if "norun" in block.flags]


def _norun_key(block: Block) -> tuple[str, str]:
    page = str(block.page.relative_to(ROOT))
    keys = [key for key in NORUN if key[0] == page and block.body.startswith(key[1])]
    assert len(keys) == 1, f"{block.where}: a norun block must be listed in NORUN, with why"
    return keys[0]


def test_norun_examples_are_listed() -> None:
    """Not running an example is a decision: each one is listed in :data:`NORUN`, with why
    (keyed by page and the block's first characters, so edits elsewhere do not move it)."""
    assert sorted(_norun_key(block) for block in norun_blocks()) == sorted(NORUN)


@pytest.mark.parametrize("block", norun_blocks(), ids=lambda block: block.where)
def test_norun_examples_parse(block: Block) -> None:
    """Each ``pushflow`` line names a command and only its options, with their arguments (the
    values are not converted: a path need not exist here)."""
    found = _commands(block)
    assert found, f"{block.where}: no pushflow command in a norun block"
    # The group's settings (-h) as the real entry point has them: click caches a command's
    # help option the first time it is made.
    root = click.Context(cli, info_name="pushflow", **cli.context_settings)
    for args in found:
        command = cli.commands.get(args[0]) if args else None
        assert command is not None, f"{block.where}: unknown command {args}"
        context = click.Context(command, info_name=args[0], parent=root)
        command.make_parser(context).parse_args(list(args[1:]))


def test_text_blocks_hold_no_commands() -> None:
    found = [
        block.where
        for block in blocks(("text", ""))
        if any(line.startswith("$ pushflow") for line in block.body.splitlines())
    ]
    assert found == [], "make these `console` blocks, so they run"


# --- links ---------------------------------------------------------------------------------

#: Pages other branches add (linked from here already); drop an entry once its page exists.
PENDING: set[str] = set()


def test_links_lead_somewhere() -> None:
    """Every relative link of every page names a file that exists, and a heading in it."""
    broken = []
    for page in pages():
        for line, target in links(page):
            if re.match(r"^[a-z]+:", target):
                continue  # https:, mailto:
            path_part, _, anchor = target.partition("#")
            path = (page.parent / path_part).resolve() if path_part else page
            where = f"{page.relative_to(ROOT)}:{line}: {target}"
            if path.is_relative_to(ROOT) and str(path.relative_to(ROOT)) in PENDING:
                continue
            if not path.exists():
                broken.append(f"{where}: no such file")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{where}: no such heading")
    assert broken == []


def test_the_link_checker_knows_githubs_anchors() -> None:
    assert slug("`pushflow history CAMPAIGN [--limit N]`") == "pushflow-history-campaign---limit-n"
    assert slug("3. Credentials: the real apps") == "3-credentials-the-real-apps"
    assert slug("Catch-up and `missed`") == "catch-up-and-missed"


# --- generated files -------------------------------------------------------------------------


def test_every_command_has_a_page() -> None:
    missing = [
        name for name in cli.commands if not (ROOT / "docs" / "commands" / f"{name}.md").is_file()
    ]
    assert missing == []


def test_generated_files_are_current() -> None:
    files = generated_files(ROOT / "schemas", ROOT / "docs", cli)
    assert len(files) == 3 + 2 + len(cli.commands)
    stale = stale_files(files)
    diffs = [
        "\n".join(
            difflib.unified_diff(
                file.path.read_text(encoding="utf-8").splitlines() if file.path.is_file() else [],
                file.text.splitlines(),
                str(file.path.relative_to(ROOT)),
                "generated",
                lineterm="",
            )
        )
        for file in stale
    ]
    assert diffs == [], "run `pushflow schema --write`"
