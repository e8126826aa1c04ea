"""What ``pushflow init`` writes: every file of a new campaigns repository, as text.

The templates are package data (``pushflow/scaffold/templates/``). Two tokens in them are
replaced: ``__PUSHFLOW_VERSION__`` (this pushflow's version: the pre-commit ``rev`` is its tag
``vX.Y.Z``, and CI installs the same release) and ``__PUSHFLOW_REPOSITORY__`` (where pushflow's
source and tags live, for pre-commit and pip). ``schemas/`` is generated like ``pushflow schema``
does, so ``pushflow schema --check`` passes in the new repository until pushflow is upgraded.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, metadata
from importlib.resources import files

from pushflow import __version__
from pushflow.spec.schema import SCHEMAS, render


def _declared_source() -> str:
    """The ``Source`` URL pyproject.toml declares (``[project.urls]``)."""
    try:
        urls: list[str] = metadata("pushflow").get_all("Project-URL") or []
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "source":
            return url.strip()
    return "https://github.com/pushflow/pushflow"  # pragma: no cover


#: pushflow's source repository: its ``.pre-commit-hooks.yaml`` and release tags ``vX.Y.Z``.
#: ``pushflow init --source`` points a new repository at a fork or an internal mirror instead.
SOURCE_REPOSITORY = _declared_source()

#: Path in the new repository → template in ``pushflow/scaffold/templates/``, in writing order.
TEMPLATES = {
    "pushflow.yaml": "pushflow.yaml",
    "campaigns/welcome.yaml": "campaigns/welcome.yaml",
    "requirements.txt": "requirements.txt",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/pushflow.yml": "github-workflow.yml",
    ".gitlab-ci.yml": "gitlab-ci.yml",
    "ci/plan_comment.py": "plan_comment.py",
    ".pushflow/.gitignore": "pushflow-gitignore",
}


def template(name: str) -> str:
    """The text of one template, tokens not yet replaced."""
    return (files("pushflow.scaffold") / "templates" / name).read_text(encoding="utf-8")


def project_files(
    version: str = __version__, repository: str = SOURCE_REPOSITORY
) -> dict[str, str]:
    """Relative POSIX path → text of every file ``pushflow init`` writes."""
    out = {
        path: template(name)
        .replace("__PUSHFLOW_VERSION__", version)
        .replace("__PUSHFLOW_REPOSITORY__", repository)
        for path, name in TEMPLATES.items()
    }
    out.update({f"schemas/{name}": render(name) for name in SCHEMAS})
    return out
