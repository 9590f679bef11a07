"""invite_people: a list of people → invitations, audit events and invitation emails, all or nothing."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.notify.models import Message
from prachum.registration.invitations import check_invitation_rows, invite_people, read_invitation_file
from prachum.registration.models import Invitation, Registration, hash_token
from prachum.registration.tests.factories import make_delegation, make_invitation, make_registration

pytestmark = pytest.mark.django_db

# The ASEAN–Japan symposium: 10 September 2030, 14:00–16:30 in Vientiane.
START = datetime(2030, 9, 10, 7, 0, tzinfo=UTC)
LINK = re.compile(r"http://localhost:8000/(lo|en)/m/([\w-]+)/register/\?invitation=([\w-]+)")


@pytest.fixture(autouse=True)
def _deliver_inline(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def meeting():
    meeting = make_meeting(
        slug="asean-japan", title_en="ASEAN–Japan Symposium", title_lo="ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ",
        format=Meeting.Format.ONLINE, starts_at=START, ends_at=START + timedelta(hours=2, minutes=30),
        registration_mode=Meeting.RegistrationMode.INVITATION,
    )
    make_category(meeting, code="co-chair", name_en="Co-Chair", name_lo="ປະທານຮ່ວມ", allows_self_registration=False)
    make_category(meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ")
    make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR", name_lo="ສປປ ລາວ"))
    make_delegation(meeting, organization=make_organization(code="JP", name_en="Japan", name_lo="ຍີ່ປຸ່ນ"))
    return meeting


def row(**values) -> dict:
    base = {"email": "somsak@example.la", "honorific": "Mr.", "given_name": "Somsak", "family_name": "Phommachanh",
            "category": "delegate", "delegation": "LA", "language": "en"}
    base.update(values)
    return base


def codes(result) -> list[tuple]:
    return [(error.line, error.column, error.code) for error in result.errors]


def nothing_saved():
    return not Invitation.objects.exists() and not Message.objects.exists() and not AuditEvent.objects.exists()


# The happy path ---------------------------------------------------------------------------------

def test_each_row_becomes_an_invitation_an_audit_event_and_an_email_whose_link_finds_it(
    meeting, django_capture_on_commit_callbacks
):
    actor = make_user()
    rows = [
        row(),
        row(email="Taro.Suzuki@MIC.GO.JP", honorific="Mr.", given_name="Taro", family_name="Suzuki",
            category="co-chair", delegation="jp", language="en"),
        row(email="vilay@example.la", honorific="ທ່ານ", given_name="ວິໄລວັນ", family_name="ພຸດທະວົງ",
            category="co-chair", delegation="LA", language="lo"),
    ]

    with django_capture_on_commit_callbacks() as callbacks:
        result = invite_people(meeting=meeting, rows=rows, actor=actor)

    assert result.ok and len(result.invitations) == 3 and len(result.messages) == 3
    # No mail server in the tests: the messages are written held and nothing is handed over for sending
    # (with one, notify.services.queue_message hands each over after the commit: notify's tests).
    assert callbacks == []
    taro = Invitation.objects.get(email="Taro.Suzuki@mic.go.jp")  # the domain lowercased
    assert (taro.category.code, taro.delegation.organization.code, taro.language) == ("co-chair", "JP", "en")
    assert taro.invited_by == actor and taro.used_at is None and taro.revoked_at is None
    assert taro.token_hash == hash_token(taro.token) and len(taro.token) >= 43  # 256 bits

    events = AuditEvent.objects.filter(kind="invitation.created", meeting=meeting)
    assert events.count() == 3 and {e.actor for e in events} == {actor}
    assert {e.after["email"] for e in events} == {"somsak@example.la", "Taro.Suzuki@mic.go.jp", "vilay@example.la"}

    for invitation in Invitation.objects.all():
        message = Message.objects.get(to_email=invitation.email)
        assert message.kind == "invitation.sent" and message.meeting == meeting and message.registration is None
        # No mail server in the tests: written held, readable in the outbox.
        assert message.language == invitation.language and message.status == Message.Status.HELD
        for body in (message.body_text, message.body_html):
            language, slug, token = LINK.search(body).groups()
            assert (language, slug) == (invitation.language, "asean-japan")
            assert Invitation.objects.get(token_hash=hash_token(token)) == invitation


def test_the_link_in_the_email_opens_the_registration_form_and_a_tampered_one_does_not(meeting, client, settings):
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
    invite_people(meeting=meeting, rows=[row()])
    link = LINK.search(Message.objects.get().body_text).group(0).removeprefix("http://localhost:8000")

    response = client.get(link)
    assert response.status_code == 200
    assert response.context["invitation"] == Invitation.objects.get()

    assert client.get(link[:-2] + "xx").status_code == 403


def test_the_email_is_in_the_invited_persons_language_with_the_meetings_title_and_times(meeting):
    invite_people(meeting=meeting, rows=[row(), row(email="vilay@example.la", given_name="ວິໄລວັນ",
                                                   honorific="ທ່ານ", family_name="", language="lo")])

    english = Message.objects.get(to_email="somsak@example.la")
    assert english.subject == "Invitation to ASEAN–Japan Symposium"
    assert "Dear Mr. Somsak Phommachanh," in english.body_text
    assert "10 September 2030, 14:00–16:30" in english.body_text and "(UTC+7)" in english.body_text
    assert "Online" in english.body_text and "Delegate" in english.body_text and "Lao PDR" in english.body_text

    lao = Message.objects.get(to_email="vilay@example.la")
    assert "ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ" in lao.subject
    assert "ທ່ານ ວິໄລວັນ" in lao.body_text and "ທ່ານ ວິໄລວັນ" in lao.body_html
    assert "ກັນຍາ 2030" in lao.body_text  # September, from the Lao formats
    assert "ສປປ ລາວ" in lao.body_text and "ຜູ້ແທນ" in lao.body_text
    assert '<html lang="lo">' in lao.body_html


def test_the_email_says_until_when_registration_is_open(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(registration_closes_at=datetime(2030, 9, 1, 10, 0, tzinfo=UTC))
    meeting.refresh_from_db()
    invite_people(meeting=meeting, rows=[row()])
    assert "Please register before 1 September 2030 at 17:00." in Message.objects.get().body_text


def test_the_emails_reach_a_real_mail_server_after_the_commit(meeting, mail_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite_people(meeting=meeting, rows=[row(), row(email="taro@mic.go.jp", language="lo")])

    received = mail_server.wait_for(2)
    assert sorted(m["To"] for m in received) == ["somsak@example.la", "taro@mic.go.jp"]
    english = next(m for m in received if m["To"] == "somsak@example.la")
    assert english["Subject"] == "Invitation to ASEAN–Japan Symposium"
    text = english.get_body(("plain",)).get_content()
    assert Invitation.objects.get(token_hash=hash_token(LINK.search(text).group(3))).email == "somsak@example.la"
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_a_name_with_html_and_script_is_escaped_in_the_html_email_and_kept_in_the_text(meeting):
    invite_people(meeting=meeting, rows=[row(given_name='<script>alert("x")</script>', family_name="<b>Bold</b>")])
    message = Message.objects.get()
    assert "<script>" not in message.body_html and "<b>Bold" not in message.body_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in message.body_html
    assert 'Dear Mr. <script>alert("x")</script> <b>Bold</b>,' in message.body_text
    assert "<script>" not in message.subject


def test_empty_optional_columns_take_the_meetings_language_and_no_category_or_delegation(meeting):
    result = invite_people(meeting=meeting, rows=[{"email": "a@example.org", "given_name": "A"}])
    invitation = result.invitations[0]
    assert (invitation.language, invitation.category, invitation.delegation) == ("lo", None, None)
    assert "Hello," not in Message.objects.get().body_text  # a name was given


def test_a_revoked_invitation_or_an_ended_registration_does_not_block_a_new_invitation(meeting):
    make_invitation(meeting, email="somsak@example.la", revoked_at=timezone.now())
    make_registration(meeting, meeting.categories.get(code="delegate"), email="somsak@example.la",
                      status=Registration.Status.CANCELLED)
    assert invite_people(meeting=meeting, rows=[row()]).ok


# Bad rows ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("values", "column", "code"),
    [
        ({"email": ""}, "email", "email_missing"),
        ({"email": "not an address"}, "email", "email_invalid"),
        ({"email": "Somsak <somsak@example.la>"}, "email", "email_invalid"),
        ({"email": "somsak@"}, "email", "email_invalid"),
        ({"given_name": "", "family_name": ""}, "given_name", "name_missing"),
        ({"given_name": "x" * 151}, "given_name", "too_long"),
        ({"honorific": "x" * 41}, "honorific", "too_long"),
        ({"family_name": "Phom\u202emachanh"}, "family_name", "bidi"),
        ({"given_name": "Som\x07sak"}, "given_name", "control"),
        ({"category": "minister"}, "category", "category_unknown"),
        ({"delegation": "XX"}, "delegation", "delegation_unknown"),
        ({"language": "fr"}, "language", "language_unknown"),
    ],
)
def test_every_kind_of_bad_row_is_refused_with_its_line_and_column(meeting, values, column, code):
    result = invite_people(meeting=meeting, rows=[row(email="first@example.org"), row(**values)])
    assert codes(result) == [(3, column, code)]
    assert result.errors[0].message  # a sentence for people
    assert nothing_saved()


def test_an_organization_without_a_delegation_at_this_meeting_is_unknown_here(meeting):
    make_organization(code="SG", name_en="Singapore")
    assert codes(invite_people(meeting=meeting, rows=[row(delegation="SG")])) == [(2, "delegation", "delegation_unknown")]


def test_a_category_of_another_meeting_is_unknown_here(meeting):
    make_category(make_meeting(), code="observer")
    assert codes(invite_people(meeting=meeting, rows=[row(category="observer")])) == [(2, "category", "category_unknown")]


def test_duplicates_in_the_file_name_the_first_line(meeting):
    result = invite_people(meeting=meeting, rows=[row(), row(email="other@example.org"), row(email="SOMSAK@example.LA")])
    assert codes(result) == [(4, "email", "duplicate_in_file")]
    assert "line 2" in result.errors[0].message
    assert nothing_saved()


def test_people_already_invited_or_registered_are_refused(meeting):
    make_invitation(meeting, email="Invited@Example.org")
    for status in (Registration.Status.PENDING, Registration.Status.WAITLISTED):
        make_registration(meeting, meeting.categories.get(code="delegate"), email=f"{status}@example.org", status=status)

    result = invite_people(meeting=meeting, rows=[
        row(email="invited@example.org"), row(email="pending@example.org"), row(email="ok@example.org"),
        row(email="waitlisted@EXAMPLE.org"),
    ])

    assert codes(result) == [(2, "email", "already_invited"), (3, "email", "already_registered"),
                             (5, "email", "already_registered")]
    assert Invitation.objects.count() == 1 and not Message.objects.exists()


def test_all_errors_of_all_rows_are_listed_in_the_order_of_the_file_and_nothing_is_saved(meeting):
    rows = [row(email="good@example.org"), row(email="bad", category="nope"), row(email="fine@example.org"),
            row(email="good@example.org", language="de")]
    result = invite_people(meeting=meeting, rows=rows)
    assert codes(result) == [(3, "email", "email_invalid"), (3, "category", "category_unknown"),
                             (5, "email", "duplicate_in_file"), (5, "language", "language_unknown")]
    assert result.invitations == [] and nothing_saved()


def test_lines_given_by_the_file_are_kept(meeting):
    rows = [{**row(email="bad"), "line": 7}]
    assert codes(invite_people(meeting=meeting, rows=rows)) == [(7, "email", "email_invalid")]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": Meeting.Status.DRAFT}, "meeting_not_published"),
        ({"status": Meeting.Status.CANCELLED}, "meeting_cancelled"),
        ({"status": Meeting.Status.CLOSED}, "registration_closed"),
        ({"registration_opens_at": timezone.now() - timedelta(days=9), "registration_closes_at": timezone.now()},
         "registration_closed"),
    ],
)
def test_a_meeting_that_nobody_can_register_for_takes_no_invitations(meeting, changes, code):
    Meeting.objects.filter(pk=meeting.pk).update(**changes)
    meeting.refresh_from_db()
    assert codes(invite_people(meeting=meeting, rows=[row()])) == [(None, "", code)]
    assert nothing_saved()


def test_invitations_before_registration_opens_are_fine(meeting):
    meeting.registration_opens_at = timezone.now() + timedelta(days=3)
    meeting.save()
    assert invite_people(meeting=meeting, rows=[row()]).ok


def test_an_empty_list_is_refused(meeting):
    assert codes(invite_people(meeting=meeting, rows=[])) == [(None, "", "no_rows")]


def test_the_same_list_twice_invites_once_and_then_reports_every_row(meeting):
    rows = [row(), row(email="taro@mic.go.jp")]
    assert invite_people(meeting=meeting, rows=rows).ok

    again = invite_people(meeting=meeting, rows=rows)

    assert codes(again) == [(2, "email", "already_invited"), (3, "email", "already_invited")]
    assert Invitation.objects.count() == 2 and Message.objects.count() == 2


def test_checking_alone_writes_nothing(meeting):
    result = check_invitation_rows(meeting=meeting, rows=[row()])
    assert result.ok and [r["email"] for r in result.rows] == ["somsak@example.la"] and nothing_saved()


# Reading the file -------------------------------------------------------------------------------

HEADER = "email,honorific,given_name,family_name,category,delegation,language\n"


def test_the_csv_keeps_lao_text_with_or_without_a_byte_order_mark():
    text = HEADER + "vilay@example.la,ທ່ານ,ວິໄລວັນ,ພຸດທະວົງ,co-chair,LA,lo\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        rows, errors, _encoding = read_invitation_file(data)
        assert errors == []
        assert rows == [{"email": "vilay@example.la", "honorific": "ທ່ານ", "given_name": "ວິໄລວັນ",
                         "family_name": "ພຸດທະວົງ", "category": "co-chair", "delegation": "LA", "language": "lo",
                         "line": 2}]


def test_the_csv_counts_lines_as_a_spreadsheet_shows_them():
    data = (HEADER + "a@example.org,,A,,,,\n\n"  # a blank line is skipped but counted
            '"b@example.org",,"B\nsecond line",,,,\n'  # a quoted value over two lines
            "c@example.org,,C,,,,\r\n").encode()
    rows, errors, _encoding = read_invitation_file(data)
    assert errors == [] and [(r["email"], r["line"]) for r in rows] == [
        ("a@example.org", 2), ("b@example.org", 4), ("c@example.org", 6)]


def test_columns_may_come_in_any_order_and_only_email_is_required():
    rows, errors, _encoding = read_invitation_file(b"Given_Name , EMAIL\nSomsak,somsak@example.la\n")
    assert errors == [] and rows == [{"given_name": "Somsak", "email": "somsak@example.la", "line": 2}]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(1, "", "no_header")]),
        (b"given_name\nSomsak\n", [(1, "", "missing_column")]),
        (b"email,organisation\nx@example.org,LA\n", [(1, "", "unknown_column")]),
        (b"email,email\nx@example.org,y@example.org\n", [(1, "", "duplicate_column")]),
        (b"PK\x03\x04 not really a workbook", [(None, "", "unreadable")]),
        (b"email,given_name\nx@example.org,X,extra\n", [(2, "", "too_many_values")]),
    ],
)
def test_an_unreadable_file_is_refused(data, expected):
    rows, errors, _encoding = read_invitation_file(data)
    assert [(e.line, e.column, e.code) for e in errors] == expected and rows == []
