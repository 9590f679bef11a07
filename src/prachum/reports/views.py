"""Organizer pages of reports, outcome, news and documents; and the file views that check who asks.

Reading reports needs REVIEW (or MANAGE); writing the outcome and news, adding photos and documents
needs MANAGE. Focal points do not see these pages: the statistics and lists cover every delegation.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from prachum.jobs.services import start_job
from prachum.meetings.models import Document
from prachum.meetings.permissions import Capability, MeetingAccess, meeting_access_required
from prachum.meetings.selectors import PUBLIC_STATUSES, programme
from prachum.registration.models import Registration
from prachum.registration.selectors import registration_by_manage_token
from prachum.reports import forms, selectors, services, statistics
from prachum.reports import news as news_draft
from prachum.reports.errors import ReportsError
from prachum.reports.files_job import BACKGROUND_FROM, build_report_file
from prachum.reports.models import NewsItem, Outcome, Photo
from prachum.reports.news import credit_lines
from prachum.reports.pdf import PDF_TYPE, render_pdf

READ = (Capability.REVIEW, Capability.MANAGE)

REPORT_LABELS = {
    "list_of_participants": gettext_lazy("List of Participants"),
    "sign_in_sheet": gettext_lazy("Sign-in sheet"),
    "attendance": gettext_lazy("Attendance"),
    "statistics": gettext_lazy("Statistics"),
}


def _file_response(name: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _deliver(request, access: MeetingAccess, *, report: str, language: str, options: dict):
    """Small files at once; for big meetings a background job and its progress page."""
    meeting = access.meeting
    approved = Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED).count()
    if approved >= BACKGROUND_FROM:
        job = start_job(
            kind=f"reports.{report}", function="prachum.reports.files_job.report_file_job",
            params={"report": report, "meeting_id": meeting.pk, "language": language, "options": options},
            meeting=meeting, user=request.user, label=REPORT_LABELS[report],
        )
        return redirect(job.get_absolute_url())
    return _file_response(*build_report_file(meeting, report=report, language=language, options=options))


@require_safe
@meeting_access_required(*READ)
def index(request, slug, access):
    meeting = access.meeting
    language = get_language() if get_language() in ("lo", "en") else "lo"
    return render(request, "reports/index.html", {
        "access": access, "tab": "reports", "meeting": meeting,
        "lop_form": forms.ListOfParticipantsForm(
            initial={"language": language}, consent_question=selectors.email_consent_question(meeting),
        ),
        "attendance_form": forms.AttendanceForm(initial={"language": language}),
        "language_form": forms.LanguageForm(initial={"language": language}),
        "sessions": programme(meeting),
        "approved": Registration.objects.filter(meeting=meeting, status=Registration.Status.APPROVED).count(),
    })


@require_safe
@meeting_access_required(*READ)
def list_of_participants(request, slug, access):
    form = forms.ListOfParticipantsForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a language and a file type."))
        return redirect("reports:index", slug)
    data = form.cleaned_data
    return _deliver(request, access, report="list_of_participants", language=data["language"], options={
        "file_format": data["file_format"], "attended_only": data["attended_only"],
        "host_first": data["host_first"], "with_email": data["with_email"],
    })


@require_safe
@meeting_access_required(*READ)
def sign_in_sheet(request, slug, access, session_id=None):
    form = forms.LanguageForm(request.GET)
    language = form.cleaned_data["language"] if form.is_valid() else "lo"
    if session_id is not None:
        get_object_or_404(access.meeting.sessions, pk=session_id)
    return _deliver(request, access, report="sign_in_sheet", language=language, options={"session_id": session_id})


@require_safe
@meeting_access_required(*READ)
def attendance(request, slug, access):
    form = forms.AttendanceForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a language and a file type."))
        return redirect("reports:index", slug)
    return _deliver(request, access, report="attendance", language=form.cleaned_data["language"],
                    options={"file_format": form.cleaned_data["file_format"]})


@require_safe
@meeting_access_required(*READ)
def statistics_page(request, slug, access):
    form = forms.StatisticsForm(request.GET)
    scope = form.cleaned_data.get("scope") if form.is_valid() else ""
    language = get_language() if get_language() in ("lo", "en") else "lo"
    stats = statistics.meeting_statistics(access.meeting, language=language, scope=scope or "approved")
    return render(request, "reports/statistics.html", {
        "access": access, "tab": "reports", "meeting": access.meeting, "stats": stats, "form": form,
    })


@require_safe
@meeting_access_required(*READ)
def statistics_xlsx(request, slug, access):
    form = forms.StatisticsForm(request.GET)
    scope = (form.cleaned_data.get("scope") if form.is_valid() else "") or "approved"
    language = get_language() if get_language() in ("lo", "en") else "lo"
    return _file_response(*statistics.statistics_xlsx(access.meeting, language=language, scope=scope))


# ---------------------------------------------------------------- outcome, news, photos


@meeting_access_required(Capability.MANAGE)
def news(request, slug, access):
    meeting = access.meeting
    item = services.news_item_for_editing(meeting)
    outcome = Outcome.objects.filter(meeting=meeting).first()
    outcome_form = forms.OutcomeForm(instance=outcome)
    news_form = forms.NewsItemForm(instance=item)
    figures = selectors.participant_figures(meeting)
    draft_form = forms.NewsDraftForm(meeting=meeting, figures=figures,
                                     initial={"count": news_draft.default_count(meeting, figures)})
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "outcome":
            outcome_form = forms.OutcomeForm(request.POST, instance=outcome)
            if outcome_form.is_valid():
                services.save_outcome(meeting=meeting, actor=request.user, values=outcome_form.cleaned_data)
                messages.success(request, _("The outcome is saved."))
                return redirect("reports:news", slug)
        elif action in ("save", "publish", "unpublish"):
            news_form = forms.NewsItemForm(request.POST, instance=item)
            if news_form.is_valid():
                publish = {"save": None, "publish": True, "unpublish": False}[action]
                try:
                    services.save_news_item(meeting=meeting, actor=request.user, values=news_form.cleaned_data,
                                            publish=publish)
                except ReportsError as error:
                    messages.error(request, error.message)
                else:
                    messages.success(request, {
                        "save": _("The news item is saved."),
                        "publish": _("The news item is published on the meeting page."),
                        "unpublish": _("The news item is no longer on the meeting page."),
                    }[action])
                    return redirect("reports:news", slug)
        elif action == "redraft":
            # Start again from Prachum's draft (after the outcome was written, say); nothing is saved yet.
            # The figures count whom the organizer chose: approved participants or those who attended.
            draft_form = forms.NewsDraftForm(request.POST, meeting=meeting, figures=figures)
            count = draft_form.cleaned_data["count"] if draft_form.is_valid() else None
            news_form = forms.NewsItemForm(instance=services.drafted_news_item(meeting, count=count))
            messages.success(request, _("A new draft is in the form below. Save it to keep it."))
        else:
            return HttpResponse(status=400)
    return render(request, "reports/news.html", {
        "access": access, "tab": "reports", "meeting": meeting, "item": item,
        "outcome_form": outcome_form, "news_form": news_form, "draft_form": draft_form,
        "photo_form": forms.PhotoForm(),
        "photos": list(Photo.objects.filter(meeting=meeting)),
    })


@require_POST
@meeting_access_required(Capability.MANAGE)
def photo_add(request, slug, access):
    form = forms.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to add."))
        return redirect("reports:news", slug)
    try:
        services.add_photo(meeting=access.meeting, actor=request.user, uploaded=form.cleaned_data["image"],
                           caption_lo=form.cleaned_data["caption_lo"], caption_en=form.cleaned_data["caption_en"])
    except ReportsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The photo is added."))
    return redirect("reports:news", slug)


@require_POST
@meeting_access_required(Capability.MANAGE)
def photo_delete(request, slug, photo_id, access):
    try:
        services.delete_photo(meeting=access.meeting, actor=request.user, photo_id=photo_id)
    except ReportsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The photo is removed."))
    return redirect("reports:news", slug)


@require_safe
def photo(request, slug, photo_id):
    """A photo of the meeting: for everyone once the news item is published, else for organizers."""
    item = get_object_or_404(Photo.objects.select_related("meeting"), pk=photo_id, meeting__slug=slug)
    meeting = item.meeting
    published = meeting.status in PUBLIC_STATUSES and NewsItem.objects.filter(
        meeting=meeting, published_at__isnull=False
    ).exists()
    if not published:
        access = MeetingAccess.of(request.user, meeting)
        if not (access.can_manage or access.can_review):
            raise Http404("no such photo")
    response = FileResponse(item.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600" if published else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@meeting_access_required(*READ)
def news_pdf(request, slug, access):
    form = forms.LanguageForm(request.GET)
    language = form.cleaned_data["language"] if form.is_valid() else "lo"
    meeting = access.meeting
    item = services.news_item_for_editing(meeting)
    photos = list(Photo.objects.filter(meeting=meeting))
    content = render_pdf("reports/pdf/news.html", {
        "title": getattr(item, f"title_{language}") or item.title,
        "body": getattr(item, f"body_{language}") or item.body,
        "credits": credit_lines(language, getattr(item, f"text_by_{language}") or "",
                                getattr(item, f"photos_by_{language}") or ""),
        "photos": [(p, Path(p.image.path).as_uri()) for p in photos], "item": item,
    }, meeting=meeting, language=language)
    return _file_response(f"{meeting.slug}-news-{language}.pdf", PDF_TYPE, content)


# ---------------------------------------------------------------- documents


@meeting_access_required(*READ)
def documents(request, slug, access):
    meeting = access.meeting
    form = forms.DocumentForm()
    if request.method == "POST":
        if not access.can_manage:
            access.deny(request, "documents.upload")
        form = forms.DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.upload_document(meeting=meeting, actor=request.user, uploaded=data["file"],
                                         title_lo=data["title_lo"], title_en=data["title_en"],
                                         visibility=data["visibility"])
            except ReportsError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("The document is added."))
                return redirect("reports:documents", slug)
    return render(request, "reports/documents.html", {
        "access": access, "tab": "documents", "meeting": meeting, "form": form,
        "documents": list(Document.objects.filter(meeting=meeting).order_by("order", "pk")),
        "visibilities": Document.Visibility.choices,
    })


@require_POST
@meeting_access_required(Capability.MANAGE)
def document_change(request, slug, document_id, access):
    try:
        if request.POST.get("action") == "delete":
            services.delete_document(meeting=access.meeting, actor=request.user, document_id=document_id)
            messages.success(request, _("The document is removed."))
        else:
            services.change_document_visibility(meeting=access.meeting, actor=request.user, document_id=document_id,
                                                visibility=request.POST.get("visibility", ""))
            messages.success(request, _("Who may see the document is changed."))
    except ReportsError as error:
        messages.error(request, error.message)
    return redirect("reports:documents", slug)


def _document_response(document: Document) -> FileResponse:
    extension = document.file.name.rsplit(".", 1)[-1]
    # Inline only what browsers show safely; Office files are downloaded.
    inline = document.content_type == "application/pdf" or document.content_type.startswith("image/")
    filename = f"{document.meeting.slug}-{document.pk}.{extension}"
    response = FileResponse(document.file.open("rb"), as_attachment=not inline, filename=filename,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "public, max-age=600" if document.visibility == Document.Visibility.PUBLIC else "private, no-store"
    return response


@require_safe
def document(request, slug, document_id):
    """A document for the public (public ones of a public meeting) or for the meeting's organizers."""
    item = get_object_or_404(Document.objects.select_related("meeting"), pk=document_id, meeting__slug=slug)
    if item.visibility == Document.Visibility.PUBLIC and item.meeting.status in PUBLIC_STATUSES:
        return _document_response(item)
    access = MeetingAccess.of(request.user, item.meeting)
    if access.can_manage or access.can_review:
        return _document_response(item)
    if access.is_focal_point and item.visibility == Document.Visibility.PARTICIPANTS:
        return _document_response(item)
    raise Http404("no such document")


@require_safe
def participant_document(request, slug, document_id, token):
    """A document through a participant's private link: public ones, and participants' ones once approved."""
    registration = registration_by_manage_token(token)
    item = Document.objects.select_related("meeting").filter(pk=document_id, meeting__slug=slug).first()
    allowed = (
        registration is not None and item is not None and registration.meeting_id == item.meeting_id
        and (item.visibility == Document.Visibility.PUBLIC
             or (item.visibility == Document.Visibility.PARTICIPANTS
                 and registration.status == Registration.Status.APPROVED))
    )
    if not allowed:
        response = render(request, "404.html", status=404)
        response._has_been_logged = True  # the address holds a private token: keep it out of the log
        return response
    response = _document_response(item)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
