"""The focal point's portal: their delegation's members and quota, nominations, endorsements, the Head of
Delegation, and submitting the list to the secretariat.

Every page needs the focal-point role at the meeting AND the delegation in the URL to be one of the
user's (MeetingAccess.delegation_ids); a focal point who opens another delegation's page, or a
registration of another delegation, gets an audited 403. Views parse, call one service, redirect.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from prachum.meetings.models import Delegation
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration.errors import RegistrationError
from prachum.registration.forms import RegistrationForm, TextField, new_form_token
from prachum.registration.models import Participation, Registration
from prachum.registration.services.delegations import set_head_of_delegation, submit_delegation, withdraw_member
from prachum.registration.services.endorsement import awaits_endorsement, decline_registration, endorse_registration
from prachum.registration.services.nomination import nominate_delegate
from prachum.registration.views.protocol import delegation_members, save_ranks

Status = Registration.Status


class NominationForm(RegistrationForm):
    """The registration form as a focal point fills it for a member: any category of the meeting, the
    delegation fixed by the page, the member's language for their emails, no consent box (the member
    agrees to the privacy notice on their own page)."""

    name_romanized_message = "name_romanized_other"

    def _add_registration_fields(self):
        meeting = self.meeting
        self.delegations = {}
        self.categories = {str(c.pk): c for c in meeting.categories.order_by("order", "pk")}
        fields = {
            "category": forms.ChoiceField(
                label=gettext_lazy("Category"), choices=[(pk, str(c.name)) for pk, c in self.categories.items()],
                widget=forms.RadioSelect,
            ),
        }
        if meeting.format == meeting.Format.HYBRID:
            fields["participation"] = forms.ChoiceField(
                label=gettext_lazy("Takes part"), choices=Participation.choices, widget=forms.RadioSelect,
            )
        fields["language"] = forms.ChoiceField(
            label=gettext_lazy("Language of the member's emails"), choices=[("lo", "ລາວ"), ("en", "English")],
            widget=forms.RadioSelect,
        )
        fields["form_token"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.fields.update(fields)
        self.initial.setdefault("language", meeting.default_language or "lo")
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())


class DeclineForm(forms.Form):
    reason = TextField(label=gettext_lazy("Reason (sent to the person)"), multiline=True, max_length=2000, required=False)


def _delegation(request, access, delegation_id) -> Delegation:
    """The delegation, if it is one of this focal point's at this meeting; else an audited 403."""
    if delegation_id not in access.delegation_ids:
        access.deny(request, "focal_point.delegation", delegation=delegation_id)
    return get_object_or_404(Delegation.objects.select_related("organization"), pk=delegation_id, meeting=access.meeting)


def _member(request, access, delegation, registration_id) -> Registration:
    registration = Registration.objects.filter(pk=registration_id, meeting=access.meeting).first()
    if registration is None or registration.delegation_id != delegation.pk:
        access.deny(request, "focal_point.registration", delegation=delegation.pk, registration=registration_id)
    return registration


@meeting_access_required(Capability.FOCAL_POINT)
def delegations(request, slug, access):
    """The focal point's delegations at this meeting: straight to the one, or a list of several."""
    mine = list(Delegation.objects.filter(meeting=access.meeting, pk__in=access.delegation_ids)
                .select_related("organization", "meeting").order_by("organization__protocol_order"))
    if len(mine) == 1:
        return redirect("focal_point:delegation", slug=slug, delegation_id=mine[0].pk)
    return render(request, "registration/focal_point/delegations.html",
                  {"access": access, "tab": "delegation", "delegations": mine})


@meeting_access_required(Capability.FOCAL_POINT)
def delegation(request, slug, delegation_id, access):
    delegation = _delegation(request, access, delegation_id)
    members = delegation_members(delegation)  # in the order of the List of Participants
    for member in members:
        member.awaits_me = awaits_endorsement(member)
    counts = Registration.objects.filter(delegation=delegation).aggregate(
        seats=Count("pk", filter=Q(status__in=Registration.SEAT_HOLDING)),
        waiting=Count("pk", filter=Q(status=Status.WAITLISTED)),
    )
    changed_since = (
        delegation.submitted_at is not None
        and Registration.objects.filter(delegation=delegation, updated_at__gt=delegation.submitted_at).exists()
    )
    return render(request, "registration/focal_point/delegation.html", {
        "access": access, "tab": "delegation", "delegation": delegation, "members": members,
        "seats": counts["seats"], "waiting": counts["waiting"], "changed_since_submitted": changed_since,
        "decline_form": DeclineForm(),
    })


