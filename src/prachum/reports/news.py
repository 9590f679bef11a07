"""The draft of a meeting's news item, written from the meeting's data in Lao or English.

It follows the ministry's news items (e.g. of 14 September 2020): the date in the language's style
("ວັນທີ 10 ກັນຍາ 2020"), how the meeting was held (online, in person, both), the co-chairs with their
titles, the delegations that took part in protocol order, the number of participants, the agenda and
the outcome; then the credit lines. Text that organizers wrote in one language only is used in the
other with a mark ("(in English)") so that the organizer sees what to translate before publishing.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _

from prachum.core.bilingual import TranslatedText, pick
from prachum.meetings.models import Meeting
from prachum.meetings.selectors import co_chairs, programme
from prachum.registration.models import Registration
from prachum.reports import selectors


@dataclass
class NewsDraft:
    language: str
    title: str
    body: str
    text_by: str
    photos_by: str

    def as_text(self) -> str:
        lines = [self.title, "", self.body]
        credits = credit_lines(self.language, self.text_by, self.photos_by)
        if credits:
            lines += ["", *credits]
        return "\n".join(lines)


def credit_lines(language: str, text_by: str, photos_by: str) -> list[str]:
    with translation.override(language):
        lines = []
        if text_by:
            lines.append(_("Text: %(who)s") % {"who": text_by})
        if photos_by:
            lines.append(_("Photos: %(who)s") % {"who": photos_by})
        return lines


def marked(text: TranslatedText) -> str:
    """The text, followed by a mark when it is in the other language (nobody wrote it in this one)."""
    if not text.is_fallback:
        return str(text)
    mark = _("(in English)") if text.language == "en" else _("(in Lao)")
    return f"{text} {mark}"


def join_names(names: list[str]) -> str:
    """'A, B and C' in English; 'A, B ແລະ C' in Lao (the catalog gives the word)."""
    names = [name for name in names if name]
    if len(names) <= 1:
        return "".join(names)
    return _("%(list)s and %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def meeting_dates(meeting: Meeting) -> str:
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    first, last = meeting.starts_at.astimezone(zone).date(), meeting.ends_at.astimezone(zone).date()
    if first == last:
        return formats.date_format(first, "DATE_FORMAT")
    return _("%(first)s to %(last)s") % {
        "first": formats.date_format(first, "DATE_FORMAT"), "last": formats.date_format(last, "DATE_FORMAT"),
    }


def _co_chair_phrase(registration: Registration, language: str) -> str:
    honorific = selectors.honorific_in(registration.honorific, language)
    name = registration.name_lo.strip() if language == "lo" and registration.name_lo.strip() else registration.full_name
    person = f"{honorific} {name}".strip()
    titles = [registration.position] if registration.position else []
    if registration.delegation_id:
        titles.append(marked(pick(registration.delegation.organization, "name", language)))
    elif registration.organization_name:
        titles.append(registration.organization_name)
    # The titles in brackets: a position has commas of its own, which would blur where one co-chair ends.
    return f"{person} ({', '.join(titles)})" if titles else person


def _participant_count(meeting: Meeting) -> int:
    """Who took part: those who attended where attendance was recorded, else the approved participants."""
    approved = Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED)
    attended = approved.filter(selectors.attended_q()).count()
    return attended or approved.count()


def _delegation_names(meeting: Meeting, language: str) -> list[str]:
    delegations = (
        meeting.delegations.filter(registrations__status=Registration.Status.APPROVED)
        .select_related("organization")
        .distinct()
    )
    ordered = sorted(delegations, key=lambda d: selectors.organization_rank(d.organization))
    return [marked(pick(d.organization, "name", language)) for d in ordered]


def draft_news(meeting: Meeting, *, language: str) -> NewsDraft:
    """The news item as Prachum would write it; the organizer edits it before publishing."""
    with translation.override(language):
        title = marked(pick(meeting, "title", language))
        dates = meeting_dates(meeting)
        venue = marked(pick(meeting, "venue", language))
        if meeting.format == Meeting.Format.ONLINE:
            held = _("On %(dates)s, the %(title)s was held online.") % {"dates": dates, "title": title}
        elif meeting.format == Meeting.Format.HYBRID:
            held = _("On %(dates)s, the %(title)s was held at %(venue)s and online.") % {
                "dates": dates, "title": title, "venue": venue,
            }
        else:
            held = _("On %(dates)s, the %(title)s was held at %(venue)s.") % {
                "dates": dates, "title": title, "venue": venue,
            }
        first = [held]
        chairs = [_co_chair_phrase(reg, language) for reg in co_chairs(meeting)]
        if len(chairs) == 1:
            first.append(_("The meeting was chaired by %(chair)s.") % {"chair": chairs[0]})
        elif chairs:
            first.append(_("The meeting was co-chaired by %(chairs)s.") % {"chairs": join_names(chairs)})
        delegations = _delegation_names(meeting, language)
        count = _participant_count(meeting)
        if delegations:
            first.append(
                translation.ngettext(
                    "%(count)d participant from %(delegations)s took part.",
                    "%(count)d participants from %(delegations)s took part.",
                    count,
                ) % {"count": count, "delegations": join_names(delegations)}
            )
        elif count:
            first.append(
                translation.ngettext("%(count)d participant took part.", "%(count)d participants took part.", count)
                % {"count": count}
            )
        paragraphs = [" ".join(first)]
        description = pick(meeting, "description", language)
        if description:
            paragraphs.append(marked(description))
        sessions = programme(meeting)
        if sessions:
            agenda = [_("The meeting discussed:")]
            agenda += [f"{number}. {marked(pick(s, 'title', language))}" for number, s in enumerate(sessions, 1)]
            paragraphs.append("\n".join(agenda))
        from prachum.reports.models import Outcome

        outcome = Outcome.objects.filter(meeting=meeting).first()
        if outcome is not None:
            for label, name in (
                (_("Outcome"), "summary"), (_("Decisions"), "decisions"), (_("Follow-up"), "follow_up"),
            ):
                text = pick(outcome, name, language)
                if str(text).strip():
                    paragraphs.append(f"{label}: {marked(text)}")
        host = meeting.host
        text_by = marked(pick(host, "name", language)) if host is not None else ""
        return NewsDraft(language=language, title=title, body="\n\n".join(paragraphs), text_by=text_by, photos_by="")
