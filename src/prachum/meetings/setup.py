"""Setting a meeting up in the organizer area: every write of /<lang>/manage/new/ and /<lang>/manage/<slug>/setup/.

One function per use case; each is one durable transaction that locks the meeting's row first (the same
lock seat-taking holds, registration/services/locking.py), re-checks what the form checked, writes, and
records an AuditEvent. Quotas and capacities are checked against the seats held under that lock, so an
organizer cannot lower a quota below what a registration is taking at the same moment; a raised quota
gives its free seats to the waiting list at once. People who must be told (invited colleagues and focal
points) get a Message in the same transaction, sent after commit. Cancelling a meeting cancels its
registrations, so that use case is registration's (registration/services/meeting_cancellation.py).

Seats are registration's and calendar updates online's, both above meetings: they hand in the functions
this module calls (register_seat_keeper, register_times_changed) when Django starts.

Errors are SetupError(code, field): the view shows the message beside that field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as time_of_day
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, ProtectedError, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit

from .models import (
    MAX_AGENDA_ITEMS, AgendaItem, Category, CustomQuestion, CustomQuestionVersion, Delegation, EmailText, Meeting,
    MeetingRole, Role, Session,
)

MESSAGES = {
    "duplicate_slug": _("Another meeting already uses this short name. Please choose another one."),
    "duplicate_code": _("Another category of this meeting already has this code."),
    "duplicate_key": _("Another question of this meeting already has this key."),
    "duplicate_delegation": _("This organization already has a delegation at this meeting."),
    "quota_below_use": _("%(taken)s seats are taken already: the quota cannot be lower than that."),
    "capacity_below_use": _("%(taken)s seats are taken already: the capacity cannot be lower than that."),
    "online_capacity_below_use": _("%(taken)s online seats are taken already: the capacity cannot be lower than that."),
    "in_use": _("This cannot be deleted: registrations refer to it. Change it instead."),
    "has_role": _("This person already has this role at this meeting."),
    "focal_point_taken": _("This person is already a focal point of this delegation."),
    "last_owner": _("A meeting needs at least one owner: give the role to someone else first."),
    "owner_only": _("Only an owner of the meeting may give or take away the owner's role."),
    "bad_status": _("This cannot be done while the meeting is “%(status)s”."),
    "session_outside": _("The session must take place on the meeting's days (%(days)s). To add a day, "
                         "change the meeting's dates in its settings first."),
    "sessions_outside": _("Sessions take place outside these days (%(sessions)s): move or delete them first."),
    "incomplete": _("Before publishing, the meeting needs: %(missing)s."),
    "item_outside": _("The item must start within its session, from %(start)s and before %(end)s."),
    "items_outside": _("These agenda items would then start outside the session: %(items)s. "
                       "Change their times first."),
    "too_many_items": _("A session holds at most %(n)s agenda items. Split the session in two, or join items."),
}


class SetupError(Exception):
    def __init__(self, code: str, *, field: str | None = None, **params):
        self.code, self.field, self.params = code, field, params
        super().__init__(code)

    @property
    def message(self) -> str:
        text = MESSAGES[self.code]
        return text % self.params if self.params else str(text)


def _lock(meeting_id: int) -> Meeting:
    return Meeting.objects.select_for_update(no_key=True).get(pk=meeting_id)


def _save(obj, *, unique_code: str, unique_field: str, exclude=None):
    """full_clean, then save in a savepoint; a unique constraint that refuses the row (two organizers at
    the same moment) becomes a SetupError on the field it concerns."""
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    for constraint in obj._meta.constraints:
        try:
            constraint.validate(type(obj), obj, exclude=exclude)
        except ValidationError:
            if isinstance(constraint, UniqueConstraint):
                raise SetupError(unique_code, field=unique_field) from None
            raise
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise SetupError(unique_code, field=unique_field) from None
    return obj


def _snapshot(obj, fields) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value):
    if isinstance(value, (datetime, time_of_day)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


# Handed in at start-up by the apps above meetings; see the module's docstring.
_seat_keeper = {}
_times_changed_hooks = []


def register_seat_keeper(*, seats_taken, give_free_seats) -> None:
    """From registration's AppConfig.ready: `seats_taken(meeting)` returns the seats held, as
    registration.selectors.seats_taken counts them; `give_free_seats(meeting, actor=…)` gives free seats to
    the waiting list in the caller's transaction."""
    _seat_keeper.update(seats_taken=seats_taken, give_free_seats=give_free_seats)


