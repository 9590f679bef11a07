"""The organizer area's meeting setup: /<lang>/manage/new/ and /<lang>/manage/<slug>/setup/….

Thin views: the role is checked by meeting_access_required (Capability.MANAGE for every setup page);
a form checks shape; one service of meetings.setup writes. A SetupError or a model ValidationError
comes back beside the field it concerns, and the form keeps everything the organizer typed.
The setup pages that involve registrations are registration's (registration/views/meeting_setup.py,
in the same URL namespace, meeting_setup).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prachum.accounts.roles import CREATE_MEETINGS_ACTION, may_create_meetings
from prachum.core.bilingual import LANGUAGE_CODES
from prachum.core.validators import as_id

from . import setup
from .email_texts import PLACEHOLDERS, preview
from .forms import (
    TIME_ZONES, AgendaItemForm, CategoryForm, CloneForm, ConfirmForm, DelegationForm, EmailTextForm, MeetingForm,
    RoleForm, SessionForm,
)
from .models import AgendaItem, Category, Delegation, EmailText, EmailTextKind, Meeting, MeetingRole, Role, Session
from .permissions import Capability, meeting_access_required


def show_refusal(form, exc) -> None:
    """Put a service's refusal beside the field it concerns (or above the form)."""
    if isinstance(exc, setup.SetupError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def setup_page(request, access, template, tab, **context):
    return render(request, f"meetings/manage/{template}", {"access": access, "tab": "setup", "setup_tab": tab,
                                                           "meeting": access.meeting, **context})


# -- new meetings ------------------------------------------------------------------------------------

def _creator_required(request):
    if not may_create_meetings(request.user):
        raise PermissionDenied(CREATE_MEETINGS_ACTION)


@login_required
def new_meeting(request):
    _creator_required(request)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = setup.create_meeting(actor=request.user, **form.cleaned_data)
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The meeting is saved as a draft. Add its sessions, categories and delegations next."))
            return redirect("meeting_setup:sessions", meeting.slug)
    return render(request, "meetings/manage/new.html", {"form": form, "time_zones": TIME_ZONES})


@login_required
def copy_meeting(request):
    _creator_required(request)
    meetings = _meetings_managed(request.user)
    # "Copy for next year" on a meeting's setup page links here with ?source=<its id>.
    source = as_id(request.GET.get("source", ""))
    form = CloneForm(request.POST or None, meetings=meetings,
                     initial=CloneForm.next_year(meetings.filter(pk=source).first() if source else None))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = setup.clone_meeting(source_id=data["source"].pk, actor=request.user, slug=data["slug"],
                                          starts_on=data["starts_on"], title_lo=data["title_lo"], title_en=data["title_en"])
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The copy is saved as a draft. Check its dates, then add focal points."))
            return redirect("meeting_setup:setup", meeting.slug)
    return render(request, "meetings/manage/copy.html", {"form": form})


def _meetings_managed(user):
    """The meetings `user` may copy: where they are owner or manager (every meeting for an administrator)."""
    meetings = Meeting.objects.order_by("-starts_at")
    if user.is_superuser:
        return meetings
    return meetings.filter(pk__in=MeetingRole.objects.filter(user=user, role__in=[Role.OWNER, Role.MANAGER])
                           .values("meeting_id"))


# -- the meeting's settings and status -------------------------------------------------------------

@meeting_access_required(Capability.MANAGE)
def meeting_settings(request, slug, access):
    meeting = access.meeting
    form = MeetingForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = setup.update_meeting(meeting_id=meeting.pk, actor=request.user, **form.cleaned_data)
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The meeting's settings are saved."))
            return redirect("meeting_setup:setup", meeting.slug)
    return setup_page(request, access, "settings.html", "settings", form=form, time_zones=TIME_ZONES,
                      missing=setup.missing_for_publishing(meeting), cancel_form=ConfirmForm())


def _status_action(request, access, service, done_message):
    try:
        result = service(meeting_id=access.meeting.pk, actor=request.user)
    except setup.SetupError as exc:
        messages.error(request, exc.message)
        return redirect("meeting_setup:setup", access.meeting.slug)
    messages.success(request, done_message)
    return result


@require_POST
@meeting_access_required(Capability.MANAGE)
def publish(request, slug, access):
    result = _status_action(request, access, setup.publish_meeting, _("The meeting is published: its page is public."))
    return redirect("meeting_setup:setup", slug) if isinstance(result, Meeting) else result


@require_POST
@meeting_access_required(Capability.MANAGE)
def close(request, slug, access):
    result = _status_action(request, access, setup.close_registration, _("Registration is closed."))
    return redirect("meeting_setup:setup", slug) if isinstance(result, Meeting) else result


# -- sessions, categories, delegations ------------------------------------------------------------

def _item_view(request, access, *, tab, form_class, model, pk, service, service_kwarg, list_template, context_items,
               form_kwarg, done_message, delete_service=None, extra_context=None):
    meeting = access.meeting
    item = get_object_or_404(model, pk=pk, meeting=meeting) if pk else None
    form = form_class(request.POST or None, meeting=meeting, **{form_kwarg: item})
    if request.method == "POST" and form.is_valid():
        try:
            service(meeting_id=meeting.pk, actor=request.user, **({service_kwarg: item.pk} if item else {}),
                    **form.cleaned_data)
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, done_message)
            return redirect(f"meeting_setup:{tab}", meeting.slug)
    return setup_page(request, access, list_template, tab, form=form, item=item, items=context_items(meeting),
                      **(extra_context(item) if extra_context else {}))


