"""Safe YAML with positions.

ruamel.yaml composes the text into a node tree that keeps every node's line and column; this
module turns that tree into plain JSON-like data (dict, list, str, int, float, bool, None) and,
beside it, an index from each value's path to where it was written, so any later error about
``("strategy", "loop", "on", 2)`` can point at ``campaigns/x.yaml:14:17``.

Safety, by construction rather than by configuration:

- only the YAML 1.2 core tags are accepted (``!!python/object`` and any other explicit tag is an
  error at its position: nothing is ever instantiated from a tag);
- timestamps stay strings (pydantic parses them, so YAML and the JSON Schema agree);
- a duplicate key is an error at the second occurrence;
- aliases are expanded with a budget, so a "billion laughs" document fails fast;
- merge keys (``<<: *defaults``) are supported, explicit keys winning over merged ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pushflow.errors import Location, Problem, SpecError

Path = tuple[str | int, ...]

#: Most nodes one document may expand to (aliases included). Campaign files are small; large
#: target lists belong in audience files, which are streamed, not parsed as YAML.
MAX_NODES = 200_000

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}


@dataclass
class Document:
    """One YAML document: its data and where each part of it was written."""

    path: str
    data: Any
    start: Location
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)

    def locate(self, loc: Path, *, key: bool = False) -> Location:
        """The position of the deepest part of ``loc`` that exists in the document.

        ``loc`` may hold segments that are not in the data (pydantic adds union tags such as
        ``"template"`` or ``"function-after[...]"``); they are skipped. With ``key=True`` the
        position of the mapping key is preferred (for "unknown field" errors).
        """
        path = self.resolve(loc)
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), self.start)

    def resolve(self, loc: Path) -> Path:
        """``loc`` reduced to the segments that really are keys or indexes in the data.

        A segment may be a union tag that happens to equal a data key (``strategy.at`` is both
        the tag of the `at` strategy and its key), so every way of skipping segments is tried:
        the reading that matches the most segments wins, and among those the one that matches
        the last segment (the most specific).
        """
        best: tuple[int, bool, Path] = (0, False, ())

        def walk(node: Any, index: int, path: Path) -> None:
            nonlocal best
            if index == len(loc):
                score = (len(path), bool(path) and bool(loc) and path[-1] == loc[-1], path)
                if score[:2] > best[:2]:
                    best = score
                return
            segment = loc[index]
            if _has(node, segment):
                walk(node[segment], index + 1, (*path, segment))
            walk(node, index + 1, path)  # the segment is not a place in the file

        walk(self.data, 0, ())
        return best[2]


def _has(node: Any, segment: str | int) -> bool:
    if isinstance(node, dict):
        return isinstance(segment, str) and segment in node
    if isinstance(node, list):
        return isinstance(segment, int) and 0 <= segment < len(node)
    return False


def _location(path: str, node: Node) -> Location:
    mark = node.start_mark
    return Location(path, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns one composed document into data and positions, collecting every problem."""

    def __init__(self, path: str, constructor: Any) -> None:
        self.path = path
        self.constructor = constructor
        self.budget = MAX_NODES
        self.problems: list[Problem] = []
        self.values: dict[Path, Location] = {}
        self.keys: dict[Path, Location] = {}

    def build(self, node: Node, at: Path) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise SpecError(
                [
                    Problem(
                        _location(self.path, node),
                        f"document expands to more than {MAX_NODES} nodes "
                        "(an alias bomb, or a target list that belongs in an audience file)",
                        rule="yaml-size",
                    )
                ]
            )
        self.values.setdefault(at, _location(self.path, node))
        if isinstance(node, MappingNode):
            return self._mapping(node, at)
        if isinstance(node, SequenceNode):
            if node.tag != f"{_CORE}seq":
                self._bad_tag(node)
            return [self.build(item, (*at, index)) for index, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node)
            return node.value
        if node.tag in (f"{_CORE}str", f"{_CORE}timestamp"):
            return str(node.value)
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, at: Path) -> dict[str, Any]:
        if node.tag != f"{_CORE}map":
            self._bad_tag(node)
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: dict[str, Location] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_CORE}merge":
                self._merge(value_node, at, merged)
                continue
            key_location = _location(self.path, key_node)
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self.problems.append(
                    Problem(key_location, "a mapping key must be a plain scalar", rule="yaml-key")
                )
                continue
            key = str(key_node.value)
            if key in seen:
                self.problems.append(
                    Problem(
                        key_location,
                        f"duplicate key {key!r} (first defined at line {seen[key].line})",
                        rule="yaml-duplicate-key",
                    )
                )
                continue
            seen[key] = key_location
            self.keys[(*at, key)] = key_location
            result[key] = self.build(value_node, (*at, key))
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge(self, node: Node, at: Path, into: dict[str, Any]) -> None:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.problems.append(
                    Problem(
                        _location(self.path, source),
                        "a merge key (<<) takes a mapping or a list of mappings",
                        rule="yaml-merge",
                    )
                )
                continue
            for key, value in self._mapping(source, at).items():
                into.setdefault(key, value)

    def _bad_tag(self, node: Node) -> None:
        self.problems.append(
            Problem(
                _location(self.path, node),
                f"unsupported YAML tag {str(node.tag).replace(_CORE, '!!')!r}: only plain YAML "
                "values (strings, numbers, booleans, null, lists, mappings) are allowed",
                rule="yaml-tag",
            )
        )


def parse_documents(text: str, path: str) -> list[Document]:
    """Every document in ``text``; ``path`` is how the file is named in messages.

    Raises :class:`SpecError` with every problem found in every document.
    """
    yaml = YAML(typ="safe", pure=True)
    try:
        nodes = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise SpecError(
            [Problem(location, f"invalid YAML: {message}", rule="yaml-syntax")]
        ) from exc
    except YAMLError as exc:
        raise SpecError(
            [Problem(Location(path), f"invalid YAML: {exc}", rule="yaml-syntax")]
        ) from exc
    documents: list[Document] = []
    problems: list[Problem] = []
    for node in nodes:
        if node is None or (isinstance(node, ScalarNode) and node.tag == f"{_CORE}null"):
            continue  # an empty document (a trailing ---, or a file of comments)
        builder = _Builder(path, yaml.constructor)
        data = builder.build(node, ())
        problems.extend(builder.problems)
        documents.append(Document(path, data, _location(path, node), builder.values, builder.keys))
    if problems:
        raise SpecError(problems)
    return documents
