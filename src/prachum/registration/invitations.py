"""Inviting people to a meeting from a list (a CSV or XLSX file): personal invitation links, sent by email.

`check_invitation_rows(meeting=…, rows=…)` checks every row and returns the rows cleaned, or the
errors, each with its line in the file; it writes nothing (`prachum invite --dry-run` stops there).
`invite_people(meeting=…, rows=…, actor=…)` checks again under the meeting's lock and, only when
every row is right, in one transaction: creates an Invitation per row (its link's token is derived,
only its hash and nonce are stored), records an AuditEvent "invitation.created" and writes the
email as a Message "invitation.sent", rendered now in the invited person's language; each message
is handed to prachum.notify for sending after the commit. One wrong row: nothing is saved.

A row is a dict with the keys of INVITATION_COLUMNS (missing keys are empty) and optionally "line",
its line in the file (`read_invitation_file` sets it; without it the n-th row is line n + 1, the
first line being the header).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit
from prachum.core.email_times import email_span
from prachum.core.identity import email_key
from prachum.core.outbox import RenderedEmail, queue_message
from prachum.core.tables import TableError, read_table
from prachum.directory.honorifics import EXAMPLES as HONORIFIC_EXAMPLES
from prachum.directory.honorifics import find_honorific
from prachum.meetings import selectors as meeting_selectors
from prachum.meetings.models import Meeting
from prachum.meetings.zone_cities import zone_city
from prachum.registration.models import Invitation, Registration

INVITATION_COLUMNS = ("email", "honorific", "given_name", "family_name", "category", "delegation", "language")
REQUIRED_COLUMNS = ("email",)
_COLUMN_ORDER = {column: index for index, column in enumerate(INVITATION_COLUMNS)}
LANGUAGES = ("lo", "en")
MESSAGE_KIND = "invitation.sent"
REMINDER_KIND = "invitation.reminder"
AUDIT_KIND = "invitation.created"
MAX_LENGTHS = {"email": 254, "honorific": 40, "given_name": 150, "family_name": 150}
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Why a row or the file is refused: a stable code, a whole sentence (placeholders filled per error).
MESSAGES = {
    "no_header": _("The file is empty: its first line must name the columns, starting with email."),
    "unknown_column": _("Unknown column “%(column)s”. The columns are: %(columns)s."),
    "missing_column": _("The column “%(column)s” is missing."),
    "duplicate_column": _("The column “%(column)s” appears twice."),
    "no_rows": _("The file has no one to invite."),
    "meeting_not_published": _("Publish the meeting before inviting people: the invitation's link leads to its page."),
    "meeting_cancelled": _("This meeting has been cancelled."),
    "registration_closed": _("Registration for this meeting is closed, so no one could use an invitation."),
    "too_many_values": _("This line has more values than there are columns."),
    "formula": _("This cell holds a spreadsheet formula. Type its value instead."),
    "email_missing": _("The email address is missing."),
    "email_invalid": _("“%(value)s” is not an email address such as somsak@example.la."),
    "name_missing": _("Give a given name or a family name."),
    "too_long": _("This is longer than %(limit)s characters."),
    "bidi": _("Remove the characters that change the direction of the text."),
    "control": _("Remove the control characters (such as tabs or invisible codes) from this text."),
    "category_unknown": _("This meeting has no category with the code “%(value)s”."),
    "honorific_unknown": _("“%(value)s” is not one of the honorifics (such as %(examples)s). Write one of them, "
                           "or ask the secretariat to add it."),
    "delegation_unknown": _("No organization with the code “%(value)s” has a delegation at this meeting."),
    "language_unknown": _("The language must be lo or en, not “%(value)s”."),
    "duplicate_in_file": _("%(email)s is already invited on line %(first_line)s of this file."),
    "already_invited": _("%(email)s has already been invited to this meeting."),
    "already_registered": _("%(email)s is already registered for this meeting."),
}


@dataclass(frozen=True)
class RowError:
    """One refusal: the line of the file (None: about the whole file or the meeting), the column
    (empty: the whole row), a stable code and the sentence for people."""

    line: int | None
    column: str
    code: str
    message: str

    def __str__(self):
        where = f"line {self.line}" if self.line is not None else "file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class InviteResult:
    invitations: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    # The rows as they were (or would be) saved: email, names, category, delegation, language, line.
    rows: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _error(line, column, code, /, **values) -> RowError:
    message = MESSAGES[code]
    return RowError(line=line, column=column, code=code, message=str(message) % values if values else str(message))


# --- Reading the file ----------------------------------------------------------------------------


def read_invitation_file(data: bytes) -> tuple[list[dict], list[RowError], str]:
    """The rows of a CSV or XLSX file with a header line, each with its "line"; or the errors that make
    the file unreadable; and the name of the encoding it was read in ("" where unreadable).

    The file is read by prachum.core.tables, as the imports read theirs: XLSX by its content, CSV in UTF-8 (with or
    without a byte order mark), UTF-16 ("Unicode text", tab separated) or CP874, with commas, semicolons
    or tabs. Blank lines are skipped."""
    try:
        table = read_table(data)
    except TableError as exc:
        if exc.code == "empty":
            return [], [_error(1, "", "no_header")], ""
        if exc.code == "duplicate_header":
            return [], [_error(1, "", "duplicate_column", column=exc.values["column"].lower())], ""
        return [], [RowError(line=None, column="", code=exc.code, message=exc.message)], ""
    columns = [header.lower() for header in table.headers]
    errors = []
    for column in columns:
        if column not in INVITATION_COLUMNS:
            errors.append(_error(1, "", "unknown_column", column=column, columns=", ".join(INVITATION_COLUMNS)))
    errors.extend(_error(1, "", "missing_column", column=c) for c in REQUIRED_COLUMNS if c not in columns)
    if errors:
        return [], errors, table.encoding_name

    rows = []
    for cells in table.rows:
        line = cells["line"]
        if cells.get("__extra__"):
            errors.append(_error(line, "", "too_many_values"))
            continue
        row = {column: cells[header] for header, column in zip(table.headers, columns)}
        # An XLSX cell that computes its value: we would read the formula, not what the sheet shows.
        errors.extend(_error(line, column, "formula") for header, column in zip(table.headers, columns)
                      if (line, header) in table.formulas)
        row["line"] = line
        rows.append(row)
    return rows, errors, table.encoding_name


# --- Checking the rows ---------------------------------------------------------------------------


def _clean_text(value) -> str:
    value = unicodedata.normalize("NFC", str(value or "").strip())
    if any(char in BIDI_CONTROLS for char in value):
        raise ValueError("bidi")
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("control")
    return " ".join(value.split())


def _clean_email(value: str) -> str:
    """One plain address; the domain is lowercased, the part before @ kept as written."""
    validate_email(value)  # refuses "Name <a@b>", spaces and control characters too
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def check_invitation_rows(*, meeting: Meeting, rows: list[dict]) -> InviteResult:
    """Every row checked, nothing written: `result.rows` cleaned when `result.ok`, else `result.errors`
    (all of them, in the order of the file)."""
    errors = []
    phase = meeting_selectors.registration_phase(meeting)
    if meeting.status == Meeting.Status.DRAFT:
        errors.append(_error(None, "", "meeting_not_published"))
    elif phase == meeting_selectors.RegistrationPhase.CANCELLED:
        errors.append(_error(None, "", "meeting_cancelled"))
    elif phase == meeting_selectors.RegistrationPhase.CLOSED:
        errors.append(_error(None, "", "registration_closed"))
    if not rows:
        errors.append(_error(None, "", "no_rows"))

    categories = {c.code.lower(): c for c in meeting.categories.all()}
    delegations = {d.organization.code.lower(): d for d in meeting.delegations.select_related("organization")}
    cleaned, first_line_of = [], {}
    for index, row in enumerate(rows):
        line = row.get("line") or index + 2
        row_errors, values = [], {"line": line}
        for column in ("email", "honorific", "given_name", "family_name"):
            try:
                values[column] = _clean_text(row.get(column))
            except ValueError as exc:
                row_errors.append(_error(line, column, str(exc)))
                values[column] = ""
                continue
            if len(values[column]) > MAX_LENGTHS[column]:
                row_errors.append(_error(line, column, "too_long", limit=MAX_LENGTHS[column]))

        if values["honorific"] and not any(e.column == "honorific" for e in row_errors):
            honorific = find_honorific(values["honorific"])
            if honorific is None:
                row_errors.append(_error(line, "honorific", "honorific_unknown", value=values["honorific"],
                                         examples=HONORIFIC_EXAMPLES))
            values["honorific"] = honorific
        else:
            values["honorific"] = None

        email = values["email"]
        if not email:
            if not any(e.column == "email" for e in row_errors):
                row_errors.append(_error(line, "email", "email_missing"))
        elif not any(e.column == "email" for e in row_errors):
            try:
                values["email"] = _clean_email(email)
            except ValidationError:
                row_errors.append(_error(line, "email", "email_invalid", value=email))

        if not values["given_name"] and not values["family_name"] and not any(
            e.column in ("given_name", "family_name") for e in row_errors
        ):
            row_errors.append(_error(line, "given_name", "name_missing"))

        code = str(row.get("category") or "").strip()
        values["category"] = categories.get(code.lower()) if code else None
        if code and values["category"] is None:
            row_errors.append(_error(line, "category", "category_unknown", value=code))

        code = str(row.get("delegation") or "").strip()
        values["delegation"] = delegations.get(code.lower()) if code else None
        if code and values["delegation"] is None:
            row_errors.append(_error(line, "delegation", "delegation_unknown", value=code))

        language = str(row.get("language") or "").strip().lower() or meeting.default_language
        values["language"] = language
        if language not in LANGUAGES:
            row_errors.append(_error(line, "language", "language_unknown", value=row.get("language")))

        key = email_key(values["email"]) if values["email"] else ""
        if key and not any(e.column == "email" for e in row_errors):
            if key in first_line_of:
                row_errors.append(
                    _error(line, "email", "duplicate_in_file", email=values["email"], first_line=first_line_of[key])
                )
            else:
                first_line_of[key] = line
        errors.extend(row_errors)
        cleaned.append(values)

    # Existing invitations and registrations: two queries for the whole file.
    # Compared by email_key: ຄຳ and ຄໍາ, KEO and keo, are one address.
    keys = [email_key(v["email"]) for v in cleaned if v["email"]]
    if keys:
        registered = set(
            Registration.objects.filter(meeting=meeting, status__in=Registration.ACTIVE, email_key__in=keys)
            .values_list("email_key", flat=True)
        )
        invited = set(
            Invitation.objects.filter(meeting=meeting, revoked_at__isnull=True, email_key__in=keys)
            .values_list("email_key", flat=True)
        )
        for values in cleaned:
            key = email_key(values["email"]) if values["email"] else ""
            if first_line_of.get(key) != values["line"]:
                continue  # not an address, or a repeat already reported
            if key in registered:
                errors.append(_error(values["line"], "email", "already_registered", email=values["email"]))
            elif key in invited:
                errors.append(_error(values["line"], "email", "already_invited", email=values["email"]))

    errors.sort(key=lambda e: (e.line or 0, _COLUMN_ORDER.get(e.column, -1)))
    return InviteResult(errors=errors, rows=[] if errors else cleaned)


# --- Inviting ------------------------------------------------------------------------------------


def invite_people(*, meeting: Meeting, rows: list[dict], actor=None) -> InviteResult:
    """Invite everyone in `rows`, or no one: see the module's docstring."""
    with transaction.atomic(durable=True):
        # One import at a time per meeting: the checks below then see every earlier import.
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        result = check_invitation_rows(meeting=meeting, rows=rows)
        if not result.ok:
            return result
        for values in result.rows:
            invitation = Invitation(
                meeting=meeting, email=values["email"], honorific=values["honorific"],
                given_name=values["given_name"], family_name=values["family_name"],
                category=values["category"], delegation=values["delegation"], language=values["language"],
                invited_by=actor, sent_at=timezone.now(),
            )
            invitation.set_token()
            invitation.save()
            record_audit(
                kind=AUDIT_KIND, actor=actor, meeting=meeting, obj=invitation,
                after={
                    "email": invitation.email, "language": invitation.language,
                    "category": values["category"].code if values["category"] else None,
                    "delegation": values["delegation"].organization.code if values["delegation"] else None,
                },
            )
            message = invitation_message(invitation, meeting=meeting)
            result.invitations.append(invitation)
            result.messages.append(message)
    return result