def _delete_view(request, access, *, tab, model, pk, service, service_kwarg, done_message):
    item = get_object_or_404(model, pk=pk, meeting=access.meeting)
    try:
        service(meeting_id=access.meeting.pk, actor=request.user, **{service_kwarg: item.pk})
    except setup.SetupError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done_message)
    return redirect(f"meeting_setup:{tab}", access.meeting.slug)


def _sessions_in_order(meeting):
    return meeting.sessions.order_by("starts_at", "order").prefetch_related("agenda_items")


def _agenda_context(access, session, agenda_form=None, agenda_item=None) -> dict:
    """The agenda part of a session's page: its items and the form to add one (or change `agenda_item`)."""
    if session is None:
        return {}
    return {
        "agenda": session.agenda_items.order_by("order", "pk"),
        "agenda_item": agenda_item,
        "agenda_form": agenda_form or AgendaItemForm(meeting=access.meeting, session=session, agenda_item=agenda_item),
    }


@meeting_access_required(Capability.MANAGE)
def sessions(request, slug, access, pk=None):
    return _item_view(request, access, tab="sessions", form_class=SessionForm, model=Session, pk=pk,
                      service=setup.save_session, service_kwarg="session_id", list_template="sessions.html",
                      context_items=_sessions_in_order, form_kwarg="session",
                      done_message=_("The session is saved."),
                      extra_context=lambda session: _agenda_context(access, session))


@meeting_access_required(Capability.MANAGE)
def agenda_item(request, slug, access, session_pk, pk=None):
    """A session's page with the form of one agenda item: a new one (POST to add), or `pk` to change."""
    meeting = access.meeting
    session = get_object_or_404(Session, pk=session_pk, meeting=meeting)
    item = get_object_or_404(AgendaItem, pk=pk, session=session) if pk else None
    if request.method == "GET" and item is None:
        return redirect(reverse("meeting_setup:session", args=[meeting.slug, session.pk]) + "#agenda")
    form = AgendaItemForm(request.POST or None, meeting=meeting, session=session, agenda_item=item)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            setup.save_agenda_item(meeting_id=meeting.pk, actor=request.user, session_id=session.pk,
                                   agenda_item_id=item.pk if item else None, **data)
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The agenda item is saved."))
            return redirect(reverse("meeting_setup:session", args=[meeting.slug, session.pk]) + "#agenda")
    return setup_page(request, access, "sessions.html", "sessions", form=SessionForm(meeting=meeting, session=session),
                      item=session, items=_sessions_in_order(meeting), **_agenda_context(access, session, form, item))


@require_POST
@meeting_access_required(Capability.MANAGE)
def agenda_item_delete(request, slug, access, session_pk, pk):
    item = get_object_or_404(AgendaItem, pk=pk, session_id=session_pk, session__meeting=access.meeting)
    setup.delete_agenda_item(meeting_id=access.meeting.pk, actor=request.user, session_id=item.session_id,
                             agenda_item_id=item.pk)
    messages.success(request, _("The agenda item is deleted."))
    return redirect(reverse("meeting_setup:session", args=[access.meeting.slug, session_pk]) + "#agenda")


@require_POST
@meeting_access_required(Capability.MANAGE)
def session_delete(request, slug, access, pk):
    return _delete_view(request, access, tab="sessions", model=Session, pk=pk, service=setup.delete_session,
                        service_kwarg="session_id", done_message=_("The session is deleted."))


@meeting_access_required(Capability.MANAGE)
def categories(request, slug, access, pk=None):
    return _item_view(request, access, tab="categories", form_class=CategoryForm, model=Category, pk=pk,
                      service=setup.save_category, service_kwarg="category_id", list_template="categories.html",
                      context_items=lambda m: m.categories.order_by("order", "pk"), form_kwarg="category",
                      done_message=_("The category is saved."))


@require_POST
@meeting_access_required(Capability.MANAGE)
def category_delete(request, slug, access, pk):
    return _delete_view(request, access, tab="categories", model=Category, pk=pk, service=setup.delete_category,
                        service_kwarg="category_id", done_message=_("The category is deleted."))


