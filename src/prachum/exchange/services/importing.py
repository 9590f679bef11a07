"""Importing invitees and registrations from a spreadsheet: map the columns, dry run, apply all or nothing.

1. `read_table` (prachum/core/tables.py) reads the file and names the encoding it used, once: the table
   read at the upload is kept (exchange/services/uploads.py) for the steps below.
2. `guess_mapping` proposes which field each column fills (by the field's key or its label in Lao or
   English); the person corrects it (`Mapping`: column of the file → field key, or "" to ignore).
3. `check_import` is the dry run: every row checked, every problem listed with its line, nothing saved;
   for registrations it also says who would get a seat and who would wait.
4. `apply_import` checks again and saves every row or none, in one transaction: invitees through
   prachum.registration.invitations.invite_people, registrations through register_in_bulk
   (registration/services/nomination.py), which applies submit_registration's rules and decides the
   seats under the meeting lock as it does, row after row; the people's emails follow in a job.

Whether a row may register is decided by the rules of every registration (registration/services/
rules.py: check_admission and its parts), in the dry run and again in the apply; this module only reads
the file (names of categories and delegations, words for the way of taking part, the form's checks) and
says a refusal in the import's words (`_refusal`).

Both 3 and 4 run as background jobs (`check_import_job`, `apply_import_job`) with progress.
Targets: "invitations" and "registrations"; a focal point imports registrations of their delegation
(`delegation_id`, `nominate=True`): the rows are their nominations.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from prachum.directory.honorifics import EXAMPLES as HONORIFIC_EXAMPLES
from prachum.directory.honorifics import find_honorific
from prachum.core.identity import email_key
from prachum.core.tables import Table, TableError, read_table
from prachum.meetings.models import Delegation, Meeting, QuestionKind
from prachum.registration import invitations
from prachum.registration.errors import RegistrationError
from prachum.registration.forms import PERSON_FIELDS, RegistrationForm, active_questions
from prachum.registration.invitations import RowError
from prachum.registration.models import Participation, Registration
from prachum.registration.names import propose_latin_name
from prachum.registration.selectors import seats_taken
from prachum.registration.services.nomination import (
    BulkRow,
    RowsRefused,
    decide_seats,
    queue_submitted_emails,
    register_in_bulk,
)
from prachum.registration.services.rules import (
    BatchLookups,
    check_meeting_admits,
    check_not_registered,
    check_person_admits,
)

TARGETS = ("registrations", "invitations")

# Lao letters, marks and digits with spaces and punctuation, and no Latin letter.
LAO_ONLY = re.compile(r"[^A-Za-z]*[\u0E80-\u0EFF][^A-Za-z]*")

MESSAGES = {
    "formula": _("This cell holds a spreadsheet formula. Type its value instead."),
    "formula_text": _("A value cannot start with “=”: a spreadsheet would run it as a formula."),
    "too_many_values": _("This row has more values than there are columns."),
    "unmapped_required": _("Choose a column of the file for “%(field)s”."),
    "mapped_twice": _("Two columns of the file are both mapped to “%(field)s”."),
    "no_rows": _("The file has no rows to import."),
    "duplicate_in_file": _("%(email)s appears already on line %(first_line)s of this file."),
    "already_registered": _("%(email)s is already registered for this meeting."),
    "category_missing": _("Choose a category."),
    "category_unknown": _("This meeting has no category “%(value)s”."),
    "honorific_unknown": _("“%(value)s” is not one of the honorifics (such as %(examples)s). Write one of them, "
                           "or ask the secretariat to add it."),
    "category_not_open": _("People cannot be registered in the category “%(value)s” this way."),
    "delegation_unknown": _("No delegation of this meeting is called “%(value)s”."),
    "participation_unknown": _("Write in_person or online, not “%(value)s”."),
    "language_unknown": _("The language must be lo or en, not “%(value)s”."),
    "choice_unknown": _("“%(value)s” is not one of the choices of this question."),
    "file_question": _("Files and photos cannot be imported from a spreadsheet."),
    "taken_meanwhile": _("Someone registered with one of these emails during the import. Check the file again."),
    "meeting": "%(message)s",
    "invitation_only": _(
        "Registration for this meeting is by invitation only, so this person cannot be registered from a file. "
        "Invite the people of this file instead: each gets a personal link to register."
    ),
}

# Other names spreadsheets give these columns (besides the field's key and its label in both languages).
ALIASES = {
    "email": ("e-mail", "mail", "email address", "ອີເມລ", "ອີເມວ"),
    "given_name": ("first name", "forename", "ຊື່ແທ້"),
    "family_name": ("last name", "surname", "ນາມສະກຸນ"),
    "honorific": ("honorific", "salutation", "ຄຳນຳໜ້າ"),
    "category": ("type", "participant category", "ປະເພດ"),
    "delegation": ("country", "organization", "organisation", "ປະເທດ", "ອົງການ", "ອົງການຈັດຕັ້ງ"),
    "phone": ("telephone", "mobile", "ໂທລະສັບ", "ເບີໂທ"),
    "gender": ("sex",),
    "name_lo": ("lao name", "name in lao", "ຊື່ພາສາລາວ", "ຊື່ເປັນພາສາລາວ"),
    # "Position"/"ຕຳແໜ່ງ" alone fills position: a Lao text there goes to position_lo (see LAO_ONLY).
    "position": ("position", "job title", "ຕຳແໜ່ງ"),
    "position_lo": ("lao position", "position (lao)", "ຕຳແໜ່ງພາສາລາວ", "ຕຳແໜ່ງເປັນພາສາລາວ"),
    "participation": ("attendance", "ການເຂົ້າຮ່ວມ"),
}

GENDER_WORDS = {
    "female": "female", "f": "female", "woman": "female", "ຍິງ": "female", "ເພດຍິງ": "female",
    "male": "male", "m": "male", "man": "male", "ຊາຍ": "male", "ເພດຊາຍ": "male",
    "other": "other", "ອື່ນໆ": "other", "undisclosed": "undisclosed",
}
YES_WORDS = {"yes", "y", "true", "1", "x", "ແມ່ນ", "ມີ", "ແມ່ນແລ້ວ"}
NO_WORDS = {"no", "n", "false", "0", "ບໍ່", "ບໍ່ແມ່ນ", "ບໍ່ມີ"}


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # lazy text, or a question's bilingual label
    required: bool = False
    aliases: tuple = ()  # other names a column may have: a question's label in both languages


@dataclass
class ImportReport:
    """What a dry run or an apply found. `rows`: what each row is (to be) — line, email, name, outcome."""

    target: str
    encoding: str = ""
    total: int = 0
    errors: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_summary(self) -> dict:
        return {
            "target": self.target, "encoding": self.encoding, "total": self.total, "saved": self.saved,
            "ok": self.ok, "outcomes": dict(self.outcomes),
            "errors": [{"line": e.line, "column": e.column, "code": e.code, "message": e.message} for e in self.errors],
        }


def _error(line, column, code, /, **values) -> RowError:
    message = str(MESSAGES[code])
    return RowError(line=line, column=column, code=code, message=message % values if values else message)


# A refusal of the registration rules (rules.check_admission) in the import's words, and the column it
# concerns; a refusal of the meeting's (MEETING_REFUSALS) concerns every row alike.
REFUSALS = {
    "duplicate_email": ("email", "already_registered"),
    "category_not_open": ("category", "category_not_open"),
    "organization_not_allowed": ("delegation", "delegation_unknown"),
    "participation_not_offered": ("participation", "participation_unknown"),
}
MEETING_REFUSALS = {"not_open", "closed", "invitation_required", "nomination_only"}


def _refusal(line, error: RegistrationError, *, nominate: bool, texts: dict) -> RowError:
    """The row's RowError for a RegistrationError; `texts`: the row's email and cells, for the message."""
    if error.code == "invitation_required" and not nominate:
        return _error(line, "", "invitation_only")
    if error.code in MEETING_REFUSALS:
        return _error(line, "", "meeting", message=str(error.message))
    if error.code in REFUSALS:
        column, code = REFUSALS[error.code]
        return _error(line, column, code, email=texts.get("email", ""), value=texts.get(column, ""))
    return RowError(line=line, column="", code=error.code, message=str(error.message))


# --- The fields a column can fill -------------------------------------------------------------------


def fields_for(meeting: Meeting, target: str, *, nominate: bool = False) -> list[Field]:
    if target == "invitations":
        labels = {
            "email": _("Email"), "honorific": _("Title"), "given_name": _("Given name"),
            "family_name": _("Family name"), "category": _("Category"), "delegation": _("Delegation"),
            "language": _("Language"),
        }
        return [Field(key, labels[key], key == "email") for key in invitations.INVITATION_COLUMNS]
    form_fields = RegistrationForm.base_fields
    result = [Field(name, form_fields[name].label, name in ("email", "given_name")) for name in PERSON_FIELDS]
    result.append(Field("category", _("Category"), True))
    if not nominate:
        result.append(Field("delegation", _("Delegation")))
    if meeting.format == Meeting.Format.HYBRID:
        result.append(Field("participation", _("Takes part")))
    result.append(Field("language", _("Language")))
    for spec in active_questions(meeting):
        if not spec.is_file:
            version = spec.version
            result.append(Field(f"q:{spec.key}", version.label, aliases=(version.label_lo, version.label_en)))
    return result


def _norm(text) -> str:
    return " ".join(str(text).replace("_", " ").replace("-", " ").casefold().split())


def guess_mapping(fields: list[Field], headers: list[str]) -> dict[str, str]:
    """Column → field key, where a column's name is a field's key or its label in Lao or English."""
    names = {}
    for f in fields:
        aliases = (*f.aliases, *ALIASES.get(f.key, ()))
        keys = {_norm(f.key), _norm(f.key.removeprefix("q:"))} | {_norm(a) for a in aliases if a}
        for language in ("en", "lo"):
            with translation.override(language):
                keys.add(_norm(f.label))
        for key in keys:
            names.setdefault(key, f.key)
    mapping, taken = {}, set()
    for header in headers:
        key = names.get(_norm(header), "")
        if key and key not in taken:
            mapping[header] = key
            taken.add(key)
        else:
            mapping[header] = ""
    return mapping


def check_mapping(fields: list[Field], mapping: dict[str, str]) -> list[RowError]:
    errors = []
    used = Counter(value for value in mapping.values() if value)
    known = {f.key: f for f in fields}
    for key, count in used.items():
        if key in known and count > 1:
            errors.append(_error(None, key, "mapped_twice", field=known[key].label))
    for f in fields:
        if f.required and f.key not in used:
            errors.append(_error(None, f.key, "unmapped_required", field=f.label))
    return errors


def _mapped_rows(table: Table, mapping: dict[str, str], errors: list) -> list[dict]:
    """Each row as field key → text, with its "line"; formula cells and extra values reported."""
    rows = []
    for row in table.rows:
        line = row["line"]
        values = {"line": line}
        if row.get("__extra__"):
            errors.append(_error(line, "", "too_many_values"))
        for header, key in mapping.items():
            if not key:
                continue
            text = row.get(header, "")
            if (line, header) in table.formulas:
                errors.append(_error(line, key, "formula"))
                text = ""
            elif text.lstrip().startswith("="):
                errors.append(_error(line, key, "formula_text"))
                text = ""
            values[key] = text
        rows.append(values)
    return rows


# --- Registrations: one row as the registration form checks it ---------------------------------------


class ImportRowForm(RegistrationForm):
    """The registration form's checks for one row of a file: the same fields, lengths, email and phone
    rules and question answers (which questions apply follows the row's category); the category,
    delegation and way of taking part are resolved by the import (by code or name), and no consent or
    form token is asked (the organizer or focal point registers the person)."""

    def __init__(self, data, *, meeting, questions):
        super().__init__(data, meeting=meeting, questions=questions)

    def _add_registration_fields(self):
        self.delegations, self.categories = {}, {}

    def _category_id(self):
        return self.import_category_id


class _Lookup:
    """Categories and delegations of a meeting by code and by name in either language."""

    def __init__(self, meeting: Meeting):
        self.categories, self.delegations = {}, {}
        for category in meeting.categories.all():
            for name in (category.code, category.name_lo, category.name_en):
                if name:
                    self.categories.setdefault(_norm(name), category)
        for delegation in meeting.delegations.select_related("organization"):
            organization = delegation.organization
            for name in (organization.code, organization.name_lo, organization.name_en):
                if name:
                    self.delegations.setdefault(_norm(name), delegation)


def _choice_value(spec, text: str):
    """A choice question's value from its value or its label in either language."""
    by_name = {}
    for choice in spec.version.choices or []:
        for name in (choice.get("value"), choice.get("lo"), choice.get("en")):
            if name:
                by_name.setdefault(_norm(name), str(choice.get("value")))
    return by_name.get(_norm(text))


def _form_data(row: dict, specs) -> tuple[MultiValueDict, list]:
    """The row as the form's POST data would be; errors of answers the form could not even take."""
    data, problems = MultiValueDict(), []
    line = row["line"]
    for name in PERSON_FIELDS:
        value = row.get(name, "")
        if name == "gender":
            value = GENDER_WORDS.get(_norm(value), value.strip())
        if name == "family_name_first":
            value = "on" if _norm(value) in YES_WORDS else ""
        data[name] = value
    for spec in specs:
        text = (row.get(f"q:{spec.key}") or "").strip()
        if not text:
            continue
        kind = spec.kind
        if spec.is_file:
            problems.append(_error(line, f"q:{spec.key}", "file_question"))
        elif kind == QuestionKind.CHOICE:
            value = _choice_value(spec, text)
            if value is None:
                problems.append(_error(line, f"q:{spec.key}", "choice_unknown", value=text))
            else:
                data[spec.field_name] = value
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            values = []
            for part in text.replace(";", ",").split(","):
                if part.strip():
                    value = _choice_value(spec, part)
                    if value is None:
                        problems.append(_error(line, f"q:{spec.key}", "choice_unknown", value=part.strip()))
                    values.append(value or "")
            data.setlist(spec.field_name, values)
        elif kind == QuestionKind.YES_NO:
            data[spec.field_name] = "yes" if _norm(text) in YES_WORDS else "no" if _norm(text) in NO_WORDS else text
        elif kind == QuestionKind.COUNTRY:
            data[spec.field_name] = text.upper()
        else:
            data[spec.field_name] = text
    return data, problems


def _check_registration_rows(meeting, rows, *, delegation=None, nominated_by=None, progress=None):
    """(errors, cleaned BulkRows, texts by line): every row through the registration form's checks and
    the registration rules (the meeting's own, check_meeting_admits, are the caller's); a row's `texts`
    are its email and cells, for the messages of a refusal at the apply."""
    nominate = nominated_by is not None
    errors, cleaned, texts = [], [], {}
    candidates = []  # (line, email on its first line only, BulkRow with the rules still to ask, the row's errors)
    specs = [spec for spec in active_questions(meeting)]
    lookup = _Lookup(meeting)
    first_line_of = {}
    for index, row in enumerate(rows):
        line = row["line"]
        row_errors = []
        data, problems = _form_data(row, specs)
        row_errors.extend(problems)

        category_text = (row.get("category") or "").strip()
        category = lookup.categories.get(_norm(category_text)) if category_text else None
        if not category_text:
            row_errors.append(_error(line, "category", "category_missing"))
        elif category is None:
            row_errors.append(_error(line, "category", "category_unknown", value=category_text))

        row_delegation, organization_name = delegation, ""
        delegation_text = (row.get("delegation") or "").strip() if not nominate else ""
        if delegation_text:
            row_delegation = lookup.delegations.get(_norm(delegation_text))
            # A name that is no delegation of the meeting is read as the organization's own name where
            # the meeting takes one; else it is a name the file got wrong.
            if row_delegation is None:
                if meeting.allows_free_text_organization:
                    organization_name = delegation_text
                else:
                    row_errors.append(_error(line, "delegation", "delegation_unknown", value=delegation_text))

        # The way of taking part by its value or its label in either language; empty: the meeting's first.
        participation_text = row.get("participation") or ""
        participation = participation_text.strip().lower().replace(" ", "_").replace("-", "_")
        if participation and participation not in ("in_person", "online"):
            words = {str(label).casefold(): value for value, label in Participation.choices}
            with translation.override("lo"):
                words.update({str(label).casefold(): value for value, label in Participation.choices})
            participation = words.get(participation.replace("_", " "), "")
            if not participation:
                row_errors.append(_error(line, "participation", "participation_unknown", value=participation_text))

        language = (row.get("language") or "").strip().lower() or meeting.default_language or "lo"
        if language in ("ລາວ", "lao"):
            language = "lo"
        elif language in ("english", "ອັງກິດ"):
            language = "en"
        if language not in ("lo", "en"):
            row_errors.append(_error(line, "language", "language_unknown", value=row.get("language")))

        honorific_text = (data.get("honorific") or "").strip()
        if honorific_text:
            honorific = find_honorific(honorific_text)
            if honorific is None:
                row_errors.append(_error(line, "honorific", "honorific_unknown", value=honorific_text,
                                         examples=HONORIFIC_EXAMPLES))
            data["honorific"] = honorific.code if honorific else ""
        position = (data.get("position") or "").strip()
        if position and not data.get("position_lo") and LAO_ONLY.fullmatch(position):
            data["position"], data["position_lo"] = "", position  # a Lao position in the position column
        # A name only in Lao script: its Latin letters as the form would propose them (the organizer can
        # correct them on the registration's page).
        proposal = propose_latin_name(given_name=data.get("given_name") or "", family_name=data.get("family_name") or "",
                                      name_lo=data.get("name_lo") or "")
        if proposal is not None:
            data["given_name"], data["family_name"], data["name_lo"] = (
                proposal.given_name, proposal.family_name, proposal.name_lo)
        form = ImportRowForm(data, meeting=meeting, questions=specs)
        form.import_category_id = category.pk if category else None
        if not form.is_valid():
            for name, messages in form.errors.items():
                column = f"q:{name[2:]}" if name.startswith("q_") else name
                for error in form.errors.as_data()[name]:
                    row_errors.append(RowError(line=line, column=column, code=error.code or "invalid",
                                               message=" ".join(str(m) for m in error.messages)))

        email = (form.cleaned_data.get("email") or "").lower()
        key = email_key(email) if email else ""  # ຄຳ and ໍ + າ in a domain are one address
        first_occurrence = bool(key) and key not in first_line_of
        if key and not first_occurrence:
            row_errors.append(_error(line, "email", "duplicate_in_file", email=form.cleaned_data["email"],
                                     first_line=first_line_of[key]))
        elif key:
            first_line_of[key] = line
        texts[line] = {"email": email, "category": category_text, "delegation": delegation_text,
                       "participation": participation_text}
        if category is not None:  # the rules are asked of every row they can be: with its category known
            valid = not row_errors
            candidate = BulkRow(
                line=line, person=form.person() if valid else {}, answers=form.answers() if valid else {},
                category=category, delegation=row_delegation, organization_name=organization_name,
                participation=participation, language=language,
            )
            # A repeated email is said once, on its first line (duplicate_in_file says the rest).
            candidates.append((line, email if first_occurrence else "", candidate, row_errors))
        errors.extend(row_errors)
        if progress:
            progress(index + 1)

    lookups = BatchLookups(meeting, nominated_by=nominated_by, emails=first_line_of)
    for line, email, row, row_errors in candidates:
        refusals = []
        try:
            check_not_registered(email, lookups.registered)
        except RegistrationError as error:
            refusals.append(error)
        try:
            admitted = check_person_admits(
                meeting, category=row.category, delegation=row.delegation, organization_name=row.organization_name,
                participation=row.participation, nominated_by=nominated_by, lookups=lookups,
            )
        except RegistrationError as error:
            refusals.append(error)
        errors.extend(_refusal(line, error, nominate=nominate, texts=texts[line]) for error in refusals)
        if not row_errors and not refusals:
            row.category, row.delegation = admitted.category, admitted.delegation
            row.organization_name, row.participation = admitted.organization_name, admitted.participation
            cleaned.append(row)
    return errors, cleaned, texts


def invites_instead(meeting: Meeting, *, target: str, nominate: bool) -> bool:
    """Whether a file of registrations can only become invitations here: the meeting is invitation-only."""
    return (target == "registrations" and not nominate
            and meeting.registration_mode == Meeting.RegistrationMode.INVITATION)


def _meeting_errors(meeting: Meeting, *, nominated_by, lines: list[int]) -> list[RowError]:
    """The meeting's refusal (registration closed, or a mode the file's rows cannot come by), which concerns
    every row: one per row, each with its line, so that the review lists what it lists for any other."""
    try:
        check_meeting_admits(meeting, timezone.now(), nominated_by=nominated_by)
    except RegistrationError as error:
        nominate = nominated_by is not None
        return [_refusal(line, error, nominate=nominate, texts={}) for line in lines or [None]]
    return []


def _predict_seats(meeting: Meeting, cleaned: list[BulkRow], report: ImportReport) -> None:
    """Who would get a seat and who would wait: the apply's own rule (decide_seats) on today's counts."""
    planned = [Registration(meeting=meeting, category=row.category, delegation=row.delegation,
                            participation=row.participation) for row in cleaned]
    decide_seats(meeting, planned, seats_taken(meeting), timezone.now())
    for row, registration in zip(cleaned, planned):
        report.outcomes[registration.status] += 1
        report.rows.append({"line": row.line, "email": row.person["email"], "outcome": str(registration.status)})


# --- The dry run and the apply -------------------------------------------------------------------------


LANGUAGE_WORDS = {"ລາວ": "lo", "lao": "lo", "english": "en", "ອັງກິດ": "en"}


def _invitation_rows(meeting: Meeting, rows):
    """The rows as invite_people reads them. A file made for registrations names categories and delegations
    as the registration import reads them (by code or by name in either language): given by their codes."""
    lookup = _Lookup(meeting)
    result = []
    for row in rows:
        values = {key: row.get(key, "") for key in (*invitations.INVITATION_COLUMNS, "line")}
        category = lookup.categories.get(_norm(values["category"])) if values["category"] else None
        if category is not None:
            values["category"] = category.code
        delegation = lookup.delegations.get(_norm(values["delegation"])) if values["delegation"] else None
        if delegation is not None:
            values["delegation"] = delegation.organization.code
        language = str(values["language"] or "").strip()
        values["language"] = LANGUAGE_WORDS.get(language.casefold(), language)
        result.append(values)
    return result


def _table(data: bytes | Table) -> Table:
    return data if isinstance(data, Table) else read_table(data)


def check_import(*, meeting: Meeting, data: bytes | Table, target: str, mapping: dict,
                 delegation: Delegation | None = None, nominate: bool = False, actor=None,
                 progress=None) -> ImportReport:
    """The dry run: every problem of every row, nothing saved. `data`: the file, or the Table read from it at
    the upload (the jobs pass that: a file is read once per import). Raises TableError for an unreadable file.
    `actor`: who will apply it; with `nominate` the focal point whose nominations the rows are."""
    if nominate and actor is None:
        raise ValueError("a focal point's file is checked as their nominations: check_import needs the actor")
    table = _table(data)
    report = ImportReport(target=target, encoding=table.encoding_name, total=len(table.rows))
    fields = fields_for(meeting, target, nominate=nominate)
    report.errors.extend(check_mapping(fields, mapping))
    if report.errors:
        return report
    errors = []
    rows = _mapped_rows(table, mapping, errors)
    if not rows:
        errors.append(_error(None, "", "no_rows"))
    if target == "invitations":
        result = invitations.check_invitation_rows(meeting=meeting, rows=_invitation_rows(meeting, rows))
        errors.extend(result.errors)
        report.outcomes["invited"] = len(result.rows)
        report.rows = [{"line": r["line"], "email": r["email"], "outcome": "invited"} for r in result.rows]
    else:
        nominated_by = actor if nominate else None
        errors.extend(_meeting_errors(meeting, nominated_by=nominated_by, lines=[row["line"] for row in rows]))
        row_errors, cleaned, _texts = _check_registration_rows(meeting, rows, delegation=delegation,
                                                               nominated_by=nominated_by, progress=progress)
        errors.extend(row_errors)
        if not errors:
            _predict_seats(meeting, cleaned, report)
    errors.sort(key=lambda e: (e.line or 0, e.column))
    report.errors = errors
    return report


def apply_import(*, meeting: Meeting, data: bytes | Table, target: str, mapping: dict, actor, batch: str,
                 delegation: Delegation | None = None, nominate: bool = False, progress=None) -> ImportReport:
    """Save every row, or none when any row is refused: checked again here, then saved in one transaction
    under the meeting's lock (registration/services/nomination.py register_in_bulk). `batch` makes the
    rows' form tokens: applying the same dry run twice registers each person once. The people's emails
    are written by a background job started in the same transaction: a crash after the commit loses none."""

    if target == "invitations":
        table = _table(data)
        report = ImportReport(target=target, encoding=table.encoding_name, total=len(table.rows))
        errors = check_mapping(fields_for(meeting, target), mapping)
        rows = _mapped_rows(table, mapping, errors)
        if errors:
            report.errors = errors
            return report
        result = invitations.invite_people(meeting=meeting, rows=_invitation_rows(meeting, rows), actor=actor)
        report.errors = result.errors
        report.saved = len(result.invitations)
        report.outcomes["invited"] = report.saved
        return report

    # This dry run applied already (a second click, a retried job): it is done, not a list of duplicates.
    done = Registration.objects.filter(meeting=meeting, client_token__startswith=f"import-{batch}-")
    if done.exists():
        report = ImportReport(target=target, total=done.count(), saved=0)
        report.outcomes = Counter(done.values_list("status", flat=True))
        return report

    # Every row through the form's checks before taking the lock (the slow part, with progress) …
    table = _table(data)
    report = ImportReport(target=target, encoding=table.encoding_name, total=len(table.rows))
    errors = check_mapping(fields_for(meeting, target, nominate=nominate), mapping)
    rows = _mapped_rows(table, mapping, errors) if not errors else []
    nominated_by = actor if nominate else None
    if not errors:
        row_errors, cleaned, texts = _check_registration_rows(meeting, rows, delegation=delegation,
                                                              nominated_by=nominated_by, progress=progress)
        errors.extend(row_errors)
    if not errors and not rows:
        errors.append(_error(None, "", "no_rows"))
    if errors:
        report.errors = sorted(errors, key=lambda e: (e.line or 0, e.column))
        return report
    # … then, in one transaction, the rows: register_in_bulk asks the rules again (the meeting, or a
    # category, may have changed since; someone may have registered with an email of the file), and takes
    # the meeting lock after its INSERT, as submit_registration does.
    with transaction.atomic(durable=True):
        errors = []
        try:
            with transaction.atomic():  # a savepoint: after a refused INSERT the report is still written
                registrations = register_in_bulk(meeting=meeting, rows=cleaned, batch=batch, actor=actor,
                                                 nominated_by=nominated_by)
        except RowsRefused as refused:
            errors = [_refusal(error.line, error, nominate=nominate, texts=texts[error.line])
                      for error in refused.refusals]
        except IntegrityError:  # an email registered by a writer that does not take the lock
            errors = [_error(None, "email", "taken_meanwhile")]
        if errors:
            transaction.set_rollback(True)
            report.errors = sorted(errors, key=lambda e: (e.line or 0, e.column))
            return report
        report.saved = len(registrations)
        report.outcomes = Counter(r.status for r in registrations)
        report.rows = [{"line": row.line, "email": r.email, "outcome": r.status, "id": r.pk}
                       for row, r in zip(cleaned, registrations)]
        from prachum.jobs.services import start_job

        start_job(kind="exchange.import_emails", function="prachum.exchange.services.importing.import_emails_job",
                  params={"meeting_id": meeting.pk, "batch": batch}, meeting=meeting, user=actor,
                  label=gettext("Emails to the people imported"))
    return report


def import_emails_job(job, *, meeting_id: int, batch: str) -> dict:
    written = queue_submitted_emails(meeting_id=meeting_id, batch=batch, progress=job.report)
    return {"message": ngettext("%(count)s email written.", "%(count)s emails written.", written) % {"count": written}}


# --- As background jobs ---------------------------------------------------------------------------------


def _job_args(job, params):
    from prachum.exchange.services.uploads import read_upload

    meeting = Meeting.objects.get(pk=params["meeting_id"])
    delegation = Delegation.objects.filter(pk=params.get("delegation_id"), meeting=meeting).first() \
        if params.get("delegation_id") else None
    return meeting, read_upload(params["upload"]), delegation


def check_import_job(job, **params) -> dict:
    meeting, data, delegation = _job_args(job, params)
    with translation.override(params.get("language") or "lo"):
        try:
            report = check_import(
                meeting=meeting, data=data, target=params["target"], mapping=params["mapping"], delegation=delegation,
                nominate=params.get("nominate", False), actor=job.created_by,
                progress=lambda done: job.report(done, None),
            )
        except TableError as error:
            return {"ok": False, "file_error": error.message, "back_url": params.get("back_url", "")}
        job.report(report.total, report.total, force=True)
        summary = report.as_summary()
        summary["message"] = gettext("The dry run is finished. Nothing was saved.")
        summary["back_url"] = params.get("review_url", "")
        return summary


def apply_import_job(job, **params) -> dict:
    from prachum.exchange.services.uploads import delete_upload

    meeting, data, delegation = _job_args(job, params)
    with translation.override(params.get("language") or "lo"):
        report = apply_import(
            meeting=meeting, data=data, target=params["target"], mapping=params["mapping"], actor=job.created_by,
            batch=params["batch"], delegation=delegation, nominate=params.get("nominate", False),
            progress=lambda done: job.report(done, None),
        )
        job.report(report.total, report.total, force=True)
        summary = report.as_summary()
        if report.ok:
            delete_upload(params["upload"])
            summary["message"] = ngettext(
                "Saved: %(count)s row. The email to this person is being written.",
                "Saved: %(count)s rows. The emails to these people are being written.", report.saved,
            ) % {"count": report.saved}
        else:
            summary["message"] = ngettext(
                "Nothing was saved: %(count)s problem was found.", "Nothing was saved: %(count)s problems were found.",
                len(report.errors),
            ) % {"count": len(report.errors)}
        summary["back_url"] = params.get("done_url" if report.ok else "review_url", "")
        return summary
