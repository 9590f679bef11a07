"""The organizer's pages of one meeting: overview, registrations (list, detail, bulk actions), messages, audit log.

Every view declares the capability it needs (meetings.permissions); the rows shown always come from
`selectors.registrations_seen_by(access)`, so a focal point sees their own delegations only, whatever the URL says.
Check-in staff see names and status only. Work on many rows starts a job (prachum.jobs) and the page
redirects to its progress bar; a decision on one registration runs in the request.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from prachum.audit.changes import with_changes
from prachum.audit.models import AuditEvent
from prachum.core.outbox import messages_of
from prachum.jobs.models import Job
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration import selectors
from prachum.registration.answers_display import answer_rows
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Answer, Registration
from prachum.registration.services import bulk, messaging, names, transitions
from prachum.registration.views.answer_files import answer_file_response
from prachum.registration.views.organizer_forms import (
    AuditFilterForm, BulkActionForm, MessageForm, RegistrationFilterForm, parse_rows,
)
from prachum.registration.views.organizer_forms import RegistrationNameForm
from prachum.core.validators import as_id, validate_plain_text

PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
RECENT_ACTIVITY = 10
# Rows one bulk action may take: a job's parameters hold them all (id and time seen, about 40 bytes each).
BULK_LIMIT = 10000


def _page(request, queryset, size):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _recent_activity(access, limit=RECENT_ACTIVITY):
    """The latest audit events the user may read: all of the meeting's for reviewers, their delegations'
    registrations' for focal points, none for check-in staff."""
    events = AuditEvent.objects.filter(meeting=access.meeting).select_related("registration")
    if access.can_review:
        return list(events[:limit])
    if access.is_focal_point:
        return list(events.filter(registration__delegation_id__in=access.delegation_ids)[:limit])
    return []


@meeting_access_required(Capability.SEE_REGISTRATIONS)
def overview(request, slug, access):
    counts = selectors.registration_counts(selectors.registrations_seen_by(access))
    if not (access.can_review or access.is_focal_point):
        counts["by_delegation"] = []  # the desk counts people, it does not read delegations' lists
    return render(request, "registration/organizer/overview.html", {
        "access": access, "tab": "overview", "counts": counts, "activity": _recent_activity(access),
        "statuses": Registration.Status.choices,
    })


def _filtered(request, access, *, data=None, with_active=False):
    data = request.GET if data is None else data
    form = RegistrationFilterForm(data or None, access=access, with_active=with_active)
    filters = form.filters() if form.is_bound else {}
    names_only = not (access.can_review or access.is_focal_point)
    queryset = selectors.registrations_for_organizers(selectors.registrations_seen_by(access), names_only=names_only, **filters)
    if form.is_bound and form.only_active:
        queryset = queryset.filter(status__in=Registration.ACTIVE)
    return form, queryset


