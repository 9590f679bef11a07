"""`prachum create-administrator`: the first site administrator of a real install, with a printed link to
choose the password; bad input gives one clear line, never a traceback."""

import re
import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from prachum.accounts.roles import is_site_administrator, may_create_meetings
from prachum.audit.models import AuditEvent
from prachum.accounts.tests.factories import make_user
from prachum.notify.models import Message

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("create_administrator", *args, stdout=out)
    return out.getvalue()


def test_the_first_administrator_gets_a_link_to_choose_a_password(client, settings):
    settings.PRACHUM_BASE_URL = "http://testserver"
    output = run("--email", "Admin@MPT.gov.la", "--username", "bounmy", "--given-name", "Bounmy", "--language", "en")
    user = get_user_model().objects.get(username="bounmy")
    assert user.email == "admin@mpt.gov.la" and not user.has_usable_password()
    assert is_site_administrator(user) and may_create_meetings(user)
    link = re.search(r"http://testserver(/en/accounts/set-password/\S+/)", output).group(1)
    form = client.get(link)["Location"]
    client.post(form, {"new_password1": "ວຽງຈັນ-admin-2026!", "new_password2": "ວຽງຈັນ-admin-2026!"})
    assert get_user_model().objects.get(pk=user.pk).check_password("ວຽງຈັນ-admin-2026!")
    event = AuditEvent.objects.get(kind="account.invited")
    assert event.actor is None and event.actor_label == "system" and event.after["administrator"] is True
    assert Message.objects.get().to_email == "admin@mpt.gov.la"  # the same link, emailed (or kept in the outbox)


def test_without_a_user_name_the_email_is_the_user_name():
    run("--email", "admin@example.org")
    assert get_user_model().objects.get(email="admin@example.org").username == "admin@example.org"


@pytest.mark.parametrize("args, says", [
    (["--email", "not-an-email"], "'not-an-email' is not an email address."),
    (["--email", ""], "'(empty)' is not an email address."),
    (["--email", "a@example.org", "--username", "has space"], "'has space' is not a user name"),
    (["--email", "TAKEN@example.org"], "An account with the email taken@example.org exists already."),
    (["--email", "new@example.org", "--username", "Taken"], "An account with the user name 'Taken' exists already"),
    (["--email", "a@example.org", "--language", "fr"], "invalid choice: 'fr'"),
    ([], "the following arguments are required: --email"),
    # A database error on PostgreSQL before (NUL, longer than the column), stored as given on SQLite.
    (["--email", "a@example.org", "--given-name", "Bou\x00nmy"], "--given-name: a name cannot hold control"),
    (["--email", "a@example.org", "--family-name", "x" * 151], "--family-name: a name has at most 150 characters."),
])
def test_bad_input_is_refused_with_one_clear_line(args, says):
    make_user(username="taken", email="taken@example.org")
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert says in str(refused.value)
    assert get_user_model().objects.count() == 1 and not AuditEvent.objects.exists()


def test_on_the_command_line_an_error_is_one_line_without_a_traceback():
    result = subprocess.run([sys.executable, "-m", "prachum", "create-administrator", "--email", "not-an-email"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: 'not-an-email' is not an email address."
    assert "Traceback" not in result.stderr
