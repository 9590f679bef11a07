"""The public registration form and "send me my link again". Thin: parse, call one service, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from prachum.core.caching import ProcessCache
from prachum.core.page_cache import is_anonymous_without_state
from prachum.meetings import selectors as meeting_selectors
from prachum.meetings.models import Meeting
from prachum.registration import services
from prachum.registration.forms import (
    UNVERSIONED_CHANGE_SECONDS, RegistrationForm, ResendLinkForm, new_form_token, public_form_definition,
)
from prachum.registration.models import Invitation, hash_token
from prachum.registration.ratelimits import limit_posts
from prachum.registration.services.invitation_followup import mark_invitation_opened

# Which field a refusal of the service is about; others are shown above the form.
ERROR_FIELDS = {
    "category_not_open": "category",
    "delegation_invalid": "organization",
    "organization_not_allowed": "organization",
    "participation_not_offered": "participation",
}


# An anonymous visitor's blank form: its fields (registration/_register_fields.html, no token in them) are
# rendered once per meeting, language and version of the meeting's form, in this process's memory
# (core/caching.py); the page around them, with the visitor's own CSRF and form tokens, is rendered for each
# visitor. Rendering the fields' widgets was most of a visit's cost.
_blank_fields = ProcessCache("blank registration form fields", max_age=UNVERSIONED_CHANGE_SECONDS)


def _blank_form_page(request, definition, context) -> HttpResponse:
    def render_fields():
        form = RegistrationForm(meeting=definition.meeting, definition=definition)
        return render_to_string("registration/_register_fields.html", {**context, "form": form})

    fields = _blank_fields.get_or_load((definition.meeting.slug, get_language()), render_fields,
                                    version=definition.version)
    # No form object: building one cost as much as the rest of the page (bench/registrations.py).
    return render(request, "registration/register.html", {
        **context, "invitation": None, "blank_fields": mark_safe(fields), "form_token": new_form_token(),
    })


def _public_meeting(slug: str) -> Meeting:
    meeting = meeting_selectors.public_meetings().filter(slug=slug).first()
    if meeting is None:
        raise Http404("no public meeting with this address")
    return meeting


def _invitation(meeting: Meeting, token: str) -> Invitation | None:
    """The usable invitation a link's token names, or None (unknown, another meeting's, used, revoked, expired).
    The service checks it again under its lock."""
    invitation = Invitation.objects.filter(meeting=meeting, token_hash=hash_token(token)).first()
    if invitation is not None and invitation.revoked_at:
        raise InvitationWithdrawn
    if invitation is None or invitation.used_at:
        return None
    if invitation.expires_at and invitation.expires_at <= timezone.now():
        return None
    return invitation


class InvitationWithdrawn(Exception):
    """The link is of an invitation the organizers withdrew: the person is told so, not that it is broken."""


def see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def sent_to(request, meeting: Meeting, email: str) -> HttpResponseRedirect:
    """The answer to every accepted form, whether it made a registration, found the one this same form made,
    or found the address registered already (whose owner is sent their link instead): the same redirect
    and the same words, so that the form confirms to no one that an address is registered. The private
    page is reached through the email."""
    messages.success(request, _(
        "Thank you. A message with the link to your registration is on its way to %(email)s. It can take a "
        "few minutes to arrive; please also look in your spam folder."
    ) % {"email": email})
    return see_other(reverse("registration:register_sent", kwargs={"slug": meeting.slug}))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit_posts("register", "PRACHUM_RATELIMIT_REGISTER")
def register(request, slug):
    definition = public_form_definition(slug)
    if definition is None:
        raise Http404("no public meeting with this address")
    meeting = definition.meeting
    context = {"meeting": meeting, "title": meeting.title}
    phase = meeting_selectors.registration_phase(meeting)
    if phase != meeting_selectors.RegistrationPhase.OPEN:
        return render(request, "registration/not_open.html", {**context, "phase": phase})
    if meeting.registration_mode == Meeting.RegistrationMode.NOMINATION:
        return render(request, "registration/by_nomination.html", context)

    invitation = None
    token = request.GET.get("invitation", "")
    if token or meeting.registration_mode == Meeting.RegistrationMode.INVITATION:
        try:
            invitation = _invitation(meeting, token) if token else None
        except InvitationWithdrawn:
            return render(request, "registration/invitation_withdrawn.html", context, status=410)
        if invitation is None:
            return render(request, "registration/invitation_invalid.html", {**context, "had_link": bool(token)},
                          status=403)
        if request.method != "POST":
            mark_invitation_opened(invitation)

    if request.method != "POST" and invitation is None and is_anonymous_without_state(request) and any(
        c.allows_self_registration for c in definition.categories
    ):
        return _blank_form_page(request, definition, context)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None,
        meeting=meeting, invitation=invitation, definition=definition,
    )
    if not form.categories:
        return render(request, "registration/not_open.html", {**context, "phase": "no_category"})

    if request.method == "POST" and form.is_valid():
        delegation, organization_name = form.organization()
        try:
            result = services.submit_registration(
                meeting=meeting, category=form.cleaned_data["category"], person=form.person(),
                answers=form.answers(), asked_questions=form.asked_questions(), delegation=delegation,
                organization_name=organization_name,
                participation=form.cleaned_data.get("participation") or None, language=get_language(),
                client_token=form.cleaned_data["form_token"], invitation=invitation, consented=True,
            )
        except services.RegistrationError as error:
            if error.code == "duplicate_email":
                services.resend_manage_link(meeting=meeting, email=form.cleaned_data["email"])
                return sent_to(request, meeting, form.cleaned_data["email"])
            form.add_error(ERROR_FIELDS.get(error.code) if ERROR_FIELDS.get(error.code) in form.fields else None,
                           str(error.message))
            if error.code == "form_reused":
                form.data = form.data.copy()
                form.data["form_token"] = new_form_token()
        else:
            return sent_to(request, meeting, form.cleaned_data["email"])

    return render(request, "registration/register.html", {**context, "form": form, "invitation": invitation})


@never_cache
@require_http_methods(["GET", "HEAD"])
def register_sent(request, slug):
    """Where every accepted registration form leads (sent_to): check your email."""
    meeting = _public_meeting(slug)
    return render(request, "registration/register_sent.html", {"meeting": meeting, "title": meeting.title})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit_posts("resend_link", "PRACHUM_RATELIMIT_RESEND_LINK")
def resend_link(request, slug):
    """Ask for the private link again. Whatever the address, the answer is the same page."""
    meeting = _public_meeting(slug)
    context = {"meeting": meeting, "title": meeting.title}
    if request.method != "POST":
        return render(request, "registration/resend_link.html", {**context, "form": ResendLinkForm()})
    form = ResendLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "registration/resend_link.html", {**context, "form": form})
    services.resend_manage_link(meeting=meeting, email=form.cleaned_data["email"])
    return render(request, "registration/resend_link_sent.html", context)