def _delegations_with_focal_points(meeting):
    delegations = list(meeting.delegations.select_related("organization").order_by("organization__protocol_order", "pk"))
    roles = {}
    for role in MeetingRole.objects.filter(meeting=meeting, role=Role.FOCAL_POINT).select_related("user"):
        roles.setdefault(role.delegation_id, []).append(role.user)
    for delegation in delegations:
        delegation.focal_point_users = roles.get(delegation.pk, [])
    return delegations


@meeting_access_required(Capability.MANAGE)
def delegations(request, slug, access, pk=None):
    meeting = access.meeting
    item = get_object_or_404(Delegation.objects.select_related("organization"), pk=pk, meeting=meeting) if pk else None
    form = DelegationForm(request.POST or None, meeting=meeting, delegation=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = [{"email": email, "language": data["language"]} for email in data["focal_points"]]
        try:
            setup.save_delegation(meeting_id=meeting.pk, actor=request.user, delegation_id=item.pk if item else None,
                                  organization=data.get("organization"), quota=data["quota"], focal_points=people)
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            if people:
                messages.success(request, _("The delegation is saved, and its focal points are invited by email."))
            else:
                messages.success(request, _("The delegation is saved."))
            return redirect("meeting_setup:delegations", meeting.slug)
    return setup_page(request, access, "delegations.html", "delegations", form=form, item=item,
                      items=_delegations_with_focal_points(meeting))


@require_POST
@meeting_access_required(Capability.MANAGE)
def delegation_delete(request, slug, access, pk):
    return _delete_view(request, access, tab="delegations", model=Delegation, pk=pk, service=setup.delete_delegation,
                        service_kwarg="delegation_id", done_message=_("The delegation is deleted."))


# The questions (their preview is registration's form) and cancelling the meeting (it cancels the
# registrations) are registration's pages: registration/views/meeting_setup.py.

# -- email texts -----------------------------------------------------------------------------------

@meeting_access_required(Capability.MANAGE)
def emails(request, slug, access):
    meeting = access.meeting
    texts = {t.kind: t for t in meeting.email_texts.all()}
    rows = [{"kind": kind, "label": label, "text": texts.get(kind)} for kind, label in EmailTextKind.choices]
    return setup_page(request, access, "emails.html", "emails", rows=rows)


@meeting_access_required(Capability.MANAGE)
def email_edit(request, slug, access, kind):
    meeting = access.meeting
    if kind not in EmailTextKind.values:
        raise Http404
    text = EmailText.objects.filter(meeting=meeting, kind=kind).first()
    form = EmailTextForm(request.POST or None, text=text)
    if request.method == "POST" and form.is_valid() and request.POST.get("save"):
        try:
            setup.save_email_text(meeting_id=meeting.pk, actor=request.user, kind=kind, **form.cleaned_data)
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The email text is saved."))
            return redirect("meeting_setup:emails", meeting.slug)
    source = form.cleaned_data if form.is_bound and form.is_valid() else form.initial
    previews = [preview(meeting, code, subject=source.get(f"subject_{code}"), body=source.get(f"body_{code}"))
                for code in LANGUAGE_CODES]
    return setup_page(request, access, "email_edit.html", "emails", form=form, kind=kind,
                      kind_label=EmailTextKind(kind).label, previews=previews, placeholders=PLACEHOLDERS.items())


# -- roles -----------------------------------------------------------------------------------------

@meeting_access_required(Capability.MANAGE)
def roles(request, slug, access):
    meeting = access.meeting
    form = RoleForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            setup.give_role(meeting_id=meeting.pk, actor=request.user, role=data["role"], email=data["email"],
                            given_name=data["given_name"], family_name=data["family_name"], language=data["language"],
                            delegation_id=data["delegation"].pk if data["delegation"] else None)
        except (setup.SetupError, ValidationError) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("The role is given, and the person is told by email."))
            return redirect("meeting_setup:roles", meeting.slug)
    items = (MeetingRole.objects.filter(meeting=meeting)
             .select_related("user", "delegation__organization", "delegation__meeting").order_by("role", "user__email"))
    return setup_page(request, access, "roles.html", "roles", form=form, items=items)


@require_POST
@meeting_access_required(Capability.MANAGE)
def role_remove(request, slug, access, pk):
    item = get_object_or_404(MeetingRole, pk=pk, meeting=access.meeting)
    try:
        setup.remove_role(meeting_id=access.meeting.pk, actor=request.user, role_id=item.pk)
    except setup.SetupError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The role is taken away."))
    return redirect(reverse("meeting_setup:roles", args=[slug]))


@require_POST
@meeting_access_required(Capability.MANAGE)
def role_resend(request, slug, access, pk):
    item = get_object_or_404(MeetingRole, pk=pk, meeting=access.meeting)
    setup.resend_invitation(meeting_id=access.meeting.pk, actor=request.user, role_id=item.pk)
    messages.success(request, _("The email is sent again."))
    return redirect(reverse("meeting_setup:roles", args=[slug]))