def register_times_changed(function) -> None:
    """From an AppConfig.ready: `function(meeting=…)`, run in the transaction that moved the meeting's or a
    session's times, updates the calendars people imported (online raises the SEQUENCE and emails them)."""
    if function not in _times_changed_hooks:
        _times_changed_hooks.append(function)


def _times_changed(meeting: Meeting) -> None:
    """Calendars that people imported must update: the registered function where there is one, else the
    SEQUENCE of the meeting's calendar events goes up here."""
    if _times_changed_hooks:
        for hook in _times_changed_hooks:
            hook(meeting=meeting)
        return
    Meeting.objects.filter(pk=meeting.pk).update(calendar_sequence=F("calendar_sequence") + 1)
    meeting.refresh_from_db(fields=["calendar_sequence"])


def _keeper(name: str):
    if name not in _seat_keeper:
        raise ImproperlyConfigured("prachum.registration is not installed: nothing counts the seats of a meeting")
    return _seat_keeper[name]


def _seats(meeting: Meeting) -> dict:
    return _keeper("seats_taken")(meeting)


def _give_free_seats(meeting: Meeting, actor) -> None:
    _keeper("give_free_seats")(meeting, actor=actor)


# -- the meeting's days and its sessions -------------------------------------------------------------
#
# An organizer sets the meeting's days (its settings); sessions must fall on them, and a session outside
# them is refused beside its field, so that a typo in a date cannot stretch the meeting by a month. Within
# those days the meeting's start and end times follow its sessions: the first session on its first day
# starts it, the last session on its last day ends it. Emails, calendar files, the public page and PDFs
# read the meeting's start and end, so moving the last session to 16:30 makes all of them say 16:30.

def _days(meeting: Meeting):
    zone = ZoneInfo(meeting.time_zone)
    return meeting.starts_at.astimezone(zone).date(), meeting.ends_at.astimezone(zone).date()


def _day_text(day) -> str:
    from django.utils.formats import date_format

    return date_format(day, "DATE_FORMAT")


def _check_on_meeting_days(meeting: Meeting, starts_at: datetime, ends_at: datetime) -> None:
    zone = ZoneInfo(meeting.time_zone)
    first, last = _days(meeting)
    start_off = not first <= starts_at.astimezone(zone).date() <= last
    if start_off or not first <= ends_at.astimezone(zone).date() <= last:
        days = _day_text(first) if first == last else f"{_day_text(first)} – {_day_text(last)}"
        raise SetupError("session_outside", field="starts_at" if start_off else "ends_at", days=days)


def _times_from_sessions(meeting: Meeting) -> None:
    """Set (unsaved) the meeting's start to its first session's where that session is on the meeting's
    first day, and its end to its last session's where that one is on the last day."""
    sessions = list(meeting.sessions.values_list("starts_at", "ends_at"))
    if not sessions:
        return
    zone = ZoneInfo(meeting.time_zone)
    first, last = _days(meeting)
    earliest, latest = min(s for s, _e in sessions), max(e for _s, e in sessions)
    if earliest.astimezone(zone).date() == first:
        meeting.starts_at = earliest
    if latest.astimezone(zone).date() == last:
        meeting.ends_at = latest


def _follow_sessions(meeting: Meeting, actor) -> None:
    """After a session changed: the meeting's times follow its sessions, saved and audited as a change
    of the meeting, in the caller's transaction with the meeting locked."""
    before = _snapshot(meeting, ("starts_at", "ends_at"))
    _times_from_sessions(meeting)
    old, new = _changes(before, _snapshot(meeting, ("starts_at", "ends_at")))
    if new:
        meeting.save(update_fields=["starts_at", "ends_at", "updated_at"])
        record_audit(kind="meeting.updated", actor=actor, meeting=meeting, obj=meeting, before=old, after=new)


def _sessions_outside(meeting: Meeting) -> list[Session]:
    zone = ZoneInfo(meeting.time_zone)
    first, last = _days(meeting)
    return [s for s in meeting.sessions.order_by("starts_at", "order")
            if s.starts_at.astimezone(zone).date() < first or s.ends_at.astimezone(zone).date() > last]


# -- the meeting ---------------------------------------------------------------------------------------

