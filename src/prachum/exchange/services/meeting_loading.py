"""Loading a meeting from a YAML file (docs/meeting-files.md): `prachum load-meeting FILE.yaml`.

One file describes one meeting, found by its slug: it is created, or updated to match
the file. Everything happens in one transaction: a mistake anywhere in the file saves
nothing, and the error names the line and the field. Loading the same file again
changes nothing.

What the file does not mention: sessions, categories and delegations that are no longer
in the file are deleted when nothing refers to them (else the load stops with a message),
and so are a session's agenda items that are no longer listed under it;
questions no longer in the file are deleted, or hidden (is_active=False) when they have
answers. People are never removed: roles and registrations not in the file stay.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from prachum.audit.kinds import MEETING_FILE
from prachum.audit.services import record_audit
from prachum.core.identity import email_key
from prachum.directory.honorifics import EXAMPLES as HONORIFIC_EXAMPLES
from prachum.directory.honorifics import find_honorific
from prachum.directory.models import Organization
from prachum.exchange.meeting_files import MeetingFileError, MeetingSpec, compose, read_meeting_spec
from prachum.exchange.meeting_files.nodes import Mapping, Node
from prachum.exchange.meeting_files.schema import PersonSpec, QuestionSpec, RegistrationSpec, SessionSpec
from prachum.meetings.models import (
    AgendaItem, Category, CustomQuestion, CustomQuestionVersion, Delegation, Meeting, MeetingRole, Session,
)
from prachum.online.services import meeting_times_changed
from prachum.registration.models import Answer, Registration, RegistrationStatus

# Friendly words for the database's constraints, when one refuses a row, and the key of the file it concerns.
CONSTRAINTS = {
    "one_active_registration_per_meeting_and_email": (
        "another pending, approved or waitlisted registration of this meeting has this email", "email"),
    "one_head_per_delegation": ("the delegation already has a pending or approved head of delegation", "is_head_of_delegation"),
    "category_code_unique_per_meeting": ("another category of this meeting has this code", "code"),
    "delegation_unique_per_meeting": ("this organization already has a delegation at this meeting", "organization"),
    "question_key_unique_per_meeting": ("another question of this meeting has this key", "key"),
    "user_email_unique_ci": ("another account has this email", "email"),
    "meeting_ends_after_start": ("the meeting ends before it starts", "ends"),
    "session_ends_after_start": ("the session ends before it starts", "ends"),
    "meeting_registration_window_ordered": ("registration closes before it opens", "registration"),
    "category_endorsement_implies_approval": ("a category that needs endorsement must also need approval", "needs_endorsement"),
    "registration_waitlisted_has_time": ("a waitlisted registration needs the time it joined the waiting list", "status"),
    "registration_cancelled_has_time": ("a cancelled registration needs the time it was cancelled", "status"),
}


def _sqlite_unique_columns() -> dict[str, str]:
    """SQLite names the columns of a unique index that refused a row, not the constraint: map them back."""
    from django.apps import apps
    from django.db.models import UniqueConstraint

    names = {}
    for model in apps.get_models():
        table = model._meta.db_table
        for constraint in model._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and constraint.fields:
                columns = [model._meta.get_field(f).column for f in constraint.fields]
                names[", ".join(f"{table}.{c}" for c in columns)] = constraint.name
    return names


def _constraint_of(text: str) -> str | None:
    for name in CONSTRAINTS:
        if name in text:
            return name
    if match := re.search(r"UNIQUE constraint failed: (.+)$", text, re.M):
        name = _sqlite_unique_columns().get(match.group(1).strip())
        return name if name in CONSTRAINTS else None
    return None


# Where a model field is written in the file, to point an error at the right line.
MEETING_FIELD_KEYS = {
    "slug": "slug", "series": "series", "title_lo": "title", "title_en": "title", "description_lo": "description",
    "description_en": "description", "format": "format", "status": "status", "time_zone": "time_zone",
    "default_language": "default_language", "starts_at": "starts", "ends_at": "ends", "venue_lo": "venue",
    "venue_en": "venue", "host": "host", "privacy_notice_lo": "privacy_notice", "privacy_notice_en": "privacy_notice",
    "retention_days": "retention_days", "registration_mode": "registration", "registration_opens_at": "registration",
    "registration_closes_at": "registration", "capacity": "registration", "online_capacity": "registration",
    "edits_close_at": "registration", "reapproval_fields": "registration",
    "emails_in_both_languages": "emails_in_both_languages", "contact_email": "contact_email",
}
REGISTRATION_FIELD_KEYS = {
    "organization_name": "organization", "decision_reason": "reason", "category": "category",
    "delegation": "delegation", "is_head_of_delegation": "is_head_of_delegation", "honorific": "honorific",
    "protocol_role": "role", "protocol_rank": "rank",
}


class _Changes:
    """What a load created, updated and deleted, by kind of row."""

    def __init__(self):
        self.counts: dict[str, Counter] = {}

    def add(self, kind: str, what: str, n: int = 1) -> None:
        if n:
            self.counts.setdefault(kind, Counter())[what] += n

    @property
    def any(self) -> bool:
        return any(sum(c.values()) for c in self.counts.values())

    def summary(self) -> dict[str, dict[str, int]]:
        return {kind: dict(sorted(counter.items())) for kind, counter in sorted(self.counts.items())}


def _assign(obj, values: dict) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _validation_error(exc: ValidationError, at: Mapping | Node, field_keys: dict[str, str]) -> MeetingFileError:
    mapping = at if isinstance(at, Mapping) else None
    node = at.node if mapping else at
    if hasattr(exc, "error_dict"):
        field_name, errors = next(iter(exc.error_dict.items()))
        text = " ".join(str(m) for e in errors for m in e.messages)
    else:
        field_name, text = "__all__", " ".join(exc.messages)
    key = field_keys.get(field_name, field_name)
    if constraint := _constraint_of(text):
        text, key = CONSTRAINTS[constraint]
    if mapping is not None and key in mapping.values:
        return mapping.values[key].error(text, code="invalid")
    if key != "__all__":
        text = f"{key}: {text}"
    return node.error(text, code="invalid")


def _integrity_error(exc: IntegrityError, at: Mapping | Node) -> MeetingFileError:
    mapping = at if isinstance(at, Mapping) else None
    node = at.node if mapping else at
    text = str(exc)
    if constraint := _constraint_of(text):
        problem, key = CONSTRAINTS[constraint]
        if mapping is not None and key in mapping.values:
            return mapping.values[key].error(problem, code="database")
        return node.error(problem, code="database")
    first_line = text.strip().splitlines()[0] if text.strip() else exc.__class__.__name__
    return node.error(f"the database refused this entry: {first_line}", code="database")


def _save(obj, at: Mapping | Node, field_keys: dict[str, str] | None = None, *, exclude=None) -> None:
    """Check the model's fields and constraints (full_clean), then save; errors point at `at`."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise _validation_error(exc, at, field_keys or {}) from None
    try:
        obj.save()
    except IntegrityError as exc:
        raise _integrity_error(exc, at) from None


