"""The emails sent to a person, for their export and their erasure (registration.personal_data)."""

from django.db.models import Q
from django.utils import timezone

from prachum.notify.models import Message, MessageStatus
from prachum.registration.personal_data import PersonalData

ERASED_ADDRESS = "erased@erased.invalid"
UNSENT = (MessageStatus.QUEUED, MessageStatus.FAILED, MessageStatus.SENDING, MessageStatus.HELD)


def export_messages(registration, *, sees_sensitive: bool) -> list[dict]:
    from prachum.registration.services.messaging import mask_private_links

    return [
        {"kind": m.kind, "to": m.to_email, "language": m.language, "subject": m.subject,
         "status": m.status, "written": m.created_at.isoformat(),
         "sent": m.sent_at.isoformat() if m.sent_at else None,
         # The private link gives the registration to whoever holds the file: masked, as on the organizer's page.
         "text": mask_private_links(m.body_text, registration)}
        for m in Message.objects.filter(registration=registration).order_by("created_at", "pk")
    ]


def erase_messages(*, meeting_id: int, registration_ids: list[int], emails: list[str]) -> int:
    """Keep each email's row (kind, status, times: what was sent, and when), without its address or text; one
    not sent yet is given up."""
    messages = Message.objects.filter(
        Q(registration_id__in=registration_ids)
        | Q(meeting_id=meeting_id, registration__isnull=True, to_email__in=emails)
    )
    messages.filter(status__in=UNSENT).update(status=MessageStatus.GAVE_UP, next_attempt_at=None,
                                              last_error="personal data erased")
    return messages.update(to_email=ERASED_ADDRESS, subject="", body_text="", body_html="", attachments=[],
                           last_error="")


PART = PersonalData(key="messages", export=export_messages, erase=erase_messages)