@meeting_access_required(Capability.SEE_REGISTRATIONS)
def registrations(request, slug, access):
    form, queryset = _filtered(request, access)
    page = _page(request, queryset, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "access": access, "tab": "registrations", "form": form, "page": page, "query": query.urlencode(),
        "names_only": not (access.can_review or access.is_focal_point),
        "bulk_form": BulkActionForm(meeting=access.meeting) if access.can_review else None,
        # Each row links to <detail_base><pk>/: one reverse() for the page instead of one per row.
        "detail_base": reverse("organizer:registration", args=[access.meeting.slug, 0])[:-2],
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "registration-results":
        return render(request, "registration/organizer/_registration_results.html", context)
    return render(request, "registration/organizer/registrations.html", context)


def _visible_registration(request, access, pk) -> Registration:
    registration = get_object_or_404(
        Registration.objects.select_related("category", "delegation__organization", "decided_by", "endorsed_by"),
        pk=pk, meeting=access.meeting,
    )
    if not access.may_see_registration(registration):
        access.deny(request, "registration_detail", registration=registration.pk)
    return registration


@meeting_access_required(Capability.SEE_REGISTRATIONS)
def registration_detail(request, slug, pk, access):
    registration = _visible_registration(request, access, pk)
    if request.method == "POST":
        if not access.can_review:
            access.deny(request, "registration_decision", registration=registration.pk)
        return _decide_one(request, access, registration)
    names_only = not (access.can_review or access.is_focal_point)
    categories = list(access.meeting.categories.order_by("order", "pk")) if access.can_review else []
    # "Change the category" only where there is another category to change to.
    others = [c for c in categories if c.pk != registration.category_id]
    context = {
        "access": access, "tab": "registrations", "registration": registration, "names_only": names_only,
        "is_checked_in": selectors.is_checked_in(registration),
        "actions": [(code, label) for code, label in bulk.ACTIONS.items()
                    if _offers(registration, code) and (code != "change_category" or others)],
        "categories": categories,
        "seen": registration.updated_at.isoformat(),
        "waits_for_endorsement": transitions.NOT_ENDORSED,
        "protocol_roles": Registration.ProtocolRole.choices,
    }
    if not names_only:
        context["history"] = with_changes(registration.audit_events.select_related("actor").order_by("created_at", "pk"))
        sent = messages_of(registration)
        for message in sent:
            message.text_shown = messaging.mask_private_links(message.body_text, registration)
        context["sent_messages"] = sent
        context["answers"] = answer_rows(registration)
    return render(request, "registration/organizer/registration_detail.html", context)


@require_safe
@meeting_access_required(Capability.SEE_REGISTRATIONS)
def answer_file(request, slug, pk, answer_id, access):
    """A file the person uploaded with their answers: for those who see their details (not the desk)."""
    registration = _visible_registration(request, access, pk)
    if not (access.can_review or access.is_focal_point):
        access.deny(request, "answer_file", needed=(Capability.REVIEW,), registration=registration.pk)
    answer = get_object_or_404(Answer.objects.select_related("question", "registration__meeting"),
                               pk=answer_id, registration=registration)
    return answer_file_response(answer)


@meeting_access_required(Capability.REVIEW)
def registration_name(request, slug, pk, access):
    """Correct how the person's name is written: the Latin letters proposed for a name only in Lao, a typo."""
    registration = _visible_registration(request, access, pk)
    form = RegistrationNameForm(request.POST if request.method == "POST" else None, registration=registration)
    if request.method == "POST" and form.is_valid():
        try:
            names.correct_registration_name(registration_id=registration.pk, actor=request.user, **form.cleaned_data)
        except RegistrationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The name is saved."))
            return redirect("organizer:registration", access.meeting.slug, registration.pk)
    return render(request, "registration/organizer/registration_name.html",
                  {"access": access, "tab": "registrations", "registration": registration, "form": form})


def _offers(registration, action) -> bool:
    """Whether the detail page offers `action` for the registration in its present state."""
    if action == "approve" and registration.category.needs_endorsement and registration.endorsed_at is None:
        return False  # the page says it waits for the focal point; approve_registration would refuse
    if action in ("approve", "reject", "waitlist", "cancel"):
        target = {"approve": "approved", "reject": "rejected", "waitlist": "waitlisted", "cancel": "cancelled"}[action]
        return registration.can_become(target)
    if action == "change_category":
        return registration.status != Registration.Status.CANCELLED
    return registration.status in Registration.ACTIVE


def _decide_one(request, access, registration):
    action = request.POST.get("action", "")
    if action not in bulk.ACTIONS:
        raise Http404("no such action")
    reason = request.POST.get("reason", "").strip()[:2000]
    try:
        validate_plain_text(reason)  # read without a form: the same rule as every text field
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("organizer:registration", access.meeting.slug, registration.pk)
    if action == "reject" and not reason:
        messages.error(request, _("Please write the reason for the rejection: the person reads it."))
        return redirect("organizer:registration", access.meeting.slug, registration.pk)
    category = request.POST.get("category", "")
    seen = parse_datetime(request.POST.get("seen", "")) if request.POST.get("seen") else None
    try:
        bulk.decide(action, registration_id=registration.pk, actor=request.user, unchanged_since=seen,
                    reason=reason, category_id=as_id(category))
    except RegistrationError as error:
        messages.error(request, str(bulk.skip_reason(error.code) if error.code in bulk.SKIP_REASONS else error.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": bulk.ACTIONS[action]})
    return redirect("organizer:registration", access.meeting.slug, registration.pk)


@require_POST
@meeting_access_required(Capability.REVIEW, Capability.MANAGE)
def bulk_action(request, slug, access):
    form = BulkActionForm(request.POST, meeting=access.meeting)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back_to_list(request, access))
    action = form.cleaned_data["action"]
    if action == "message" and not access.can_manage:
        access.deny(request, "bulk_message")
    if form.cleaned_data["scope"] == "matching":
        # The filter as it was on the page (its fields come back as hidden inputs of the form).
        _form, queryset = _filtered(request, access, data=request.POST)
        rows = list(queryset.values_list("pk", "updated_at")[:BULK_LIMIT + 1])
        if len(rows) > BULK_LIMIT:
            messages.error(request, _("A bulk action takes at most %(limit)d registrations. Please narrow the filter.")
                           % {"limit": BULK_LIMIT})
            return redirect(_back_to_list(request, access))
    else:
        rows = parse_rows(request.POST.getlist("row"))
    if not rows:
        messages.error(request, _("Please tick at least one registration."))
        return redirect(_back_to_list(request, access))
    if action == "message":
        return _compose(request, access, MessageForm(), [pk for pk, _seen in rows])
    job = bulk.start_bulk_action(
        meeting=access.meeting, actor=request.user, action=action, rows=rows,
        reason=form.cleaned_data["reason"].strip(), category_id=form.cleaned_data["new_category"], language=get_language(),
    )
    # Its own result page, not the job's: that page ends by naming each registration skipped and why.
    return redirect("organizer:bulk_result", access.meeting.slug, job.pk)


def _back_to_list(request, access):
    url = reverse("organizer:registrations", args=[access.meeting.slug])
    query = QueryDict(request.POST.get("query", "")).urlencode()  # encoded again: no raw byte reaches the header
    return f"{url}?{query}" if query else url


@meeting_access_required(Capability.REVIEW, Capability.MANAGE)
def bulk_result(request, slug, job_id, access):
    job = get_object_or_404(Job, pk=job_id, meeting=access.meeting, kind__startswith="registration.bulk_")
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        access.deny(request, "bulk_result")
    summary = job.summary or {}
    skipped = summary.get("skipped", [])
    names = {r.pk: r for r in selectors.registrations_seen_by(access).select_related("delegation__organization", "delegation__meeting")
             .filter(pk__in=[row["id"] for row in skipped])}
    rows = [{"registration": names.get(row["id"]), "id": row["id"], "why": bulk.skip_reason(row["code"])} for row in skipped]
    return render(request, "registration/organizer/bulk_result.html", {
        "access": access, "tab": "registrations", "job": job, "done": len(summary.get("done", [])), "skipped": rows,
        "action": bulk.ACTIONS.get(summary.get("action", ""), ""),
    })


def _recipients(request, access, ids=None):
    """The registrations a message goes to: the ticked ones (`ids`, or the form's), else the filter (default:
    the active ones)."""
    if ids is None:
        ids = [pk for pk in map(as_id, request.POST.getlist("ids")) if pk is not None]
    if ids:
        queryset = selectors.in_protocol_order(selectors.registrations_seen_by(access).filter(pk__in=ids))
        return None, queryset, ids
    data = request.POST if request.method == "POST" else request.GET
    form = RegistrationFilterForm(data if data.get("status") is not None else {"status": "active"},
                                  access=access, with_active=True)
    filters = form.filters()
    queryset = selectors.registrations_for_organizers(selectors.registrations_seen_by(access), **filters)
    if form.only_active:
        queryset = queryset.filter(status__in=Registration.ACTIVE)
    return form, queryset, []


def _compose(request, access, form, ids=None, preview=None, count=None):
    filter_form, recipients, ids = _recipients(request, access, ids)
    return render(request, "registration/organizer/message_new.html", {
        "access": access, "tab": "messages", "form": form, "filter_form": filter_form, "ids": ids,
        "count": recipients.count() if count is None else count, "preview": preview,
        "placeholders": messaging.PLACEHOLDERS,
    })


@meeting_access_required(Capability.MANAGE)
def message_new(request, slug, access):
    if request.method != "POST":
        return _compose(request, access, MessageForm())
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _compose(request, access, form)
    _filter_form, recipients, _ids = _recipients(request, access)
    count = recipients.count()
    if "send" in request.POST:
        if not count:
            form.add_error(None, _("No participant matches the recipients you chose."))
            return _compose(request, access, form, count=0)
        job = messaging.start_message_job(
            meeting=access.meeting, actor=request.user, draft=form.draft(),
            registration_ids=list(recipients.values_list("pk", flat=True)), language=get_language(),
        )
        return redirect(job)
    first = recipients.select_related("meeting").first()
    preview = None
    if first is not None:
        preview = {"registration": first, "email": messaging.render_message(first, form.draft(), masked=True)}
    return _compose(request, access, form, preview=preview, count=count)


@meeting_access_required(Capability.REVIEW, Capability.MANAGE)
def audit_log(request, slug, access):
    events = AuditEvent.objects.filter(meeting=access.meeting).select_related("registration", "actor")
    form = AuditFilterForm(request.GET or None)
    kind = form.kind_prefix()
    if kind:
        events = events.filter(kind__startswith=kind)
    kinds = (AuditEvent.objects.filter(meeting=access.meeting).order_by("kind").values_list("kind", flat=True).distinct())
    query = request.GET.copy()
    query.pop("page", None)
    page = _page(request, events, AUDIT_PAGE_SIZE)
    page.object_list = with_changes(page.object_list)
    return render(request, "registration/organizer/audit_log.html", {
        "access": access, "tab": "audit", "page": page, "kind": kind, "form": form,
        "kinds": list(kinds), "query": query.urlencode(),
    })
