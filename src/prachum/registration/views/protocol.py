"""Protocol pages: the organizer says who chairs the meeting (on a registration's page), and the focal
point or an organizer orders a delegation's members (ranks, on the delegation's page). Views parse,
call one service (registration.services.protocol), redirect."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from prachum.meetings.models import Delegation
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration.errors import RegistrationError
from prachum.registration.models import ProtocolRole, Registration
from prachum.registration.ordering import in_protocol_order
from prachum.registration.services.protocol import MAX_RANK, set_protocol_ranks, set_protocol_role


class ProtocolRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Role at the meeting"), required=False, widget=forms.RadioSelect,
        choices=[("", gettext_lazy("No role"))] + list(ProtocolRole.choices),
    )


def rank_field_name(registration_id: int) -> str:
    return f"rank-{registration_id}"


class ProtocolRanksForm(forms.Form):
    """One optional whole number per member: `rank-<registration id>`."""

    def __init__(self, data=None, *, members, **kwargs):
        super().__init__(data, **kwargs)
        self.members = members
        for member in members:
            self.fields[rank_field_name(member.pk)] = forms.IntegerField(
                label=member.full_name, required=False,
                min_value=1, max_value=MAX_RANK, initial=member.protocol_rank,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "rank-input"}),
            )

    def ranks(self) -> dict[int, int | None]:
        return {member.pk: self.cleaned_data.get(rank_field_name(member.pk)) for member in self.members}


def delegation_members(delegation: Delegation) -> list[Registration]:
    """The delegation's members (not cancelled) in protocol order, as the List of Participants lists them."""
    return list(in_protocol_order(
        Registration.objects.filter(delegation=delegation).exclude(status=Registration.Status.CANCELLED)
        .select_related("category", "delegation__organization", "honorific")
    ))


def save_ranks(request, delegation: Delegation, members) -> ProtocolRanksForm:
    """Parse the posted ranks and save them; a message says how it went. The form, with its errors."""
    # Only the ranks the page sent: a member shown without a field (the chair, a co-chair) keeps theirs.
    form = ProtocolRanksForm(request.POST, members=[m for m in members if rank_field_name(m.pk) in request.POST])
    if not form.is_valid():
        messages.error(request, _("A rank is a whole number from 1 to %(max)d, or empty.") % {"max": MAX_RANK})
        return form
    try:
        changed = set_protocol_ranks(delegation_id=delegation.pk, ranks=form.ranks(), actor=request.user)
    except RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        if changed:
            messages.success(request, _("The order of the delegation is saved."))
        else:
            messages.info(request, _("Nothing changed."))
    return form


@meeting_access_required(Capability.MANAGE)
def delegation_order(request, slug, delegation_id, access):
    """The organizer's view of a delegation's order: head first, then the ranks they may set."""
    delegation = get_object_or_404(Delegation.objects.select_related("organization"), pk=delegation_id,
                                   meeting=access.meeting)
    members = delegation_members(delegation)
    if request.method == "POST":
        form = save_ranks(request, delegation, members)
        if form.is_valid():
            return redirect("organizer:delegation_order", slug=slug, delegation_id=delegation.pk)
    else:
        form = ProtocolRanksForm(members=members)
    return render(request, "registration/organizer/delegation_order.html", {
        "access": access, "tab": "registrations", "delegation": delegation, "form": form,
    })


@require_POST
@meeting_access_required(Capability.MANAGE)
def registration_role(request, slug, pk, access):
    """The organizer makes the person the meeting's chair, a co-chair, or takes the role away."""
    registration = get_object_or_404(Registration, pk=pk, meeting=access.meeting)
    form = ProtocolRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose Chair, Co-Chair or no role."))
    else:
        try:
            set_protocol_role(registration_id=registration.pk, role=form.cleaned_data["role"], actor=request.user)
        except RegistrationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The role at the meeting is saved."))
    return redirect("organizer:registration", access.meeting.slug, registration.pk)
