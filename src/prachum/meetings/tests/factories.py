"""Small factories for tests: `make_<thing>(**overrides)` saves one valid row and returns it.

Defaults are the least surprising valid values; pass any model field to override it.
Unique fields (slugs, codes, usernames) get a counter so that factories may be called many times.
"""

import itertools
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from prachum.accounts.tests.factories import DEFAULT_PASSWORD, make_user  # noqa: F401 (one user factory for all)
from prachum.directory.models import Organization
from prachum.meetings.models import AgendaItem, Category, Meeting, Session

_sequence = itertools.count(1)



def _next() -> int:
    return next(_sequence)


def make_organization(**overrides) -> Organization:
    n = _next()
    values = {
        "code": f"org{n}",
        "kind": Organization.Kind.MEMBER_STATE,
        "name_en": f"Organization {n}",
        "name_lo": f"ອົງການ {n}",
        "protocol_order": n,
    }
    values.update(overrides)
    return Organization.objects.create(**values)


def make_meeting(**overrides) -> Meeting:
    """A published in-person meeting of one day, 30 days from now, 09:00–17:00 in Vientiane (UTC+7).

    `starts_at` alone moves the meeting and keeps its length; `ends_at` may be given too.
    """
    n = _next()
    starts_at = overrides.pop("starts_at", None)
    if starts_at is None:
        day = (timezone.now() + timedelta(days=30)).date()
        starts_at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 09:00 in Vientiane
    values = {
        "slug": f"meeting-{n}",
        "title_lo": f"ກອງປະຊຸມ {n}",
        "title_en": f"Meeting {n}",
        "starts_at": starts_at,
        "ends_at": overrides.pop("ends_at", None) or starts_at + timedelta(hours=8),
        "venue_lo": "ນະຄອນຫຼວງວຽງຈັນ",
        "venue_en": "Vientiane",
        "status": Meeting.Status.PUBLISHED,
    }
    values.update(overrides)
    return Meeting.objects.create(**values)


def make_session(meeting: Meeting, **overrides) -> Session:
    """A session of one hour at the start of its meeting (`starts_at` alone keeps the hour)."""
    n = _next()
    starts_at = overrides.pop("starts_at", None) or meeting.starts_at
    values = {
        "meeting": meeting,
        "title_lo": f"ກອງປະຊຸມຍ່ອຍ {n}",
        "title_en": f"Session {n}",
        "starts_at": starts_at,
        "ends_at": overrides.pop("ends_at", None) or starts_at + timedelta(hours=1),
        "order": n,
    }
    values.update(overrides)
    return Session.objects.create(**values)


def make_agenda_item(session: Session, **overrides) -> AgendaItem:
    """An item at the end of the session's agenda, without a time or a speaker."""
    n = _next()
    values = {
        "session": session,
        "title_lo": f"ວາລະ {n}",
        "title_en": f"Item {n}",
        "order": session.agenda_items.count() + 1,
    }
    values.update(overrides)
    return AgendaItem.objects.create(**values)


def make_category(meeting: Meeting, **overrides) -> Category:
    n = _next()
    values = {
        "meeting": meeting,
        "code": f"category-{n}",
        "name_lo": f"ຜູ້ແທນ {n}",
        "name_en": f"Delegate {n}",
        "order": n,
    }
    values.update(overrides)
    return Category.objects.create(**values)


