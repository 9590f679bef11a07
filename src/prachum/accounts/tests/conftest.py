import pytest
from django.contrib.auth.models import Permission

from prachum.accounts.tests.factories import make_user


def give(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # without the permissions Django cached


@pytest.fixture
def administrator():
    return give(make_user(username="admin", email="admin@example.org", first_name="Site", last_name="Administrator"),
                "administer_site")


@pytest.fixture
def organizer():
    return make_user(username="keo", email="keo@example.la", first_name="Keo", last_name="Phommachanh", language="lo")
