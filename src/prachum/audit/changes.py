"""What changed in audit events, as people read it on the organizer's pages.

Each field reads by its label: audit/kinds.py's FIELD_LABELS, else the verbose name of the field of the
model the event is about (AuditEvent.object_type: "Registration opens" for a meeting's
registration_opens_at). Each value reads in words: an id of a related object (a registration's category,
a role's account, a check-in's session, the members of a delegation, the delegations an export covered)
by that object's name, read once for the whole page of events; an export's columns by their headings; a
choice by its label; a moment in the meeting's time zone; a list as a list; else as audit/kinds.py's
value_label writes it. What this needs to know of the apps above audit (the model of a kind, the model of
an id, the headings of an export's columns) they register at start-up with register_reading.
"""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import pgettext

from prachum.audit.kinds import FIELD_LABELS, value_label
from prachum.audit.models import AuditEvent

# A field that says again, as a code, what a named id says already: shown only where that id is not.
SAYS_AGAIN = {"category_code": "category"}

# Filled by register_reading when Django starts.
KIND_MODELS = {}  # the first part of a kind → the model of its events recorded without their object
ID_MODELS = {}  # a key that holds ids without being a field of the event's model → the model of those ids
NAMED_FROM = {}  # a model → the queryset its objects are read from to be named (what their names need)
HEADINGS = {}  # a kind → (the keys whose lists hold keys of headings, headings(meeting_id) → {key: heading})


def register_reading(*, kind_models: dict | None = None, id_models: dict | None = None, named_from=(),
                     headings: dict | None = None) -> None:
    """From an AppConfig.ready: `kind_models` {"session": Session} for events recorded without their object (a
    deleted one: "session.deleted", before: its fields); `id_models` {"members": Registration} for keys that
    hold ids; `named_from` querysets to name a model's objects from; `headings` {kind: (keys, function)}."""
    KIND_MODELS.update(kind_models or {})
    ID_MODELS.update(id_models or {})
    NAMED_FROM.update({queryset.model: queryset for queryset in named_from})
    HEADINGS.update(headings or {})


def _model(event):
    if not event.object_type:
        return KIND_MODELS.get(event.kind.split(".", 1)[0])
    try:
        return apps.get_model(event.object_type)
    except (LookupError, ValueError):  # a model of an older release
        return None


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A key named like a reverse relation (a registration's "answers", "messages") is not that field.
    return field if field.concrete else None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _points_to(field, name, value):
    """The model that an id `value` (or a list of ids) of `field` or key `name` points to, or None."""
    ids = value if isinstance(value, list) else [value]
    if not ids or not all(_is_id(item) for item in ids):
        return None
    if field is not None and field.many_to_one:
        return field.related_model
    return ID_MODELS.get(name)


def _names(events) -> dict:
    """{related model: {id: name}} for every id the events hold, one query per model."""
    wanted = defaultdict(set)
    for event in events:
        model = _model(event)
        for values in (event.before or {}, event.after or {}):
            for name, value in values.items():
                if related := _points_to(_field(model, name), name, value):
                    wanted[related].update(value if isinstance(value, list) else [value])
    names = {}
    for related, ids in wanted.items():
        objects = NAMED_FROM.get(related, related._default_manager).filter(pk__in=ids)
        names[related] = {obj.pk: _name_of(obj) for obj in objects}
    return names


def _name_of(obj) -> str:
    if hasattr(obj, "get_full_name"):  # an account: the person, else the login name
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def field_name(model, name: str):
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    field = _field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(field.verbose_name)
    return name


def _readable(event, model, name, value, names, zones, headings):
    field = _field(model, name)
    if event.kind in HEADINGS and name in HEADINGS[event.kind][0] and isinstance(value, list):
        return ", ".join(str(headings(event.kind, event.meeting_id, key)) for key in value)
    if related := _points_to(field, name, value):
        known = names.get(related, {})
        return ", ".join(
            known[item] if item in known else pgettext("audit", "deleted (no. %(id)s)") % {"id": item}
            for item in (value if isinstance(value, list) else [value])
        )
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        choices = dict(field.flatchoices)
        if value in choices:
            return choices[value]
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        zone = zones(event.meeting_id)
        if moment.tzinfo is not None and zone:
            moment = moment.astimezone(ZoneInfo(zone))
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value_label(event.kind, name, value)


class _MeetingZones:
    """The time zone of an event's meeting, read for all the events' meetings the first time one is asked."""

    def __init__(self, events):
        self._meeting_ids = {event.meeting_id for event in events if event.meeting_id is not None}
        self._zones = None

    def __call__(self, meeting_id) -> str | None:
        if self._zones is None:
            Meeting = AuditEvent._meta.get_field("meeting").related_model
            self._zones = dict(Meeting.objects.filter(pk__in=self._meeting_ids).values_list("pk", "time_zone"))
        return self._zones.get(meeting_id)


class _Headings:
    """The heading of a key an event lists (an export's columns: "given_name", "q:passport-number") in the
    active language, as its meeting reads it now (a question deleted since reads by its key); read per kind
    and meeting the first time one is asked."""

    def __init__(self):
        self._headings = {}

    def __call__(self, kind, meeting_id, key):
        if (kind, meeting_id) not in self._headings:
            self._headings[kind, meeting_id] = HEADINGS[kind][1](meeting_id)
        return self._headings[kind, meeting_id].get(key, key)


# What an after without a value reads as (a registration without a delegation, an export without sensitive columns).
NOTHING = "—"


def _has_value(value) -> bool:
    return value is not None and value != "" and value != []


def with_changes(events) -> list:
    """The events, each with `changes`: (field, before or None, after or NOTHING) for every field it names,
    before's order first. One query per kind of named object on the page, not one per event."""
    events = list(events)
    names = _names(events)
    zones = _MeetingZones(events)
    headings = _Headings()
    for event in events:
        model = _model(event)
        before, after = event.before or {}, event.after or {}
        fields = [
            name for name in dict.fromkeys([*before, *after])
            if not (name in SAYS_AGAIN and _is_id(before.get(SAYS_AGAIN[name], after.get(SAYS_AGAIN[name]))))
        ]
        lookups = (names, zones, headings)
        event.changes = [
            (
                field_name(model, name),
                _readable(event, model, name, before[name], *lookups) if _has_value(before.get(name)) else None,
                _readable(event, model, name, after[name], *lookups) if _has_value(after.get(name)) else NOTHING,
            )
            for name in fields
        ]
    return events