def _delete_unlisted(objects, at: Node, describe, changes: _Changes, kind: str) -> None:
    for obj in objects:
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            raise at.error(
                f"{describe(obj)} is not in the file any more, but is in use (registrations, check-ins or online joins); "
                "put it back in the file",
                code="in_use",
            ) from None
        changes.add(kind, "deleted")


# -- the parts ------------------------------------------------------------------------------------

def _organizations(spec: MeetingSpec) -> dict[str, Organization]:
    wanted: list[tuple[str, Node]] = []
    if spec.host:
        wanted.append((spec.host, spec.at.values["host"]))
    wanted += [(d.organization, d.at.values["organization"]) for d in spec.delegations]
    found = {o.code: o for o in Organization.objects.filter(code__in=[code for code, _ in wanted])}
    for code, node in wanted:
        if code not in found:
            raise node.error(
                f"no organization has the code {code!r} (codes are like LA, VN, ASEC, JP, LA-MTC; "
                "run `prachum load-organizations` to load the list)",
                code="unknown_organization",
            )
    return found


def _meeting(spec: MeetingSpec, organizations, changes: _Changes) -> Meeting:
    values = dict(spec.values)
    values["host_id"] = organizations[spec.host].pk if spec.host else None
    meeting = Meeting.objects.filter(slug=spec.slug).first()
    if meeting is None:
        meeting = Meeting()
        _assign(meeting, values)
        _save(meeting, spec.at, MEETING_FIELD_KEYS)
        changes.add("meeting", "created")
    elif _assign(meeting, values):
        _save(meeting, spec.at, MEETING_FIELD_KEYS)
        changes.add("meeting", "updated")
    return meeting


