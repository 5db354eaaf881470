"""A part of the compiled lexicon kept pickled until something first asks for it.

Most of the cache's load time goes to making objects only the slow path reads (the
terms' entries, the context words, the marks of the offset map, the tokenizer's
crossings). A `Deferred` holds them as bytes, which load at the speed of a copy; the
first `value` makes the object and drops the bytes, so a process that judges many
messages holds one copy, as before. A start-up, or a run of clean messages, never
pays for them.
"""

from __future__ import annotations

import pickle
from dataclasses import fields
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Deferred(Generic[T]):
    """A value pickled until first asked (`value`); pickles as the same bytes either way."""

    __slots__ = ("_pickled", "_value")

    def __init__(self, pickled: bytes) -> None:
        self._pickled: bytes | None = pickled
        self._value: Any = _UNMADE

    @classmethod
    def of(cls, value: T) -> Deferred[T]:
        """A Deferred holding `value` pickled (what a compiled lexicon is built with)."""
        return cls(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    @property
    def value(self) -> T:
        value = self._value
        if value is _UNMADE:
            pickled = self._pickled
            if pickled is None:  # another thread made it between the two reads
                return self._value  # type: ignore[no-any-return]
            value = pickle.loads(pickled)
            # two threads may make it at once: each gets an equal object, one is kept
            self._value = value
            self._pickled = None
        return value  # type: ignore[no-any-return]

    @property
    def loaded(self) -> bool:
        return self._value is not _UNMADE

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        pickled = self._pickled
        if pickled is None:  # made (and the bytes dropped): pickle the object again
            pickled = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return Deferred, (pickled,)


class _Unmade:
    """The value of a Deferred not yet made (None may be a value)."""

    __slots__ = ()


_UNMADE: Any = _Unmade()


def fields_state(instance: Any) -> dict[str, object]:
    """A dataclass's fields alone, as its pickled state (`__getstate__`): what a cached
    property made on first need is not pickled beside its Deferred form, and is made
    again after a load."""
    return {field.name: getattr(instance, field.name) for field in fields(instance)}
