"""How AuditEvents read on the organizer's pages (the audit log, a registration's history, the overview's
recent activity). A kind is "<area>.<what happened>". Audit sits below the apps whose events it records, so
each app registers its kinds with their labels at start-up (register_kinds in its AppConfig.ready); a kind
recorded without a label makes test_kinds fail and names it."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Filled by register_kinds when Django starts.
KIND_LABELS = {}
STATUS_CHOICES = {}  # kind → the choices its "status" values are
VALUE_CHOICES = {}  # field name → the choices its values are, whatever the kind


def register_kinds(labels: dict, *, status=None, values: dict | None = None) -> None:
    """An app's audit kinds and their labels, from its AppConfig.ready. `status` is the choices class (a
    TextChoices) whose values these kinds write as "status"; `values` maps other field names to theirs."""
    for kind, label in labels.items():
        if KIND_LABELS.get(kind, label) != label:
            raise ImproperlyConfigured(f"audit kind {kind!r} is registered twice, with different labels")
        KIND_LABELS[kind] = label
        if status is not None:
            STATUS_CHOICES[kind] = status
    for name, choices in (values or {}).items():
        if VALUE_CHOICES.get(name, choices) is not choices:
            raise ImproperlyConfigured(f"audit field {name!r} is registered twice, with different choices")
        VALUE_CHOICES[name] = choices


def kind_label(kind: str):
    """The kind as people read it; an unknown kind (one recorded by an older release) as its code."""
    return KIND_LABELS.get(kind, kind)


# What the fields of an event's before and after are called on the organizer's pages; any other field
# reads as the verbose name of the model's field, else as its key (audit/changes.py).
FIELD_LABELS = {
    "status": _("Status"),
    "scope": _("Access"),  # an API token's: read, or read and write
    "url": _("Web address"),  # a webhook's
    "events": _("Events"),  # the event kinds a webhook receives
    "delivery": _("Delivery id"),  # a webhook delivery's
    "reason": pgettext_lazy("audit", "Reason"),
    "category": _("Category"),
    "delegation": _("Delegation"),
    "participation": pgettext_lazy("audit", "Takes part"),
    "invitation": _("Invitation"),
    "email": _("Email"),
    "role": _("Role"),
    "protocol_role": _("Role at the meeting"),
    "protocol_rank": _("Rank in the delegation"),
    "code": _("Code"),
    "label_en": _("In English"),
    "label_lo": _("In Lao"),
    "user": pgettext_lazy("audit", "Account"),
    "file": _("File"),
    "language": _("Language"),
    "session": _("Session"),
    "organization": _("Organization"),
    "visibility": pgettext_lazy("audit", "Who may see it"),
    "changes": pgettext_lazy("audit", "What changed"),
    "account_created": pgettext_lazy("audit", "New account"),
    "may_create_meetings": _("May create meetings"),
    "administrator": _("Site administrator"),
    "is_active": pgettext_lazy("account", "Active"),
    "background": pgettext_lazy("audit", "Background"),
    "band_position": pgettext_lazy("audit", "Colour band"),
    "beyond_seats": pgettext_lazy("audit", "Beyond the seats"),
    "by_nomination": pgettext_lazy("audit", "By nomination"),
    "bytes": pgettext_lazy("audit", "Size (bytes)"),
    "calendar_sequence": pgettext_lazy("audit", "Calendar version"),
    "category_code": pgettext_lazy("audit", "Category code"),
    "client_id": pgettext_lazy("audit", "Number on the device"),
    "codes": pgettext_lazy("audit", "Codes"),
    "columns": pgettext_lazy("audit", "Columns"),
    "count": pgettext_lazy("audit", "Number"),
    "created": pgettext_lazy("audit", "Created"),
    "days_later": pgettext_lazy("audit", "Days later"),
    "delegations": pgettext_lazy("audit", "Delegations"),
    "emails": pgettext_lazy("audit", "Emails"),
    "format": pgettext_lazy("audit", "Format"),  # a meeting's, or an export's file
    "height": pgettext_lazy("audit", "Height"),
    "import": pgettext_lazy("audit", "Import"),
    "key": pgettext_lazy("audit", "Key"),
    "layout": pgettext_lazy("audit", "Layout"),
    "members": pgettext_lazy("audit", "Members"),
    "message": pgettext_lazy("audit", "Message"),
    "minutes_before": pgettext_lazy("audit", "Minutes before"),
    "name": pgettext_lazy("audit", "Name"),
    "path": pgettext_lazy("audit", "Page"),
    "replaced_by": pgettext_lazy("audit", "Replaced by"),
    "rows": pgettext_lazy("audit", "Rows"),
    "sensitive": pgettext_lazy("audit", "Sensitive columns"),
    "single": pgettext_lazy("audit", "One badge"),
    "size": pgettext_lazy("audit", "Size"),
    "source": pgettext_lazy("audit", "Copied from"),
    "subject": pgettext_lazy("audit", "Subject"),
    "submitted_at": pgettext_lazy("audit", "Submitted"),
    "type": pgettext_lazy("audit", "File type"),
    "updated": pgettext_lazy("audit", "Updated"),
    "version": pgettext_lazy("audit", "Version"),
    "wanted": pgettext_lazy("audit", "Asked for"),
    "width": pgettext_lazy("audit", "Width"),
    # What an erasure did (registration.services.erasure)
    "people": pgettext_lazy("audit", "People"),
    "invitations": pgettext_lazy("audit", "Invitations"),
    "answers": pgettext_lazy("audit", "Answers"),
    "files": pgettext_lazy("audit", "Files"),
    "job_results": pgettext_lazy("audit", "Exported files"),
    "audit_events": pgettext_lazy("audit", "History entries"),
    "messages": pgettext_lazy("audit", "Emails"),
    "joins": pgettext_lazy("audit", "Online joins"),
    "check_ins": pgettext_lazy("audit", "Check-ins"),
}


# Who did it, where no account did: AuditEvent.actor_label as recorded, and as people read it.
PARTICIPANT = "participant"
SYSTEM = "system"
MEETING_FILE = "meeting file "  # + the file's name: `prachum load-meeting` (exchange/services/meeting_loading.py)
ACTOR_LABELS = {PARTICIPANT: _("the participant"), SYSTEM: _("the system")}


def actor_label(label: str):
    if label.startswith(MEETING_FILE):
        return _("the meeting file %(file)s") % {"file": label.removeprefix(MEETING_FILE)}
    return ACTOR_LABELS.get(label, label or "—")


# The counts of a loaded meeting file: "changes": {"sessions": {"created": 4, "updated": 1}, …}.
COUNTED_THINGS = {
    "meeting": pgettext_lazy("counted in a meeting file", "meeting"),
    "sessions": pgettext_lazy("counted in a meeting file", "sessions"),
    "agenda items": pgettext_lazy("counted in a meeting file", "agenda items"),
    "categories": pgettext_lazy("counted in a meeting file", "categories"),
    "delegations": pgettext_lazy("counted in a meeting file", "delegations"),
    "accounts": pgettext_lazy("counted in a meeting file", "accounts"),
    "roles": pgettext_lazy("counted in a meeting file", "roles"),
    "questions": pgettext_lazy("counted in a meeting file", "questions"),
    "question versions": pgettext_lazy("counted in a meeting file", "question versions"),
    "registrations": pgettext_lazy("counted in a meeting file", "registrations"),
    "answers": pgettext_lazy("counted in a meeting file", "answers"),
}
COUNT_ACTIONS = {
    "created": _("%(count)s created"),
    "updated": _("%(count)s updated"),
    "deleted": _("%(count)s deleted"),
    "unchanged": _("%(count)s unchanged"),
}


def _counts(value: dict) -> str:
    """"sessions: 4 created, 1 updated; categories: 5 created", in the active language."""
    return "; ".join(
        f"{COUNTED_THINGS.get(thing, thing)}: " + ", ".join(
            str(COUNT_ACTIONS[action]) % {"count": n} if action in COUNT_ACTIONS else f"{action} {n}"
            for action, n in actions.items()
        )
        for thing, actions in value.items()
    )


def value_label(kind: str, name: str, value):
    """A field's value as people read it: a status, a way of taking part or a role by its name, yes or no, the
    counts of a loaded file in words; any other value as it was recorded."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return _counts(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "delegations" and value == "all":  # an export by someone who sees every registration
        return _("All delegations")
    choices = STATUS_CHOICES.get(kind) if name == "status" else VALUE_CHOICES.get(name)
    if choices is not None and isinstance(value, str):
        return choices(value).label if value in choices.values else value
    return value
