"""Fixtures of the registration page tests; the helpers are in web.py."""

import pytest
from django.core.cache import cache

from prachum.registration.tests.web import open_category, open_meeting


@pytest.fixture
def fresh_cache():
    """Rate-limit counts and cached pages live in the cache: every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meeting():
    return open_meeting(title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting")


@pytest.fixture
def category(meeting):
    return open_category(meeting, name_en="Delegate")
