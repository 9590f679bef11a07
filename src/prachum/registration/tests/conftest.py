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


@pytest.fixture(autouse=True)
def _no_recent_seat_counts():
    """The status guess before the meeting lock reads the counts this process read last, by meeting and
    category ids; ids come again in the next test's rolled-back database, so each test starts without them."""
    from prachum.registration.services import seats

    seats._recent_counts.clear()
    yield
    seats._recent_counts.clear()
