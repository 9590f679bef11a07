"""Writes to the directory of organizations."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from prachum.audit.services import record_audit

from .history import HistoryError, parse_day, parse_former_names
from .models import Organization

DATA_FILE = Path(__file__).resolve().parent / "data" / "organizations.json"

# Keys of one organization in the data file; `check` and `note` are for people, not stored.
# member_since (YYYY-MM-DD) and former_names ([{name_en, name_lo, valid_from?, valid_until}]): see history.py.
_REQUIRED_KEYS = {"code", "kind", "protocol_order"}
_STORED_KEYS = {"code", "kind", "protocol_order", "name_en", "name_lo", "country", "time_zone", "email",
                "member_since", "former_names"}
_KNOWN_KEYS = _STORED_KEYS | {"parent", "check", "note"}


class OrganizationDataError(ValueError):
    """The organizations data is malformed; the message names the entry and the field."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


def read_organizations_file(path: Path | str = DATA_FILE) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise OrganizationDataError(f"{Path(path).name}, line {exc.lineno}: not valid JSON: {exc.msg}", "invalid_json") from None
    except UnicodeDecodeError as exc:
        raise OrganizationDataError(f"{Path(path).name}: not UTF-8 (byte {exc.start + 1})", "invalid_json") from None
    except RecursionError:  # the parser's own recursion: no organizations file nests that deep
        raise OrganizationDataError(f"{Path(path).name}: lists or objects nested too deeply", "invalid_json") from None


def _check_entries(data) -> list[dict]:
    if not isinstance(data, dict) or not isinstance(data.get("organizations"), list):
        raise OrganizationDataError('the data must be an object with an "organizations" list', "invalid")
    entries = data["organizations"]
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"organizations[{index}]"
        if not isinstance(entry, dict):
            raise OrganizationDataError(f"{where}: must be an object", "invalid")
        if "code" in entry:
            where = f"{where} ({entry['code']})"
        unknown = sorted(set(entry) - _KNOWN_KEYS)
        if unknown:
            raise OrganizationDataError(
                f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))})", "unknown_key"
            )
        missing = sorted(_REQUIRED_KEYS - set(entry))
        if missing:
            raise OrganizationDataError(f"{where}: {missing[0]} is required", "missing")
        code = entry["code"]
        if code in seen:
            raise OrganizationDataError(f"{where}: code {code!r} appears twice (also organizations[{seen[code]}])", "duplicate")
        seen[code] = index
        if not isinstance(entry["protocol_order"], int) or isinstance(entry["protocol_order"], bool) or entry["protocol_order"] < 0:
            raise OrganizationDataError(f"{where}: protocol_order must be a whole number ≥ 0", "bad_value")
        country = entry.get("country", "")
        if country and not (isinstance(country, str) and len(country) == 2 and country.isascii() and country.isupper()):
            raise OrganizationDataError(f"{where}: country must be an ISO 3166 code of two capital letters, not {country!r}", "bad_value")
        if "check" in entry and not isinstance(entry["check"], bool):
            raise OrganizationDataError(f"{where}: check must be true or false", "bad_value")
        if "email" in entry and not isinstance(entry["email"], str):
            raise OrganizationDataError(f"{where}: email must be text", "bad_value")
        try:
            with translation.override("en"):  # like the loader's other messages, for who edits the file
                if entry.get("member_since") is not None:
                    parse_day(entry["member_since"], "member_since")
                parse_former_names(entry.get("former_names"))
        except HistoryError as exc:
            raise OrganizationDataError(f"{where}: {exc}", "bad_date") from None
        if entry.get("member_since") is not None and entry["kind"] != Organization.Kind.MEMBER_STATE:
            raise OrganizationDataError(
                f"{where}: member_since is the day a member state joined ASEAN; this one is {entry['kind']!r}", "bad_value"
            )
    for index, entry in enumerate(entries):
        parent = entry.get("parent")
        if parent is not None and parent not in seen and not Organization.objects.filter(code=parent).exists():
            raise OrganizationDataError(f"organizations[{index}] ({entry['code']}): parent {parent!r} is not an organization code", "unknown_organization")
        if parent == entry["code"]:
            raise OrganizationDataError(f"organizations[{index}] ({entry['code']}): an organization cannot be its own parent", "bad_value")
    return entries


def _parents_first(entries: list[dict]) -> list[dict]:
    by_code = {e["code"]: e for e in entries}
    ordered: list[dict] = []
    placed: set[str] = set()

    def place(entry, trail=()):
        code = entry["code"]
        if code in placed:
            return
        if code in trail:
            raise OrganizationDataError(f"organization {code}: its parents form a loop ({' → '.join((*trail, code))})", "bad_value")
        parent = entry.get("parent")
        if parent in by_code:
            place(by_code[parent], (*trail, code))
        placed.add(code)
        ordered.append(entry)

    for entry in entries:
        place(entry)
    return ordered


@transaction.atomic(durable=True)
def load_organizations(*, data: dict | None = None) -> dict[str, int]:
    """Create or update (by code) the organizations in `data` (default: the project's data file).

    Organizations that are not in the data are left alone. Returns the counts
    {"created": n, "updated": n, "unchanged": n}; running it twice changes nothing.
    """
    if data is None:
        data = read_organizations_file()
    entries = _parents_first(_check_entries(data))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    changed_codes: list[str] = []
    for entry in entries:
        values = {key: entry.get(key, "") for key in _STORED_KEYS if key != "code"}
        values["protocol_order"] = entry["protocol_order"]
        member_since = entry.get("member_since")
        values["member_since"] = parse_day(member_since, "member_since") if member_since is not None else None
        values["former_names"] = [name.as_json() for name in parse_former_names(entry.get("former_names"))]
        parent_code = entry.get("parent")
        values["parent"] = Organization.objects.get(code=parent_code) if parent_code else None
        org = Organization.objects.filter(code=entry["code"]).first()
        created = org is None
        if created:
            org = Organization(code=entry["code"])
        elif all(getattr(org, key) == value for key, value in values.items()):
            counts["unchanged"] += 1
            continue
        for key, value in values.items():
            setattr(org, key, value)
        try:
            org.full_clean()
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
                for field, messages in exc.message_dict.items()
            )
            raise OrganizationDataError(f"organization {entry['code']}: {problems}", "invalid") from None
        org.save()
        counts["created" if created else "updated"] += 1
        changed_codes.append(entry["code"])
    if changed_codes:
        record_audit(
            kind="organizations.loaded",
            after={"created": counts["created"], "updated": counts["updated"], "codes": changed_codes},
        )
    return counts


@transaction.atomic
def add_honorific(*, label_en: str, label_lo: str, actor) -> "Honorific":
    """Add an honorific to the closed list, with its label in each language; its code comes from the
    English label ("Tan Sri" -> "tan-sri", a number after it where taken)."""
    from django.utils.text import slugify

    from .models import Honorific

    base = slugify(label_en)[:28] or "title"
    code, n = base, 1
    while Honorific.objects.filter(code=code).exists():
        n += 1
        code = f"{base[:25]}-{n}"
    order = (Honorific.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    honorific = Honorific.objects.create(code=code, label_en=label_en, label_lo=label_lo, order=order)
    record_audit(kind="honorific.added", actor=actor, obj=honorific,
                 after={"code": code, "label_en": label_en, "label_lo": label_lo})
    return honorific
