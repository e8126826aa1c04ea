"""Write a new repository's files: all of them or none, and never over an existing file.

Before anything is written every target is checked: a file that exists (or a file standing where
a folder must go) is an error naming each one, and nothing is written. Files are then created
with exclusive creation (``open(..., "x")``), so a file appearing in the meantime is not
overwritten either; if any write fails (that race, a full disk, a permission), the files and
folders this run created are removed again and the error says so. A folder that existed before
is never removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from pushflow.errors import PushflowError


class ScaffoldError(PushflowError):
    """The repository cannot be written as asked; nothing was written."""


def _conflicts(root: Path, paths: list[PurePosixPath]) -> list[str]:
    """Each target that exists, and each folder to create where a non-folder stands."""
    found: set[Path] = set()
    for relative in paths:
        target = root.joinpath(*relative.parts)
        if target.exists() or target.is_symlink():
            found.add(target)
        for parent in relative.parents:
            folder = root.joinpath(*parent.parts)
            if folder != root and (folder.is_file() or folder.is_symlink()):
                found.add(folder)
    return sorted(str(path) for path in found)


def _remove(created: list[Path]) -> None:
    for path in reversed(created):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
        except OSError:
            pass  # best effort: the error that made us undo is the one to report


def write_project(root: Path, files: Mapping[str, str]) -> list[Path]:
    """Create ``files`` (relative POSIX path → text) under ``root``; return the files written.

    ``root`` (and any folder above it) is created if missing. Raises :class:`ScaffoldError`
    and writes nothing if any file exists, or leaves nothing behind if a write fails.
    """
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root}: not a folder; nothing was written")
    paths = [PurePosixPath(name) for name in files]
    existing = _conflicts(root, paths)
    if existing:
        count = len(existing)
        what = "1 file already exists" if count == 1 else f"{count} files already exist"
        raise ScaffoldError(
            f"pushflow init never overwrites a file, and {what}; nothing was written:\n"
            + "\n".join(f"  {path}" for path in existing)
        )
    created: list[Path] = []
    written: list[Path] = []
    target = root
    try:
        for relative, text in zip(paths, files.values(), strict=True):
            target = root.joinpath(*relative.parts)
            for folder in reversed(target.parents):
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                created.append(target)
                handle.write(text)
            written.append(target)
    except OSError as exc:
        _remove(created)
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, FileExistsError):
            reason = "it appeared while pushflow init was writing"
        raise ScaffoldError(
            f"{target}: {reason}; the files already written were removed, nothing was written"
        ) from exc
    except BaseException:
        _remove(created)
        raise
    return written