MEETING_FIELDS = (
    "slug", "series", "title_lo", "title_en", "description_lo", "description_en", "format", "time_zone", "starts_at",
    "ends_at", "venue_lo", "venue_en", "host", "contact_email", "registration_mode", "registration_opens_at",
    "registration_closes_at", "capacity", "online_capacity", "show_seats_left", "allows_free_text_organization",
    "edits_close_at", "emails_in_both_languages", "default_language", "privacy_notice_lo", "privacy_notice_en",
    "retention_days",
)
TIME_FIELDS = ("starts_at", "ends_at", "time_zone")


@transaction.atomic(durable=True)
def create_meeting(*, actor, **values) -> Meeting:
    """A new meeting, a draft, with `actor` as its owner."""
    meeting = Meeting(**values, status=Meeting.Status.DRAFT)
    _save(meeting, unique_code="duplicate_slug", unique_field="slug")
    MeetingRole.objects.create(meeting=meeting, user=actor, role=Role.OWNER)
    record_audit(kind="meeting.created", actor=actor, meeting=meeting, obj=meeting,
                 after=_snapshot(meeting, MEETING_FIELDS))
    return meeting


@transaction.atomic(durable=True)
def update_meeting(*, meeting_id: int, actor, **values) -> Meeting:
    meeting = _lock(meeting_id)
    before = _snapshot(meeting, MEETING_FIELDS)
    for name, value in values.items():
        setattr(meeting, name, value)
    taken = _seats(meeting)
    if meeting.capacity is not None:
        held = taken["in_person"] if meeting.format == Meeting.Format.HYBRID else taken["total"]
        if meeting.capacity < held:
            raise SetupError("capacity_below_use", field="capacity", taken=held)
    if meeting.format == Meeting.Format.HYBRID and meeting.online_capacity is not None:
        if meeting.online_capacity < taken["online"]:
            raise SetupError("online_capacity_below_use", field="online_capacity", taken=taken["online"])
    outside = _sessions_outside(meeting)
    if outside:
        late = any(s.ends_at > meeting.ends_at for s in outside)
        raise SetupError("sessions_outside", field="ends_at" if late else "starts_at",
                         sessions=", ".join(str(s.title) for s in outside))
    _times_from_sessions(meeting)
    _save(meeting, unique_code="duplicate_slug", unique_field="slug")
    old, new = _changes(before, _snapshot(meeting, MEETING_FIELDS))
    if not new:
        return meeting
    record_audit(kind="meeting.updated", actor=actor, meeting=meeting, obj=meeting, before=old, after=new)
    if any(name in new for name in TIME_FIELDS):
        _times_changed(meeting)
    if any(name in new for name in ("capacity", "online_capacity")):
        _give_free_seats(meeting, actor)
    return meeting


