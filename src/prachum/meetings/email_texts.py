"""Organizers' own words in a meeting's emails (EmailText): placeholders, checks and the hook that
prachum.notify.emails calls while it renders an email.

An organizer writes plain text with placeholders in braces, e.g. "Dear colleague, {meeting} welcomes
you. Your private link: {manage_link}". Placeholders are replaced by plain substitution, never by
str.format, so a text like "{given_name.__class__}" is an unknown placeholder and not code that runs.
The text replaces the email's opening paragraph only; the greeting, the meeting's facts, the private
link, the e-ticket and the calendar file stay as notify writes them.
"""

import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import EmailText, EmailTextKind, Meeting

# What an organizer may write in braces, and what each stands for (shown beside the form).
PLACEHOLDERS = {
    "given_name": _("the person's given name"),
    "family_name": _("the person's family name"),
    "full_name": _("the person's title and full name"),
    "meeting": _("the meeting's title"),
    "category": _("the person's category"),
    "manage_link": _("the person's private link to see, change or cancel the registration"),
    "reason": _("the reason given for the decision (rejections)"),
}
# A subject travels through every mail relay in clear: it names the meeting only, never the person.
SUBJECT_PLACEHOLDERS = ("meeting",)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

TEXT_TEMPLATE = "meetings/emails/organizer_text.txt"
HTML_TEMPLATE = "meetings/emails/organizer_text.html"


def unknown_placeholders(text: str, allowed=tuple(PLACEHOLDERS)) -> list[str]:
    return [name for name in dict.fromkeys(PLACEHOLDER.findall(text or "")) if name not in allowed]


def fill(text: str, values: dict) -> str:
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


@dataclass
class OrganizerText:
    subject: str  # "" keeps the standard subject
    context: dict = field(default_factory=dict)  # added to the email's context: templates and the message


def sample_values(meeting: Meeting, language: str) -> dict:
    """Made-up values for the preview of an email text."""
    with translation.override(language):
        return {
            "given_name": "Keo" if language == "en" else "ແກ້ວ",
            "family_name": "Phommachanh" if language == "en" else "ພົມມະຈັນ",
            "full_name": "Ms. Keo Phommachanh" if language == "en" else "ທ່ານນາງ ແກ້ວ ພົມມະຈັນ",  # as the list spells Ms.
            "meeting": str(meeting.title),
            "category": gettext("Delegate"),
            "manage_link": f"https://prachum.example/{language}/r/…/",
            "reason": gettext("The delegation's quota is full."),
        }


def preview(meeting: Meeting, language: str, *, subject: str, body: str) -> dict:
    """An email text as the person will read it, with made-up values: the greeting that every email
    starts with (notify/emails/_layout.*, the same words) above the organizer's text, so that an organizer
    who sees it does not write a second "Dear …"."""
    values = sample_values(meeting, language)
    with translation.override(language):
        greeting = gettext("Dear %(name)s,") % {"name": values["full_name"]}
    return {"language": language, "subject": fill(subject or "", {"meeting": values["meeting"]}),
            "greeting": greeting, "body": fill(body or "", values)}


def _values(context: dict) -> dict:
    registration = context["registration"]
    return {
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "full_name": context.get("person_name", ""),
        "meeting": str(context.get("title", "")),
        "category": str(context.get("category", "")),
        "manage_link": context.get("manage_url", ""),
        "reason": context.get("decision_reason", ""),
    }


def _default_meeting_cancelled(language: str) -> str:
    with translation.override(language):
        return gettext(
            "We are sorry to tell you that {meeting} has been cancelled. Your registration is cancelled with it; "
            "there is nothing you need to do."
        )


def _wanted_kind(meeting: Meeting, kind: str) -> str:
    """A cancellation sent because the whole meeting is cancelled says so: EmailText "meeting.cancelled"."""
    if kind == "registration.cancelled" and meeting.status == Meeting.Status.CANCELLED:
        return EmailTextKind.MEETING_CANCELLED
    return kind


def stored_text(meeting: Meeting, kind: str) -> EmailText | None:
    """The organizer's EmailText for this kind of email, in both languages, or None: read once for an
    email written in both languages (organizer_text's `stored`). Without a query where the meeting was
    read with its email_texts (the public form's meeting: registration/forms.py)."""
    wanted = _wanted_kind(meeting, kind)
    prefetched = getattr(meeting, "_prefetched_objects_cache", {}).get("email_texts")
    if prefetched is not None:
        return next((text for text in prefetched if text.kind == wanted), None)
    return EmailText.objects.filter(meeting=meeting, kind=wanted).first()


_UNREAD = object()


def organizer_text(*, registration, kind: str, language: str, context: dict, stored=_UNREAD) -> OrganizerText | None:
    """The organizer's text for this email in `language`, or None to keep notify's own.
    `stored`: what stored_text() returned, where the caller has read it.

    A cancellation sent because the whole meeting is cancelled says so, in the organizer's words
    (EmailText "meeting.cancelled") or in ours."""
    meeting = registration.meeting
    wanted = _wanted_kind(meeting, kind)
    text = stored_text(meeting, kind) if stored is _UNREAD else stored
    subject = (getattr(text, f"subject_{language}", "") or "").strip() if text else ""
    body = (getattr(text, f"body_{language}", "") or "").strip() if text else ""
    if not body and wanted == EmailTextKind.MEETING_CANCELLED:
        body = _default_meeting_cancelled(language)
    if not body and not subject:
        return None
    values = _values(context)
    result = OrganizerText(subject=" ".join(fill(subject, {"meeting": values["meeting"]}).split()))
    if body:
        result.context = {
            "organizer_message": fill(body, values),
            "text_template": TEXT_TEMPLATE, "html_template": HTML_TEMPLATE,
            "base_text_template": f"notify/emails/{kind}.txt", "base_html_template": f"notify/emails/{kind}.html",
        }
    return result
