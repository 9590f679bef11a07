"""What changed in audit events, as people read it on the organizer's pages: each field by its label and
each value in words (audit/kinds.py), and the ids that registration, role and check-in events record (a
category, a delegation, a session, an account) by their names, read for a whole page of events at once."""

from collections import defaultdict

from django.utils.translation import pgettext

from prachum.audit.kinds import field_label, value_label

# A field that says again, as a code, what a named id says already: shown only where that id is not.
SAYS_AGAIN = {"category_code": "category"}


def _categories(ids):
    from prachum.meetings.models import Category  # audit is below the apps whose events it records

    return {category.pk: str(category.name) for category in Category.objects.filter(pk__in=ids)}


def _delegations(ids):
    from prachum.meetings.models import Delegation

    return {delegation.pk: str(delegation) for delegation in Delegation.objects.filter(pk__in=ids).select_related("organization")}


def _sessions(ids):
    from prachum.meetings.models import Session

    return {session.pk: str(session.title) for session in Session.objects.filter(pk__in=ids)}


def _accounts(ids):
    from django.contrib.auth import get_user_model

    return {user.pk: user.get_full_name() or user.get_username() for user in get_user_model().objects.filter(pk__in=ids)}


NAMED_BY_ID = {"category": _categories, "delegation": _delegations, "session": _sessions, "user": _accounts}


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _names(events) -> dict[str, dict[int, str]]:
    wanted = defaultdict(set)
    for event in events:
        for values in (event.before or {}, event.after or {}):
            for name, value in values.items():
                if name in NAMED_BY_ID and _is_id(value):
                    wanted[name].add(value)
    return {name: NAMED_BY_ID[name](ids) for name, ids in wanted.items()}


def _readable(event, name, value, names):
    if name in NAMED_BY_ID and _is_id(value):
        known = names.get(name, {})
        if value in known:
            return known[value]
        return pgettext("audit", "deleted (no. %(id)s)") % {"id": value}
    return value_label(event.kind, name, value)


def with_changes(events) -> list:
    """The events, each with `changes`: (field, before or None, after) for every field it names, before's
    order first. One query per kind of named id on the page, not one per event."""
    events = list(events)
    names = _names(events)
    for event in events:
        before, after = event.before or {}, event.after or {}
        fields = [
            name for name in dict.fromkeys([*before, *after])
            if not (name in SAYS_AGAIN and _is_id(before.get(SAYS_AGAIN[name], after.get(SAYS_AGAIN[name]))))
        ]
        event.changes = [
            (
                field_label(name),
                _readable(event, name, before[name], names) if before.get(name) is not None else None,
                _readable(event, name, after[name], names) if name in after else "—",
            )
            for name in fields
        ]
    return events
