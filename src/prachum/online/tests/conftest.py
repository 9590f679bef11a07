import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _no_cached_rooms():
    """Join links cache a session's room for 30 s; ids are reused after a test's rollback."""
    cache.clear()
    yield
    cache.clear()
