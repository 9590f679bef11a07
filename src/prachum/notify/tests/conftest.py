"""The outbox's tests deliver synchronously by default; the SMTP server fixtures (mail_server,
mail_server_down) come from prachum.testing.smtp."""

import pytest


@pytest.fixture(autouse=True)
def _deliver_inline(settings):
    """Tests wait for nothing: a committed message is delivered in the committing thread.
    (One test switches to the in-process pool of embedded mode.)"""
    settings.PRACHUM_DELIVERY = "inline"
