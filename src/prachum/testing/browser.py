"""Headless Chromium through Playwright: the `chromium` fixture, registered for every test by
prachum.testing.plugin.

Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls there
unless DJANGO_ALLOW_ASYNC_UNSAFE is set: set here only, not at import, because other tests'
subprocesses (check --deploy) would inherit it. A test makes its data before the browser starts
(list the data fixture before `chromium`): while that loop runs, Django keeps the connections it
opens apart (asgiref's Local), where the test's teardown would not close them."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-sync",
]


@pytest.fixture
def chromium(monkeypatch):
    """A running headless Chromium (playwright.sync_api.Browser), closed after the test."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # any opened while the loop ran


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where a browser test saves its screenshots: $SCREENSHOTS_DIR when set (to look at them), else tmp_path."""
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
