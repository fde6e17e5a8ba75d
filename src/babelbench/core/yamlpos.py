"""YAML loading that remembers where each value was written.

pydantic reports a field path (``train.lr``); users need a line. We compose the YAML
node tree (pyyaml keeps start marks on nodes) and record, for every dotted path,
the file and line of its key, so any error can be pointed at the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, Problem


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


def load_yaml(path: Path, display: str | None = None) -> Located:
    """Load a YAML mapping from ``path`` with line numbers (1-based) per dotted key."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(name, None, "", "file not found")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ConfigError([Problem(name, line, "", f"invalid YAML: {getattr(exc, 'problem', exc)}")]) from None
    if node is None:
        raise ConfigError([Problem(name, None, "", "empty file")])
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError([Problem(name, node.start_mark.line + 1, "", "top level must be a mapping")])
    lines: dict[str, tuple[str, int]] = {}
    data = _build(node, "", name, lines)
    return Located(data=data, lines=lines)


def _build(node: yaml.Node, prefix: str, name: str, lines: dict[str, tuple[str, int]]) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in out:
                raise ConfigError([Problem(name, key_node.start_mark.line + 1, path, "duplicate key")])
            lines[path] = (name, key_node.start_mark.line + 1)
            out[key] = _build(value_node, path, name, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            path = f"{prefix}.{index}"
            lines[path] = (name, item.start_mark.line + 1)
            items.append(_build(item, path, name, lines))
        return items
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
