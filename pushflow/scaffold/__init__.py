"""``pushflow init``: a new campaigns repository, ready for pull requests and CI.

:func:`~pushflow.scaffold.layout.project_files` says what is written (the templates in
``templates/``, package data, plus the JSON Schemas of this pushflow);
:func:`~pushflow.scaffold.write.write_project` writes it all or nothing, never over a file.
"""

from __future__ import annotations

from pushflow.scaffold.layout import SOURCE_REPOSITORY, project_files
from pushflow.scaffold.write import ScaffoldError, write_project

__all__ = ["SOURCE_REPOSITORY", "ScaffoldError", "project_files", "write_project"]
