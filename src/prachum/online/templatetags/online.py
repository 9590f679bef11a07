"""{% load online %}: the join links and two-zone times of one participant, for emails and the private page.

    {% online_join_block_text registration %}   plain-text emails
    {% online_join_block_html registration %}   HTML emails
    {% online_join_panel registration %}        the participant's private page (registration/manage.html)

They show nothing for a participant who neither joins online nor lives in another time zone. Never use
them on a public page: the links are personal.
"""

from django import template
from django.utils.translation import get_language

from prachum.meetings import visitor_time
from prachum.online.services import participant_sessions

register = template.Library()


def _context(registration, language=None, *, memo=None):
    """`memo`: a dict the caller's context carries as `online_memo` (an email: its text and HTML versions
    are rendered from one context), optionally with the meeting's sessions under "sessions"; the answer of
    participant_sessions is kept there, so both versions read the database once."""
    if registration is None or registration.meeting is None:
        return {"online": None}
    language = language or get_language() or registration.language
    if memo is None:
        info = participant_sessions(registration, language=language)
    else:
        key = (registration.pk, language)
        if key not in memo:
            memo[key] = participant_sessions(registration, language=language, sessions=memo.get("sessions"))
        info = memo[key]
    show = info["may_join"] or info["shows_two_zones"]
    return {"online": info if show else None, "registration": registration}


@register.inclusion_tag("online/_email_join_block.txt", takes_context=True)
def online_join_block_text(context, registration, language=None):
    return _context(registration, language, memo=context.get("online_memo"))


@register.inclusion_tag("online/_email_join_block.html", takes_context=True)
def online_join_block_html(context, registration, language=None):
    return _context(registration, language, memo=context.get("online_memo"))


@register.inclusion_tag("online/_manage_join_panel.html")
def online_join_panel(registration):
    return {**_context(registration), **visitor_time.script_context()}


@register.filter
def before_session(minutes):
    """1440 → "1 day before each session", 90 → "90 minutes before each session"."""
    from django.utils.translation import ngettext

    minutes = int(minutes or 0)
    if minutes and minutes % 1440 == 0:
        n = minutes // 1440
        return ngettext("%(n)d day before each session", "%(n)d days before each session", n) % {"n": n}
    if minutes and minutes % 60 == 0:
        n = minutes // 60
        return ngettext("%(n)d hour before each session", "%(n)d hours before each session", n) % {"n": n}
    return ngettext("%(n)d minute before each session", "%(n)d minutes before each session", minutes) % {"n": minutes}
