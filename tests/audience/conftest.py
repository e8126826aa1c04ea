"""Campaigns with audiences, loaded as compile will load them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from pushflow.audience.store import MEMORY_KIB
from pushflow.audience.stream import Audience, open_audience
from pushflow.spec.loader import load_campaigns, load_project
from tests.conftest import NOW, MakeProject

EMAS = """\
name: flash
provider: emas
app: shop-emas
message:
  kind: notice
  title: Hi
  body: Hello
audience:
  kind: {kind}
  device_type: android
{audience}"""

MPAAS = """\
name: digest
provider: mpaas
app: shop-mpaas
message:
  kind: template
  template: digest
  values: {{count: "3"}}
audience:
  kind: {kind}
{audience}"""

#: Open the audience of a one-campaign project: (provider, kind, audience YAML, files) → Audience.
OpenAudience = Callable[..., Audience]


@pytest.fixture(params=[MEMORY_KIB, 0], ids=["memory", "disk"])
def memory_kib(request: pytest.FixtureRequest) -> int:
    """The target store's memory budget: every test that takes it runs on both ways of keeping
    targets (in memory, and in SQLite from the first row)."""
    budget: int = request.param
    return budget


#: Open the audience of ``campaigns/c.yaml`` written as given: (campaign YAML, files) → Audience.
OpenText = Callable[[str, dict[str, str]], Audience]


@pytest.fixture
def open_text(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_kib: int
) -> OpenText:
    """Write ``campaigns/c.yaml`` (and ``files``) and open its audience, as compile does (in
    memory, and on disk: see ``memory_kib``).

    The working directory is the project, so messages name ``campaigns/c.yaml`` and
    ``audiences/…`` as a user would see them.
    """

    def open_(campaign: str, files: dict[str, str]) -> Audience:
        root = make_project({"campaigns/c.yaml": campaign, **files})
        monkeypatch.chdir(root)
        project = load_project(root / "pushflow.yaml", now=NOW)
        loaded, problems = load_campaigns([root / "campaigns"], project, now=NOW)
        assert [str(p) for p in problems] == []
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        return open_audience(loaded[0], project.root, workdir=work, memory_kib=memory_kib)

    return open_


@pytest.fixture
def open_campaign(open_text: OpenText) -> OpenAudience:
    """:func:`open_text` of an EMAS or mPaaS campaign with the given audience lines."""

    def open_(
        kind: str, audience: str, files: dict[str, str] | None = None, provider: str = "emas"
    ) -> Audience:
        template = EMAS if provider == "emas" else MPAAS
        body = textwrap.indent(textwrap.dedent(audience), "  ")
        return open_text(template.format(kind=kind, audience=body), files or {})

    return open_
