"""A Redis cache that fails open: when Redis cannot be reached, the site works without a cache.

Everything the project keeps in the cache can be done without it: pages are built afresh (meeting page,
home), counters are counted in the database, sessions live in the database only (settings.py says why), and the
rate limits let requests through (django-ratelimit counts with `add`, which then answers "added": the
first request of a window). A registration must never fail because the cache did.

After a failure the cache is left alone for RETRY_SECONDS, so that a dead server costs one timeout per
interval and process, not one per call; one warning is logged per interval.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("prachum.cache")

RETRY_SECONDS = 30
# Redis answers in a millisecond; a server that takes a second is as good as down.
TIMEOUT_SECONDS = 1
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_down_until: dict[str, float] = {}  # location → monotonic time before which the cache is not tried
_lock = threading.Lock()


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", TIMEOUT_SECONDS)
        options.setdefault("retry_on_timeout", False)
        super().__init__(server, params)
        self._location = str(server)

    def _call(self, method: str, fallback, *args, **kwargs):
        if time.monotonic() < _down_until.get(self._location, 0):
            return fallback()
        try:
            return getattr(super(), method)(*args, **kwargs)
        except UNREACHABLE as error:
            with _lock:
                if time.monotonic() >= _down_until.get(self._location, 0):
                    logger.warning("The cache at %s cannot be reached (%s); working without it for %d s.",
                                   self._location.rsplit("@", 1)[-1], error, RETRY_SECONDS)
                    _down_until[self._location] = time.monotonic() + RETRY_SECONDS
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found")  # as for a key the cache does not hold

        return self._call("incr", missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version)

    def clear(self):
        return self._call("clear", lambda: False)