def _sessions(meeting: Meeting, spec: MeetingSpec, changes: _Changes) -> None:
    existing = {s.order: s for s in meeting.sessions.all()}
    for item in spec.sessions:
        values = {
            "title_lo": item.title_lo, "title_en": item.title_en, "starts_at": item.starts_at, "ends_at": item.ends_at,
            "location_lo": item.location_lo, "location_en": item.location_en,
        }
        session = existing.pop(item.order, None)
        if session is None:
            session = Session(meeting=meeting, order=item.order)
            _assign(session, values)
            _save(session, item.at, {"starts_at": "starts", "ends_at": "ends"})
            changes.add("sessions", "created")
        elif _assign(session, values):
            _save(session, item.at, {"starts_at": "starts", "ends_at": "ends"})
            changes.add("sessions", "updated")
        _agenda_items(session, item, changes)
    _delete_unlisted(
        existing.values(), spec.at.at("sessions"), lambda s: f"session {s.order} ({s.title_en or s.title_lo})", changes, "sessions"
    )


def _agenda_items(session: Session, spec: SessionSpec, changes: _Changes) -> None:
    """The session's agenda as the file gives it, matched by position; items no longer listed are deleted."""
    existing = {i.order: i for i in session.agenda_items.all()}
    for item in spec.items:
        values = {
            "title_lo": item.title_lo, "title_en": item.title_en, "start_time": item.start_time,
            "speaker_lo": item.speaker_lo, "speaker_en": item.speaker_en,
        }
        agenda_item = existing.pop(item.order, None)
        if agenda_item is None:
            agenda_item = AgendaItem(session=session, order=item.order)
            _assign(agenda_item, values)
            _save(agenda_item, item.at, {"start_time": "starts"})
            changes.add("agenda items", "created")
        elif _assign(agenda_item, values):
            _save(agenda_item, item.at, {"start_time": "starts"})
            changes.add("agenda items", "updated")
    for agenda_item in existing.values():
        agenda_item.delete()
        changes.add("agenda items", "deleted")


def _categories(meeting: Meeting, spec: MeetingSpec, changes: _Changes) -> dict[str, Category]:
    existing = {c.code: c for c in meeting.categories.all()}
    result = {}
    for item in spec.categories:
        values = {
            "name_lo": item.name_lo, "name_en": item.name_en, "badge_colour": item.badge_colour, "quota": item.quota,
            "needs_approval": item.needs_approval, "needs_endorsement": item.needs_endorsement,
            "allows_self_registration": item.allows_self_registration, "order": item.order,
        }
        category = existing.pop(item.code, None)
        if category is None:
            category = Category(meeting=meeting, code=item.code)
            _assign(category, values)
            _save(category, item.at)
            changes.add("categories", "created")
        elif _assign(category, values):
            _save(category, item.at)
            changes.add("categories", "updated")
        result[item.code] = category
    _delete_unlisted(existing.values(), spec.at.at("categories"), lambda c: f"category {c.code!r}", changes, "categories")
    return result


def _user(person: PersonSpec, changes: _Changes):
    User = get_user_model()
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        username = person.email.lower()
        if User.objects.filter(username__iexact=username).exists():
            raise person.at.error(f"an account is named {username!r} but has another email; give its email", code="duplicate")
        user = User(
            username=username, email=person.email.lower(), first_name=person.given_name,
            last_name=person.family_name, language=person.language,
        )
        user.set_unusable_password()  # they set a password through "forgot password", or an organizer sends a link
        _save(user, person.at)
        changes.add("accounts", "created")
        return user
    # An existing account keeps what its owner wrote; the file only fills in blank names.
    if _assign(user, {k: v for k, v in {"first_name": person.given_name, "last_name": person.family_name}.items()
                      if v and not getattr(user, k)}):
        _save(user, person.at)
        changes.add("accounts", "updated")
    return user


def _role(meeting: Meeting, user, role: str, delegation: Delegation | None, at: Node, changes: _Changes) -> None:
    if MeetingRole.objects.filter(meeting=meeting, user=user, role=role, delegation=delegation).exists():
        return
    _save(MeetingRole(meeting=meeting, user=user, role=role, delegation=delegation), at)
    changes.add("roles", "created")


def _delegations(meeting: Meeting, spec: MeetingSpec, organizations, changes: _Changes) -> dict[str, Delegation]:
    existing = {d.organization_id: d for d in meeting.delegations.all()}
    result = {}
    for item in spec.delegations:
        organization = organizations[item.organization]
        delegation = existing.pop(organization.pk, None)
        if delegation is None:
            delegation = Delegation(meeting=meeting, organization=organization, quota=item.quota)
            _save(delegation, item.at)
            changes.add("delegations", "created")
        elif _assign(delegation, {"quota": item.quota}):
            _save(delegation, item.at)
            changes.add("delegations", "updated")
        for person in item.focal_points:
            _role(meeting, _user(person, changes), MeetingRole.Role.FOCAL_POINT, delegation, person.at, changes)
        result[item.organization] = delegation
    _delete_unlisted(
        existing.values(), spec.at.at("delegations"), lambda d: f"the delegation of {d.organization.code}", changes, "delegations"
    )
    return result


