"""A person's rights: their data as a file (from the organizer's page of the registration, and from their own
private page), and its erasure by an owner of the meeting (a confirm step, then
registration.services.erasure.erase_registration)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prachum.meetings.models import Role
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration.errors import RegistrationError
from prachum.registration.services.data_export import FORMATS, export_personal_data
from prachum.registration.services.erasure import erase_registration
from prachum.registration.views.organizer import _visible_registration
from prachum.registration.views.participant import private_page


def _file_response(export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _format(request) -> str:
    file_format = request.GET.get("format", "json")
    if file_format not in FORMATS:
        raise Http404("format")
    return file_format


@meeting_access_required(Capability.REVIEW, Capability.FOCAL_POINT)
def organizer_export(request, slug, pk, access):
    registration = _visible_registration(request, access, pk)
    export = export_personal_data(registration_id=registration.pk, file_format=_format(request),
                                  sees_sensitive=access.can_manage, actor=request.user)
    return _file_response(export)


def is_owner(access) -> bool:
    return Role.OWNER in access.roles or getattr(access.user, "is_superuser", False)


@meeting_access_required(Capability.MANAGE)
def organizer_erase(request, slug, pk, access):
    registration = _visible_registration(request, access, pk)
    if not is_owner(access):
        access.deny(request, "registration_erase", registration=registration.pk)
    if request.method == "POST" and not registration.erased_at:
        try:
            erase_registration(registration_id=registration.pk, actor=request.user)
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The person's data is erased. The registration stays, anonymised, in the counts."))
        return redirect("organizer:registration", access.meeting.slug, registration.pk)
    return render(request, "registration/organizer/registration_erase.html", {
        "access": access, "tab": "registrations", "registration": registration,
    })


@private_page("GET", "HEAD")
def participant_export(request, registration, *, token):
    export = export_personal_data(registration_id=registration.pk, file_format=_format(request),
                                  sees_sensitive=True)
    return _file_response(export)
