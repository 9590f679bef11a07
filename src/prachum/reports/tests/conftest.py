from datetime import date

import pytest
from django.core.cache import cache

from prachum.demo.services import load_demo_meetings
from prachum.directory.services import load_organizations

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _files_in_a_temporary_data_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    from django.utils.functional import empty

    from prachum.reports.models import photo_files

    # The photo storage reads DATA_DIR when first used: forget it, so each test has its own folder.

    photo_files._wrapped = empty
    yield
    photo_files._wrapped = empty


@pytest.fixture
def demo_meetings(db):
    load_organizations()
    symposium, adgsom = load_demo_meetings(today=TODAY)
    return symposium, adgsom


@pytest.fixture
def symposium(demo_meetings):
    return demo_meetings[0]


@pytest.fixture
def adgsom(demo_meetings):
    return demo_meetings[1]
