"""A bounded, short-lived cache of Conductor's answers, dropped whenever the policy version moves."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class DecisionCache:
    """At most ``size`` answers, each kept ``ttl_seconds``; least recently used goes first when full.

    ``observe_version`` empties the cache when Conductor answers with another policy version than the one
    the cached answers came from.
    """

    def __init__(self, *, size: int, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._size = max(0, size)
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, bool]] = OrderedDict()
        self._version: int | None = None
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bool | None:
        """The cached answer, or None when absent or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, allowed = entry
            if expires <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return allowed

    def put(self, key: Hashable, allowed: bool) -> None:
        """Remembers an answer."""
        if self._size == 0 or self._ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + self._ttl, allowed)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def observe_version(self, version: int) -> None:
        """Notes the policy version of a fresh answer; a different one than before empties the cache."""
        with self._lock:
            if self._version is not None and version != self._version:
                self._entries.clear()
            self._version = version

    def clear(self) -> None:
        """Forgets every answer (e.g. when Conductor cannot be reached: nothing stays allowed)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
