"""load_meeting_file: one meeting from one YAML file, created or updated, the same file twice changes nothing."""

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from prachum.audit.models import AuditEvent
from prachum.directory.services import load_organizations
from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.exchange.meeting_files import MeetingFileError
from prachum.meetings.models import Category, CustomQuestion, CustomQuestionVersion, Delegation, Meeting, MeetingRole, Session
from prachum.registration.models import Answer, Registration

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
VTE = ZoneInfo("Asia/Vientiane")

MEETING = """\
slug: adgsom-test
series: ADGSOM
title: {lo: ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດິຈິຕອນອາຊຽນ, en: ASEAN Digital Senior Officials' Meeting}
description: {en: Test meeting.}
format: hybrid
status: published
time_zone: Asia/Vientiane
starts: "+21d 09:00"
ends: "+22d 16:00"
host: LA-MTC
registration:
  mode: open
  opens: "-7d 08:00"
  closes: "+18d 17:00"
  capacity: 120
sessions:
  - title: {lo: ພິທີເປີດ, en: Opening}
    starts: "+21d 09:00"
    ends: "+21d 10:30"
  - title: {en: Closing}
    starts: "+22d 14:00"
    ends: "+22d 16:00"
categories:
  - code: hod
    name: {lo: ຫົວໜ້າຄະນະ, en: Head of Delegation}
    quota: 13
    needs_endorsement: true
  - code: delegate
    name: {en: Delegate}
    quota: 60
    needs_endorsement: true
  - code: observer
    name: {en: Observer}
    needs_approval: false
delegations:
  - organization: LA
    quota: 2
    focal_points: [focal.la@example.org]
  - organization: VN
    quota: 6
    focal_points:
      - {email: Focal.VN@example.org, given_name: Thu, family_name: Trần}
organizers:
  - {email: secretariat@example.org, role: manager}
questions:
  - key: dietary
    kind: choice
    label: {lo: ອາຫານ, en: Dietary requirements}
    choices:
      - {value: none, en: None}
      - {value: halal, en: Halal}
  - key: passport
    kind: text
    label: {en: Passport number}
    sensitive: true
    categories: [hod, delegate]
  - key: arrival
    kind: date
    label: {en: Arrival date}
registrations:
  - honorific: Mr.
    given_name: Khamphet
    family_name: Sisouphanh
    name_lo: ຄຳເພັດ ສີສຸພັນ
    email: khamphet@example.org
    phone: "020 5551 2345"
    category: hod
    delegation: LA
    is_head_of_delegation: true
    status: approved
    answers: {dietary: none, passport: "P0000001", arrival: "+20d"}
  - given_name: Malavanh
    email: malavanh@example.org
    category: delegate
    delegation: LA
    status: pending
  - given_name: Bounthanh
    email: bounthanh@example.org
    category: delegate
    delegation: LA
    status: waitlisted
  - given_name: Sengphet
    email: sengphet@example.org
    category: delegate
    delegation: LA
    status: waitlisted
  - given_name: Văn Hùng
    family_name: Nguyễn
    email: hung@example.org
    language: en
    category: delegate
    delegation: VN
    status: rejected
    reason: Not a senior official.
  - given_name: Thi Lan
    family_name: Trần
    email: lan@example.org
    category: observer
    organization: National University of Laos
    participation: online
    status: cancelled
"""


@pytest.fixture(autouse=True)
def organizations():
    load_organizations()


def load(text=MEETING, **kwargs):
    return load_meeting_file(text=text, filename="adgsom.yaml", today=TODAY, **kwargs)


def snapshot():
    """Every row the loader may write, as plain values."""
    from django.contrib.auth import get_user_model

    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (Meeting, Session, Category, Delegation, MeetingRole, CustomQuestion, CustomQuestionVersion,
                      Registration, Answer, AuditEvent, get_user_model())
    }


def test_loading_creates_the_meeting_with_everything_in_the_file():
    meeting = load()

    assert meeting.slug == "adgsom-test" and meeting.host.code == "LA-MTC"
    assert meeting.starts_at == datetime(2026, 3, 23, 9, 0, tzinfo=VTE)
    assert meeting.ends_at == datetime(2026, 3, 24, 16, 0, tzinfo=VTE)
    assert meeting.registration_opens_at == datetime(2026, 2, 23, 8, 0, tzinfo=VTE)
    assert (meeting.format, meeting.status, meeting.capacity) == ("hybrid", "published", 120)
    assert [s.title_en for s in meeting.sessions.order_by("order")] == ["Opening", "Closing"]
    assert [c.code for c in meeting.categories.all()] == ["hod", "delegate", "observer"]
    observer = meeting.categories.get(code="observer")
    assert not observer.needs_approval and observer.quota is None
    assert [d.organization.code for d in meeting.delegations.all()] == ["LA", "VN"]  # protocol order
    vn = meeting.delegations.get(organization__code="VN")
    focal = vn.focal_points.get()
    assert (focal.email, focal.first_name, focal.has_usable_password()) == ("focal.vn@example.org", "Thu", False)
    assert MeetingRole.objects.filter(meeting=meeting, role="manager", user__email="secretariat@example.org").exists()
    assert meeting.registrations.count() == 6


