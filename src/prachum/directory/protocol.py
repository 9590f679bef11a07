"""Protocol order of organizations (ASEAN practice): the member states in ASEAN order, then the ASEAN
Secretariat, then the dialogue partners, then international organizations, then everyone else;
`Organization.protocol_order` orders each group.

Give it the organization as of the meeting's day (prachum.directory.history): a state that had not yet
joined ASEAN then is not in the member states' group.
"""

from __future__ import annotations

from .models import Organization

KIND_RANK = {
    Organization.Kind.MEMBER_STATE: 0,
    Organization.Kind.SECRETARIAT: 1,
    Organization.Kind.DIALOGUE_PARTNER: 2,
    Organization.Kind.INTERNATIONAL_ORGANIZATION: 3,
}
OTHERS_RANK = 9


def protocol_rank(organization: Organization | None) -> tuple:
    """Sort key of an organization in protocol order; None (people without a delegation) comes last."""
    if organization is None:
        return (OTHERS_RANK, 0, "")
    return (KIND_RANK.get(organization.kind, OTHERS_RANK - 1), organization.protocol_order, organization.name_en)