@transaction.atomic(durable=True)
def clone_meeting(*, source_id: int, actor, slug: str, starts_on, title_lo: str = "", title_en: str = "") -> Meeting:
    """A new draft like `source`: texts, sessions (with their agenda items) shifted so that the meeting starts on `starts_on` (the
    meeting's local day; local times of day stay), categories, delegations without focal points, the
    current version of each active question, and the email texts. No registrations, no roles but the
    actor's ownership."""
    source = Meeting.objects.get(pk=source_id)
    zone = ZoneInfo(source.time_zone)
    offset = starts_on - source.starts_at.astimezone(zone).date()

    def shift(moment):
        if moment is None:
            return None
        local = moment.astimezone(zone)
        return (local.replace(tzinfo=None) + timedelta(days=offset.days)).replace(tzinfo=zone)

    values = {name: getattr(source, name) for name in MEETING_FIELDS}
    values.update(slug=slug, starts_at=shift(source.starts_at), ends_at=shift(source.ends_at),
                  registration_opens_at=shift(source.registration_opens_at),
                  registration_closes_at=shift(source.registration_closes_at),
                  edits_close_at=shift(source.edits_close_at), reapproval_fields=list(source.reapproval_fields))
    if title_lo or title_en:
        values.update(title_lo=title_lo, title_en=title_en)
    meeting = Meeting(**values, status=Meeting.Status.DRAFT)
    _save(meeting, unique_code="duplicate_slug", unique_field="slug")
    MeetingRole.objects.create(meeting=meeting, user=actor, role=Role.OWNER)
    for session in source.sessions.prefetch_related("agenda_items"):
        copy_of_session = Session.objects.create(
            meeting=meeting, title_lo=session.title_lo, title_en=session.title_en, starts_at=shift(session.starts_at),
            ends_at=shift(session.ends_at), location_lo=session.location_lo, location_en=session.location_en,
            order=session.order,
        )
        AgendaItem.objects.bulk_create([
            AgendaItem(session=copy_of_session, title_lo=item.title_lo, title_en=item.title_en,
                       start_time=item.start_time, speaker_lo=item.speaker_lo, speaker_en=item.speaker_en,
                       order=item.order)
            for item in session.agenda_items.all()
        ])
    categories = {}
    for category in source.categories.all():
        old_pk = category.pk
        category.pk, category.id, category.meeting = None, None, meeting
        category._state.adding = True
        category.save()
        categories[old_pk] = category
    for delegation in source.delegations.all():
        Delegation.objects.create(meeting=meeting, organization_id=delegation.organization_id, quota=delegation.quota)
    questions = {}
    conditions = []
    for question in source.questions.filter(is_active=True, current_version__isnull=False).select_related("current_version"):
        version = question.current_version
        copy = CustomQuestion.objects.create(meeting=meeting, key=question.key, order=question.order)
        new_version = CustomQuestionVersion.objects.create(
            question=copy, number=1, kind=version.kind, label_lo=version.label_lo, label_en=version.label_en,
            help_lo=version.help_lo, help_en=version.help_en, choices=version.choices, is_required=version.is_required,
            is_sensitive=version.is_sensitive, show_if_value=version.show_if_value,
            needs_reapproval=version.needs_reapproval,
        )
        new_version.categories.set([categories[c.pk] for c in version.categories.all() if c.pk in categories])
        copy.current_version = new_version
        copy.save(update_fields=["current_version"])
        questions[question.pk] = copy
        if version.show_if_question_id:
            conditions.append((new_version, version.show_if_question_id))
    for new_version, controller_id in conditions:
        new_version.show_if_question = questions.get(controller_id)
        new_version.save(update_fields=["show_if_question"])
    for text in source.email_texts.all():
        EmailText.objects.create(meeting=meeting, kind=text.kind, subject_lo=text.subject_lo, subject_en=text.subject_en,
                                 body_lo=text.body_lo, body_en=text.body_en)
    record_audit(kind="meeting.cloned", actor=actor, meeting=meeting, obj=meeting,
                 after={"source": source.slug, "days_later": offset.days})
    return meeting


def missing_for_publishing(meeting: Meeting) -> list[str]:
    """What a meeting needs before the public may see it and register."""
    missing = []
    if not meeting.categories.filter(allows_self_registration=True).exists() and \
            meeting.registration_mode == Meeting.RegistrationMode.OPEN:
        missing.append(str(_("a category people may register in themselves")))
    if not meeting.categories.exists():
        missing.append(str(_("at least one category")))
    if not (meeting.privacy_notice_lo.strip() or meeting.privacy_notice_en.strip()):
        missing.append(str(_("a privacy notice")))
    return list(dict.fromkeys(missing))


def _change_status(meeting_id: int, actor, *, to: str, allowed_from: tuple, kind: str) -> Meeting:
    meeting = _lock(meeting_id)
    if meeting.status not in allowed_from:
        raise SetupError("bad_status", status=meeting.get_status_display())
    before = meeting.status
    meeting.status = to
    meeting.save(update_fields=["status", "updated_at"])
    record_audit(kind=kind, actor=actor, meeting=meeting, obj=meeting, before={"status": before}, after={"status": to})
    return meeting


@transaction.atomic(durable=True)
def publish_meeting(*, meeting_id: int, actor) -> Meeting:
    """Show the meeting on the public pages (and open registration within its window)."""
    meeting = Meeting.objects.get(pk=meeting_id)
    missing = missing_for_publishing(meeting)
    if missing:
        raise SetupError("incomplete", missing=", ".join(missing))
    Status = Meeting.Status
    return _change_status(meeting_id, actor, to=Status.PUBLISHED, allowed_from=(Status.DRAFT, Status.CLOSED),
                          kind="meeting.published")


@transaction.atomic(durable=True)
def close_registration(*, meeting_id: int, actor) -> Meeting:
    """Stop new registrations; the page stays public and people keep their registrations."""
    Status = Meeting.Status
    return _change_status(meeting_id, actor, to=Status.CLOSED, allowed_from=(Status.PUBLISHED,),
                          kind="meeting.registration_closed")