def test_registrations_get_the_times_their_status_needs_a_token_and_a_badge_code():
    meeting = load()
    regs = {r.given_name: r for r in meeting.registrations.all()}

    head = regs["Khamphet"]
    assert head.status == "approved" and head.decided_at and head.endorsed_at and head.is_head_of_delegation
    assert head.phone == "+8562055512345" and head.name_lo == "ຄຳເພັດ ສີສຸພັນ"
    assert len(head.manage_token_hash) == 64 and len(head.badge_code) == 12
    assert regs["Malavanh"].decided_at is None and regs["Malavanh"].endorsed_at is None
    assert regs["Bounthanh"].waitlisted_at < regs["Sengphet"].waitlisted_at  # the file's order
    assert regs["Văn Hùng"].status == "rejected" and regs["Văn Hùng"].decision_reason == "Not a senior official."
    assert regs["Văn Hùng"].language == "en" and regs["Malavanh"].language == "lo"
    assert regs["Thi Lan"].cancelled_at and regs["Thi Lan"].participation == "online"
    assert len({r.badge_code for r in regs.values()}) == 6


def test_answers_are_stored_with_their_question_version_sensitive_ones_encrypted():
    meeting = load()
    head = meeting.registrations.get(email="khamphet@example.org")
    answers = {a.question.key: a for a in head.answers.all()}

    assert answers["dietary"].value == "none"
    assert answers["arrival"].value == "2026-03-22"
    assert answers["passport"].value is None and answers["passport"].sensitive_value == "P0000001"
    assert answers["passport"].question_version == answers["passport"].question.current_version


def test_loading_the_same_file_twice_changes_nothing():
    first = load()
    before = snapshot()

    again = load()

    assert again.pk == first.pk
    assert again.load_changes == {}
    assert snapshot() == before
    assert AuditEvent.objects.filter(kind="meeting.loaded").count() == 1


def test_one_audit_event_records_what_a_load_changed():
    meeting = load()
    event = AuditEvent.objects.get(kind="meeting.loaded")

    assert event.meeting == meeting and event.actor_label == "meeting file adgsom.yaml"
    assert event.after["changes"]["registrations"] == {"created": 6}

    load(MEETING.replace("quota: 60", "quota: 50"))

    assert AuditEvent.objects.filter(kind="meeting.loaded").count() == 2
    assert AuditEvent.objects.filter(kind="meeting.loaded").first().after["changes"] == {"categories": {"updated": 1}}


def test_a_changed_question_gets_a_new_version_and_an_unchanged_one_does_not():
    load()
    dietary = CustomQuestion.objects.get(key="dietary")
    first_version = dietary.current_version

    load(MEETING.replace("{value: halal, en: Halal}", "{value: halal, en: Halal}\n      - {value: vegan, en: Vegan}"))

    dietary.refresh_from_db()
    assert dietary.versions.count() == 2 and dietary.current_version.number == 2
    assert [c["value"] for c in dietary.current_version.choices] == ["none", "halal", "vegan"]
    assert Answer.objects.get(question=dietary).question_version == first_version  # answers keep their version
    assert CustomQuestion.objects.get(key="passport").versions.count() == 1


def test_the_edit_deadline_reviewed_fields_and_bilingual_emails_are_loaded():
    text = MEETING.replace('  capacity: 120\n', '  capacity: 120\n  edits_close: "+18d 17:00"\n'
                           '  reapproval_fields: [given_name, family_name, position]\n', 1)
    text = text.replace("host: LA-MTC\n", "host: LA-MTC\nemails_in_both_languages: true\n", 1)
    text = text.replace("    sensitive: true\n", "    sensitive: true\n    needs_reapproval: true\n", 1)

    meeting = load(text)

    assert meeting.edits_close_at == datetime(2026, 3, 20, 17, 0, tzinfo=VTE)
    assert meeting.reapproval_fields == ["given_name", "family_name", "position"]
    assert meeting.emails_in_both_languages is True
    assert CustomQuestion.objects.get(key="passport").current_version.needs_reapproval is True
    assert CustomQuestion.objects.get(key="dietary").current_version.needs_reapproval is False
    before = snapshot()
    load(text)
    assert snapshot() == before


def test_without_the_new_keys_edits_close_at_the_start_nothing_needs_review_and_emails_have_one_language():
    meeting = load()
    assert meeting.edits_close_at is None and meeting.edits_close == meeting.starts_at
    assert meeting.reapproval_fields == [] and meeting.emails_in_both_languages is False


