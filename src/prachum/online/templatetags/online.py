"""{% load online %}: the join links and two-zone times of one participant, for emails and the private page.

    {% online_join_block_text registration %}   plain-text emails
    {% online_join_block_html registration %}   HTML emails
    {% online_join_panel registration %}        the participant's private page (registration/manage.html)

They show nothing for a participant who neither joins online nor lives in another time zone. Never use
them on a public page: the links are personal.
"""

from django import template
from django.utils.translation import get_language

from prachum.online.services import participant_sessions

register = template.Library()


def _context(registration, language=None):
    if registration is None or registration.meeting is None:
        return {"online": None}
    info = participant_sessions(registration, language=language or get_language() or registration.language)
    show = info["may_join"] or info["shows_two_zones"]
    return {"online": info if show else None, "registration": registration}


@register.inclusion_tag("online/_email_join_block.txt")
def online_join_block_text(registration, language=None):
    return _context(registration, language)


@register.inclusion_tag("online/_email_join_block.html")
def online_join_block_html(registration, language=None):
    return _context(registration, language)


@register.inclusion_tag("online/_manage_join_panel.html")
def online_join_panel(registration):
    return _context(registration)
