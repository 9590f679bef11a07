import threading
import time

import pytest

from prachum.core.caching import ProcessCache, clear_process_caches


@pytest.fixture
def kept(settings):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60
    return settings


def counting_loader(values):
    calls = []

    def load():
        calls.append(1)
        return values[len(calls) - 1]

    return load, calls


def test_a_value_is_loaded_once_within_its_freshness(kept):
    cache = ProcessCache("test")
    load, calls = counting_loader(["first", "second"])
    assert cache.get_or_load("k", load) == "first"
    assert cache.get_or_load("k", load) == "first"
    assert len(calls) == 1


def test_a_value_older_than_the_setting_is_loaded_again(kept, monkeypatch):
    cache = ProcessCache("test")
    load, calls = counting_loader(["first", "second"])
    assert cache.get_or_load("k", load) == "first"
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert cache.get_or_load("k", load) == "second"
    assert len(calls) == 2


def test_another_version_is_never_served(kept):
    cache = ProcessCache("test")
    cache.put("k", "of version 1", version=1)
    assert cache.get("k", version=1) == "of version 1"
    assert cache.get("k", version=2) is None
    assert cache.get_or_load("k", lambda: "of version 2", version=2) == "of version 2"
    assert cache.get("k", version=1) is None  # replaced, not kept beside it


def test_a_versioned_cache_keeps_its_values_for_its_own_age_and_not_when_the_setting_is_zero(settings, monkeypatch):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 2
    cache = ProcessCache("test", max_age=300)
    cache.put("k", "of version 1", version=1)
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + 10)
    assert cache.get("k", version=1) == "of version 1"
    monkeypatch.setattr(time, "monotonic", lambda: now + 301)
    assert cache.get("k", version=1) is None
    cache.put("k", "of version 1", version=1)
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 0
    assert cache.get("k", version=1) is None


def test_the_setting_at_zero_keeps_nothing(settings):
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 0
    cache = ProcessCache("test")
    load, calls = counting_loader(["first", "second"])
    assert [cache.get_or_load("k", load), cache.get_or_load("k", load)] == ["first", "second"]
    cache.put("j", "value")
    assert cache.get("j") is None


def test_the_least_recently_used_entry_goes_when_the_cache_is_full(kept):
    cache = ProcessCache("test", max_entries=3)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") == "A"  # used: "b" is now the least recently used
    cache.put("d", "D")
    assert [cache.get(key) for key in "abcd"] == ["A", None, "C", "D"]


def test_clear_process_caches_empties_every_cache(kept):
    first, second = ProcessCache("one"), ProcessCache("two")
    first.put("k", 1)
    second.put("k", 2)
    clear_process_caches()
    assert first.get("k") is None and second.get("k") is None


def test_threads_share_one_cache_without_losing_entries_or_its_bound(kept):
    cache = ProcessCache("test", max_entries=50)
    errors = []

    def work(n):
        try:
            for i in range(2000):
                key = (n, i % 80)
                value = cache.get_or_load(key, lambda: key)
                assert value == key
        except Exception as error:  # noqa: BLE001  (reported below, from the main thread)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache._entries) <= 50