def mark_meeting_cancelled(*, meeting_id: int, actor) -> Meeting:
    """The meeting's part of cancelling it, in the caller's transaction: its status, and its AuditEvent.
    registration.services.meeting_cancellation.cancel_meeting runs it, then cancels the registrations."""
    Status = Meeting.Status
    return _change_status(meeting_id, actor, to=Status.CANCELLED,
                          allowed_from=(Status.DRAFT, Status.PUBLISHED, Status.CLOSED), kind="meeting.cancelled")


# -- sessions, categories, delegations --------------------------------------------------------------

SESSION_FIELDS = ("title_lo", "title_en", "starts_at", "ends_at", "location_lo", "location_en", "order")


@transaction.atomic(durable=True)
def save_session(*, meeting_id: int, actor, session_id: int | None = None, **values) -> Session:
    meeting = _lock(meeting_id)
    session = Session.objects.get(pk=session_id, meeting=meeting) if session_id else Session(meeting=meeting)
    before = _snapshot(session, SESSION_FIELDS) if session_id else {}
    if not session_id and "order" not in values:
        values["order"] = (meeting.sessions.aggregate(n=Max("order"))["n"] or 0) + 1
    for name, value in values.items():
        setattr(session, name, value)
    session.full_clean()
    _check_on_meeting_days(meeting, session.starts_at, session.ends_at)
    if session_id:
        outside = [item for item in session.agenda_items.all()
                   if item_starts_at(session, item.start_time, meeting.time_zone) is None]
        if outside:
            late = any(item.start_time > session.ends_at.astimezone(ZoneInfo(meeting.time_zone)).time() for item in outside)
            raise SetupError("items_outside", field="ends_at" if late else "starts_at",
                             items=", ".join(f"{item.start_time:%H:%M} {item.title}" for item in outside))
    session.save()
    old, new = _changes(before, _snapshot(session, SESSION_FIELDS))
    record_audit(kind="session.saved", actor=actor, meeting=meeting, obj=session, before=old, after=new)
    if any(name in new for name in ("starts_at", "ends_at")):
        _follow_sessions(meeting, actor)
        _times_changed(meeting)
    return session


@transaction.atomic(durable=True)
def delete_session(*, meeting_id: int, actor, session_id: int) -> None:
    meeting = _lock(meeting_id)
    session = Session.objects.get(pk=session_id, meeting=meeting)
    try:
        with transaction.atomic():
            snapshot = _snapshot(session, SESSION_FIELDS)
            session.delete()
    except (ProtectedError, IntegrityError):
        raise SetupError("in_use") from None
    record_audit(kind="session.deleted", actor=actor, meeting=meeting, before=snapshot)
    _follow_sessions(meeting, actor)
    _times_changed(meeting)


# -- a session's agenda ------------------------------------------------------------------------------
#
# A session is the time slot with its room; its agenda items are what happens in it. An item's start is
# a time of day in the meeting's time zone, within its session. Writing an item changes what the public
# page shows: the meeting's updated_at moves with it, so the cached page is made again.

AGENDA_ITEM_FIELDS = ("title_lo", "title_en", "start_time", "speaker_lo", "speaker_en", "order")


def item_starts_at(session: Session, start_time, time_zone: str) -> datetime | None:
    """When an item starting at `start_time` (a local time of day) starts within `session`: on the
    session's first day where that falls within it, else the next day (a session past midnight); None
    when it does not fall within the session. An item without a time is always within it."""
    if start_time is None:
        return session.starts_at
    zone = ZoneInfo(time_zone)
    first, last = session.starts_at.astimezone(zone).date(), session.ends_at.astimezone(zone).date()
    for offset in range((last - first).days + 1):
        moment = datetime.combine(first + timedelta(days=offset), start_time, tzinfo=zone)
        if session.starts_at <= moment < session.ends_at or moment == session.starts_at:
            return moment
    return None


def _page_changed(meeting: Meeting) -> None:
    """Moves the meeting's version: its public page and its registration form (kept in each process while
    the version holds, registration/forms.py) are made again. Every change to either calls this."""
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())


def _place(session: Session, item: AgendaItem, position: int | None) -> None:
    """Put `item` at `position` (1 = first) of its session's agenda, or leave it where it is (None), and
    number the agenda 1, 2, 3… again."""
    agenda = list(session.agenda_items.order_by("order", "pk"))
    others = [i for i in agenda if i.pk != item.pk]
    if position is None:
        position = [i.pk for i in agenda].index(item.pk) + 1 if item.pk else len(others) + 1
    others.insert(max(0, min(position - 1, len(others))), item)
    changed = []
    for number, agenda_item in enumerate(others, 1):
        if agenda_item.order != number:
            agenda_item.order = number
            changed.append(agenda_item)
    AgendaItem.objects.bulk_update([i for i in changed if i.pk != item.pk], ["order"])


