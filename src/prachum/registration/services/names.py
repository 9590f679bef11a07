"""The organizer corrects how a registered person's name is written, in Latin letters and in Lao."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services.locking import lock_registration
from prachum.registration.services.notices import audit

NAME_FIELDS = ("given_name", "family_name", "name_lo")


@transaction.atomic(durable=True)
def correct_registration_name(*, registration_id: int, given_name: str, family_name: str, name_lo: str,
                              actor) -> Registration:
    """Write the person's name as the organizer checked it (a romanization proposed from the Lao, a typo).

    Unlike the person's own edit (update_registration) this is allowed after the edit deadline and never
    sends the registration back for review: it changes how the name is written, not who comes. Audited as
    "registration.updated" by the organizer; no email. Codes: name_missing (no given or family name)."""
    registration = lock_registration(registration_id)
    values = {"given_name": given_name.strip(), "family_name": family_name.strip(), "name_lo": name_lo.strip()}
    if not values["given_name"] and not values["family_name"]:
        raise RegistrationError("name_missing", _("Write a given name or a family name."))
    before, after = {}, {}
    for field, value in values.items():
        if getattr(registration, field) != value:
            before[field], after[field] = getattr(registration, field), value
            setattr(registration, field, value)
    if not after:
        return registration
    registration.full_clean(exclude=[f.name for f in Registration._meta.fields if f.name not in NAME_FIELDS],
                            validate_unique=False, validate_constraints=False)
    registration.save(update_fields=[*after, "updated_at"])
    audit(registration, "registration.updated", actor=actor, before=before, after=after)
    return registration
