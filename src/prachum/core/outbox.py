"""How apps below `notify` put an email in the outbox without importing it.

`notify` sits above `registration`, `meetings` and `accounts` (docs/architecture.md), yet their use cases
must write a Message in their own transaction. They call `queue_message(...)` here; `notify` registers its
`notify.services.queue_message` (the one door into the outbox) when Django starts, so this module only passes
the call on. The email a caller renders itself travels as a `RenderedEmail`.
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
