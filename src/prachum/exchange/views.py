"""Import and export pages: upload → columns → dry run (job) → review → apply (job); export (job).

Organizers (manage) import registrations and invitees; a focal point imports registrations into their
own delegation only (the rows are their nominations). Export: reviewers and organizers, and focal
points for their delegation (MeetingAccess.can_export); check-in staff never.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prachum.exchange.forms import ExportForm, MappingForm, UploadForm
from prachum.exchange.services import exporting
from prachum.exchange.services.importing import check_mapping, fields_for, guess_mapping, invites_instead
from prachum.core.tables import TableError, read_table
from prachum.exchange.services.uploads import read_upload, store_upload
from prachum.jobs.models import Job
from prachum.jobs.services import start_job
from prachum.meetings.models import Delegation
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration.invitations import INVITATION_COLUMNS

SESSION_KEY = "exchange_uploads"
SAMPLE_ROWS = 3
SHOWN_ERRORS = 1000


def _focal_delegations(access):
    return list(
        Delegation.objects.filter(meeting=access.meeting, pk__in=access.delegation_ids)
        .select_related("organization", "meeting").order_by("organization__protocol_order")
    )


def _upload(request, access, key) -> dict:
    """The upload `key` as this user stored it for this meeting (else 404: not theirs, or gone)."""
    upload = request.session.get(SESSION_KEY, {}).get(key)
    if not upload or upload.get("meeting") != access.meeting.slug:
        raise Http404("no such upload")
    if upload.get("delegation_id") and upload["delegation_id"] not in access.delegation_ids and not access.can_manage:
        access.deny(request, "exchange.import", delegation=upload["delegation_id"])
    return upload


def _done_url(access, upload) -> str:
    if upload.get("nominate"):
        return reverse("focal_point:delegation", args=[access.meeting.slug, upload["delegation_id"]])
    return reverse("exchange:import", args=[access.meeting.slug])


@meeting_access_required(Capability.MANAGE, Capability.FOCAL_POINT)
def import_start(request, slug, access):
    nominate = not access.can_manage
    delegations = _focal_delegations(access) if nominate else []
    targets = ("registrations",) if nominate else ("registrations", "invitations")
    chosen = request.GET.get("delegation")
    form = UploadForm(request.POST or None, request.FILES or None, targets=targets, delegations=delegations,
                      initial={"delegation": chosen} if chosen else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            table = read_table(data)
        except TableError as error:
            form.add_error("file", error.message)
        else:
            key = store_upload(table)
            delegation_id = int(form.cleaned_data["delegation"]) if nominate else None
            if nominate and delegation_id not in access.delegation_ids:
                access.deny(request, "exchange.import", delegation=delegation_id)
            uploads = request.session.get(SESSION_KEY, {})
            uploads[key] = {
                "meeting": access.meeting.slug, "target": form.cleaned_data["target"], "nominate": nominate,
                "delegation_id": delegation_id, "encoding": table.encoding_name, "rows": len(table.rows),
            }
            request.session[SESSION_KEY] = uploads
            return redirect("exchange:import_columns", slug=slug, key=key)
    return render(request, "exchange/import_start.html", {
        "access": access, "tab": "import", "form": form, "nominate": nominate,
    })


@meeting_access_required(Capability.MANAGE, Capability.FOCAL_POINT)
def import_columns(request, slug, key, access):
    upload = _upload(request, access, key)
    meeting = access.meeting
    try:
        table = read_upload(key)
    except FileNotFoundError:
        raise Http404("upload gone") from None
    fields = fields_for(meeting, upload["target"], nominate=upload["nominate"])
    form = MappingForm(request.POST or None, headers=table.headers, fields=fields,
                       initial_mapping=upload.get("mapping") or guess_mapping(fields, table.headers))
    errors = []
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        errors = check_mapping(fields, mapping)
        if not errors:
            return _start_dry_run(request, access, key, upload, mapping)
    samples = [[row.get(header, "") for row in table.rows[:SAMPLE_ROWS]] for header in table.headers]
    return render(request, "exchange/import_columns.html", {
        "access": access, "tab": "import", "form": form, "upload": upload, "key": key, "errors": errors,
        "columns": list(zip([form[f"column_{i}"] for i in range(len(table.headers))], samples)),
        "encoding": table.encoding_name, "row_count": len(table.rows),
    })


def _start_dry_run(request, access, key, upload, mapping):
    """Keep the upload's target and mapping, start its dry run (a job), and go to its review page."""
    meeting, slug = access.meeting, access.meeting.slug
    upload["mapping"] = mapping
    uploads = request.session.get(SESSION_KEY, {})
    uploads[key] = upload
    request.session[SESSION_KEY] = uploads
    with transaction.atomic():  # the job starts on commit, once it knows its review page
        job = start_job(
            kind="exchange.import_check", function="prachum.exchange.services.importing.check_import_job",
            params={
                "meeting_id": meeting.pk, "upload": key, "target": upload["target"], "mapping": mapping,
                "delegation_id": upload["delegation_id"], "nominate": upload["nominate"],
                "language": get_language(), "back_url": reverse("exchange:import_columns", args=[slug, key]),
            }, meeting=meeting, user=request.user, label=_("Dry run of an import"),
        )
        job.params["review_url"] = reverse("exchange:import_review", args=[slug, key, job.pk])
        Job.objects.filter(pk=job.pk).update(params=job.params)
    return redirect(reverse("exchange:import_review", args=[slug, key, job.pk]))


