"""The organizer's badge pages: print a selection as one PDF (a background job), set the designs, and
the check-in desk's single badge."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from prachum.badges import selectors, services
from prachum.badges.forms import BadgeDesignForm, PrintBadgesForm
from prachum.badges.models import BadgeDesign
from prachum.jobs.services import start_job
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration.selectors import registrations_seen_by
from prachum.core.validators import as_id


@meeting_access_required(Capability.CHECK_IN, Capability.MANAGE, Capability.REVIEW)
def registration_badge(request, slug, registration_id, *, access):
    """One A6 badge, for the check-in desk that reprints a lost one or prints a walk-in's, in the page's language."""
    registration = registrations_seen_by(access).filter(pk=registration_id).first()
    if registration is None:
        raise Http404("no such registration at this meeting")
    refusal = selectors.why_no_badge(registration)
    if refusal:
        return render(request, "badges/no_badge.html", {
            "access": access, "tab": "badges", "registration": registration, "refusal": refusal,
        }, status=409)
    pdf = services.print_registration_badge(registration=registration, language=get_language(), actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name holds the opaque badge code, no name: downloads end up in shared folders.
    response["Content-Disposition"] = f'inline; filename="badge-{registration.badge_code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@meeting_access_required(Capability.MANAGE, Capability.REVIEW)
def badges_page(request, slug, *, access):
    """Choose the badges (status, categories, delegations), the paper and the language; print as a job."""
    meeting = access.meeting
    design = services.default_design(meeting)
    form = PrintBadgesForm(request.POST or None, meeting=meeting, design=design)
    nothing = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        selection = services.BadgeSelection(
            statuses=tuple(data["statuses"]), category_ids=tuple(c.pk for c in data["categories"]),
            delegation_ids=tuple(d.pk for d in data["delegations"]), layout=data["layout"], language=data["language"],
            not_printed=data["not_printed"],
        )
        count = selectors.badge_registrations(
            meeting, statuses=selection.statuses, category_ids=selection.category_ids,
            delegation_ids=selection.delegation_ids, not_printed=selection.not_printed,
        ).count()
        if count:
            with transaction.atomic():
                job = start_job(
                    kind="badges.print", function="prachum.badges.services.print_badges_job",
                    params={"meeting_id": meeting.pk, **selection.as_params(), "ui_language": get_language()},
                    meeting=meeting, user=request.user,
                    label=ngettext("%(count)d badge", "%(count)d badges", count) % {"count": count},
                )
            return redirect(job)
        nothing = True
    return render(request, "badges/badges.html", {
        "access": access, "tab": "badges", "form": form, "nothing": nothing,
        "designs": meeting.badge_designs.select_related("category").order_by("category__order", "pk"),
        "in_person_approved": selectors.badge_registrations(meeting).count(),
    })


@meeting_access_required(Capability.MANAGE)
def design_page(request, slug, *, access):
    """Create or change a badge design (?design=<id> to change one); POST delete=1 removes it."""
    meeting = access.meeting
    design = None
    if design_id := request.GET.get("design") or request.POST.get("design"):
        if as_id(design_id) is None:
            raise Http404("no such design")
        design = get_object_or_404(BadgeDesign, pk=design_id, meeting=meeting)
    if request.method == "POST" and design and request.POST.get("delete"):
        services.delete_badge_design(design=design, actor=request.user)
        messages.success(request, _("The badge design was removed."))
        return redirect("badges:badges", meeting.slug)
    form = BadgeDesignForm(request.POST or None, request.FILES or None, instance=design, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_badge_design(design=form.instance, actor=request.user)
        except services.BadgeError as error:
            form.add_error("category", error.message)
        else:
            messages.success(request, _("The badge design was saved."))
            return redirect("badges:badges", meeting.slug)
    return render(request, "badges/design.html", {
        "access": access, "tab": "badges", "form": form, "design": design,
    }, status=400 if form.errors else 200)
