"""A generic registry for pluggable adapters (SMS gateways, data registries, partner regions).

Each kind of adapter has one `Registry`; implementations register under an identifier and the
installation picks one by configuration.
"""

from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, identifier: str) -> Callable[[T], T]:
        def decorator(entry: T) -> T:
            if identifier in self._entries:
                raise ValueError(f"{self.kind} adapter {identifier!r} is already registered")
            self._entries[identifier] = entry
            return entry

        return decorator

    def __getitem__(self, identifier: str) -> T:
        try:
            return self._entries[identifier]
        except KeyError:
            raise KeyError(f"no {self.kind} adapter named {identifier!r}; known: {sorted(self._entries)}") from None

    def __contains__(self, identifier: str) -> bool:
        return identifier in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))
