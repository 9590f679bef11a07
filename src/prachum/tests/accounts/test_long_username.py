"""A username longer than django-axes' column (varchar(255)) is a failed login, not a database error
(a 500 on PostgreSQL before; SQLite does not enforce the length)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_login_with_a_very_long_username_is_a_failed_login_like_any_other():
    client = Client(raise_request_exception=False)
    response = client.post("/en/accounts/login/", {"username": "a" * 300, "password": "x" * 12})
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "a" * 255 and attempt.failures_since_start == 1
