"""A structure held in memory by each process and rebuilt when the data it comes from changes."""

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Rebuilt(Generic[T]):
    """`get()` returns the held object, rebuilt by `build(version)` when `version()` changes.

    The version (a cheap query) is checked at most every `recheck_seconds`, so that most calls cost
    nothing; `invalidate()` forces a rebuild on the next call (after a write in this process).
    """

    def __init__(self, build: Callable[[object], T], version: Callable[[], object], recheck_seconds: float = 5.0):
        self._build = build
        self._version = version
        self._recheck = recheck_seconds
        self._value: T | None = None
        self._value_version = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> T:
        now = time.monotonic()
        if self._value is not None and now - self._checked_at < self._recheck:
            return self._value
        with self._lock:
            version = self._version()
            if self._value is None or self._value_version != version:
                self._value, self._value_version = self._build(version), version
            self._checked_at = now
        return self._value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None
