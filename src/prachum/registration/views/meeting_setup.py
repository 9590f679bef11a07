"""The meeting setup pages that involve registrations, in the setup's URL namespace (meeting_setup):
its questions, whose live preview is the registration form, and cancelling the meeting, which cancels its
registrations. The other setup pages are meetings' (meetings/manage_views.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prachum.core.bilingual import LANGUAGE_CODES
from prachum.meetings import setup
from prachum.meetings.forms import TIME_ZONES, ConfirmForm, MeetingForm, QuestionForm
from prachum.meetings.manage_views import setup_page, show_refusal
from prachum.meetings.models import CustomQuestion, CustomQuestionVersion, QuestionKind
from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.registration.forms import RegistrationForm, active_questions, condition_value
from prachum.registration.services.meeting_cancellation import cancel_meeting


@require_POST
@meeting_access_required(Capability.MANAGE)
def cancel(request, slug, access):
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return setup_page(request, access, "settings.html", "settings", form=MeetingForm(meeting=access.meeting),
                          time_zones=TIME_ZONES, missing=setup.missing_for_publishing(access.meeting), cancel_form=form)
    try:
        meeting, job = cancel_meeting(meeting_id=access.meeting.pk, actor=request.user)
    except setup.SetupError as exc:
        messages.error(request, exc.message)
        return redirect("meeting_setup:setup", slug)
    messages.success(request, _("The meeting is cancelled. Every participant is being told."))
    return redirect(job.get_absolute_url()) if job else redirect("meeting_setup:setup", slug)


# -- questions and their live preview -------------------------------------------------------------

def _questions(meeting):
    return list(meeting.questions.filter(current_version__isnull=False).select_related("current_version")
                .order_by("order", "pk"))


class _DraftSpec:
    """A question as the registration form needs it (registration.forms.QuestionSpec), built from a draft
    version that is not saved, so that the preview shows it before the organizer saves."""

    def __init__(self, key, version, category_ids, controller_key):
        self.key, self.version, self.kind = key, version, version.kind
        self.field_name = f"q_{key}"
        self.question = None
        self.category_ids = sorted(category_ids)
        self.controller_key = controller_key
        self.condition_value = condition_value(version.show_if_value) if controller_key else ""

    @property
    def is_file(self):
        return self.kind in (QuestionKind.FILE, QuestionKind.PHOTO)


def _preview_specs(meeting, draft: QuestionForm | None):
    """The meeting's active questions, with the draft in place of (or after) the one being edited."""
    specs = active_questions(meeting)
    if draft is None:
        return specs
    data = draft.cleaned_data
    version = CustomQuestionVersion(**{k: data.get(k) for k in (
        "kind", "label_lo", "label_en", "help_lo", "help_en", "choices", "is_required", "is_sensitive", "show_if_value")})
    version.choices = version.choices or []
    key = draft.question.key if draft.question else data.get("key") or "draft"
    controller = data.get("show_if_question")
    spec = _DraftSpec(key, version, [c.pk for c in data.get("categories") or []], controller.key if controller else None)
    replaced = [spec if s.key == key else s for s in specs]
    if not data.get("is_active"):
        return [s for s in replaced if s.key != key]
    return replaced if any(s.key == key for s in specs) else [*specs, spec]


def _render_previews(request, meeting, specs):
    previews = []
    for code in LANGUAGE_CODES:
        with translation.override(code):
            form = RegistrationForm(meeting=meeting, questions=specs, prefix=f"preview-{code}")
            previews.append({"language": code, "html": render_to_string(
                "meetings/manage/_question_preview.html", {"form": form, "language": code}, request=request)})
    return previews


@meeting_access_required(Capability.MANAGE)
def questions(request, slug, access, pk=None, new=False):
    meeting = access.meeting
    item = get_object_or_404(CustomQuestion.objects.select_related("current_version"), pk=pk, meeting=meeting) if pk else None
    form = QuestionForm(request.POST or None, meeting=meeting, question=item) if (item or new) else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            setup.save_question(meeting_id=meeting.pk, actor=request.user, question_id=item.pk if item else None,
                                key=form.cleaned_data["key"], **form.service_values())
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The question is saved. Answers given before keep the wording they answered."))
            return redirect("meeting_setup:questions", meeting.slug)
    draft = form if form is not None and form.is_bound and form.is_valid() else None
    return setup_page(request, access, "questions.html", "questions", form=form, item=item, items=_questions(meeting),
                      previews=_render_previews(request, meeting, _preview_specs(meeting, draft)))


@require_POST
@meeting_access_required(Capability.MANAGE)
def question_preview(request, slug, access, pk=None):
    """htmx: the public form's questions in both languages, with the draft as the organizer has typed it."""
    meeting = access.meeting
    item = get_object_or_404(CustomQuestion, pk=pk, meeting=meeting) if pk else None
    form = QuestionForm(request.POST, meeting=meeting, question=item)
    draft = form if form.is_valid() else None
    return render(request, "meetings/manage/_question_previews.html", {
        "previews": _render_previews(request, meeting, _preview_specs(meeting, draft)),
        "draft_invalid": draft is None,
    })
