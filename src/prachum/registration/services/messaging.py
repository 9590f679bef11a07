"""Messages the secretariat writes to participants: in Lao and English, with placeholders, sent as a job.

    draft = Draft(subject_lo="…", body_lo="ຮຽນ {given_name}, …", subject_en="…", body_en="Dear {given_name}, …")
    problems = draft.problems()   # placeholders not plain listed names, nothing written: beside their field
    preview = render_message(registration, draft)    # exactly what that person will get
    job = start_message_job(meeting=…, actor=…, draft=draft, registration_ids=[…], language="lo")

Each recipient gets one Message in the outbox (prachum.notify sends it after commit, retries, keeps it)
and one AuditEvent "registration.message_sent": both show in the registration's history. The sender
chooses the language (Draft.language): Lao, English, both (Lao, then English), or, by default, each
person's own (the other language's text when theirs was left empty; where the meeting asks for emails
in both languages, in both, theirs first, as prachum.notify.emails does for its own emails).
"""

import string
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from prachum.core.outbox import HTML_SEPARATOR, TEXT_SEPARATOR, RenderedEmail, queue_message
from prachum.jobs.services import start_job
from prachum.meetings.models import Meeting
from prachum.registration.languages import email_languages
from prachum.registration.links import manage_url
from prachum.registration.models import Registration
from prachum.registration.services.notices import audit

KIND = "registration.organizer_message"
LANGUAGES = ("lo", "en")
# Draft.language: who reads which language.
OWN_LANGUAGE, BOTH_LANGUAGES = "own", "both"
LANGUAGE_CHOICES = (
    (OWN_LANGUAGE, _("Each person's own language (both, where the meeting writes its emails in both)")),
    ("lo", _("Lao, for everyone")),
    ("en", _("English, for everyone")),
    (BOTH_LANGUAGES, _("Both, for everyone: Lao, then English")),
)

# The placeholders a message may use, with what each stands for (shown next to the form).
PLACEHOLDERS = {
    "honorific": _("honorific (Mr., Ms., Dr.)"),
    "given_name": _("given name"),
    "family_name": _("family name"),
    "full_name": _("full name, in the person's order"),
    "name_lo": _("name in Lao script (else the full name)"),
    "meeting": _("the meeting's title, in the message's language"),
    "category": _("the person's category, in the message's language"),
    "manage_link": _("the person's private link to their registration"),
}


@dataclass(frozen=True)
class Draft:
    subject_lo: str = ""
    body_lo: str = ""
    subject_en: str = ""
    body_en: str = ""
    language: str = OWN_LANGUAGE  # one of LANGUAGE_CHOICES

    def chosen_languages(self) -> tuple:
        """The languages the sender chose for everyone; empty: each person's own."""
        if self.language == BOTH_LANGUAGES:
            return LANGUAGES
        return (self.language,) if self.language in LANGUAGES else ()

    def has_language(self, code: str) -> bool:
        return bool(getattr(self, f"subject_{code}").strip() and getattr(self, f"body_{code}").strip())

    def problems(self) -> list:
        """What stops the draft from being sent, as sentences for the form (empty: fine)."""
        return list(dict.fromkeys(p for found in self.problems_by_field().values() for p in found))

    def problems_by_field(self) -> dict:
        """problems() by the field they are in ("subject_lo", …; None: the draft as a whole)."""
        by_field = {None: self._draft_problems()}
        for code in LANGUAGES:
            for name in (f"subject_{code}", f"body_{code}"):
                by_field[name] = placeholder_problems(getattr(self, name))
        return {name: found for name, found in by_field.items() if found}

    def _draft_problems(self) -> list:
        found = []
        if not any(self.has_language(code) for code in LANGUAGES):
            found.append(_("Write a subject and a text in at least one language."))
        elif any(not self.has_language(code) for code in self.chosen_languages()):
            found.append(_("Write the subject and the text in each language you chose the message to be read in."))
        for code in LANGUAGES:
            if bool(getattr(self, f"subject_{code}").strip()) != bool(getattr(self, f"body_{code}").strip()):
                found.append(_("A subject needs a text, and a text needs a subject, in the same language."))
                break
        return [str(p) for p in found]


