"""The organizer's badge pages: print a selection as one PDF (a background job), set the designs, and
the check-in desk's single badge."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from prachum.badges import selectors
from prachum.badges.rendering import badges_pdf
from prachum.meetings.permissions import Capability, meeting_access_required


@meeting_access_required(Capability.CHECK_IN, Capability.MANAGE, Capability.REVIEW)
def registration_badge(request, slug, registration_id, *, access):
    """One A6 badge, for the check-in desk that reprints a lost one or prints a walk-in's, in the page's language."""
    registration = access.registrations().filter(pk=registration_id).first()
    if registration is None:
        raise Http404("no such registration at this meeting")
    refusal = selectors.why_no_badge(registration)
    if refusal:
        return render(request, "badges/no_badge.html", {
            "access": access, "tab": "badges", "registration": registration, "refusal": refusal,
        }, status=409)
    pdf = badges_pdf(selectors.badge_order(access.registrations().filter(pk=registration.pk)),
                     meeting=access.meeting, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name holds the opaque badge code, no name: downloads end up in shared folders.
    response["Content-Disposition"] = f'inline; filename="badge-{registration.badge_code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def badges_page(request, slug):  # replaced below
    raise Http404


def design_page(request, slug):  # replaced below
    raise Http404
