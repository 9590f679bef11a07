"""Reads of site administration: the accounts with their rights, and the trail of changes to accounts."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from prachum.audit.models import AuditEvent

from .roles import ADMINISTER_SITE, CREATE_MEETINGS
from .services import holders_of

ACCOUNTS_PER_PAGE = 50
TRAIL_SHOWN = 50


def accounts(*, query: str = ""):
    """Every account, with `role_count` (its meeting roles), active ones first, then by name. Each page of
    them gets its rights from with_rights()."""
    rows = get_user_model().objects.annotate(role_count=Count("meeting_roles", distinct=True))
    if query:
        rows = rows.filter(Q(email__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
                           | Q(username__icontains=query))
    return rows.order_by("-is_active", "first_name", "last_name", "username")


def with_rights(users) -> list:
    """The accounts, each with `may_create_meetings` and `is_administrator` (held, active or not) and
    `inherits_rights` (a superuser or a group's member, whose rights are changed in Django's admin): two
    queries for the page, not two per account."""
    users = list(users)
    ids = [user.pk for user in users]
    creators = set(holders_of(CREATE_MEETINGS).filter(pk__in=ids).values_list("pk", flat=True))
    administrators = set(holders_of(ADMINISTER_SITE).filter(pk__in=ids).values_list("pk", flat=True))
    in_groups = set(get_user_model().objects.filter(pk__in=ids, groups__isnull=False).values_list("pk", flat=True))
    for user in users:
        user.may_create_meetings = user.pk in creators
        user.is_administrator = user.pk in administrators
        user.inherits_rights = user.is_superuser or user.pk in in_groups
    return users


def account_trail(limit: int = TRAIL_SHOWN):
    """The latest changes to accounts, newest first, each with `account`: the account it concerns."""
    events = list(AuditEvent.objects.filter(kind__startswith="account.").select_related("actor")[:limit])
    ids = {int(event.object_id) for event in events if event.object_id.isdigit()}
    names = get_user_model().objects.in_bulk(ids)
    for event in events:
        event.account = names.get(int(event.object_id)) if event.object_id.isdigit() else None
    return events
