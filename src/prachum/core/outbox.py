"""How apps below `notify` put an email in the outbox without importing it.

`notify` sits above `registration`, `meetings` and `accounts` (docs/architecture.md), yet their use cases
must write a Message in their own transaction. They call `queue_message(...)` here; `notify` registers its
`notify.services.queue_message` (the one door into the outbox) when Django starts, so this module only passes
the call on. The email a caller renders itself travels as a `RenderedEmail`.

Two more doors, registered the same way: `render_registration_email(...)`, for a use case that renders a
registration's email of notify's own kinds before it takes the meeting's lock (registration.services.
submission), and `messages_of(registration, ...)`, the outbox's rows about a registration, for the pages and
checks of the app that owns registrations.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

# Between the two languages of a bilingual email.
TEXT_SEPARATOR = "\n" + "-" * 40 + "\n\n"
HTML_SEPARATOR = '<hr style="border:0;border-top:1px solid #d1d5db;margin:0;">'


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str = ""
    attachments: list = field(default_factory=list)  # descriptions (notify.emails.QR_ATTACHMENT, ICS_ATTACHMENT)


_writer = None


def register_writer(function) -> None:
    """notify.apps.NotifyConfig.ready() hands in notify.services.queue_message."""
    global _writer
    _writer = function


def queue_message(**kwargs):
    """notify.services.queue_message(**kwargs): see its docstring for the arguments."""
    if _writer is None:
        raise ImproperlyConfigured("prachum.notify is not installed: nothing takes messages into the outbox")
    return _writer(**kwargs)


_renderer = None


def register_renderer(function) -> None:
    """notify.apps.NotifyConfig.ready() hands in notify.emails.render_registration_email."""
    global _renderer
    _renderer = function


def render_registration_email(*, registration, kind: str, language: str | None = None) -> RenderedEmail:
    """notify.emails.render_registration_email: the email `kind` (one of notify.emails.KINDS) of the registration."""
    if _renderer is None:
        raise ImproperlyConfigured("prachum.notify is not installed: nothing renders a registration's emails")
    return _renderer(registration=registration, kind=kind, language=language)


_reader = None


def register_reader(function) -> None:
    """notify.apps.NotifyConfig.ready() hands in notify.selectors.messages_of."""
    global _reader
    _reader = function


def messages_of(registration, *, kind: str = "", since=None) -> list:
    """notify.selectors.messages_of: the registration's messages (notify.Message), oldest first; only
    those of `kind`, and written at or after `since`, where given."""
    if _reader is None:
        raise ImproperlyConfigured("prachum.notify is not installed: there is no outbox to read")
    return _reader(registration, kind=kind, since=since)
