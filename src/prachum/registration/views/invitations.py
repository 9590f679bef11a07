"""The organizer's invitations page of one meeting: every invitation with its state, counts per state, a
filter and a search; send one again, withdraw one, and (as jobs with progress) send the ticked ones again
or remind everyone who has not registered. Who: the meeting's MANAGE capability. Thin: parse, call one
service (services/invitation_followup.py), redirect."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from prachum.jobs.models import Job
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration import selectors
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Invitation
from prachum.registration.selectors import InvitationState
from prachum.registration.services import invitation_followup as followup
from prachum.core.validators import as_id

PAGE_SIZE = 50
# Invitations one "send again" may take: a job's parameters hold their ids.
SELECTED_LIMIT = 10000


class InvitationFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200,
                        help_text=gettext_lazy("Name or email"))
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("All states")), *InvitationState.choices])


def _language_choices():
    return [("", _("Each person's language")), ("lo", "ລາວ"), ("en", "English")]


def _back(request, access):
    """Where an action returns: the page as it was (its filter and page), else the list."""
    url = request.POST.get("next", "")
    base = reverse("organizer:invitations", args=[access.meeting.slug])
    if url.startswith(base) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return base


@meeting_access_required(Capability.MANAGE)
def invitations(request, slug, access):
    meeting = access.meeting
    all_invitations = selectors.invitations_with_state(meeting)
    counts = selectors.invitation_state_counts(all_invitations)
    form = InvitationFilterForm(request.GET or None)
    queryset = all_invitations.select_related("category", "delegation__organization", "delegation__meeting", "registration")
    if form.is_bound and form.is_valid():  # a wrong value shows its error and filters nothing
        if form.cleaned_data["state"]:
            queryset = queryset.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["q"]:
            queryset = selectors.search_invitations(queryset, form.cleaned_data["q"])
    page = Paginator(queryset.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    states = [(value, label, counts[value]) for value, label in InvitationState.choices]
    return render(request, "registration/organizer/invitations.html", {
        "access": access, "tab": "invitations", "form": form, "page": page, "query": query.urlencode(),
        "states": states, "total": sum(counts.values()), "key": followup.new_key(),
        "languages": _language_choices(), "remindable": counts["sent"] + counts["opened"],
        "remind_hours": int(followup.REMIND_AGAIN_AFTER.total_seconds() // 3600),
        "here": request.get_full_path(),
    })


def _invitation(access, pk) -> Invitation:
    return get_object_or_404(Invitation, pk=pk, meeting=access.meeting)


@require_POST
@meeting_access_required(Capability.MANAGE)
def invitation_resend(request, slug, pk, access):
    invitation = _invitation(access, pk)
    try:
        followup.resend_invitation(
            invitation_id=invitation.pk, meeting_id=access.meeting.pk, actor=request.user,
            key=followup.clean_key(request.POST.get("key", "")),
            language=followup.clean_language(request.POST.get("language", "")),
        )
    except RegistrationError as error:
        messages.error(request, _("%(email)s: %(reason)s") % {"email": invitation.email, "reason": error.message})
    else:
        messages.success(request, _("The invitation to %(email)s is being sent again.") % {"email": invitation.email})
    return redirect(_back(request, access))


@require_POST
@meeting_access_required(Capability.MANAGE)
def invitation_revoke(request, slug, pk, access):
    invitation = _invitation(access, pk)
    followup.revoke_invitation(invitation_id=invitation.pk, meeting_id=access.meeting.pk, actor=request.user)
    messages.success(request, _("The invitation to %(email)s has been withdrawn. Its link no longer works.")
                     % {"email": invitation.email})
    return redirect(_back(request, access))


@require_POST
@meeting_access_required(Capability.MANAGE)
def invitations_remind(request, slug, access):
    ids = followup.reminder_ids(access.meeting)
    if not ids:
        messages.error(request, _("Everyone invited has registered, or their invitation can no longer be used: "
                                  "there is no one to remind."))
        return redirect(_back(request, access))
    job = followup.start_invitation_job(
        meeting=access.meeting, actor=request.user, action="remind", invitation_ids=ids,
        key=followup.clean_key(request.POST.get("key", "")),
        language=followup.clean_language(request.POST.get("language", "")), page_language=get_language(),
    )
    return redirect("organizer:invitations_job", access.meeting.slug, job.pk)


@require_POST
@meeting_access_required(Capability.MANAGE)
def invitations_resend(request, slug, access):
    ids = sorted({pk for pk in map(as_id, request.POST.getlist("invitation")) if pk is not None})[:SELECTED_LIMIT]
    if not ids:
        messages.error(request, _("Please tick at least one invitation."))
        return redirect(_back(request, access))
    job = followup.start_invitation_job(
        meeting=access.meeting, actor=request.user, action="resend", invitation_ids=ids,
        key=followup.clean_key(request.POST.get("key", "")),
        language=followup.clean_language(request.POST.get("language", "")), page_language=get_language(),
    )
    return redirect("organizer:invitations_job", access.meeting.slug, job.pk)


@meeting_access_required(Capability.MANAGE)
def invitations_job(request, slug, job_id, access):
    """The progress of a resend or reminder job, then what it did: who was skipped, by name, and why."""
    job = get_object_or_404(Job, pk=job_id, meeting=access.meeting, kind__startswith="registration.invitations_")
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        access.deny(request, "invitations_job")
    summary = job.summary or {}
    skipped = summary.get("skipped", [])
    if not isinstance(skipped, list):
        raise Http404("no such result")
    found = {i.pk: i for i in Invitation.objects.filter(meeting=access.meeting, pk__in=[row["id"] for row in skipped])}
    rows = [{"invitation": found.get(row["id"]), "id": row["id"], "why": followup.skip_reason(row["code"])}
            for row in skipped]
    return render(request, "registration/organizer/invitations_job.html", {
        "access": access, "tab": "invitations", "job": job, "done": len(summary.get("done", [])), "skipped": rows,
    })
