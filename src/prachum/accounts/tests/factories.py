"""Users for tests. meetings.tests.factories passes these on, so tests above use one user factory."""

import itertools

from django.contrib.auth import get_user_model

_sequence = itertools.count(1)

DEFAULT_PASSWORD = "a long test password 42"


def make_user(**overrides):
    """A user with DEFAULT_PASSWORD (or `password=`); `is_superuser=True` makes an administrator."""
    n = next(_sequence)
    password = overrides.pop("password", DEFAULT_PASSWORD)
    values = {"username": f"user{n}", "email": f"user{n}@example.org"}
    values.update(overrides)
    if values.get("is_superuser"):
        values.setdefault("is_staff", True)
    user = get_user_model()(**values)
    user.set_password(password)
    user.save()
    return user
