"""`prachum demo --no-serve`: everything the demo needs, twice without changing anything."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from prachum.accounts.roles import is_site_administrator, may_create_meetings
from prachum.audit.models import AuditEvent
from prachum.directory.models import Organization
from prachum.meetings.models import Category, CustomQuestionVersion, Delegation, Meeting, MeetingRole, Session
from prachum.registration.models import Answer, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_static_root(settings, tmp_path):
    """The demo runs collectstatic, whose manifest in the session's STATIC_ROOT would switch every later
    test's {% static %} to hashed names that a live server started before cannot serve (its scripts
    then 404 in the browser tests). Django resets the static storage when the setting changes back."""
    settings.STATIC_ROOT = tmp_path / "static"


def run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out, **options)
    return out.getvalue()


def password_in(output: str) -> str:
    return next(line.split()[-1] for line in output.splitlines() if line.strip().startswith("Password"))


def snapshot():
    users = get_user_model().objects.values("username", "email", "first_name", "last_name", "is_active")
    rows = {"users": sorted(map(repr, users))}
    for model in (Organization, Meeting, Session, Category, Delegation, MeetingRole, CustomQuestionVersion,
                  Registration, Answer, AuditEvent):
        rows[model.__name__] = sorted(map(repr, model.objects.values()))
    return rows


def test_the_demo_prints_the_address_the_login_and_a_password_that_works(monkeypatch):
    monkeypatch.delenv("PRACHUM_DEMO_PASSWORD", raising=False)

    output = run_demo(port=8123)

    assert "http://localhost:8123/lo/" in output and "http://localhost:8123/en/" in output
    assert "Login      demo" in output
    password = password_in(output)
    demo = get_user_model().objects.get(username="demo")
    assert demo.check_password(password) and len(password) >= 12
    owned = MeetingRole.objects.filter(user=demo, role="owner").values_list("meeting__slug", flat=True)
    assert sorted(owned) == ["adgsom-demo", "asean-japan-symposium-2020"]
    # The whole organizer area: new meetings, copies, the accounts page.
    assert may_create_meetings(demo) and is_site_administrator(demo) and not demo.is_superuser
    granted = AuditEvent.objects.filter(kind="account.right_granted", object_id=str(demo.pk))
    assert sorted(next(iter(event.after)) for event in granted) == ["administrator", "may_create_meetings"]


def test_running_the_demo_twice_changes_nothing_but_the_random_password(monkeypatch):
    monkeypatch.delenv("PRACHUM_DEMO_PASSWORD", raising=False)
    first = run_demo()
    before = snapshot()

    second = run_demo()

    assert snapshot() == before
    assert "unchanged (the database already matches the file)" in second
    assert "26 unchanged" in second
    assert password_in(second) != password_in(first)
    assert get_user_model().objects.get(username="demo").check_password(password_in(second))


def test_the_password_can_be_chosen_and_stays(monkeypatch):
    monkeypatch.setenv("PRACHUM_DEMO_PASSWORD", "a-demo-password-2026")
    run_demo()
    stored = get_user_model().objects.get(username="demo").password

    output = run_demo()

    assert password_in(output) == "a-demo-password-2026"
    assert get_user_model().objects.get(username="demo").password == stored


def test_a_host_for_every_address_is_shown_as_the_local_address(monkeypatch):
    monkeypatch.setenv("PRACHUM_DEMO_PASSWORD", "a-demo-password-2026")

    output = run_demo(host="0.0.0.0", port=9000)

    assert "http://localhost:9000/lo/" in output
