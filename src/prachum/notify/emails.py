"""The emails Prachum writes to a registered person, rendered from templates in their language.

One kind of email per thing that happened (`KINDS`); each has three templates under
notify/emails/: `<kind>.subject.txt`, `<kind>.txt` (plain text) and `<kind>.html`. They are rendered
inside `translation.override(language)` and `timezone.override(<meeting's zone>)`, so sentences come
from the catalog in that language, dates use its formats (ວັນທີ 10 ກັນຍາ 2020) and times are the
meeting's local times, with the zone named ("Vientiane (UTC+7)"). Names are escaped in the HTML
(autoescape) and written as they are in the text version.

Where the meeting asks for it (Meeting.emails_in_both_languages) an email is written in both
languages: "<subject in the person's language> / <subject in the other>", and each body in the
person's language first, then, below a separator, in the other.

Subjects carry the meeting's title only, never a person's name: headers leave the mail server
readable by every relay, and only the To address needs to be there.
"""

import re
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import pgettext

from prachum.core.email_times import email_span, offset_label
from prachum.core.outbox import HTML_SEPARATOR, TEXT_SEPARATOR, RenderedEmail  # noqa: F401 (used here and re-exported)
from prachum.core.qr import qr_code_pixel_size
from prachum.meetings.email_texts import organizer_text, stored_text
from prachum.meetings.selectors import programme
from prachum.meetings.zone_cities import zone_city
from prachum.registration.languages import email_languages
from prachum.registration.links import manage_url

KINDS = (
    "registration.received",  # submitted, pending review
    "registration.confirmed",  # approved
    "registration.waitlisted",
    "registration.promoted",  # off the waiting list: approved, or pending review
    "registration.rejected",  # with the decision's reason
    "registration.cancelled",
    "registration.link",  # the private link again, on request
    "registration.changed_pending",  # an edit that needs review sent an approved registration back to pending
)

_BODY = re.compile(r"<body[^>]*>(?P<inner>.*)</body>", re.DOTALL)

# What a ticket email carries, built when it is sent (Message.attachments).
QR_ATTACHMENT = {"type": "qr_png"}
ICS_ATTACHMENT = {"type": "ics"}
# The Content-ID of the inline QR code: the HTML says <img src="cid:ticket-qr@prachum">.
QR_CONTENT_ID = "ticket-qr@prachum"


def is_ticket_email(kind: str, registration) -> bool:
    """A confirmation, or a promotion that lands approved: the email that carries the e-ticket."""
    approved = registration.status == registration.Status.APPROVED
    return kind == "registration.confirmed" or (kind == "registration.promoted" and approved)


def attends_in_person(registration) -> bool:
    meeting = registration.meeting
    if meeting.format == meeting.Format.ONLINE:
        return False
    return meeting.format == meeting.Format.IN_PERSON or registration.participation == registration.Participation.IN_PERSON


def ticket_attachments(kind: str, registration) -> list[dict]:
    """The QR code for the door (for people who come in person) and the calendar file; a cancellation
    carries the calendar file too (METHOD:CANCEL, notify/ics.py), which removes the entries."""
    if kind == "registration.cancelled":
        return [ICS_ATTACHMENT]
    if not is_ticket_email(kind, registration):
        return []
    return ([QR_ATTACHMENT] if attends_in_person(registration) else []) + [ICS_ATTACHMENT]