@transaction.atomic(durable=True)
def save_agenda_item(*, meeting_id: int, actor, session_id: int, agenda_item_id: int | None = None,
                     position: int | None = None, **values) -> AgendaItem:
    """Add an item to a session's agenda, or change one; `position` (1 = first) moves it, None keeps
    its place (a new item goes last)."""
    meeting = _lock(meeting_id)
    session = Session.objects.get(pk=session_id, meeting=meeting)
    if agenda_item_id:
        item = AgendaItem.objects.get(pk=agenda_item_id, session=session)
        before = _snapshot(item, AGENDA_ITEM_FIELDS)
    else:
        if session.agenda_items.count() >= MAX_AGENDA_ITEMS:
            raise SetupError("too_many_items", n=MAX_AGENDA_ITEMS)
        item = AgendaItem(session=session, order=(session.agenda_items.aggregate(n=Max("order"))["n"] or 0) + 1)
        before = {}
    for name, value in values.items():
        setattr(item, name, value)
    item.full_clean()
    if item_starts_at(session, item.start_time, meeting.time_zone) is None:
        zone = ZoneInfo(meeting.time_zone)
        raise SetupError("item_outside", field="start_time", start=f"{session.starts_at.astimezone(zone):%H:%M}",
                         end=f"{session.ends_at.astimezone(zone):%H:%M}")
    _place(session, item, position)
    item.save()
    old, new = _changes(before, _snapshot(item, AGENDA_ITEM_FIELDS))
    record_audit(kind="agenda_item.saved", actor=actor, meeting=meeting, obj=item, before=old,
                 after={**new, "session": session.pk})
    _page_changed(meeting)
    return item


@transaction.atomic(durable=True)
def delete_agenda_item(*, meeting_id: int, actor, session_id: int, agenda_item_id: int) -> None:
    meeting = _lock(meeting_id)
    item = AgendaItem.objects.select_related("session").get(pk=agenda_item_id, session_id=session_id,
                                                           session__meeting=meeting)
    snapshot = _snapshot(item, AGENDA_ITEM_FIELDS)
    session = item.session
    item.delete()
    for number, agenda_item in enumerate(session.agenda_items.order_by("order", "pk"), 1):
        if agenda_item.order != number:
            agenda_item.order = number
            agenda_item.save(update_fields=["order"])
    record_audit(kind="agenda_item.deleted", actor=actor, meeting=meeting, before={**snapshot, "session": session.pk})
    _page_changed(meeting)


CATEGORY_FIELDS = ("code", "name_lo", "name_en", "badge_colour", "quota", "needs_approval", "needs_endorsement",
                   "allows_self_registration", "order")


@transaction.atomic(durable=True)
def save_category(*, meeting_id: int, actor, category_id: int | None = None, **values) -> Category:
    meeting = _lock(meeting_id)
    category = Category.objects.get(pk=category_id, meeting=meeting) if category_id else Category(meeting=meeting)
    before = _snapshot(category, CATEGORY_FIELDS) if category_id else {}
    if not category_id and "order" not in values:
        values["order"] = (meeting.categories.aggregate(n=Max("order"))["n"] or 0) + 1
    for name, value in values.items():
        setattr(category, name, value)
    if category_id and category.quota is not None:
        taken = _seats(meeting)["categories"].get(category.pk, 0)
        if category.quota < taken:
            raise SetupError("quota_below_use", field="quota", taken=taken)
    _save(category, unique_code="duplicate_code", unique_field="code")
    old, new = _changes(before, _snapshot(category, CATEGORY_FIELDS))
    record_audit(kind="category.saved", actor=actor, meeting=meeting, obj=category, before=old, after=new)
    _page_changed(meeting)
    if category_id and "quota" in new:
        _give_free_seats(meeting, actor)
    return category


@transaction.atomic(durable=True)
def delete_category(*, meeting_id: int, actor, category_id: int) -> None:
    meeting = _lock(meeting_id)
    category = Category.objects.get(pk=category_id, meeting=meeting)
    snapshot = _snapshot(category, CATEGORY_FIELDS)
    if category.registrations.exists():
        raise SetupError("in_use")
    try:
        with transaction.atomic():
            category.delete()
    except (ProtectedError, IntegrityError):
        raise SetupError("in_use") from None
    record_audit(kind="category.deleted", actor=actor, meeting=meeting, before=snapshot)
    _page_changed(meeting)


