"""YAML loading that remembers where each value was written.

pydantic reports a field path (``train.lr``); users need a line. We compose the YAML
node tree (pyyaml keeps start marks on nodes) and record, for every dotted path,
the file and line of its key, so any error can be pointed at the line.

What a configuration file cannot hold is refused here, each at its line: bytes that are not
UTF-8, keys that are lists, mappings, booleans, nulls or floats (``no:`` is a boolean in YAML),
anchors that contain themselves, aliases expanding to more than :data:`MAX_VALUES` values,
nesting deeper than :data:`MAX_DEPTH`, ``.nan``/``.inf``, and tags without a safe constructor.
Merge keys (``<<: *base``) are merged; keys written in the mapping itself win.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, Problem

#: Deepest nesting of mappings and lists a configuration file may have.
MAX_DEPTH = 48
#: Most values a file may expand to (aliases can multiply a small file: "billion laughs").
MAX_VALUES = 100_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
#: Tags a mapping or list may carry (the plain ones; the rest would be built as a plain mapping or list).
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class Located:
    """A loaded YAML document plus ``dotted path -> (file, line)``."""

    data: dict[str, Any]
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)

    def where(self, path: str, default_file: str) -> tuple[str, int | None]:
        """Most specific known position for ``path`` (falls back to its parents)."""
        parts = path.split(".") if path else []
        while parts:
            key = ".".join(parts)
            if key in self.lines:
                return self.lines[key]
            parts.pop()
        return default_file, None


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (as errors show files)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_text(path: Path, name: str) -> str:
    """The file's text, read as UTF-8; raise :class:`ConfigError` naming the file (and the line and
    byte offset of the first byte that is not UTF-8)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Problem(name, None, "", "file not found")]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(name, None, "", "is a folder, not a file")]) from None
    except OSError as exc:
        raise ConfigError([Problem(name, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([Problem(name, line, "", f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
                                                   "(save the file as UTF-8)")]) from None


def yaml_error(exc: yaml.YAMLError, text: str, name: str) -> Problem:
    """A pyyaml parse error as a problem at its line."""
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Problem(name, text.count("\n", 0, exc.position) + 1, "",
                       f"invalid YAML: unacceptable character #x{char:04x} ({exc.reason})")
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context and problem.startswith("but "):  # "expected a single document in the stream, but found another"
        problem = f"{context}, {problem}"
    return Problem(name, mark.line + 1 if mark else None, "", f"invalid YAML: {problem}")


def check_depth(text: str, name: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` at its line, reading parser events only (pyyaml's
    composer recurses once per level, so deep input would otherwise end in a RecursionError)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise ConfigError([Problem(name, line, "", f"nested more than {MAX_DEPTH} levels deep")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def load_yaml(path: Path, display: str | None = None) -> Located:
    """Load a YAML mapping from ``path`` with line numbers (1-based) per dotted key."""
    name = display or str(path)
    text = read_text(path, name)
    try:
        check_depth(text, name)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError([yaml_error(exc, text, name)]) from None
    except RecursionError:
        raise ConfigError([Problem(name, None, "", "invalid YAML: nested too deeply")]) from None
    if node is None:
        raise ConfigError([Problem(name, None, "", "empty file")])
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        raise ConfigError([Problem(name, node.start_mark.line + 1, "", f"top level must be a mapping (key: value lines), "
                                                                      f"not {kind}")])
    builder = _Builder(name)
    data = builder.build(node, "", 0)
    return Located(data=data, lines=builder.lines)


class _Builder:
    """Node tree -> plain Python values, recording each key's line; refuses what no config can hold."""

    def __init__(self, name: str):
        self.name = name
        self.lines: dict[str, tuple[str, int]] = {}
        self.values = 0
        self.open: set[int] = set()  # nodes being built: an alias to one of them is a cycle

    def fail(self, node: yaml.Node, path: str, message: str) -> ConfigError:
        return ConfigError([Problem(self.name, node.start_mark.line + 1, path, message)])

    def build(self, node: yaml.Node, prefix: str, depth: int) -> Any:
        if id(node) in self.open:
            raise self.fail(node, prefix, "an alias refers to the anchor that contains it (a recursive value)")
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.fail(node, prefix, f"the file expands to more than {MAX_VALUES} values (aliases repeated in aliases?)")
        if depth > MAX_DEPTH:
            raise self.fail(node, prefix, f"nested more than {MAX_DEPTH} levels deep")
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return self.scalar(node, prefix)
        if node.tag not in _COLLECTION_TAGS:
            raise self.fail(node, prefix, f"cannot read the value: the tag {node.tag!r} is not allowed here")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, prefix, depth)
            items = []
            for index, item in enumerate(node.value):
                path = f"{prefix}.{index}" if prefix else str(index)
                self.lines[path] = (self.name, item.start_mark.line + 1)
                items.append(self.build(item, path, depth + 1))
            return items
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, prefix: str, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            key = self.key(key_node, prefix)
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in out:
                raise self.fail(key_node, path, "duplicate key")
            self.lines[path] = (self.name, key_node.start_mark.line + 1)
            out[key] = self.build(value_node, path, depth + 1)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise self.fail(source, prefix, "a merge key (<<) takes a mapping or a list of mappings")
                known = dict(self.lines)
                merged = self.mapping(source, prefix, depth)
                self.lines = {**self.lines, **known}  # keys written here keep their own lines
                for key, value in merged.items():
                    out.setdefault(key, value)
        return out

    def key(self, node: yaml.Node, prefix: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            raise self.fail(node, prefix, f"a key must be plain text, not {kind}")
        key = self.scalar(node, prefix)
        if isinstance(key, str) or (isinstance(key, int) and not isinstance(key, bool)):
            return key  # integer keys: a rubric's grade levels (a key a schema wants as text is refused there)
        kind = {bool: "a boolean", type(None): "null", float: "a number"}.get(type(key), type(key).__name__)
        path = f"{prefix}.{node.value}" if prefix else node.value
        raise self.fail(node, path, f"key {node.value!r} is read as {kind} by YAML; quote it: \"{node.value}\"")

    def scalar(self, node: yaml.Node, path: str) -> Any:
        loader = yaml.SafeLoader("")
        try:
            value = loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise self.fail(node, path, f"cannot read the value {node.value!r}: {reason}") from None
        finally:
            loader.dispose()
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, path, f"{node.value} is not a finite number")
        return value