def test_marking_a_question_needs_reapproval_makes_a_new_version():
    load()
    load(MEETING.replace("    sensitive: true\n", "    sensitive: true\n    needs_reapproval: true\n", 1))
    passport = CustomQuestion.objects.get(key="passport")
    assert passport.versions.count() == 2 and passport.current_version.needs_reapproval


def test_registrations_are_matched_by_email_and_updated():
    load()

    load(MEETING.replace("    status: pending\n", "    status: approved\n").replace("email: malavanh@example.org", "email: Malavanh@Example.org"))

    reg = Registration.objects.get(email__iexact="malavanh@example.org")
    assert reg.status == "approved" and reg.decided_at is not None and reg.endorsed_at is not None
    assert Registration.objects.count() == 6


def test_relative_times_follow_the_day_of_loading():
    meeting = load_meeting_file(text=MEETING, filename="adgsom.yaml", today=date(2026, 4, 1))

    assert meeting.starts_at == datetime(2026, 4, 22, 9, 0, tzinfo=VTE)


def test_relative_times_default_to_today_in_the_meetings_time_zone():
    from django.utils import timezone

    meeting = load_meeting_file(text=MEETING, filename="adgsom.yaml")

    assert meeting.starts_at.astimezone(VTE).date() == timezone.localdate(timezone=VTE) + (date(2026, 3, 23) - TODAY)


def test_absolute_times_are_local_to_the_meetings_time_zone():
    text = MEETING.replace('"+21d 09:00"', '"2020-09-10 14:00"', 1).replace('"+22d 16:00"', '"2020-09-10 16:30"', 1)
    text = text.split("sessions:")[0]

    meeting = load(text)

    assert meeting.starts_at == datetime(2020, 9, 10, 7, 0, tzinfo=ZoneInfo("UTC"))


def test_a_session_no_longer_in_the_file_is_deleted():
    load()

    meeting = load(MEETING.replace('  - title: {en: Closing}\n    starts: "+22d 14:00"\n    ends: "+22d 16:00"\n', ""))

    assert [s.title_en for s in meeting.sessions.all()] == ["Opening"]
    assert meeting.load_changes == {"sessions": {"deleted": 1}}


def test_a_category_no_longer_in_the_file_but_in_use_stops_the_load():
    load()
    text = MEETING.replace("  - code: observer\n    name: {en: Observer}\n    needs_approval: false\n", "")
    text = text.split("registrations:")[0]

    with pytest.raises(MeetingFileError) as info:
        load(text)

    assert info.value.code == "in_use" and "observer" in info.value.problem
    assert Category.objects.filter(code="observer").exists()


def test_a_question_no_longer_in_the_file_is_hidden_when_answered():
    load()

    load(re.sub(r"  - key: dietary\n(.*\n)*?  - key: passport", "  - key: passport", MEETING).replace("dietary: none, ", ""))

    dietary = CustomQuestion.objects.get(key="dietary")
    assert dietary.is_active is False


def test_existing_accounts_keep_their_names_and_get_their_roles():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("vn", email="focal.vn@example.org", first_name="Minh", password="x" * 12)

    meeting = load()

    user.refresh_from_db()
    assert user.first_name == "Minh" and user.has_usable_password()
    assert MeetingRole.objects.get(meeting=meeting, user=user).delegation.organization.code == "VN"


def test_loading_from_a_path_names_the_file(tmp_path):
    path = tmp_path / "adgsom.yaml"
    path.write_text(MEETING.replace("quota: 60", "quota: sixty"), encoding="utf-8")

    with pytest.raises(MeetingFileError, match=r"^adgsom\.yaml, line \d+, categories\[1\]\.quota: "):
        load_meeting_file(path=path, today=TODAY)


def test_the_command_loads_a_file_and_reports_what_changed(tmp_path, capsys):
    path = tmp_path / "adgsom.yaml"
    path.write_text(MEETING, encoding="utf-8")

    call_command("load_meeting", str(path), today=TODAY)
    call_command("load_meeting", str(path), "--today", "2026-03-02")

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Meeting adgsom-test: ") and "registrations 6 created" in out[0]
    assert out[1] == "Meeting adgsom-test: unchanged (the database already matches the file)."


def test_the_example_in_the_documentation_loads():
    doc = Path(__file__).resolve().parents[4] / "docs" / "meeting-files.md"
    if not doc.exists():
        pytest.skip("the documentation is not installed with the package")
    example = re.search(r"## A complete small example\n\n```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S).group(1)

    meeting = load_meeting_file(text=example, filename="meeting-files.md")

    assert meeting.registrations.count() == 2 and meeting.sessions.count() == 2
