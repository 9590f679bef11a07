"""Small caches in one process's memory, for reads that many requests repeat within a moment.

A public page, the form and the check-in desk read the same few rows hundreds of times a second
(bench/run.py, bench/registrations.py, bench/checkin.py); building those queries cost more than the
rest of the request. A ProcessCache keeps such a read for settings.PRACHUM_PROCESS_CACHE_SECONDS
(one setting for every such cache; 0 keeps nothing, as the tests do), in this process only: no
other process sees it and nothing has to delete it elsewhere. So use it only for what may be that many
seconds late without harm, or give a `version` the owner reads or bumps: an entry of another version
is never served. A cache whose entries carry such a version may keep them longer (`max_age`): reading the
version is cheap, rebuilding what it guards is not; the setting at 0 still keeps nothing.
"""

import threading
import time
from collections import OrderedDict
from weakref import WeakSet

from django.conf import settings

_caches: WeakSet = WeakSet()


class ProcessCache:
    """key -> (time kept, version, value), at most `max_entries` of them (the least recently used go)."""

    def __init__(self, name: str, *, max_entries: int = 1000, max_age: float | None = None):
        self.name = name
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # gthread workers serve requests in threads of one process
        _caches.add(self)

    def __repr__(self) -> str:
        return f"<ProcessCache {self.name}: {len(self._entries)} of {self.max_entries}>"

    def get(self, key, *, version=None, default=None):
        """The value kept for `key` if it is of `version` and younger than the setting; else `default`."""
        seconds = settings.PRACHUM_PROCESS_CACHE_SECONDS
        if seconds <= 0:
            return default
        if self.max_age is not None:
            seconds = self.max_age
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            kept_at, kept_version, value = entry
            if kept_version != version or time.monotonic() - kept_at >= seconds:
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key, value, *, version=None) -> None:
        if settings.PRACHUM_PROCESS_CACHE_SECONDS <= 0:
            return
        with self._lock:
            self._entries[key] = (time.monotonic(), version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_load(self, key, load, *, version=None):
        """The value kept for `key` (see get), else `load()`, kept. Two threads that miss at once both
        load: the lock is not held while loading (it would make every request wait for one query)."""
        missing = _MISSING
        value = self.get(key, version=version, default=missing)
        if value is missing:
            value = load()
            self.put(key, value, version=version)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_MISSING = object()


def clear_process_caches() -> None:
    """Forget everything every ProcessCache keeps (tests: ids come again in the next test's database)."""
    for process_cache in list(_caches):
        process_cache.clear()
