"""{% mail_held_banner %}: on every organizer page while no mail server is configured, the notice that
emails are kept in the outbox, not sent, with a link to the outbox the reader may open."""

from django import template
from django.conf import settings
from django.urls import reverse

from prachum.accounts.roles import is_site_administrator

register = template.Library()


def _in_organizer_area(request) -> bool:
    # /<lang>/manage/…: the public pages are the same for organizers as for anyone.
    parts = request.path.split("/", 3)
    return len(parts) > 2 and parts[2] == "manage"


@register.inclusion_tag("notify/outbox/_banner.html", takes_context=True)
def mail_held_banner(context):
    request, user = context.get("request"), context.get("user")
    if (settings.PRACHUM_EMAIL_ENABLED or request is None or not getattr(user, "is_authenticated", False)
            or not _in_organizer_area(request)):
        return {"show": False}
    access = context.get("access")  # on a meeting's pages: its outbox, for those who may open it
    if access is not None:
        url = reverse("outbox:outbox", args=[access.meeting.slug]) if getattr(access, "can_manage", False) else ""
    elif is_site_administrator(user):
        url = reverse("outbox:account_outbox")
    else:
        url = ""
    return {"show": True, "url": url}
