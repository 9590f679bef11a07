"""Test-wide set-up that must happen before Django reads its settings.

Loaded with `-p prachum.testing.plugin` (pyproject's addopts): pytest-django configures
Django before any conftest.py is read, so a conftest would be too late."""

import os
import tempfile

# Tests never touch a developer's data folder, and use PRACHUM_TEST_DATABASE_URL when CI sets it.
os.environ.setdefault("PRACHUM_DATA_DIR", tempfile.mkdtemp(prefix="prachum-test-"))
for _name in ("PRACHUM_DATABASE_URL", "PRACHUM_REDIS_URL", "PRACHUM_EMAIL_URL", "PRACHUM_BASE_URL", "PRACHUM_SECRET_KEY"):
    os.environ.pop(_name, None)
if os.environ.get("PRACHUM_TEST_DATABASE_URL"):
    os.environ["PRACHUM_DATABASE_URL"] = os.environ["PRACHUM_TEST_DATABASE_URL"]


import pytest  # noqa: E402

from prachum.testing.browser import chromium, screenshots  # noqa: E402, F401  (fixtures for every test)
from prachum.testing.services import private_postgres, private_redis  # noqa: E402, F401  (fixtures for every test)
from prachum.testing.smtp import mail_server, mail_server_down  # noqa: E402, F401  (fixtures for every test)


@pytest.fixture(autouse=True)
def _process_caches_off(settings):
    """Tests change rows and read them at once; production may reuse a read for 2 s (core/caching.py). A test
    that turns the caches on starts and ends without entries: ids come again in the next test's database."""
    from prachum.core.caching import clear_process_caches

    settings.PRACHUM_PROCESS_CACHE_SECONDS = 0
    clear_process_caches()
    yield
    clear_process_caches()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashes a password with PBKDF2's million rounds (about 0.4 s here): tests make and check
    hundreds of passwords, and what they test is who may log in, not the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_login_step_off(settings):
    """Most tests are about what an organizer does once logged in, and log in with force_login or the
    password alone: the second step (accounts.two_factor) is off for them. Tests of the login itself set
    settings.PRACHUM_REQUIRE_2FA back to "organizers", the production default."""
    settings.PRACHUM_REQUIRE_2FA = "off"
