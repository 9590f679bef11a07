"""Site administration's services (accounts.services): inviting organizer accounts, deactivating and
reactivating them, granting and taking away the site-wide rights, each with its audit event."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from prachum.accounts import services
from prachum.accounts.roles import is_site_administrator, may_create_meetings
from prachum.accounts.services import AccountError
from prachum.audit.models import AuditEvent
from prachum.meetings.models import Role
from prachum.meetings.tests.factories import make_meeting, make_user
from prachum.notify.models import Message

from prachum.accounts.tests.conftest import give

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def codes(user):
    return list(AuditEvent.objects.filter(object_id=str(user.pk), kind__startswith="account.")
                .order_by("pk").values_list("kind", flat=True))


def test_an_invited_organizer_gets_an_account_without_password_and_an_email_in_the_chosen_language(administrator, settings):
    settings.PRACHUM_BASE_URL = "http://testserver"
    user = services.invite_account(actor=administrator, email=" Noy@Example.LA ", given_name="Noy",
                                   family_name="Sisouk", language="en", may_create_meetings=True)
    user = fresh(user)
    assert (user.username, user.email, user.language) == ("noy@example.la", "noy@example.la", "en")
    assert not user.has_usable_password() and may_create_meetings(user) and not is_site_administrator(user)
    event = AuditEvent.objects.get(kind="account.invited")
    assert event.meeting is None and event.actor == administrator and event.object_id == str(user.pk)
    assert event.after == {"language": "en", "may_create_meetings": True, "administrator": False}
    message = Message.objects.get(kind=services.ACCOUNT_INVITATION_KIND)
    assert message.meeting is None and message.to_email == "noy@example.la" and message.language == "en"
    assert message.subject == "Your organizer account in Prachum"
    assert "You may create meetings and copy them." in message.body_text and "site administrator:" not in message.body_text
    assert re.search(r"http://testserver/en/accounts/set-password/[^/]+/[^/\s]+/", message.body_text)
    assert "Site Administrator" in message.body_text  # who invited them


def test_an_email_that_has_an_account_already_is_refused_whatever_its_case(administrator, organizer):
    with pytest.raises(AccountError) as refused:
        services.invite_account(actor=administrator, email="KEO@example.la", given_name="Keo")
    assert refused.value.code == "email_taken" and refused.value.field == "email"
    with translation.override("en"):
        assert "exists already" in str(refused.value.message)
    assert not Message.objects.exists() and not AuditEvent.objects.filter(kind="account.invited").exists()


def test_only_a_site_administrator_may_change_accounts(organizer):
    other = make_user()
    for change in (
        lambda: services.invite_account(actor=organizer, email="x@example.org", given_name="X"),
        lambda: services.set_account_active(actor=organizer, user_id=other.pk, active=False),
        lambda: services.set_account_right(actor=organizer, user_id=other.pk, right="may_create_meetings", granted=True),
        lambda: services.resend_account_invitation(actor=organizer, user_id=other.pk),
    ):
        with pytest.raises(AccountError) as refused:
            change()
        assert refused.value.code == "not_administrator"
    assert fresh(other).is_active and not may_create_meetings(fresh(other))
    assert not AuditEvent.objects.exists()


def test_a_deactivated_administrator_may_no_longer_change_accounts(administrator, organizer):
    get_user_model().objects.filter(pk=administrator.pk).update(is_active=False)
    with pytest.raises(AccountError):
        services.set_account_active(actor=fresh(administrator), user_id=organizer.pk, active=False)


def test_deactivating_and_reactivating_an_account_is_audited(administrator, organizer):
    services.set_account_active(actor=administrator, user_id=organizer.pk, active=False)
    assert not fresh(organizer).is_active
    services.set_account_active(actor=administrator, user_id=organizer.pk, active=False)  # again: nothing to do
    services.set_account_active(actor=administrator, user_id=organizer.pk, active=True)
    assert fresh(organizer).is_active
    assert codes(organizer) == ["account.deactivated", "account.reactivated"]
    event = AuditEvent.objects.get(kind="account.deactivated")
    assert (event.before, event.after, event.meeting) == ({"is_active": True}, {"is_active": False}, None)


def test_an_administrator_cannot_deactivate_themselves_or_take_their_own_right_away(administrator):
    with pytest.raises(AccountError) as refused:
        services.set_account_active(actor=administrator, user_id=administrator.pk, active=False)
    assert refused.value.code == "yourself"
    with pytest.raises(AccountError) as refused:
        services.set_account_right(actor=administrator, user_id=administrator.pk, right="administrator", granted=False)
    assert refused.value.code == "own_administrator"
    assert is_site_administrator(fresh(administrator)) and fresh(administrator).is_active


def test_granting_and_taking_away_rights(administrator, organizer):
    services.set_account_right(actor=administrator, user_id=organizer.pk, right="may_create_meetings", granted=True)
    services.set_account_right(actor=administrator, user_id=organizer.pk, right="administrator", granted=True)
    assert may_create_meetings(fresh(organizer)) and is_site_administrator(fresh(organizer))
    # The new administrator may now take the first one's right away: two remain until then.
    services.set_account_right(actor=fresh(organizer), user_id=administrator.pk, right="administrator", granted=False)
    assert not is_site_administrator(fresh(administrator))
    services.set_account_right(actor=fresh(organizer), user_id=organizer.pk, right="may_create_meetings", granted=False)
    assert not may_create_meetings(fresh(organizer))
    assert codes(organizer) == ["account.right_granted", "account.right_granted", "account.right_revoked"]
    granted = AuditEvent.objects.filter(kind="account.right_granted").order_by("pk").first()
    assert (granted.before, granted.after) == ({"may_create_meetings": False}, {"may_create_meetings": True})


def test_a_right_held_as_superuser_is_not_changed_here(administrator):
    superuser = make_user(is_superuser=True)
    with pytest.raises(AccountError) as refused:
        services.set_account_right(actor=administrator, user_id=superuser.pk, right="may_create_meetings", granted=False)
    assert refused.value.code == "inherited"
    assert may_create_meetings(fresh(superuser)) and not AuditEvent.objects.exists()


def test_an_inactive_account_gets_no_right_and_no_link(administrator, organizer):
    services.set_account_active(actor=administrator, user_id=organizer.pk, active=False)
    for change in (
        lambda: services.set_account_right(actor=administrator, user_id=organizer.pk, right="administrator", granted=True),
        lambda: services.resend_account_invitation(actor=administrator, user_id=organizer.pk),
    ):
        with pytest.raises(AccountError) as refused:
            change()
        assert refused.value.code == "inactive"


def test_a_new_link_to_choose_a_password_is_sent_in_the_accounts_language(administrator, organizer):
    services.resend_account_invitation(actor=administrator, user_id=organizer.pk)
    message = Message.objects.get()
    assert message.language == "lo" and "/lo/accounts/set-password/" in message.body_text
    assert codes(organizer) == ["account.invitation_resent"]


def test_active_administrators_are_those_with_the_right_or_superusers(administrator):
    superuser = make_user(is_superuser=True)
    make_user()
    gone = give(make_user(is_active=False), "administer_site")
    assert set(services.active_administrators()) == {administrator, superuser}
    assert gone not in services.active_administrators()


def test_a_role_invitation_is_written_in_the_language_chosen_for_it_not_the_accounts(organizer):
    meeting = make_meeting(title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM")
    with transaction.atomic():
        chosen = services.queue_role_invitation(user=organizer, meeting=meeting, role_label=Role.REVIEWER.label,
                                                language="en")
        stored = services.queue_role_invitation(user=organizer, meeting=meeting, role_label=Role.REVIEWER.label)
    assert chosen.language == "en" and chosen.subject == "Your role at ADGSOM in Prachum"
    assert "You are now Reviewer for ADGSOM" in chosen.body_text
    assert stored.language == "lo" and "ຜູ້ພິຈາລະນາ" in stored.body_text