def render_registration_email(*, registration, kind: str, language: str | None = None) -> RenderedEmail:
    """The email in the registration's language (or `language`); with Meeting.emails_in_both_languages,
    in both: the subjects joined by " / ", the bodies one below the other, the participant's language
    first. Attachments are the same either way (the calendar file is built in the message's language)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of email {kind!r} (known: {', '.join(KINDS)})")
    languages = email_languages(registration, language)
    attachments = ticket_attachments(kind, registration)
    zone = ZoneInfo(registration.meeting.time_zone)
    # Read once for every language of the email.
    sessions = programme(registration.meeting)
    stored = stored_text(registration.meeting, kind)
    contexts, subjects = [], []
    for code in languages:
        with translation.override(code), timezone.override(zone):
            context = _context(registration, language=code, attachments=attachments, sessions=sessions)
            # The organizer's own words for this email, where written (meetings.EmailText).
            custom = organizer_text(registration=registration, kind=kind, language=code, context=context,
                                    stored=stored)
            context.update(custom.context if custom else {})
            subjects.append(
                custom.subject if custom and custom.subject
                else " ".join(render_to_string(f"notify/emails/{kind}.subject.txt", context).split())
            )
        contexts.append(context)
    subject = " / ".join(subjects)
    texts, htmls = [], []
    for code, context in zip(languages, contexts):
        context["subject"] = subject
        with translation.override(code), timezone.override(zone):
            texts.append(_tidy_text(render_to_string(context.get("text_template", f"notify/emails/{kind}.txt"), context)))
            htmls.append(render_to_string(context.get("html_template", f"notify/emails/{kind}.html"), context))
    text = TEXT_SEPARATOR.join(texts)
    html = _join_html(htmls[0], list(zip(languages[1:], htmls[1:])))
    return RenderedEmail(subject=subject, text=text, html=html, attachments=attachments)


def _join_html(first: str, others: list[tuple[str, str]]) -> str:
    """The first language's HTML document with the body of each other one added below a separator,
    marked with its language."""
    if not others:
        return first
    end = first.rindex("</body>")
    added = "".join(
        f'\n{HTML_SEPARATOR}\n<div lang="{code}">{_BODY.search(html).group("inner").strip()}</div>\n'
        for code, html in others
    )
    return first[:end] + added + first[end:]


def _context(registration, *, language: str, attachments: list, sessions: list | None = None) -> dict:
    """What the templates of a registration's email get, in `language`; `sessions`: the meeting's, in
    programme order, where the caller has read them."""
    meeting = registration.meeting
    zone = ZoneInfo(meeting.time_zone)
    zone_name = email_zone_name(meeting.time_zone, language)
    sessions = programme(meeting) if sessions is None else sessions
    offsets = {offset_label(moment.astimezone(zone)) for s in [meeting, *sessions] for moment in (s.starts_at, s.ends_at)}
    online = not attends_in_person(registration)
    return {
        "online_memo": {"sessions": sessions},  # {% online_join_block_* %}: one reading for both versions
        "language": language,
        "registration": registration,
        "person_name": _person_name(registration, language),
        "meeting": meeting,
        "title": meeting.title,
        "venue": meeting.venue,
        "is_online": online,
        "category": registration.category.name,
        "when": email_span(meeting.starts_at, meeting.ends_at, zone, zone_name),
        "sessions": [
            {
                "title": session.title,
                "location": session.location,
                # Across a change to or from summer time, each session says its own UTC offset.
                "time": _session_time(email_span(session.starts_at, session.ends_at, zone, zone_name),
                                      show_offset=len(offsets) > 1),
                # Its agenda items, in the email's language (the meeting's local time of day).
                "agenda": [
                    {"time": f"{item.start_time:%H:%M}" if item.start_time else "", "title": item.title,
                     "speaker": item.speaker}
                    for item in session.agenda_items.all()
                ],
            }
            for session in sessions
        ],
        "zone_name": zone_name,
        "manage_url": manage_url(registration, language),
        "decision_reason": registration.decision_reason.strip(),
        "has_ticket": bool(attachments),
        "has_qr": QR_ATTACHMENT in attachments,
        "has_calendar": ICS_ATTACHMENT in attachments,
        "badge_code": registration.badge_code,
        "qr_content_id": QR_CONTENT_ID,
        "qr_size": qr_code_pixel_size(registration.badge_code),
        "is_approved": registration.status == registration.Status.APPROVED,
    }


def _session_time(span: dict, *, show_offset: bool) -> str:
    """A session in the programme: on one day without the zone, which the meeting's line names."""
    if not span["same_day"]:
        return span["text"]
    text = pgettext("a meeting on one day", "%(day)s, %(start)s–%(end)s") % span["written"]
    return f"{text} ({span['offset']})" if show_offset else text


def email_zone_name(tzid: str, language: str) -> str:
    """The zone by its city, in the reader's language ("Vientiane", "ວຽງຈັນ"): the one name every page and
    email gives it (meetings.zone_cities.zone_city), so that an email never names one zone two ways."""
    return zone_city(tzid, language)


def _person_name(registration, language: str) -> str:
    name = registration.display_name(language)
    return " ".join(part for part in (registration.honorific_in(language), name) if part)


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
