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
from prachum.meetings.selectors import programme
from prachum.registration.models import Registration
from prachum.registration.selectors import co_chairs
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
    honorific = registration.honorific_in(language)
    name = registration.display_name(language)
    person = f"{honorific} {name}".strip()
    position = registration.position_in(language)
    titles = [marked(position)] if position else []
    if registration.delegation_id:
        titles.append(marked(pick(registration.delegation.organization, "name", language)))
    elif registration.organization_name:
        titles.append(registration.organization_name)
    # The titles in brackets: a position has commas of its own, which would blur where one co-chair ends.
    return f"{person} ({', '.join(titles)})" if titles else person


def _chairs_sentence(meeting: Meeting, language: str) -> str:
    """Who chaired the meeting, by the role the organizer gave (Registration.protocol_role): "chaired by"
    the chair, "co-chaired by" the co-chairs, or both where there are a chair and co-chairs."""
    people = list(co_chairs(meeting))
    chair = [_co_chair_phrase(reg, language) for reg in people if reg.protocol_role == Registration.ProtocolRole.CHAIR]
    co = [_co_chair_phrase(reg, language) for reg in people if reg.protocol_role == Registration.ProtocolRole.CO_CHAIR]
    if chair and co:
        return _("The meeting was chaired by %(chair)s and co-chaired by %(chairs)s.") % {
            "chair": join_names(chair), "chairs": join_names(co),
        }
    if chair:
        return _("The meeting was chaired by %(chair)s.") % {"chair": join_names(chair)}
    if co:
        return _("The meeting was co-chaired by %(chairs)s.") % {"chairs": join_names(co)}
    return ""


# What the draft counts: the organizer's choice on the news page (a parameter of drafting again).
COUNT_APPROVED = selectors.Population.APPROVED
COUNT_ATTENDED = selectors.Population.ATTENDED  # checked in, joined online or either, by the meeting's format
COUNTS = (COUNT_APPROVED, COUNT_ATTENDED)


def default_count(meeting: Meeting, figures: selectors.ParticipantFigures) -> str:
    """Approved participants, except at an in-person meeting where people were checked in at the door: a
    check-in is a person at the door, while an online join is only a click on a link."""
    if meeting.format == Meeting.Format.IN_PERSON and figures.total(selectors.Population.CHECKED_IN):
        return COUNT_ATTENDED
    return COUNT_APPROVED


def draft_population(meeting: Meeting, count: str) -> str:
    """The population (selectors.Population) that the draft's sentence counts for the choice `count`."""
    return selectors.attendance_population(meeting) if count == COUNT_ATTENDED else selectors.Population.APPROVED


def _figures_sentence(population: str, count: int, delegations: str) -> str:
    """One sentence, one population: the number and the delegations are of the same people."""
    ngettext = translation.ngettext
    values = {"count": count, "delegations": delegations}
    Population = selectors.Population
    if population == Population.APPROVED and delegations:
        text = ngettext("The meeting had %(count)d approved participant from %(delegations)s.",
                        "The meeting had %(count)d approved participants from %(delegations)s.", count)
    elif population == Population.APPROVED:
        text = ngettext("The meeting had %(count)d approved participant.",
                        "The meeting had %(count)d approved participants.", count)
    elif population == Population.JOINED and delegations:
        text = ngettext("%(count)d participant from %(delegations)s joined the meeting online.",
                        "%(count)d participants from %(delegations)s joined the meeting online.", count)
    elif population == Population.JOINED:
        text = ngettext("%(count)d participant joined the meeting online.",
                        "%(count)d participants joined the meeting online.", count)
    elif population == Population.CHECKED_IN and delegations:
        text = ngettext("%(count)d participant from %(delegations)s attended the meeting in person.",
                        "%(count)d participants from %(delegations)s attended the meeting in person.", count)
    elif population == Population.CHECKED_IN:
        text = ngettext("%(count)d participant attended the meeting in person.",
                        "%(count)d participants attended the meeting in person.", count)
    elif delegations:
        text = ngettext("%(count)d participant from %(delegations)s attended the meeting, in person or online.",
                        "%(count)d participants from %(delegations)s attended the meeting, in person or online.",
                        count)
    else:
        text = ngettext("%(count)d participant attended the meeting, in person or online.",
                        "%(count)d participants attended the meeting, in person or online.", count)
    return text % values


def _participants_sentence(meeting: Meeting, language: str, count: str | None) -> str:
    """How many took part and from where, both counted in one population (selectors.participant_figures,
    the figures of the statistics page); nothing when that population is empty."""
    figures = selectors.participant_figures(meeting)
    population = draft_population(meeting, count if count in COUNTS else default_count(meeting, figures))
    number = figures.total(population)
    if not number:
        return ""
    names = [marked(pick(organization, "name", language)) for organization in figures.organizations(population)]
    return _figures_sentence(population, number, join_names(names))


def draft_news(meeting: Meeting, *, language: str, count: str | None = None) -> NewsDraft:
    """The news item as Prachum would write it; the organizer edits it before publishing. `count`
    (COUNT_APPROVED or COUNT_ATTENDED; None: default_count) chooses whom the participants' sentence counts."""
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
        chaired = _chairs_sentence(meeting, language)
        if chaired:
            first.append(chaired)
        participants = _participants_sentence(meeting, language, count)
        if participants:
            first.append(participants)
        paragraphs = [" ".join(first)]
        description = pick(meeting, "description", language)
        if description:
            paragraphs.append(marked(description))
        # What was discussed: the sessions' agenda items in order (with who presented them), or a
        # session's own title where it has no items.
        topics = []
        for session in programme(meeting):
            items = list(session.agenda_items.all())
            for item in items:
                speaker = pick(item, "speaker", language)
                topic = marked(pick(item, "title", language))
                topics.append(f"{topic} ({marked(speaker)})" if speaker else topic)
            if not items:
                topics.append(marked(pick(session, "title", language)))
        if topics:
            agenda = [_("The meeting discussed:")]
            agenda += [f"{number}. {topic}" for number, topic in enumerate(topics, 1)]
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
