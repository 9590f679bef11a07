"""An organization as it was on a given day: its name then, and whether it was an ASEAN member state then.

An Organization row holds today's names and kind. Two fields hold its past:
- `former_names`: the names it had before, each with the days it was used
  ({"name_en", "name_lo", "valid_from" (optional), "valid_until"}, dates written YYYY-MM-DD;
  a name is used from `valid_from` up to the day before `valid_until`, the first day of the next name);
- `member_since`: for an ASEAN member state, the day it joined ASEAN. Before that day it is not a
  member state (kind "other"): it is neither grouped nor counted with the member states.

`organization_as_of(organization, day)` is the one place that reads them. A meeting's documents name
an organization as it was on the meeting's first day (`Meeting.starts_on`): the delegation and host
accessors of meetings do it (prachum.directory.fields), and code that reads names as values calls it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

FORMER_NAME_KEYS = ("name_en", "name_lo", "valid_from", "valid_until")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class HistoryError(ValueError):
    """A former name or a date that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class FormerName:
    name_en: str
    name_lo: str
    valid_until: date  # the first day of the next name
    valid_from: date | None = None  # None: as far back as is known

    def applies_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and day < self.valid_until

    def as_json(self) -> dict:
        value = {"name_en": self.name_en, "name_lo": self.name_lo}
        if self.valid_from is not None:
            value["valid_from"] = self.valid_from.isoformat()
        value["valid_until"] = self.valid_until.isoformat()
        return value


def parse_day(value, what: str) -> date:
    """A day written YYYY-MM-DD (or a date); HistoryError naming `what` otherwise."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise HistoryError(
        _("%(what)s must be a date written YYYY-MM-DD, such as 2021-03-22, not %(value)s")
        % {"what": what, "value": repr(value)}
    )


def parse_former_names(value) -> list[FormerName]:
    """The former names of `value` (the JSON of Organization.former_names), oldest first; HistoryError
    with a message naming the entry when one is malformed or two overlap."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise HistoryError(_("The former names must be a list."))
    names = []
    for index, entry in enumerate(value):
        where = _("former name %(number)s") % {"number": index + 1}
        if not isinstance(entry, dict):
            raise HistoryError(_("%(where)s must be an object with name_en, name_lo and valid_until") % {"where": where})
        unknown = sorted(set(entry) - set(FORMER_NAME_KEYS))
        if unknown:
            raise HistoryError(_("%(where)s: unknown key %(key)s (known: %(known)s)")
                               % {"where": where, "key": repr(unknown[0]), "known": ", ".join(FORMER_NAME_KEYS)})
        name_en, name_lo = entry.get("name_en") or "", entry.get("name_lo") or ""
        if not isinstance(name_en, str) or not isinstance(name_lo, str) or not (name_en.strip() or name_lo.strip()):
            raise HistoryError(_("%(where)s needs a name in English or in Lao") % {"where": where})
        if "valid_until" not in entry:
            raise HistoryError(_("%(where)s needs valid_until: the first day of the next name") % {"where": where})
        valid_until = parse_day(entry["valid_until"], f"{where}: valid_until")
        valid_from = parse_day(entry["valid_from"], f"{where}: valid_from") if entry.get("valid_from") else None
        if valid_from is not None and valid_from >= valid_until:
            raise HistoryError(_("%(where)s: valid_from must come before valid_until") % {"where": where})
        names.append(FormerName(name_en.strip(), name_lo.strip(), valid_until, valid_from))
    names.sort(key=lambda n: n.valid_until)
    for earlier, later in zip(names, names[1:]):
        if later.valid_from is None or later.valid_from < earlier.valid_until:
            raise HistoryError(
                _("The former names overlap: the one used until %(day)s and the next one. Give the next one a "
                  "valid_from on or after %(day)s.") % {"day": earlier.valid_until.isoformat()}
            )
    return names


def former_name_on(organization, day: date) -> FormerName | None:
    """The former name `organization` had on `day`, or None when it had its current name (or stored
    history that cannot be read: documents are not refused for it; the form and the loader refuse it)."""
    try:
        names = parse_former_names(organization.former_names)
    except HistoryError:
        return None
    return next((name for name in names if name.applies_on(day)), None)


def has_history(organization) -> bool:
    """Whether the organization's name or membership depends on the day: only then is the day needed.
    Fields left out of the query (.only()) count as no history, so such a query stays one query."""
    loaded = organization.__dict__
    return bool(loaded.get("former_names")) or loaded.get("member_since") is not None


def current_organization(organization):
    """The organization itself (today's names) behind an organization as of a day."""
    return getattr(organization, "_current", None) or organization


def organization_as_of(organization, day: date | None):
    """`organization` as it was on `day`: an unsaved copy with that day's name_en, name_lo and kind
    (which Organization.save() refuses to write), or the organization itself when nothing differs.
    None stays None; a day of None gives today's organization."""
    if organization is None:
        return None
    current = current_organization(organization)
    if day is None or not has_history(current):
        return current
    from .models import OrganizationKind

    name = former_name_on(current, day)
    kind = current.kind
    if current.member_since is not None and day < current.member_since and kind == OrganizationKind.MEMBER_STATE:
        kind = OrganizationKind.OTHER
    if name is None and kind == current.kind:
        return current
    dated = copy.copy(current)
    if name is not None:
        dated.name_en, dated.name_lo = name.name_en, name.name_lo
    dated.kind = kind
    dated.as_of = day
    dated._current = current
    return dated