def invitation_url(invitation: Invitation, meeting: Meeting, language: str | None = None) -> str:
    """The personal link: {base}/{language}/m/{slug}/register/?invitation={token}."""
    language = language or invitation.language
    return f"{settings.PRACHUM_BASE_URL}/{language}/m/{meeting.slug}/register/?invitation={invitation.token}"


def invitation_message(invitation: Invitation, *, meeting: Meeting, language: str | None = None,
                       reminder: bool = False):
    """The invitation's email written to the outbox in the caller's transaction (sent after the commit),
    in `language` when the organizer chose one for it, else in the invitation's. Returns the outbox's Message."""
    language = language or invitation.language
    subject, text, html = render_invitation_email(invitation, meeting=meeting, language=language, reminder=reminder)
    return queue_message(
        kind=REMINDER_KIND if reminder else MESSAGE_KIND, to_email=invitation.email, language=language,
        meeting=meeting, rendered=RenderedEmail(subject=subject, text=text, html=html),
    )



def render_invitation_email(invitation: Invitation, *, meeting: Meeting, language: str | None = None,
                            reminder: bool = False) -> tuple[str, str, str]:
    """Subject, text and HTML of an invitation (or of a reminder of it), in `language` (default: the
    invitation's), times in the meeting's zone."""
    language = language or invitation.language
    zone = ZoneInfo(meeting.time_zone)
    with translation.override(language), timezone.override(zone):
        context = {
            "language": language,
            "invitation": invitation,
            "person_name": " ".join(
                part for part in (invitation.honorific_in(language), invitation.given_name, invitation.family_name)
                if part
            ),
            "meeting": meeting,
            "title": meeting.title,
            "venue": meeting.venue,
            "is_online": meeting.format == Meeting.Format.ONLINE,
            "when": email_span(meeting.starts_at, meeting.ends_at, zone, zone_city(meeting.time_zone, language)),
            "category": invitation.category.name if invitation.category else "",
            "organization": invitation.delegation.organization.name if invitation.delegation else "",
            "registration_closes_at": meeting.registration_closes_at,
            "invitation_url": invitation_url(invitation, meeting, language),
            "reminder": reminder,
        }
        subject = " ".join(render_to_string("registration/emails/invitation.subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string("registration/emails/invitation.txt", context)
        html = render_to_string("registration/emails/invitation.html", context)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.strip().splitlines())) + "\n"
    return subject, text, html