@transaction.atomic(durable=True)
def save_delegation(*, meeting_id: int, actor, delegation_id: int | None = None, organization=None,
                    quota: int | None = None, focal_points: list[dict] = ()) -> Delegation:
    """Add a delegation (or change its quota) and make each of `focal_points` ({"email", "given_name",
    "family_name", "language"}) its focal point: an account is found or made, and they are told."""
    meeting = _lock(meeting_id)
    if delegation_id:
        delegation = Delegation.objects.select_related("organization").get(pk=delegation_id, meeting=meeting)
    else:
        delegation = Delegation(meeting=meeting, organization=organization)
    before = {"quota": delegation.quota} if delegation_id else {}
    delegation.quota = quota
    if delegation_id and quota is not None:
        taken = _seats(meeting)["delegations"].get(delegation.pk, 0)
        if quota < taken:
            raise SetupError("quota_below_use", field="quota", taken=taken)
    _save(delegation, unique_code="duplicate_delegation", unique_field="organization")
    old, new = _changes(before, {"quota": delegation.quota, **({} if delegation_id else {"organization": delegation.organization.code})})
    if new:
        record_audit(kind="delegation.saved", actor=actor, meeting=meeting, obj=delegation, before=old, after=new)
    _page_changed(meeting)
    for person in focal_points:
        _add_role(meeting, actor=actor, role=Role.FOCAL_POINT, delegation=delegation, field="focal_points", **person)
    if delegation_id and "quota" in new:
        _give_free_seats(meeting, actor)
    return delegation


@transaction.atomic(durable=True)
def delete_delegation(*, meeting_id: int, actor, delegation_id: int) -> None:
    meeting = _lock(meeting_id)
    delegation = Delegation.objects.select_related("organization").get(pk=delegation_id, meeting=meeting)
    if delegation.registrations.exists():
        raise SetupError("in_use")
    try:
        with transaction.atomic():
            code = delegation.organization.code
            delegation.delete()
    except (ProtectedError, IntegrityError):
        raise SetupError("in_use") from None
    record_audit(kind="delegation.deleted", actor=actor, meeting=meeting, before={"organization": code})
    _page_changed(meeting)


# -- questions and email texts ----------------------------------------------------------------------

VERSION_FIELDS = ("kind", "label_lo", "label_en", "help_lo", "help_en", "choices", "is_required", "is_sensitive",
                  "show_if_value", "needs_reapproval")


def _version_content(version) -> dict:
    content = {name: getattr(version, name) for name in VERSION_FIELDS}
    content["show_if_question"] = version.show_if_question_id
    return content


