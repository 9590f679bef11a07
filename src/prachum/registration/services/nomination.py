"""Nominations: a delegation's focal point registers its members, one by one or from a file.

A nomination takes a seat exactly as a self-registration does: it is submit_registration's own code,
under the same meeting lock, with `nominated_by` the focal point (which submit_registration checks).
A focal point who nominates someone vouches for them, so where the category asks for the focal
point's endorsement the nomination is endorsed in the same transaction.

`submit_in_transaction` runs that code inside a transaction the caller opened, so that an import can
register every row of a file or none: submit_registration itself is durable (it refuses to be nested),
which is right for the public form and wrong for an all-or-nothing batch.
"""

from django.db import connection, transaction
from django.utils import timezone

from prachum.meetings.models import Category, Delegation, Meeting
from prachum.registration.models import Registration
from prachum.registration.services.notices import audit
from prachum.registration.services.submission import SubmitResult, submit_registration

# The body of submit_registration without its durable transaction (transaction.atomic keeps the
# decorated function as __wrapped__): the same checks, lock and writes, in the caller's transaction.
_submit_registration_body = submit_registration.__wrapped__


def submit_in_transaction(**kwargs) -> SubmitResult:
    """submit_registration(**kwargs) inside the caller's transaction; a nomination is endorsed too."""
    if not connection.in_atomic_block:
        raise RuntimeError("submit_in_transaction must run inside the caller's transaction")
    result = _submit_registration_body(**kwargs)
    focal_point = kwargs.get("nominated_by")
    if result.created and focal_point is not None:
        endorse_by_nomination(result.registration, focal_point)
    return result


def endorse_by_nomination(registration: Registration, focal_point) -> None:
    if not registration.category.needs_endorsement or registration.endorsed_at is not None:
        return
    registration.endorsed_at, registration.endorsed_by = timezone.now(), focal_point
    registration.save(update_fields=["endorsed_at", "endorsed_by", "updated_at"])
    audit(registration, "registration.endorsed", actor=focal_point, after={"by_nomination": True})


@transaction.atomic(durable=True)
def nominate_delegate(
    *,
    meeting: Meeting,
    delegation: Delegation,
    category: Category,
    person: dict,
    answers: dict | None = None,
    participation: str | None = None,
    language: str = "lo",
    client_token: str,
    focal_point,
) -> SubmitResult:
    """Register one member of `delegation`, nominated by its `focal_point`: a seat if one is free,
    else the waiting list. Refusals as submit_registration's (not_focal_point among them)."""
    return submit_in_transaction(
        meeting=meeting, category=category, person=person, answers=answers, delegation=delegation,
        participation=participation, language=language, client_token=client_token, nominated_by=focal_point,
        actor=focal_point,
    )
