"""Protocol order: the ONE order in which every list and document of a meeting names its people.

The organizer's registration list, the List of Participants, the badges batch, the attendance and
sign-in sheets and the exports all sort with this module, so that a protocol officer finds the same
person at the same place in each of them:

1. the meeting's chair, then its co-chairs (`Registration.protocol_role`, set by the organizer);
2. the delegations in protocol order (prachum.directory.protocol: member states in ASEAN order, the
   ASEAN Secretariat, dialogue partners, international organizations, the others; the organization as
   of the meeting's first day), then people without a delegation by the organization they wrote;
3. inside a delegation: the Head of Delegation first, then the rank the focal point or the organizer
   gave (`protocol_rank`, 1 first), then those without a rank by the meeting's category order, then by
   family name and given name in the Lao collation (prachum.core.collation), then first registered.

`protocol_sort_key(registration)` gives it in Python, `in_protocol_order(queryset)` in the database;
the two agree (SQLite's "lo" collation is the same lao_sort_key; PostgreSQL's ICU `lo-x-icu`).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Collate, TruncDate

from prachum.core.collation import LAO_COLLATION, lao_sort_key
from prachum.directory.history import current_organization
from prachum.directory.models import OrganizationKind
from prachum.directory.protocol import KIND_RANK, OTHERS_RANK
from prachum.registration.models import ProtocolRole

ROLE_RANK = {ProtocolRole.CHAIR.value: 0, ProtocolRole.CO_CHAIR.value: 1}
NO_ROLE_RANK = len(ROLE_RANK)
# The "kind" rank of an organization outside the groups of KIND_RANK (prachum.directory.protocol).
OTHER_KIND_RANK = OTHERS_RANK - 1


def role_rank(role: str) -> int:
    """0 for the chair, 1 for a co-chair, 2 for everyone else."""
    return ROLE_RANK.get(role or "", NO_ROLE_RANK)


def role_title(role: str, language: str, count: int = 1) -> str:
    """"Chair" / "Co-Chair" (ປະທານ / ປະທານຮ່ວມ) in `language`, in the plural for `count` people: the
    heading of the List of Participants, the band of a badge."""
    from django.utils import translation
    from django.utils.translation import npgettext

    with translation.override(language):
        if role == ProtocolRole.CHAIR:
            return npgettext("role at the meeting", "Chair", "Chairs", count)
        return npgettext("role at the meeting", "Co-Chair", "Co-Chairs", count)


def _lao(text: str) -> tuple:
    # The raw text after the collation key, as SQLite's compare_lao breaks ties by code points.
    return (lao_sort_key(text or ""), text or "")


def delegation_key(organization, *, delegation_id: int | None = None, organization_name: str = "") -> tuple:
    """Where a delegation comes in protocol order: `organization` as of the meeting's first day (the
    delegation's accessor gives it so), or None for people without a delegation, who come after every
    delegation by the organization they wrote (`organization_name`)."""
    if organization is None:
        return (OTHERS_RANK, 0, "", 0, _lao(organization_name))
    current = current_organization(organization)
    return (KIND_RANK.get(organization.kind, OTHER_KIND_RANK), organization.protocol_order, current.name_en or "",
            delegation_id or 0, _lao(""))


def in_delegation_key(registration) -> tuple:
    """Inside a delegation: head, rank, category order, family name, given name, first registered."""
    rank = registration.protocol_rank
    return (
        not registration.is_head_of_delegation, rank is None, rank or 0,
        registration.category.order, registration.category_id,
        _lao(registration.family_name), _lao(registration.given_name), registration.pk,
    )


def protocol_sort_key(registration) -> tuple:
    """The sort key of a registration in protocol order (its category and delegation's organization loaded)."""
    organization = registration.delegation.organization if registration.delegation_id else None
    return (
        role_rank(registration.protocol_role),
        delegation_key(organization, delegation_id=registration.delegation_id,
                       organization_name="" if organization is not None else registration.organization_name),
        in_delegation_key(registration),
    )


def _collation() -> str:
    return LAO_COLLATION if connection.vendor == "postgresql" else "lo"


def protocol_order_by() -> list:
    """The order_by() expressions of protocol order, for querysets of Registration."""
    collation = _collation()
    member_state = "delegation__organization__kind"
    kind = Case(
        When(delegation__isnull=True, then=Value(OTHERS_RANK)),
        # A state that had not joined ASEAN on the meeting's day is not in the member states' group.
        When(**{member_state: OrganizationKind.MEMBER_STATE,
                "delegation__organization__member_since__gt": TruncDate("meeting__starts_at")},
             then=Value(OTHER_KIND_RANK)),
        *[When(**{member_state: kind, "then": Value(rank)}) for kind, rank in KIND_RANK.items()],
        default=Value(OTHER_KIND_RANK), output_field=IntegerField(),
    )
    role = Case(
        *[When(protocol_role=code, then=Value(rank)) for code, rank in ROLE_RANK.items()],
        default=Value(NO_ROLE_RANK), output_field=IntegerField(),
    )
    free_organization = Case(
        When(delegation__isnull=True, then=F("organization_name")), default=Value(""), output_field=CharField(),
    )
    return [
        role, kind,
        F("delegation__organization__protocol_order").asc(nulls_first=True),
        F("delegation__organization__name_en").asc(nulls_first=True),
        F("delegation_id").asc(nulls_first=True),
        Collate(free_organization, collation),
        F("is_head_of_delegation").desc(),
        F("protocol_rank").asc(nulls_last=True),
        "category__order", "category_id",
        Collate("family_name", collation), Collate("given_name", collation), "pk",
    ]


def in_protocol_order(queryset: QuerySet) -> QuerySet:
    """`queryset` of Registration in protocol order (the same order as protocol_sort_key)."""
    return queryset.order_by(*protocol_order_by())


def sort_in_protocol_order(registrations) -> list:
    """A list of registrations (category and delegation's organization loaded) in protocol order."""
    return sorted(registrations, key=protocol_sort_key)
