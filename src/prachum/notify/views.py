"""The outbox's pages: every email of a meeting (/<lang>/manage/<slug>/outbox/) for those who manage it,
and the account emails that belong to no meeting (/<lang>/manage/outbox/) for site administrators; and a
participant's calendar file, the one the ticket email attaches, from their private page (/<lang>/r/<token>/calendar.ics).

The emails hold private links (a participant's page, a set-password link): hence MANAGE, not REVIEW, and
pages that no cache keeps. An email's HTML is the sender's markup: it is shown only inside a sandboxed
iframe (no scripts, no forms, no navigation of our page), never inline in our page. The iframe loads it
from its own address, with its own policy (the email's inline styles, nothing else), so that the page
around it keeps the site's policy, which allows no inline style."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from prachum.accounts.roles import is_site_administrator
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.notify import selectors
from prachum.notify.forms import OutboxFilterForm
from prachum.notify.ics import registration_calendar
from prachum.notify.kinds import kind_label
from prachum.notify.links import mask_private_links
from prachum.notify.models import Message
from prachum.notify.services import OutboxError, resend_message
from prachum.registration.models import Registration
from prachum.registration.views.participant import private_page

PAGE_SIZE = 50
# The email's HTML part, framed by its detail page only: even if the iframe's sandbox were missing, the
# email's markup could run no script, send no form and load nothing from elsewhere.
HTML_PART_POLICY = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def _list(request, *, meeting, template, context):
    form = OutboxFilterForm(request.GET or None, kinds=selectors.kinds_in(meeting=meeting))
    filters = form.filters()
    page = Paginator(selectors.outbox_messages(meeting=meeting, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for message in page.object_list:
        message.kind_label = kind_label(message.kind)
    query = {key: value for key, value in (("status", filters["status"]), ("kind", filters["kind"]),
                                           ("q", filters["search"])) if value}
    return render(request, template, {
        **context, "form": form, "page": page, "filtered": bool(query),
        "mail_enabled": settings.PRACHUM_EMAIL_ENABLED,
        "query": urlencode(query),
    })


def _links_shown(message) -> bool:
    """A held email's links are shown whole: with no mail server the organizer is how it reaches its person.
    Any other email reached its person (or will): its private links stay theirs."""
    return message.status == Message.Status.HELD


def _detail(request, message, *, template, context, html_url):
    message.kind_label = kind_label(message.kind)
    links_shown = _links_shown(message)
    if not links_shown:
        message.body_text = mask_private_links(message.body_text)
    return render(request, template, {
        **context, "message": message, "mail_enabled": settings.PRACHUM_EMAIL_ENABLED, "links_shown": links_shown,
        "may_resend": message.status not in (Message.Status.QUEUED, Message.Status.SENDING), "html_url": html_url,
    })


def _html_part(message):
    if not message.body_html:
        raise Http404("no HTML part")
    html = message.body_html if _links_shown(message) else mask_private_links(message.body_html)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_PART_POLICY
    response["Referrer-Policy"] = "no-referrer"
    return response


def _resend(request, message, *, back):
    try:
        sent = resend_message(message_id=message.pk, actor=request.user)
    except OutboxError as error:
        messages.error(request, error.message)
        return redirect(back(message.pk))
    if sent.status == Message.Status.HELD:
        messages.warning(request, _("There is no mail server: the email is kept in the outbox, not sent. "
                                    "Read it here and pass its link on."))
    elif sent.pk != message.pk:
        messages.success(request, _("A new copy of the email is in the queue."))
    else:
        messages.success(request, _("The email is back in the queue."))
    return redirect(back(sent.pk))


# --- A meeting's outbox -------------------------------------------------------------------------------


@never_cache
@meeting_access_required(Capability.MANAGE)
def meeting_outbox(request, slug, access):
    return _list(request, meeting=access.meeting, template="notify/outbox/meeting_outbox.html",
                 context={"access": access, "tab": "outbox"})


@never_cache
@meeting_access_required(Capability.MANAGE)
def meeting_message(request, slug, pk, access):
    message = get_object_or_404(Message.objects.select_related("registration"), pk=pk, meeting=access.meeting)
    return _detail(request, message, template="notify/outbox/meeting_message.html",
                   context={"access": access, "tab": "outbox"}, html_url=reverse("outbox:message_html", args=[slug, pk]))


@never_cache
@xframe_options_sameorigin
@meeting_access_required(Capability.MANAGE)
def meeting_message_html(request, slug, pk, access):
    return _html_part(get_object_or_404(Message, pk=pk, meeting=access.meeting))


@require_POST
@meeting_access_required(Capability.MANAGE)
def meeting_resend(request, slug, pk, access):
    message = get_object_or_404(Message, pk=pk, meeting=access.meeting)
    return _resend(request, message, back=lambda pk: reverse("outbox:message", args=[slug, pk]))


# --- Account emails (no meeting) ----------------------------------------------------------------------


def _administrator(request):
    if not is_site_administrator(request.user):
        raise PermissionDenied("account_outbox")


@never_cache
@login_required
def account_outbox(request):
    _administrator(request)
    return _list(request, meeting=None, template="notify/outbox/account_outbox.html", context={})


@never_cache
@login_required
def account_message(request, pk):
    _administrator(request)
    message = get_object_or_404(Message, pk=pk, meeting=None)
    return _detail(request, message, template="notify/outbox/account_message.html", context={},
                   html_url=reverse("outbox:account_message_html", args=[pk]))


@never_cache
@xframe_options_sameorigin
@login_required
def account_message_html(request, pk):
    _administrator(request)
    return _html_part(get_object_or_404(Message, pk=pk, meeting=None))


@require_POST
@login_required
def account_resend(request, pk):
    _administrator(request)
    message = get_object_or_404(Message, pk=pk, meeting=None)
    return _resend(request, message, back=lambda pk: reverse("outbox:account_message", args=[pk]))


# --- A participant's calendar file ---------------------------------------------------------------------


@private_page("GET", "HEAD")
def calendar_ics(request, registration, *, token):
    """The .ics of the registration's meeting, in the page's language; a private page like the one it is
    offered on (registration.views.participant.private_page: the token is the key, nothing is cached)."""
    if registration.status not in Registration.ACTIVE:
        raise Http404("no calendar")
    content = registration_calendar(registration, language=get_language())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{registration.meeting.slug}.ics"'
    return response
