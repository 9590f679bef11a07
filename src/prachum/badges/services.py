"""Badge use cases: print a selection of badges as one PDF (directly, or as a background job), and save
a badge design. Printing is audited (who printed how many, with which filter) without names."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prachum.audit.services import record_audit
from prachum.badges.layouts import Layout
from prachum.badges.models import BadgeDesign, BadgeLanguage, BadgePrint
from prachum.badges.rendering import badges_pdf
from prachum.badges.selectors import badge_registrations
from prachum.meetings.models import Meeting
from prachum.registration.models import Registration


class BadgeError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class BadgeSelection:
    """Which badges, on which paper, in which language; what the organizer's form and the command choose."""

    statuses: tuple[str, ...] = (Registration.Status.APPROVED,)
    category_ids: tuple[int, ...] = ()
    delegation_ids: tuple[int, ...] = ()
    layout: str = ""  # empty: the meeting's design's
    language: str = ""  # empty: the meeting's design's
    not_printed: bool = False  # only registrations whose badge was never printed

    def as_params(self) -> dict:
        return {"statuses": list(self.statuses), "category_ids": list(self.category_ids),
                "delegation_ids": list(self.delegation_ids), "layout": self.layout, "language": self.language,
                "not_printed": self.not_printed}


def default_design(meeting: Meeting) -> BadgeDesign:
    return BadgeDesign.objects.filter(meeting=meeting, category__isnull=True).first() or BadgeDesign(meeting=meeting)


def print_badges(*, meeting: Meeting, selection: BadgeSelection, actor=None, on_progress=None) -> tuple[bytes, int]:
    """The PDF of the selected badges and how many it holds. `on_progress(done, total)` is called per badge
    while the pages are prepared (the longer half, WeasyPrint's layout, reports once at its end)."""
    design = default_design(meeting)
    layout = selection.layout or design.layout
    language = selection.language or design.language
    if layout not in Layout.values:
        raise BadgeError("unknown_layout", _("Choose one of the paper layouts."))
    if language not in BadgeLanguage.values:
        raise BadgeError("unknown_language", _("Choose the badges' language."))
    registrations = list(badge_registrations(
        meeting, statuses=selection.statuses, category_ids=selection.category_ids,
        delegation_ids=selection.delegation_ids, not_printed=selection.not_printed,
    ))
    if not registrations:
        raise BadgeError("nothing_to_print", _("No participant matches this choice: there is no badge to print."))
    total = len(registrations)
    # Laying out the pages takes about as long as preparing them: count the badges as half the work.
    report = (lambda done: on_progress(done // 2, total)) if on_progress else None
    pdf = badges_pdf(registrations, meeting=meeting, layout=layout, language=language, on_badge=report,
                     on_layout=(lambda: on_progress(total * 9 // 10, total)) if on_progress else None)
    with transaction.atomic():
        record_audit(kind="badges.printed", actor=actor, meeting=meeting, after={
            "count": total, "layout": layout, "language": language, **selection.as_params(),
        })
        BadgePrint.objects.bulk_create(
            [BadgePrint(registration=registration, printed_by=actor) for registration in registrations],
            batch_size=500,
        )
    return pdf, total


def print_registration_badge(*, registration: Registration, language: str, actor) -> bytes:
    """One A6 badge, for the check-in desk (a lost badge, a walk-in): audited, since a second badge is a
    second way in. The caller has checked that the registration gets a badge (selectors.why_no_badge)."""
    queryset = badge_registrations(registration.meeting, statuses=(registration.status,),
                                   registration_ids=(registration.pk,))
    pdf = badges_pdf(queryset, meeting=registration.meeting, layout=Layout.A6, language=language)
    with transaction.atomic():
        record_audit(kind="badges.printed", actor=actor, registration=registration,
                     after={"count": 1, "layout": Layout.A6.value, "language": language, "single": True})
        BadgePrint.objects.create(registration=registration, printed_by=actor)
    return pdf


def print_badges_job(job, *, meeting_id: int, statuses: list, category_ids: list, delegation_ids: list,
                     layout: str, language: str, not_printed: bool = False, ui_language: str = "lo") -> dict:
    """The background job behind the organizer's page: the PDF is attached to the job for download."""
    from django.urls import reverse
    from django.utils import translation

    from prachum.jobs.services import attach_result

    meeting = Meeting.objects.get(pk=meeting_id)
    actor = get_user_model().objects.filter(pk=job.created_by_id).first()
    selection = BadgeSelection(statuses=tuple(statuses), category_ids=tuple(category_ids),
                               delegation_ids=tuple(delegation_ids), layout=layout, language=language,
                               not_printed=not_printed)
    pdf, count = print_badges(meeting=meeting, selection=selection, actor=actor,
                              on_progress=lambda done, total: job.report(done, total))
    attach_result(job, f"badges-{meeting.slug}.pdf", "application/pdf", pdf)
    job.report(count, count, force=True)
    with translation.override(ui_language):  # the language of the page that started the job
        message = ngettext("%(count)d badge is ready.", "%(count)d badges are ready.", count) % {"count": count}
    return {"message": message, "back_url": reverse("badges:badges", args=[meeting.slug])}


@transaction.atomic(durable=True)
def save_badge_design(*, design: BadgeDesign, actor) -> BadgeDesign:
    """Create or change a design (already validated by its form); audited with what changed."""
    before = {}
    if design.pk:
        old = BadgeDesign.objects.select_for_update().get(pk=design.pk)
        before = {"layout": old.layout, "language": old.language, "band_position": old.band_position,
                  "background": old.background.name}
    design.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint: the unique constraints decide between two saving at once
            design.save()
    except IntegrityError:
        raise BadgeError("design_exists", _("This category has a design already: change that one.")) from None
    record_audit(kind="badges.design_saved", actor=actor, meeting=design.meeting, obj=design, before=before, after={
        "category": design.category.code if design.category_id else "", "layout": design.layout,
        "language": design.language, "band_position": design.band_position, "background": design.background.name,
    })
    return design


@transaction.atomic(durable=True)
def delete_badge_design(*, design: BadgeDesign, actor) -> None:
    record_audit(kind="badges.design_deleted", actor=actor, meeting=design.meeting, obj=design, before={
        "category": design.category.code if design.category_id else "", "layout": design.layout,
    })
    design.delete()
