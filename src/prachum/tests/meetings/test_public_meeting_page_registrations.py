"""The public meeting page's parts that follow registrations: the registration state (with "full" and
the seats left), the co-chairs, and the cache that must notice when they change."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_session
from prachum.registration.models import Registration
from prachum.registration.tests import factories as registration_factories

pytestmark = pytest.mark.django_db

Status = Registration.Status


def page_url(meeting, language="en"):
    return f"/{language}/m/{meeting.slug}/"


def page(meeting, language="en") -> str:
    """The page as an anonymous reader gets it (the whole page from the cache when it is there)."""
    response = Client().get(page_url(meeting, language))
    assert response.status_code == 200
    return response.content.decode()


def make_registration(meeting, *, category=None, **overrides) -> Registration:
    """A pending registration (rows written directly: the page only reads them), in a new category unless given."""
    overrides.setdefault("name_lo", "")
    return registration_factories.make_registration(meeting, category or make_category(meeting), **overrides)


def make_delegation(meeting, **organization):
    return registration_factories.make_delegation(meeting, organization=make_organization(**organization))


# The registration state --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("meeting_values", "held", "state", "text"),
    [
        ({"registration_opens_at": timedelta(days=2)}, 0, "not_yet_open", "Registration opens on"),
        ({}, 0, "open", "Registration is open."),
        ({"registration_closes_at": timedelta(days=2)}, 0, "open", "Registration is open until"),
        ({"capacity": 2}, 1, "open", "Registration is open."),
        ({"capacity": 2}, 2, "full", "All seats are taken. You can still register to join the waiting list."),
        ({"registration_closes_at": -timedelta(days=1), "registration_opens_at": -timedelta(days=9)}, 0, "closed",
         "Registration is closed."),
        ({"status": Meeting.Status.CLOSED}, 0, "closed", "Registration is closed."),
        ({"status": Meeting.Status.CANCELLED}, 0, "cancelled", "This meeting has been cancelled."),
    ],
)
def test_the_registration_state_follows_dates_status_and_seats(meeting_values, held, state, text):
    now = timezone.now()
    values = {name: now + value if isinstance(value, timedelta) else value for name, value in meeting_values.items()}
    meeting = make_meeting(**values)
    for _ in range(held):
        make_registration(meeting)

    html = page(meeting)

    assert f'class="notice notice--{state}"' in html
    assert text in html
    assert html.count('class="notice ') == 1


def test_a_full_meeting_opens_again_when_a_seat_is_freed():
    meeting = make_meeting(capacity=1)
    holder = make_registration(meeting, status=Status.APPROVED)
    assert "notice--full" in page(meeting)

    holder.status, holder.cancelled_at = Status.CANCELLED, timezone.now()
    holder.save()

    html = page(meeting)
    assert "notice--full" not in html and "Registration is open." in html


def test_waitlisted_rejected_and_cancelled_registrations_hold_no_seat():
    meeting = make_meeting(capacity=1)
    for status in (Status.WAITLISTED, Status.REJECTED, Status.CANCELLED):
        make_registration(meeting, status=status)
    assert "Registration is open." in page(meeting)


def test_a_hybrid_meeting_is_full_when_both_pools_are():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=1, online_capacity=1)
    make_registration(meeting, participation=Registration.Participation.IN_PERSON)
    assert "notice--open" in page(meeting)

    make_registration(meeting, participation=Registration.Participation.ONLINE)
    assert "notice--full" in page(meeting)


# Seats left ---------------------------------------------------------------------------------------

def test_seats_left_are_shown_only_where_the_organizer_chose_to():
    shown = make_meeting(capacity=10, show_seats_left=True)
    hidden = make_meeting(capacity=10, show_seats_left=False)
    for meeting in (shown, hidden):
        make_registration(meeting)

    assert "9 seats left." in page(shown)
    assert "seats left" not in page(hidden) and "seats-left" not in page(hidden)


def test_no_seats_figure_without_a_capacity_or_outside_the_window():
    unlimited = make_meeting(capacity=None, show_seats_left=True)
    not_open = make_meeting(capacity=5, show_seats_left=True, registration_opens_at=timezone.now() + timedelta(days=1))
    full = make_meeting(capacity=1, show_seats_left=True)
    make_registration(full)

    assert "seats-left" not in page(unlimited)
    assert "seats-left" not in page(not_open)
    assert "seats-left" not in page(full) and "notice--full" in page(full)


def test_the_seats_left_follow_a_new_registration_on_a_cached_page():
    meeting = make_meeting(capacity=3, show_seats_left=True)
    assert "3 seats left." in page(meeting)
    assert "3 seats left." in page(meeting)  # now from the cache

    make_registration(meeting)
    assert "2 seats left." in page(meeting)

    make_registration(meeting)
    html = page(meeting)
    assert "1 seat left." in html and "seats left." not in html

    make_registration(meeting)
    html = page(meeting)
    assert "seats-left" not in html and "notice--full" in html


def test_the_logged_in_shell_follows_the_seats_too(client):
    from prachum.meetings.tests.factories import make_user

    meeting = make_meeting(capacity=3, show_seats_left=True)
    client.force_login(make_user())
    assert "3 seats left." in client.get(page_url(meeting)).content.decode()
    make_registration(meeting)
    assert "2 seats left." in client.get(page_url(meeting)).content.decode()


def test_a_cache_hit_costs_two_small_queries_however_many_registrations_and_co_chairs(django_assert_num_queries):
    meeting = make_meeting(capacity=50, show_seats_left=True, format=Meeting.Format.ONLINE, host=make_organization())
    co_chair = make_category(meeting, code="co-chair")
    make_registration(meeting, category=co_chair, protocol_role="co_chair", status=Status.APPROVED, delegation=make_delegation(meeting))
    make_registration(meeting, category=co_chair, protocol_role="co_chair", status=Status.APPROVED, organization_name="ASEAN Secretariat")
    for _ in range(5):
        make_registration(meeting)
        make_session(meeting)
    first = page(meeting)

    with django_assert_num_queries(2) as captured:  # the meeting's version, the version of its seats
        second = page(meeting)

    assert "registration" in captured.captured_queries[1]["sql"].lower()
    assert "co-chair" not in captured.captured_queries[1]["sql"].lower()  # no join: the seat index alone
    strip = lambda html: html.split('name="csrfmiddlewaretoken"')[0]  # noqa: E731 (the token differs)
    assert strip(second) == strip(first)
    assert "43 seats left." in second


def test_a_cache_miss_stays_a_handful_of_queries(django_assert_max_num_queries):
    meeting = make_meeting(capacity=50, show_seats_left=True, host=make_organization())
    co_chair = make_category(meeting, code="co-chair")
    for _ in range(3):
        make_registration(meeting, category=co_chair, protocol_role="co_chair", status=Status.APPROVED, delegation=make_delegation(meeting))
        make_session(meeting)

    # versions (2), meeting with host, its sessions, their agenda items (one query for all), the seats,
    # the co-chairs with their organizations, whether a news item or public documents are published
    # (reports: one query when there are none)
    with django_assert_max_num_queries(8):
        page(meeting)


# Co-chairs ---------------------------------------------------------------------------------------

def test_co_chairs_are_shown_only_once_approved_with_honorific_name_position_and_organization():
    meeting = make_meeting()
    co_chair = make_category(meeting, code="co-chair", name_en="Co-Chair")
    lao_pdr = make_delegation(meeting, name_en="Lao PDR", name_lo="ສປປ ລາວ")
    chair = make_registration(
        meeting, category=co_chair, protocol_role="co_chair", honorific="H.E.", given_name="Vilayvanh", family_name="Phouthavong",
        position="ADGSOM Chair", delegation=lao_pdr,
    )
    assert "Phouthavong" not in page(meeting)  # pending: not yet a co-chair

    # An approval that saves only some fields (updated_at untouched) must still show on the cached page.
    Registration.objects.filter(pk=chair.pk).update(status=Status.APPROVED)

    html = page(meeting)
    assert "<dt>Co-chair</dt>" in html
    assert "H.E. <strong>Vilayvanh Phouthavong</strong>" in html
    assert "ADGSOM Chair" in html and '<span class="small" lang="en">Lao PDR</span>' in html


@pytest.mark.parametrize("status", [Status.PENDING, Status.WAITLISTED, Status.REJECTED, Status.CANCELLED])
def test_a_co_chair_not_approved_is_not_shown(status):
    meeting = make_meeting()
    make_registration(meeting, category=make_category(meeting, code="co-chair"), protocol_role="co_chair", status=status, family_name="Hidden")
    html = page(meeting)
    assert "Hidden" not in html and "Co-chair" not in html


def test_approved_people_of_other_categories_are_not_co_chairs():
    meeting = make_meeting()
    make_registration(meeting, category=make_category(meeting, code="delegate"), status=Status.APPROVED,
                      family_name="Delegate")
    assert "Delegate" not in page(meeting).split("<h2>")[0]  # not among the facts at the top


def test_the_lao_page_names_co_chairs_in_lao_where_given_and_their_organization_in_lao():
    meeting = make_meeting()
    co_chair = make_category(meeting, code="co-chair")
    lao_pdr = make_delegation(meeting, name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=4)
    japan = make_delegation(meeting, name_en="Japan", name_lo="ຍີ່ປຸ່ນ", protocol_order=20)
    make_registration(meeting, category=co_chair, protocol_role="co_chair", status=Status.APPROVED, delegation=japan, honorific="Mr.",
                      given_name="Taro", family_name="Suzuki", position="Director-General")
    make_registration(meeting, category=co_chair, protocol_role="co_chair", status=Status.APPROVED, delegation=lao_pdr, honorific="ທ່ານ",
                      given_name="Vilayvanh", family_name="Phouthavong", name_lo="ວິໄລວັນ ພຸດທະວົງ")

    lao = page(meeting, "lo")
    assert 'ທ່ານ <strong lang="lo">ວິໄລວັນ ພຸດທະວົງ</strong>' in lao
    assert "ທ່ານ <strong>Taro Suzuki</strong>" in lao  # no Lao name given: the name as written, the Lao honorific
    assert '<span class="small" lang="lo">ສປປ ລາວ</span>' in lao and '<span class="small" lang="lo">ຍີ່ປຸ່ນ</span>' in lao
    assert lao.index("ສປປ ລາວ") < lao.index("ຍີ່ປຸ່ນ")  # protocol order

    english = page(meeting, "en")
    assert "Mr. <strong>Vilayvanh Phouthavong</strong>" in english and "ວິໄລວັນ" not in english
    assert "ທ່ານ" not in english.split("<main")[1]  # no Lao honorific in the English page's content
    assert '<span class="small" lang="en">Lao PDR</span>' in english


def test_a_co_chair_without_delegation_shows_the_organization_they_named():
    meeting = make_meeting()
    make_registration(meeting, category=make_category(meeting, code="co-chair"), protocol_role="co_chair", status=Status.APPROVED,
                      organization_name="Ministry of Internal Affairs and Communications")
    assert "Ministry of Internal Affairs and Communications" in page(meeting)


def test_co_chair_names_are_escaped():
    meeting = make_meeting()
    make_registration(meeting, category=make_category(meeting, code="co-chair"), protocol_role="co_chair", status=Status.APPROVED,
                      given_name="<script>alert(1)</script>", position='"><b>Chair')
    html = page(meeting)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Chair" not in html


def test_a_second_co_chair_changes_the_cached_page_and_the_heading_becomes_plural():
    meeting = make_meeting()
    co_chair = make_category(meeting, code="co-chair")
    make_registration(meeting, category=co_chair, protocol_role="co_chair", status=Status.APPROVED)
    assert "<dt>Co-chair</dt>" in page(meeting)
    make_registration(meeting, category=co_chair, protocol_role="co_chair", status=Status.APPROVED)
    assert "<dt>Co-chairs</dt>" in page(meeting)


def test_the_role_not_the_category_makes_a_chair_or_co_chair_with_a_heading_for_each():
    meeting = make_meeting()
    delegate = make_category(meeting, code="delegate")
    make_registration(meeting, category=make_category(meeting, code="co-chair"), status=Status.APPROVED,
                      family_name="CategoryOnly")
    make_registration(meeting, category=delegate, protocol_role="chair", status=Status.APPROVED, family_name="Chairman")
    make_registration(meeting, category=delegate, protocol_role="co_chair", status=Status.APPROVED, family_name="Alpha")
    make_registration(meeting, category=delegate, protocol_role="co_chair", status=Status.APPROVED, family_name="Beta")
    html = page(meeting)
    assert "CategoryOnly" not in html.split("<h2>")[0]
    assert "<dt>Chair</dt>" in html and "<dt>Co-chairs</dt>" in html
    assert html.index("<dt>Chair</dt>") < html.index("Chairman") < html.index("<dt>Co-chairs</dt>") < html.index("Alpha")


# Time zones --------------------------------------------------------------------------------------

SYMPOSIUM_START = datetime(2020, 9, 10, 7, 0, tzinfo=UTC)  # 14:00 in Vientiane


@pytest.mark.parametrize("meeting_format", [Meeting.Format.ONLINE, Meeting.Format.HYBRID])
def test_online_and_hybrid_meetings_carry_the_times_for_the_visitors_zone(meeting_format):
    meeting = make_meeting(format=meeting_format, starts_at=SYMPOSIUM_START,
                           ends_at=SYMPOSIUM_START + timedelta(hours=2, minutes=30))
    make_session(meeting, starts_at=SYMPOSIUM_START + timedelta(minutes=30))

    html = page(meeting)

    assert "10 September 2020, 14:00–16:30" in html  # the meeting's zone, always there
    assert "Times are in the meeting's time zone: Vientiane (UTC+7)." in html
    assert html.count("data-visitor-time ") == 2  # the meeting, its one session
    assert '<time datetime="2020-09-10T07:00:00Z"></time>–<time datetime="2020-09-10T09:30:00Z"></time>' in html
    assert '<time datetime="2020-09-10T07:30:00Z"></time>–<time datetime="2020-09-10T08:30:00Z"></time>' in html
    assert html.count('data-meeting-zone="Asia/Vientiane" hidden>') == 2  # shown by the script only
    assert '<script src="/static/meetings/visitor-time.js" data-months="January,February,' in html


def test_the_script_gets_the_month_names_of_the_page_for_browsers_without_lao_dates():
    meeting = make_meeting(format=Meeting.Format.ONLINE)
    assert 'data-months="ມັງກອນ,ກຸມພາ,ມີນາ,' in page(meeting, "lo")


def test_in_person_meetings_give_the_meetings_zone_only():
    meeting = make_meeting(format=Meeting.Format.IN_PERSON)
    make_session(meeting)
    html = page(meeting)
    assert "Times are in the meeting's time zone: Vientiane (UTC+7)." in html
    assert "data-visitor-time" not in html and "visitor-time.js" not in html


@pytest.mark.parametrize(
    ("zone", "label"),
    [("Asia/Yangon", "Yangon (UTC+6:30)"), ("America/New_York", "New York (UTC−4)"), ("UTC", "UTC"),
     ("Asia/Ho_Chi_Minh", "Ho Chi Minh City (UTC+7)")],
)
def test_the_meetings_zone_is_named_with_its_offset(zone, label):
    meeting = make_meeting(time_zone=zone, starts_at=datetime(2030, 7, 1, 13, 0, tzinfo=UTC))
    assert f"Times are in the meeting's time zone: {label}." in page(meeting)


# Open Graph --------------------------------------------------------------------------------------

def test_open_graph_tags_follow_the_language_of_the_page():
    meeting = make_meeting(slug="symposium", title_lo="ກອງປະຊຸມສຳມະນາ", title_en="Symposium",
                           description_lo="ລາຍລະອຽດ", description_en="Details")
    lao, english = page(meeting, "lo"), page(meeting, "en")
    assert '<meta property="og:title" content="ກອງປະຊຸມສຳມະນາ">' in lao
    assert '<meta property="og:description" content="ລາຍລະອຽດ">' in lao
    assert '<meta property="og:url" content="http://localhost:8000/lo/m/symposium/">' in lao
    assert '<meta property="og:locale" content="lo_LA">' in lao
    assert '<meta property="og:locale:alternate" content="en_GB">' in lao
    assert '<meta property="og:title" content="Symposium">' in english
    assert '<meta property="og:url" content="http://localhost:8000/en/m/symposium/">' in english


def test_open_graph_has_no_empty_description_and_escapes_the_title():
    meeting = make_meeting(title_en='The "best" <meeting>', description_lo="", description_en="")
    html = page(meeting)
    assert '<meta property="og:title" content="The &quot;best&quot; &lt;meeting&gt;">' in html
    assert "og:description" not in html and '<meta name="description"' not in html
