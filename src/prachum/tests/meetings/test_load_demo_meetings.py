"""The demo meeting files load, keep the reference's facts, and stay upcoming."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from prachum.demo.services import DEMO_DIR, load_demo_meetings
from prachum.directory.services import load_organizations
from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.reports.selectors import email_consent_question, list_of_participants

pytestmark = pytest.mark.django_db

VTE = ZoneInfo("Asia/Vientiane")
TODAY = date(2026, 11, 25)


@pytest.fixture
def meetings():
    load_organizations()
    symposium, adgsom = load_demo_meetings(today=TODAY)
    return symposium, adgsom


def test_the_symposium_of_10_september_2020_is_as_the_news_item_tells_it(meetings):
    symposium, _ = meetings

    assert symposium.title_lo == "ກອງປະຊຸມສຳມະນາທາງໄກອາຊຽນ-ຍີ່ປຸ່ນ ລະດົມຄວາມຄິດໃສ່ຮ່າງແຜນແມ່ບົດດິຈິຕອນອາຊຽນ 2025"
    assert symposium.title_en == "ASEAN-Japan Symposium on the ASEAN Digital Masterplan 2025"
    assert symposium.starts_at == datetime(2020, 9, 10, 14, 0, tzinfo=VTE)
    assert symposium.ends_at == datetime(2020, 9, 10, 16, 30, tzinfo=VTE)
    assert (symposium.format, symposium.status, symposium.time_zone) == ("online", "closed", "Asia/Vientiane")
    assert symposium.description_lo and symposium.description_en
    # One online session (one join link, one reminder) holding the agenda of the news item.
    (session,) = symposium.sessions.all()
    assert (session.starts_at, session.ends_at) == (symposium.starts_at, symposium.ends_at)
    items = list(session.agenda_items.all())
    assert [i.title_en for i in items] == [
        "Review of ASEAN-Japan ICT cooperation 2006-2020",
        "ASEAN ICT Masterplan 2020 (AIM 2020) Final Review",
        "Brainstorming on the draft ASEAN Digital Masterplan 2025",
        "Closing remarks by the Chair",
    ]
    assert all(i.title_lo for i in items)
    assert items[1].speaker_en == "Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR"
    assert [c.name_en for c in symposium.categories.all()] == [
        "Co-Chair", "Head of Delegation", "Delegate", "Secretariat", "Observer",
    ]
    # The ten member states of 2020 (Timor-Leste joined in 2025), the ASEAN Secretariat and Japan.
    assert [d.organization.code for d in symposium.delegations.all()] == [
        "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "ASEC", "JP",
    ]
    co_chairs = symposium.registrations.filter(category__code="co-chair").order_by("delegation__organization__protocol_order")
    assert [(r.full_name, r.name_lo, r.delegation.organization.code) for r in co_chairs] == [
        ("Phoukhong Chithoulokh", "ພູຂົງ ຈິດຮູບໂລກ", "LA"),
        ("Watanabe", "", "JP"),
    ]
    registrations = symposium.registrations.all()
    assert 28 <= registrations.count() <= 35
    assert set(registrations.values_list("status", flat=True)) == {"approved"}
    assert set(registrations.values_list("participation", flat=True)) == {"online"}
    genders = Counter(registrations.values_list("gender", flat=True))
    assert genders["female"] >= 10 and genders["male"] >= 10
    lao = registrations.filter(delegation__organization__code="LA")
    assert all(r.name_lo for r in lao)


def test_the_adgsom_demo_is_an_upcoming_hybrid_meeting_open_for_registration(meetings):
    _, adgsom = meetings

    assert adgsom.starts_at == datetime.combine(TODAY + timedelta(days=24), datetime.min.time().replace(hour=9), VTE)
    assert adgsom.ends_at.astimezone(VTE).date() == TODAY + timedelta(days=25)
    assert (adgsom.format, adgsom.status, adgsom.registration_mode, adgsom.capacity) == ("hybrid", "published", "open", 120)
    now = datetime.combine(TODAY, datetime.min.time().replace(hour=12), VTE)
    assert adgsom.registration_opens_at < now < adgsom.registration_closes_at < adgsom.starts_at
    assert adgsom.venue_lo and adgsom.venue_en
    assert adgsom.sessions.count() == 5
    delegations = list(adgsom.delegations.all())
    assert [d.organization.code for d in delegations] == [
        "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN", "ASEC", "JP",
    ]
    assert {d.quota for d in delegations} == {6}
    assert all(d.focal_points.count() == 1 for d in delegations)
    assert delegations[-1].focal_points.get().email == "focal.jp@example.org"
    categories = {c.code: c for c in adgsom.categories.all()}
    assert list(categories) == ["head-of-delegation", "delegate", "observer", "secretariat", "media"]
    assert categories["delegate"].needs_endorsement and categories["head-of-delegation"].allows_self_registration
    assert not categories["observer"].needs_approval and categories["observer"].allows_self_registration
    questions = {q.key: q.current_version for q in adgsom.questions.all()}
    assert questions["dietary"].kind == "choice" and questions["arrival-date"].kind == "date"
    assert questions["passport-number"].is_sensitive


def test_the_adgsom_demo_has_registrations_in_every_status(meetings):
    _, adgsom = meetings
    registrations = adgsom.registrations.all()

    assert 55 <= registrations.count() <= 65
    statuses = Counter(registrations.values_list("status", flat=True))
    assert set(statuses) == {"pending", "approved", "rejected", "waitlisted", "cancelled"}
    heads = registrations.filter(is_head_of_delegation=True).values_list("delegation__organization__code", flat=True)
    assert len(set(heads)) >= 10
    lao = registrations.filter(delegation__organization__code="LA")
    assert lao.exists() and all(r.name_lo and r.language == "lo" for r in lao)


def test_the_adgsom_demo_list_of_participants_shows_the_emails_people_agreed_to_show(meetings):
    _, adgsom = meetings
    assert email_consent_question(adgsom) is not None
    people = [p for d in list_of_participants(adgsom, language="en", with_email=True).delegations for p in d.people]
    agreed = set(adgsom.registrations.filter(answers__question__key="email-in-list", answers__value=True)
                 .values_list("pk", flat=True))
    shown = {p.registration_id for p in people if p.email}
    assert shown and shown == agreed & {p.registration_id for p in people}
    assert any(not p.email for p in people)


def test_loading_the_demo_files_again_the_same_day_changes_nothing(meetings):
    for name in ("asean-japan-symposium-2020.yaml", "adgsom-demo.yaml"):
        assert load_meeting_file(path=DEMO_DIR / name, today=TODAY).load_changes == {}


def test_on_a_later_day_only_the_adgsom_times_move(meetings):
    symposium = load_meeting_file(path=DEMO_DIR / "asean-japan-symposium-2020.yaml", today=TODAY + timedelta(days=30))
    adgsom = load_meeting_file(path=DEMO_DIR / "adgsom-demo.yaml", today=TODAY + timedelta(days=30))

    assert symposium.load_changes == {}
    assert set(adgsom.load_changes) == {"meeting", "sessions", "answers"}
    assert adgsom.starts_at.astimezone(VTE).date() == TODAY + timedelta(days=54)