def _own_job(request, access, job_id, kind) -> Job:
    job = get_object_or_404(Job, pk=job_id, meeting=access.meeting, kind=kind)
    if job.created_by_id != request.user.pk:
        raise PermissionDenied("job")
    return job


@meeting_access_required(Capability.MANAGE, Capability.FOCAL_POINT)
def import_review(request, slug, key, job_id, access):
    upload = _upload(request, access, key)
    job = _own_job(request, access, job_id, "exchange.import_check")
    if not job.is_finished:
        return redirect(job)  # the progress page comes back here when the dry run ends
    summary = job.summary or {}
    # A problem names the column as the file does ("ອີເມວ"), not by the field it was matched to ("email").
    headers = {key: header for header, key in (job.params.get("mapping") or {}).items() if key}
    errors = [{**error, "column": headers.get(error["column"], error["column"])} for error in summary.get("errors", [])]
    return render(request, "exchange/import_review.html", {
        "access": access, "tab": "import", "job": job, "upload": upload, "key": key, "summary": summary,
        "invite_instead": access.can_manage and invites_instead(
            access.meeting, target=job.params.get("target", ""), nominate=job.params.get("nominate", False)),
        "errors": errors[:SHOWN_ERRORS], "hidden_errors": max(0, len(errors) - SHOWN_ERRORS),
        "outcomes": summary.get("outcomes", {}),
    })


@require_POST
@meeting_access_required(Capability.MANAGE)
def import_as_invitations(request, slug, key, job_id, access):
    """The second step an invitation-only meeting offers after a dry run of registrations: the same file,
    its columns kept where an invitation has them, checked again as invitations (a new dry run); saving
    that invites everyone or no one, as `prachum invite` does."""
    upload = _upload(request, access, key)
    check = _own_job(request, access, job_id, "exchange.import_check")
    if not invites_instead(access.meeting, target=check.params.get("target", ""),
                           nominate=check.params.get("nominate", False)):
        raise Http404("this import cannot become invitations")
    mapping = {header: field if field in INVITATION_COLUMNS else ""
               for header, field in (check.params.get("mapping") or {}).items()}
    upload["target"] = "invitations"
    return _start_dry_run(request, access, key, upload, mapping)


@require_POST
@meeting_access_required(Capability.MANAGE, Capability.FOCAL_POINT)
def import_apply(request, slug, key, job_id, access):
    upload = _upload(request, access, key)
    check = _own_job(request, access, job_id, "exchange.import_check")
    if not (check.summary or {}).get("ok"):
        messages.error(request, _("Correct the file first: the dry run found problems."))
        return redirect(reverse("exchange:import_review", args=[slug, key, job_id]))
    params = dict(check.params)
    params.update({
        "batch": check.pk.hex, "language": get_language(), "done_url": _done_url(access, upload),
        "review_url": reverse("exchange:import_review", args=[slug, key, job_id]),
    })
    job = start_job(kind="exchange.import_apply", function="prachum.exchange.services.importing.apply_import_job",
                    params=params, meeting=access.meeting, user=request.user, label=_("Import"))
    return redirect(job)


@meeting_access_required(Capability.REVIEW, Capability.FOCAL_POINT)
def export(request, slug, access):
    if not access.can_export:
        access.deny(request, "exchange.export")
    columns = exporting.available_columns(access.meeting, sees_sensitive=access.can_manage)
    form = ExportForm(request.POST or None, columns=columns, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        job = start_job(
            kind="exchange.export", function="prachum.exchange.services.exporting.export_job",
            params={
                "meeting_id": access.meeting.pk, "columns": form.cleaned_data["columns"],
                "file_format": form.cleaned_data["file_format"], "language": form.cleaned_data["language"],
                "statuses": form.cleaned_data["statuses"],
            }, meeting=access.meeting, user=request.user, label=_("Export of registrations"),
        )
        return redirect(job)
    return render(request, "exchange/export.html", {"access": access, "tab": "export", "form": form})
