"""The outbox's pages: who may read them, the filters and pages, the email shown safely, and Resend."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from prachum.audit.models import AuditEvent
from prachum.meetings import setup
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.notify.models import Message
from prachum.notify.tests.factories import make_message, make_registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer

pytestmark = pytest.mark.django_db

Status = Message.Status


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def meeting():
    return make_meeting(slug="outbox-test", title_en="ADGSOM 2026", title_lo="ກອງປະຊຸມ ADGSOM 2026")


@pytest.fixture
def manager(meeting):
    return make_organizer(meeting)


@pytest.fixture
def registration(meeting):
    return make_registration(meeting, make_category(meeting), email="keo@example.la")


def outbox(meeting, **query):
    url = reverse("outbox:outbox", args=[meeting.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail(message):
    return reverse("outbox:message", args=[message.meeting.slug, message.pk])


def resend(message):
    return reverse("outbox:resend", args=[message.meeting.slug, message.pk])


# Who may read it


@pytest.mark.parametrize("role", [MeetingRole.Role.OWNER, MeetingRole.Role.MANAGER])
def test_those_who_manage_the_meeting_read_its_outbox(client, meeting, registration, role):
    message = make_message(registration)
    client.force_login(make_organizer(meeting, role=role))
    assert client.get(outbox(meeting)).status_code == 200
    assert client.get(detail(message)).status_code == 200


@pytest.mark.parametrize("role", [MeetingRole.Role.REVIEWER, MeetingRole.Role.CHECKIN])
def test_reviewers_and_check_in_staff_are_refused_the_private_links(client, meeting, registration, role):
    message = make_message(registration)
    client.force_login(make_organizer(meeting, role=role))
    for url in (outbox(meeting), detail(message)):
        assert client.get(url).status_code == 403
    assert client.post(resend(message)).status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", meeting=meeting).count() == 3


def test_a_focal_point_is_refused(client, meeting, registration):
    message = make_message(registration)
    client.force_login(make_focal_point(make_delegation(meeting)))
    assert client.get(outbox(meeting)).status_code == 403
    assert client.get(detail(message)).status_code == 403


def test_someone_not_logged_in_is_sent_to_the_login_page(client, meeting, registration):
    message = make_message(registration)
    for response in (client.get(outbox(meeting)), client.get(detail(message)), client.post(resend(message))):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Message.objects.count() == 1


def test_the_manager_of_another_meeting_is_refused(client, meeting, registration):
    message = make_message(registration)
    client.force_login(make_organizer(make_meeting()))
    assert client.get(outbox(meeting)).status_code == 403
    assert client.get(detail(message)).status_code == 403


def test_a_message_of_another_meeting_is_not_found_under_this_one(client, meeting, manager):
    other = make_message(make_registration())
    client.force_login(manager)
    url = reverse("outbox:message", args=[meeting.slug, other.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("outbox:resend", args=[meeting.slug, other.pk])).status_code == 404
    assert Message.objects.count() == 1


def test_resend_is_post_only(client, meeting, manager, registration):
    message = make_message(registration, status=Status.FAILED)
    client.force_login(manager)
    assert client.get(resend(message)).status_code == 405
    assert Message.objects.get(pk=message.pk).status == Status.FAILED


# The list


def test_the_list_says_who_what_and_what_became_of_it_in_words(client, meeting, manager, registration):
    make_message(registration, kind="registration.confirmed", status=Status.GAVE_UP, attempts=10,
                 last_error="SMTPRecipientsRefused: 550 No such mailbox")
    client.force_login(manager)
    page = client.get(outbox(meeting)).content.decode()
    assert "keo@example.la" in page and "Registration confirmed, with the e-ticket" in page
    assert "Failed, gave up" in page and "550 No such mailbox" in page
    with translation.override("lo"):
        page = client.get(reverse("outbox:outbox", args=[meeting.slug])).content.decode()
    assert 'lang="lo"' in page and "ສົ່ງບໍ່ສຳເລັດ" in page  # the status in Lao


def test_filters_by_status_and_kind_and_a_search_by_address(client, meeting, manager, registration):
    held = make_message(registration, kind="registration.received", status=Status.HELD)
    sent = make_message(registration, kind="registration.confirmed", status=Status.SENT, sent_at=timezone.now())
    other = make_message(make_registration(meeting, registration.category, email="tanaka@mic.go.jp"),
                         kind="registration.received", status=Status.HELD)
    client.force_login(manager)

    def shown(**query):
        page = client.get(outbox(meeting, **query)).content.decode()
        return {m.pk for m in (held, sent, other) if detail(m) + '"' in page}

    assert shown() == {held.pk, sent.pk, other.pk}
    assert shown(status="held") == {held.pk, other.pk}
    assert shown(kind="registration.confirmed") == {sent.pk}
    assert shown(status="held", kind="registration.received", q="MIC.go") == {other.pk}
    assert shown(q="nobody@") == set()


def test_a_meeting_with_thousands_of_emails_is_listed_page_by_page(client, meeting, manager, registration):
    first = make_message(registration)
    Message.objects.bulk_create([Message(meeting=meeting, registration=registration, kind="registration.received",
                                         to_email=f"p{n}@example.org", subject="s", body_text="t") for n in range(60)])
    client.force_login(manager)
    one = client.get(outbox(meeting)).content.decode()
    assert one.count('class="tag tag--message-') == 50 and "Page 1 of 2" in one and detail(first) not in one
    two = client.get(outbox(meeting, page=2)).content.decode()
    assert two.count('class="tag tag--message-') == 11 and detail(first) in two


@pytest.mark.parametrize("query", [
    "page=abc", "page=-1", "page=99999", "status=%3Cscript%3Ealert(1)%3C/script%3E", "kind=%3Cb%3Enope",
    "q=" + "a" * 5000, "status=sent&page=0", "q=%00%FF",
])
def test_bad_query_values_give_the_page_never_an_error(client, meeting, manager, registration, query):
    make_message(registration)
    client.force_login(manager)
    response = client.get(outbox(meeting) + "?" + query)
    assert response.status_code == 200
    assert b"<script>alert" not in response.content


def test_an_unknown_status_is_named_and_left_out(client, meeting, manager, registration):
    make_message(registration)
    client.force_login(manager)
    page = client.get(outbox(meeting, status="bogus")).content.decode()
    assert "That status is unknown: all statuses are shown." in page and "keo@example.la" in page


# One email


def test_the_email_is_shown_in_both_parts_its_html_only_inside_a_sandbox(client, meeting, manager, registration):
    html = '<html><body><p>Hello</p><script>parent.document.title="pwned"</script><img src=x onerror=alert(1)></body></html>'
    message = make_message(registration, body_text="Dear Keo,\n<b>not bold</b>\nhttps://example.org/x", body_html=html)
    client.force_login(manager)
    response = client.get(detail(message))
    page = response.content.decode()

    pre = re.search(r'<pre class="outbox-text"[^>]*>(.*?)</pre>', page, re.S).group(1)
    assert pre == "Dear Keo,\n&lt;b&gt;not bold&lt;/b&gt;\nhttps://example.org/x"
    iframe = re.search(r"<iframe[^>]*>", page).group(0)
    html_url = reverse("outbox:message_html", args=[meeting.slug, message.pk])
    assert ' sandbox=""' in iframe and f'src="{html_url}"' in iframe
    # The email's markup is not in our page, which keeps the site's policy: no inline script or style.
    assert "parent.document.title" not in page and "onerror" not in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert "no-store" in response["Cache-Control"]
    # The HTML part, at its own address: framed by our pages only, sandboxed, its inline styles and nothing else.
    part = client.get(html_url)
    assert part.content.decode() == html and part["Content-Type"] == "text/html; charset=utf-8"
    assert part["Content-Security-Policy"].startswith("sandbox; default-src 'none'; style-src 'unsafe-inline'")
    assert "frame-ancestors 'self'" in part["Content-Security-Policy"] and part["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-store" in part["Cache-Control"]
    client.logout()
    assert client.get(html_url).status_code == 302  # to the login page


def test_a_focal_points_invitation_without_a_mail_server_is_held_and_its_set_password_link_readable(
    client, meeting, manager, settings
):
    settings.PRACHUM_EMAIL_ENABLED = False
    delegation = make_delegation(meeting)
    setup.give_role(meeting_id=meeting.pk, actor=manager, role=MeetingRole.Role.FOCAL_POINT,
                    email="focal.jp@mic.go.jp", given_name="Taro", language="en", delegation_id=delegation.pk)
    message = Message.objects.get(to_email="focal.jp@mic.go.jp")
    assert message.status == Status.HELD and message.kind == "account.invitation"
    client.force_login(manager)

    page = client.get(outbox(meeting, status="held", kind="account.invitation")).content.decode()
    assert "focal.jp@mic.go.jp" in page and "Invitation to a role (focal point, colleague)" in page
    page = client.get(detail(message)).content.decode()
    link = re.search(r"http://localhost:8000(/en/accounts/[^\s<]*)", page).group(1)
    assert "This email was not sent: no mail server is configured." in page

    client.logout()
    response = client.get(link, follow=True)
    assert response.status_code == 200 and 'name="new_password1"' in response.content.decode()


# Resend


@pytest.mark.parametrize("status", [Status.FAILED, Status.GAVE_UP, Status.HELD])
def test_resend_puts_a_failed_given_up_or_held_email_back_and_it_goes_out(
    client, meeting, manager, registration, mail_server, status, django_capture_on_commit_callbacks
):
    message = make_message(registration, status=status, attempts=2, last_error="OSError: down")
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend(message), follow=True)

    mail_server.wait_for(1)
    assert [m["To"] for m in mail_server.messages] == ["keo@example.la"]
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at and message.last_error == ""
    assert Message.objects.count() == 1
    assert "The email is back in the queue." in response.content.decode()
    event = AuditEvent.objects.get(kind="message.resent")
    assert event.actor == manager and event.registration == registration
    assert event.before == {"status": status} and event.after == {"message": message.pk, "status": "queued"}


def test_resend_of_a_sent_email_sends_a_new_copy_and_keeps_the_first(
    client, meeting, manager, registration, mail_server, django_capture_on_commit_callbacks
):
    first = make_message(registration, status=Status.SENT, sent_at=timezone.now(), attempts=1)
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend(first))

    mail_server.wait_for(1)
    copy = Message.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302 and response["Location"] == detail(copy)
    assert (copy.status, copy.subject, copy.body_text, copy.kind) == (Status.SENT, first.subject, first.body_text, first.kind)
    assert Message.objects.get(pk=first.pk).status == Status.SENT and len(mail_server.messages) == 1


@pytest.mark.parametrize("status", [Status.QUEUED, Status.SENDING])
def test_an_email_on_its_way_is_not_resent(client, meeting, manager, registration, mail_server, status):
    message = make_message(registration, status=status)
    client.force_login(manager)

    page = client.post(resend(message), follow=True).content.decode()

    assert Message.objects.get().status == status and mail_server.envelopes == []
    assert "waiting to be sent already" in page or "being sent at this moment" in page
    assert not AuditEvent.objects.filter(kind="message.resent").exists()


def test_without_a_mail_server_a_resent_email_stays_held_and_the_page_says_so(
    client, meeting, manager, registration, settings
):
    settings.PRACHUM_EMAIL_ENABLED = False
    failed = make_message(registration, status=Status.FAILED)
    held = make_message(registration, status=Status.HELD)
    sent = make_message(registration, status=Status.SENT, sent_at=timezone.now())
    client.force_login(manager)

    for message in (failed, held, sent):
        page = client.post(resend(message), follow=True).content.decode()
        assert "There is no mail server: the email is kept in the outbox, not sent." in page

    assert {m.status for m in Message.objects.exclude(pk=sent.pk)} == {Status.HELD}
    assert Message.objects.count() == 4  # a held copy of the sent one
    assert Message.objects.get(pk=sent.pk).status == Status.SENT
    assert AuditEvent.objects.filter(kind="message.resent").count() == 2  # the held one was left as it was


# Every message written without a mail server is held


def test_every_place_that_writes_a_message_keeps_it_held_without_a_mail_server(meeting, manager, registration, settings):
    from prachum.online.emails import queue_online_email
    from prachum.registration.invitations import invite_people
    from prachum.registration.services.messaging import Draft, queue_organizer_message

    settings.PRACHUM_EMAIL_ENABLED = False
    settings.PRACHUM_DELIVERY = "celery"  # a hand-over would fail here: none may happen
    with transaction.atomic():
        queue_organizer_message(registration=registration, draft=Draft(subject_en="Hi", body_en="Hello"), actor=manager)
        queue_online_email(registration=registration, kind="online.reminder")
    setup.give_role(meeting_id=meeting.pk, actor=manager, role=MeetingRole.Role.CHECKIN, email="desk@example.la")
    invite_people(meeting=meeting, rows=[{"email": "guest@example.org", "given_name": "Guest", "language": "en"}],
                  actor=manager)
    kinds = dict(Message.objects.values_list("kind", "status"))
    assert set(kinds) >= {"registration.organizer_message", "online.reminder", "account.invitation", "invitation.sent"}
    assert set(kinds.values()) == {Status.HELD}


# The banner


def test_organizer_pages_say_that_mail_is_kept_and_link_to_the_outbox(client, meeting, manager, settings):
    settings.PRACHUM_EMAIL_ENABLED = False
    client.force_login(manager)
    page = client.get(reverse("organizer:registrations", args=[meeting.slug])).content.decode()
    banner = re.search(r"<p[^>]*data-mail-held>.*?</p>", page, re.S).group(0)
    assert "emails are kept in the" in banner and f'href="{outbox(meeting)}"' in banner
    assert "data-mail-held" in client.get(reverse("web:manage")).content.decode()

    reviewer = make_organizer(meeting, role=MeetingRole.Role.REVIEWER)
    client.force_login(reviewer)
    page = client.get(reverse("organizer:registrations", args=[meeting.slug])).content.decode()
    assert "data-mail-held" in page and outbox(meeting) not in page  # told, but no link they cannot open

    settings.PRACHUM_EMAIL_ENABLED = True
    assert "data-mail-held" not in client.get(reverse("organizer:registrations", args=[meeting.slug])).content.decode()


def test_public_pages_carry_no_banner(client, meeting, manager, settings):
    settings.PRACHUM_EMAIL_ENABLED = False
    client.force_login(manager)
    assert "data-mail-held" not in client.get(f"/en/m/{meeting.slug}/").content.decode()


# Account emails


@pytest.fixture
def account_message():
    return Message.objects.create(kind="account.organizer_invitation", to_email="new.organizer@example.la",
                                  language="lo", subject="ບັນຊີ", body_text="ຕັ້ງລະຫັດຜ່ານ: http://localhost:8000/lo/accounts/x/",
                                  body_html="<p>ຕັ້ງລະຫັດຜ່ານ</p>")


def test_account_emails_are_for_site_administrators(client, account_message, meeting, manager):
    url = reverse("outbox:account_outbox")
    message_url = reverse("outbox:account_message", args=[account_message.pk])
    assert client.get(url).status_code == 302  # to the login page

    client.force_login(manager)  # manages a meeting, administers nothing
    assert client.get(url).status_code == 403 and client.get(message_url).status_code == 403

    administrator = make_user()
    administrator.user_permissions.add(Permission.objects.get(codename="administer_site"))
    client.force_login(administrator)
    page = client.get(url).content.decode()
    assert "new.organizer@example.la" in page and "Invitation to an organizer account" in page
    assert "http://localhost:8000/lo/accounts/x/" in client.get(message_url).content.decode()
    # A meeting's email is not an account email.
    meeting_message = make_message(make_registration(meeting))
    assert client.get(reverse("outbox:account_message", args=[meeting_message.pk])).status_code == 404


def test_an_administrator_resends_an_account_email(client, account_message, mail_server,
                                                   django_capture_on_commit_callbacks):
    account_message.status = Status.GAVE_UP
    account_message.save()
    client.force_login(make_user(is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("outbox:account_resend", args=[account_message.pk]))

    assert [m["To"] for m in mail_server.wait_for(1)] == ["new.organizer@example.la"]
    assert Message.objects.get().status == Status.SENT


# Private links


@pytest.mark.parametrize("status", [Status.SENT, Status.QUEUED, Status.FAILED, Status.GAVE_UP])
def test_an_email_that_reached_or_will_reach_its_person_shows_no_private_link(client, meeting, manager, registration, status):
    message = make_message(registration, status=status, sent_at=timezone.now() if status == Status.SENT else None)
    token = registration.manage_token
    assert token in message.body_text and token in message.body_html
    client.force_login(manager)
    page = client.get(detail(message)).content.decode()
    assert token not in page
    assert "/r/•••/" in page and "data-links-masked" in page
    html_part = client.get(reverse("outbox:message_html", args=[meeting.slug, message.pk])).content.decode()
    assert token not in html_part and "/r/•••/" in html_part


def test_a_held_email_shows_its_private_links_to_pass_on(client, meeting, manager, registration):
    message = make_message(registration, status=Status.HELD)
    client.force_login(manager)
    page = client.get(detail(message)).content.decode()
    assert registration.manage_token in page and "data-links-masked" not in page
    html_part = client.get(reverse("outbox:message_html", args=[meeting.slug, message.pk])).content.decode()
    assert registration.manage_token in html_part


@pytest.mark.parametrize("link, shown", [
    ("https://x.test/lo/r/AbC_12-x/", "https://x.test/lo/r/•••/"),
    ("https://x.test/en/r/AbC/ticket.pdf", "https://x.test/en/r/•••/ticket.pdf"),
    ("https://x.test/lo/join/tok3n/12/", "https://x.test/lo/join/•••/12/"),
    ("https://x.test/en/accounts/set-password/MTI/abc-123def/", "https://x.test/en/accounts/set-password/MTI/•••/"),
    ("https://x.test/lo/m/adgsom/register/?invitation=s3cret&x=1", "https://x.test/lo/m/adgsom/register/?invitation=•••&x=1"),
    ("<a href=\"https://x.test/lo/m/a/register/?x=1&amp;invitation=s3cret\">", "<a href=\"https://x.test/lo/m/a/register/?x=1&amp;invitation=•••\">"),
    ("https://x.test/lo/m/adgsom/", "https://x.test/lo/m/adgsom/"),
])
def test_private_links_are_masked_in_text_and_html(link, shown):
    from prachum.notify.links import mask_private_links

    assert mask_private_links(f"Open {link} now") == f"Open {shown} now"