def _as_written(name: str, spec: str, conversion: str | None) -> str:
    return "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def placeholder_problems(text: str) -> list:
    """What is wrong with the placeholders of one subject or text. A placeholder is a listed name alone:
    a format code ({given_name:>1000000}), a conversion ({given_name!r}) or attribute and index access
    ({given_name.x}, {given_name[0]}) are refused, so organizer text never reaches str.format."""
    try:
        fields = [(name, spec, conversion) for _lit, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError:
        return [str(_("A brace { or } is not closed. Write a placeholder as {given_name}; write {{ or }} for a brace itself."))]
    found = []
    for name, spec, conversion in fields:
        written = _as_written(name, spec, conversion)
        if name not in PLACEHOLDERS:
            found.append(_("There is no placeholder {%(name)s}. Use one of those listed.") % {"name": written[1:-1]})
        elif spec or conversion:
            found.append(_("Write a placeholder as its name alone in braces, as {%(name)s}: %(written)s cannot be used.")
                         % {"name": name, "written": written})
    return list(dict.fromkeys(str(p) for p in found))


def fill(text: str, values: dict) -> str:
    """`text` with its placeholders replaced by `values`. Never str.format (format codes and attribute access
    would run): a draft never checked (a job queued before placeholders were) keeps anything but a plain
    listed name as written."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return text
    out = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is not None:
            plain = name in values and not spec and not conversion
            out.append(str(values[name]) if plain else _as_written(name, spec, conversion))
    return "".join(out)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    languages: tuple


def _values(registration: Registration, code: str) -> dict:
    meeting, category = registration.meeting, registration.category
    return {
        "honorific": registration.honorific_in(code),
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "full_name": registration.full_name,
        "name_lo": registration.name_lo or registration.full_name,
        "meeting": getattr(meeting, f"title_{code}") or str(meeting.title),
        "category": getattr(category, f"name_{code}") or str(category.name),
        "manage_link": manage_url(registration, code),
    }


def _languages(registration: Registration, draft: Draft) -> tuple:
    """The languages this person reads the message in: those the sender chose; else theirs (or the one
    written), then, where the meeting asks for both, the other, when it was written."""
    if draft.chosen_languages():
        return draft.chosen_languages()
    written = [code for code in LANGUAGES if draft.has_language(code)]
    wanted = [code for code in email_languages(registration) if code in written]
    return tuple(wanted or written[:1])


# What stands for a private link's token on organizer pages (a preview, a message in the history): the
# link is the person's key to their registration, and a screen can be shared or photographed.
MASKED_TOKEN = "•••"


def mask_private_links(text: str, registration: Registration) -> str:
    token = registration.manage_token
    return text.replace(token, MASKED_TOKEN) if token else text


def render_message(registration: Registration, draft: Draft, *, masked: bool = False) -> RenderedMessage:
    """The email `registration`'s person gets from `draft` (`masked`: its private links masked, for a
    preview). The draft must have no problems()."""
    languages = _languages(registration, draft)
    subjects, texts, htmls = [], [], []
    for code in languages:
        values = _values(registration, code)
        if masked:
            values["manage_link"] = mask_private_links(values["manage_link"], registration)
        subject = " ".join(fill(getattr(draft, f"subject_{code}"), values).split())
        body = fill(getattr(draft, f"body_{code}"), values).strip()
        with translation.override(code):
            # urlize escapes the text (names included) and links the URLs; linebreaks adds only <p> and <br>.
            context = {"language": code, "body_html": mark_safe(linebreaks(urlize(body, autoescape=True))),
                       "body": body, "manage_url": values["manage_link"]}
            texts.append(render_to_string("registration/organizer/emails/message.txt", context).strip() + "\n")
            htmls.append(render_to_string("registration/organizer/emails/_message_body.html", context))
        subjects.append(subject)
    subject = " / ".join(dict.fromkeys(subjects))[:300]
    html = render_to_string("registration/organizer/emails/message.html", {
        "subject": subject, "language": languages[0], "separator": HTML_SEPARATOR,
        "parts": list(zip(languages, htmls)),
    })
    return RenderedMessage(subject=subject, text=TEXT_SEPARATOR.join(texts), html=html, languages=languages)


def queue_organizer_message(*, registration: Registration, draft: Draft, actor):
    """One recipient, in the caller's transaction: the outbox row (returned) and the audit event; sent after
    commit (prachum.notify.services.queue_message writes the row; the text is the organizer's, rendered here)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_organizer_message must run inside a transaction")
    rendered = render_message(registration, draft)
    message = queue_message(
        kind=KIND, registration=registration, language=rendered.languages[0],
        rendered=RenderedEmail(subject=rendered.subject, text=rendered.text, html=rendered.html),
    )
    audit(registration, "registration.message_sent", actor=actor,
          after={"message": message.pk, "subject": rendered.subject})
    return message


def start_message_job(*, meeting: Meeting, actor, draft: Draft, registration_ids: list[int], language: str = "lo"):
    """Send `draft` to these registrations (ids chosen by the organizer's filter or selection) as a job."""
    problems = draft.problems()
    if problems:
        raise ValueError(problems[0])
    with translation.override(language):
        label = ngettext("Message to %(count)d participant", "Message to %(count)d participants",
                         len(registration_ids)) % {"count": len(registration_ids)}
    return start_job(
        kind="registration.message", function="prachum.registration.services.messaging.send_message_job",
        params={"meeting_id": meeting.pk, "actor_id": actor.pk, "draft": asdict(draft),
                "registration_ids": list(registration_ids), "language": language},
        meeting=meeting, user=actor, label=label,
    )


# Recipients per transaction: short transactions, and a failure loses at most one batch's progress report.
BATCH = 50


def send_message_job(job, *, meeting_id: int, actor_id: int, draft: dict, registration_ids: list,
                     language: str = "lo") -> dict:
    actor = get_user_model().objects.get(pk=actor_id)
    meeting = Meeting.objects.get(pk=meeting_id)
    draft = Draft(**draft)
    # Taken up again after its worker died: the batches committed before are not written twice.
    total, first, sent = len(registration_ids), job.checkpoint.get("next", 0), job.checkpoint.get("sent", 0)
    job.report(first, total, force=True)
    for start in range(first, total, BATCH):
        ids = registration_ids[start:start + BATCH]
        with transaction.atomic():
            rows = Registration.objects.filter(meeting=meeting, pk__in=ids).select_related("meeting", "category")
            for registration in rows:
                queue_organizer_message(registration=registration, draft=draft, actor=actor)
                sent += 1
            job.save_checkpoint({"next": start + BATCH, "sent": sent})
        job.report(min(start + BATCH, total), total)
    with translation.override(language):
        message = ngettext("The message is in the outbox for %(count)d participant.",
                           "The message is in the outbox for %(count)d participants.", sent) % {"count": sent}
        back_url = reverse("organizer:registrations", args=[meeting.slug])
    return {"message": message, "back_url": back_url, "sent": sent}
