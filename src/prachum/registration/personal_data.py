"""What the apps above registration hold about a person, for the person's export and for erasure.

A person's check-ins (checkin), online joins (online) and the emails sent to them (notify) live in apps
that sit above this one. Each registers, in its AppConfig.ready, a `PersonalData` part: how to list what
it holds about one registration (the export), and how to anonymise what it holds about many (erasure and
the meeting's retention). registration.services.erasure and .data_export call every registered part.
"""

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class PersonalData:
    key: str  # the export's key for this part, e.g. "check_ins"
    # export(registration, *, sees_sensitive) -> list of JSON-ready dicts about the person
    export: Callable[..., list[dict]]
    # erase(*, meeting_id, registration_ids, emails) -> how many rows were anonymised; runs inside the
    # erasure's transaction. `emails`: the addresses the people used (lower case), for rows that name
    # a person by address only (an invitation's emails). None: the part keeps nothing personal beyond
    # the link to the (anonymised) registration.
    erase: Callable[..., int] | None = None


_parts: dict[str, PersonalData] = {}


def register_personal_data(part: PersonalData) -> None:
    _parts[part.key] = part


def personal_data_parts() -> list[PersonalData]:
    return list(_parts.values())