def _version_content(version: CustomQuestionVersion) -> dict:
    return {
        "kind": version.kind, "label_lo": version.label_lo, "label_en": version.label_en,
        "help_lo": version.help_lo, "help_en": version.help_en, "choices": version.choices,
        "is_required": version.is_required, "is_sensitive": version.is_sensitive,
        "categories": sorted(version.categories.values_list("code", flat=True)),
        "show_if_question": version.show_if_question.key if version.show_if_question_id else "",
        "show_if_value": version.show_if_value,
        "needs_reapproval": version.needs_reapproval,
    }


def _question(meeting: Meeting, item: QuestionSpec, categories, questions, changes: _Changes) -> CustomQuestion:
    question = CustomQuestion.objects.filter(meeting=meeting, key=item.key).first()
    if question is None:
        question = CustomQuestion(meeting=meeting, key=item.key, order=item.order, is_active=item.is_active)
        _save(question, item.at)
        changes.add("questions", "created")
    elif _assign(question, {"order": item.order, "is_active": item.is_active}):
        _save(question, item.at)
        changes.add("questions", "updated")
    content = item.content()
    if question.current_version is None or _version_content(question.current_version) != content:
        number = (question.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = CustomQuestionVersion(
            question=question, number=number, kind=item.kind, label_lo=item.label_lo, label_en=item.label_en,
            help_lo=item.help_lo, help_en=item.help_en, choices=content["choices"], is_required=item.is_required,
            is_sensitive=item.is_sensitive, show_if_value=item.show_if_value, needs_reapproval=item.needs_reapproval,
            show_if_question=questions[item.show_if_question] if item.show_if_question else None,
        )
        _save(version, item.at, {"label_lo": "label", "label_en": "label", "kind": "kind", "choices": "choices"})
        version.categories.set([categories[code] for code in item.categories])
        question.current_version = version
        question.save(update_fields=["current_version"])
        changes.add("question versions", "created")
    return question


def _questions(meeting: Meeting, spec: MeetingSpec, categories, changes: _Changes) -> dict[str, CustomQuestion]:
    questions: dict[str, CustomQuestion] = {}
    for item in spec.questions:
        questions[item.key] = _question(meeting, item, categories, questions, changes)
    for question in meeting.questions.exclude(key__in=list(questions)):
        if question.answers.exists():
            if question.is_active:
                question.is_active = False
                question.save(update_fields=["is_active"])
                changes.add("questions", "hidden")
        else:
            question.current_version = None
            question.save(update_fields=["current_version"])
            question.delete()
            changes.add("questions", "deleted")
    return questions


def _status_times(reg: Registration, item: RegistrationSpec, now, waitlist_position: int) -> dict:
    """The times the model's constraints and the review screens expect for the status in the file.
    A time already set is kept, so that loading again changes nothing."""
    status = item.status
    decided = status in (RegistrationStatus.APPROVED, RegistrationStatus.REJECTED)
    return {
        "decided_at": (reg.decided_at or now) if decided else (reg.decided_at if status == RegistrationStatus.CANCELLED else None),
        # The waiting list keeps the order of the file.
        "waitlisted_at": (reg.waitlisted_at or now - timedelta(seconds=1000 - waitlist_position))
        if status == RegistrationStatus.WAITLISTED else reg.waitlisted_at,
        "cancelled_at": (reg.cancelled_at or now) if status == RegistrationStatus.CANCELLED else None,
        "endorsed_at": (reg.endorsed_at or now) if item.endorsed else None,
    }


def _honorific_code(item) -> str | None:
    """The code of the honorific a file writes as a spelling ("Mr.", "ທ່ານ") or a code ("mr")."""
    text = item.values.get("honorific", "")
    if not text:
        return None
    honorific = find_honorific(text)
    if honorific is None:
        raise item.at.values["honorific"].error(
            f"{text!r} is not an honorific of the list ({HONORIFIC_EXAMPLES}, or a code such as mr)",
            code="unknown_honorific",
        )
    return honorific.code


def _registrations(meeting, spec: MeetingSpec, categories, delegations, questions, changes: _Changes) -> None:
    if meeting.personal_data_erased_at is not None:
        # The retention period ended and the people were anonymised: a file loaded again (the demo's, an
        # organizer's old copy) must not bring them back.
        return
    now = timezone.now()
    active = set(Registration.ACTIVE)
    waitlist_position = 0
    for item in spec.registrations:
        candidates = sorted(
            Registration.objects.filter(meeting=meeting, email_key=email_key(item.email)),
            key=lambda r: (r.status in active, r.created_at), reverse=True,
        )
        reg = candidates[0] if candidates else None
        created = reg is None
        if created:
            reg = Registration(meeting=meeting, consent_at=now)
            reg.set_manage_token()
        if item.status == RegistrationStatus.WAITLISTED:
            waitlist_position += 1
        values = {
            **{key: value for key, value in item.values.items() if key != "honorific"},
            "honorific_id": _honorific_code(item),
            "category_id": categories[item.category].pk,
            "delegation_id": delegations[item.delegation].pk if item.delegation else None,
            "status": item.status,
            "decision_reason": item.reason,
            **_status_times(reg, item, now, waitlist_position),
        }
        if _assign(reg, values) or created:
            _save(reg, item.at, REGISTRATION_FIELD_KEYS)
            changes.add("registrations", "created" if created else "updated")
        for answer in item.answers:
            question = questions[answer.key]
            version = question.current_version
            stored = {"value": None, "sensitive_value": answer.value} if version.is_sensitive else {"value": answer.value, "sensitive_value": None}
            existing = Answer.objects.filter(registration=reg, question=question).first()
            if existing is None:
                _save(Answer(registration=reg, question=question, question_version=version, **stored), answer.at)
                changes.add("answers", "created")
            elif _assign(existing, stored):
                # A changed answer answers the current wording; an unchanged one keeps the version it answered.
                existing.question_version = version
                _save(existing, answer.at)
                changes.add("answers", "updated")


def _schedule(meeting: Meeting) -> tuple:
    """The meeting's times and its sessions' times, to see whether a load changed them."""
    return (meeting.starts_at, meeting.ends_at,
            tuple(meeting.sessions.order_by("order", "pk").values_list("order", "starts_at", "ends_at")))


# -- the service ----------------------------------------------------------------------------------

@transaction.atomic(durable=True)
def load_meeting_file(
    *, path: str | Path | None = None, text: str | None = None, filename: str | None = None,
    today: date | None = None, actor=None,
) -> Meeting:
    """Create or update the meeting that a meeting file describes; all of it, or nothing.

    Give `path`, or `text` (and a `filename` for messages). `today` is the day relative
    times (`+21d 09:00`) count from; default: today in the meeting's time zone.
    Raises MeetingFileError, whose message names the file, the line and the field.
    The returned meeting carries `load_changes`: {kind: {"created"|"updated"|"deleted"|"hidden": n}};
    empty when the database already matched the file; and `load_skipped_people`: the file's registrations
    left out because the meeting's personal data was erased (retention).
    """
    if (path is None) == (text is None):
        raise TypeError("give path or text")
    if path is not None:
        path = Path(path)
        filename = filename or path.name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise MeetingFileError(f"cannot read the file: {exc.strerror}", filename=str(path), code="unreadable") from None
        except UnicodeDecodeError:
            raise MeetingFileError("the file is not UTF-8 text", filename=str(path), code="unreadable") from None
    filename = filename or "meeting file"
    spec = read_meeting_spec(compose(text, filename), today=today)
    changes = _Changes()
    existing = Meeting.objects.filter(slug=spec.slug).first()
    schedule_before = _schedule(existing) if existing else None
    organizations = _organizations(spec)
    meeting = _meeting(spec, organizations, changes)
    categories = _categories(meeting, spec, changes)
    delegations = _delegations(meeting, spec, organizations, changes)
    _sessions(meeting, spec, changes)
    for person in spec.organizers:
        _role(meeting, _user(person, changes), person.role, None, person.at, changes)
    questions = _questions(meeting, spec, categories, changes)
    _registrations(meeting, spec, categories, delegations, questions, changes)
    if schedule_before is not None and _schedule(meeting) != schedule_before:
        # Participants' calendars get the new times (SEQUENCE + 1, an email with the updated .ics).
        meeting_times_changed(meeting, actor=actor)
    if changes.any:
        # Pages cached by the meeting's updated_at must see changes to its sessions, categories…
        Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
        record_audit(
            kind="meeting.loaded", meeting=meeting, obj=meeting, actor=actor,
            actor_label="" if actor is not None else f"{MEETING_FILE}{filename}",
            after={"file": filename, "changes": changes.summary()},
        )
    meeting.load_changes = changes.summary()
    meeting.load_skipped_people = len(spec.registrations) if meeting.personal_data_erased_at is not None else 0
    return meeting
