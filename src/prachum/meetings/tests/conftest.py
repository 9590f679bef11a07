from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

# Tests run without `collectstatic`, and with DEBUG off Django's manifest storage cannot name a file
# that is not collected (settings.WHITENOISE_MANIFEST_STRICT=False does not change that); the pages
# are tested with the plain storage, which WhiteNoise serves from the app folders (WHITENOISE_USE_FINDERS).
UNCOLLECTED_STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": UNCOLLECTED_STATIC}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