@meeting_access_required(Capability.FOCAL_POINT)
def nominate(request, slug, delegation_id, access):
    delegation = _delegation(request, access, delegation_id)
    meeting = access.meeting
    form = NominationForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            result = nominate_delegate(
                meeting=meeting, delegation=delegation, category=form.cleaned_data["category"],
                person=form.person(), answers=form.answers(),
                participation=form.cleaned_data.get("participation") or None,
                language=form.cleaned_data["language"], client_token=form.cleaned_data["form_token"],
                focal_point=request.user,
            )
        except RegistrationError as error:
            form.add_error("email" if error.code == "duplicate_email" else None, str(error.message))
            if error.code == "form_reused":
                form.data = form.data.copy()
                form.data["form_token"] = new_form_token()
        else:
            registration = result.registration
            if registration.status == Status.WAITLISTED:
                messages.warning(request, _("%(name)s is on the waiting list: the delegation or the category has no free seat.")
                                 % {"name": registration.full_name})
            else:
                messages.success(request, _("%(name)s is nominated.") % {"name": registration.full_name})
            if "another" in request.POST:
                return redirect("focal_point:nominate", slug=slug, delegation_id=delegation.pk)
            return redirect("focal_point:delegation", slug=slug, delegation_id=delegation.pk)
    return render(request, "registration/focal_point/nominate.html", {
        "access": access, "tab": "delegation", "delegation": delegation, "form": form,
    })


def _act(request, access, delegation, action, **kwargs):
    try:
        return action(**kwargs, actor=request.user)
    except RegistrationError as error:
        messages.error(request, str(error.message))
        return None


@require_POST
@meeting_access_required(Capability.FOCAL_POINT)
def endorse(request, slug, delegation_id, registration_id, access):
    delegation = _delegation(request, access, delegation_id)
    member = _member(request, access, delegation, registration_id)
    if _act(request, access, delegation, endorse_registration, registration_id=member.pk):
        messages.success(request, _("You endorsed %(name)s. The secretariat decides next.") % {"name": member.full_name})
    return redirect("focal_point:delegation", slug=slug, delegation_id=delegation.pk)


@require_POST
@meeting_access_required(Capability.FOCAL_POINT)
def decline(request, slug, delegation_id, registration_id, access):
    return _act_with_reason(request, access, delegation_id, registration_id, decline_registration,
                            _("You declined %(name)s."))


@require_POST
@meeting_access_required(Capability.FOCAL_POINT)
def withdraw(request, slug, delegation_id, registration_id, access):
    return _act_with_reason(request, access, delegation_id, registration_id, withdraw_member,
                            _("%(name)s is no longer in the delegation."))


def _act_with_reason(request, access, delegation_id, registration_id, service, done_message):
    """A decision on one member that needs a reason (DeclineForm): refused with the form's error, or done."""
    delegation = _delegation(request, access, delegation_id)
    member = _member(request, access, delegation, registration_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
    elif _act(request, access, delegation, service, registration_id=member.pk, reason=form.cleaned_data["reason"]):
        messages.success(request, done_message % {"name": member.full_name})
    return redirect("focal_point:delegation", slug=access.meeting.slug, delegation_id=delegation.pk)


@require_POST
@meeting_access_required(Capability.FOCAL_POINT)
def head(request, slug, delegation_id, registration_id, access):
    delegation = _delegation(request, access, delegation_id)
    member = _member(request, access, delegation, registration_id)
    is_head = request.POST.get("is_head", "1") == "1"
    if _act(request, access, delegation, set_head_of_delegation, registration_id=member.pk, is_head=is_head):
        if is_head:
            messages.success(request, _("%(name)s is now the Head of Delegation.") % {"name": member.full_name})
        else:
            messages.success(request, _("%(name)s is no longer the Head of Delegation.") % {"name": member.full_name})
    return redirect("focal_point:delegation", slug=slug, delegation_id=delegation.pk)


@require_POST
@meeting_access_required(Capability.FOCAL_POINT)
def ranks(request, slug, delegation_id, access):
    """The members' ranks: the order after the Head of Delegation in every list and document."""
    delegation = _delegation(request, access, delegation_id)
    save_ranks(request, delegation, delegation_members(delegation))
    return redirect("focal_point:delegation", slug=slug, delegation_id=delegation.pk)


@require_POST
@meeting_access_required(Capability.FOCAL_POINT)
def submit(request, slug, delegation_id, access):
    delegation = _delegation(request, access, delegation_id)
    if _act(request, access, delegation, submit_delegation, delegation_id=delegation.pk):
        messages.success(request, _("The delegation's list has been sent to the secretariat."))
    return redirect("focal_point:delegation", slug=slug, delegation_id=delegation.pk)