@transaction.atomic(durable=True)
def save_question(*, meeting_id: int, actor, question_id: int | None = None, key: str = "", order: int | None = None,
                  is_active: bool = True, categories=(), show_if_question=None, **content) -> CustomQuestion:
    """Add a question or change one. Changed wording makes a new version; answers given so far keep the
    version they answered, so what a person was asked stays on record."""
    meeting = _lock(meeting_id)
    if question_id:
        question = CustomQuestion.objects.select_related("current_version").get(pk=question_id, meeting=meeting)
    else:
        question = CustomQuestion(meeting=meeting, key=key)
        if order is None:
            order = (meeting.questions.aggregate(n=Max("order"))["n"] or 0) + 1
    if order is not None:
        question.order = order
    question.is_active = is_active
    _save(question, unique_code="duplicate_key", unique_field="key", exclude=["current_version"])
    version = CustomQuestionVersion(question=question, show_if_question=show_if_question, **content)
    current = question.current_version
    same = (current is not None and _version_content(current) == _version_content(version)
            and {c.pk for c in current.categories.all()} == {c.pk for c in categories})
    if not same:
        version.number = (question.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version.full_clean(exclude=["question"])
        version.save()
        version.categories.set(categories)
        question.current_version = version
        question.save(update_fields=["current_version"])
        record_audit(kind="question.saved", actor=actor, meeting=meeting, obj=question,
                     after={"key": question.key, "version": version.number})
    _page_changed(meeting)
    return question


@transaction.atomic(durable=True)
def save_email_text(*, meeting_id: int, actor, kind: str, **texts) -> EmailText:
    meeting = _lock(meeting_id)
    text, _created = EmailText.objects.get_or_create(meeting=meeting, kind=kind)
    before = {name: getattr(text, name) for name in texts}
    for name, value in texts.items():
        setattr(text, name, value)
    text.full_clean()
    text.save()
    old, new = _changes(before, texts)
    if new:
        record_audit(kind="email_text.saved", actor=actor, meeting=meeting, obj=text, before=old, after=new)
    _page_changed(meeting)
    return text


# -- roles ------------------------------------------------------------------------------------------

def _add_role(meeting: Meeting, *, actor, role: str, email: str, given_name: str = "", family_name: str = "",
              language: str = "lo", delegation: Delegation | None = None, field: str = "email") -> MeetingRole:
    from prachum.accounts.services import find_or_create_user, queue_role_invitation

    user, created = find_or_create_user(email=email, given_name=given_name, family_name=family_name, language=language)
    if MeetingRole.objects.filter(meeting=meeting, user=user, role=role, delegation=delegation).exists():
        raise SetupError("focal_point_taken" if delegation else "has_role", field=field)
    try:
        with transaction.atomic():
            meeting_role = MeetingRole.objects.create(meeting=meeting, user=user, role=role, delegation=delegation)
    except IntegrityError:
        raise SetupError("focal_point_taken" if delegation else "has_role", field=field) from None
    record_audit(kind="role.given", actor=actor, meeting=meeting, obj=meeting_role,
                 after={"role": role, "user": user.pk, "delegation": delegation.pk if delegation else None,
                        "account_created": created})
    # The language the sender chose for this email wins over the one an existing account keeps.
    queue_role_invitation(user=user, meeting=meeting, role_label=Role(role).label,
                          organization=delegation.organization if delegation else None, invited_by=actor,
                          language=language)
    return meeting_role


def _is_owner(actor, meeting: Meeting) -> bool:
    return bool(getattr(actor, "is_superuser", False)) or MeetingRole.objects.filter(
        meeting=meeting, user=actor, role=Role.OWNER).exists()


@transaction.atomic(durable=True)
def give_role(*, meeting_id: int, actor, role: str, email: str, given_name: str = "", family_name: str = "",
              language: str = "lo", delegation_id: int | None = None) -> MeetingRole:
    """Invite a colleague (or a focal point of one delegation) by email to a role at the meeting."""
    meeting = _lock(meeting_id)
    if role == Role.OWNER and not _is_owner(actor, meeting):
        raise SetupError("owner_only", field="role")
    delegation = Delegation.objects.select_related("organization").get(pk=delegation_id, meeting=meeting) \
        if role == Role.FOCAL_POINT else None
    return _add_role(meeting, actor=actor, role=role, email=email, given_name=given_name, family_name=family_name,
                     language=language, delegation=delegation)


@transaction.atomic(durable=True)
def remove_role(*, meeting_id: int, actor, role_id: int) -> None:
    meeting = _lock(meeting_id)
    meeting_role = MeetingRole.objects.get(pk=role_id, meeting=meeting)
    if meeting_role.role == Role.OWNER:
        if not _is_owner(actor, meeting):
            raise SetupError("owner_only")
        if not MeetingRole.objects.filter(meeting=meeting, role=Role.OWNER).exclude(pk=meeting_role.pk).exists():
            raise SetupError("last_owner")
    snapshot = {"role": meeting_role.role, "user": meeting_role.user_id, "delegation": meeting_role.delegation_id}
    meeting_role.delete()
    record_audit(kind="role.removed", actor=actor, meeting=meeting, before=snapshot)


@transaction.atomic(durable=True)
def resend_invitation(*, meeting_id: int, actor, role_id: int) -> MeetingRole:
    """The role's email again, with a fresh link to choose a password where the person has none yet
    (the first link has expired, or the email was lost)."""
    from prachum.accounts.services import queue_role_invitation

    meeting = _lock(meeting_id)
    meeting_role = MeetingRole.objects.select_related("user", "delegation__organization").get(pk=role_id, meeting=meeting)
    queue_role_invitation(user=meeting_role.user, meeting=meeting, role_label=Role(meeting_role.role).label,
                          organization=meeting_role.delegation.organization if meeting_role.delegation else None,
                          invited_by=actor)
    record_audit(kind="role.invitation_resent", actor=actor, meeting=meeting, obj=meeting_role,
                 after={"user": meeting_role.user_id})
    return meeting_role
