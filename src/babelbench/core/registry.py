"""A named registry: the one implementation behind judge protocols, judge backends, eval backends
and export formats. Entries register with a decorator; a name registered twice (by a different
object) is an error naming both; built-in entries live in modules imported on first lookup, so
importing the registry (e.g. for `harness --help`) imports none of them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str, builtins: tuple[str, ...] = ()):
        self.what = what
        self._builtins = builtins
        self._entries: dict[str, T] = {}

    def register(self, name: str, on_register: Callable[[T, str], None] | None = None) -> Callable[[T], T]:
        def wrap(entry: T) -> T:
            existing = self._entries.get(name)
            if existing is not None and existing is not entry:
                raise ValueError(f"{self.what} {name!r} is registered twice "
                                 f"({getattr(existing, '__module__', '?')}, {getattr(entry, '__module__', '?')})")
            if on_register is not None:
                on_register(entry, name)
            self._entries[name] = entry
            return entry

        return wrap

    def _load(self) -> None:
        for module in self._builtins:
            importlib.import_module(module)

    def names(self) -> list[str]:
        self._load()
        return sorted(self._entries)

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._entries[name]
        except KeyError:
            raise ValueError(f"unknown {self.what} {name!r}; known: {', '.join(sorted(self._entries))}") from None

    def copy(self) -> Registry[T]:
        """A registry with the same entries (built-ins loaded), e.g. for a test to add to and discard."""
        self._load()
        other: Registry[T] = Registry(self.what)
        other._entries = dict(self._entries)
        return other

    def values(self) -> list[T]:
        """The entries in the order they were registered."""
        self._load()
        return list(self._entries.values())

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
