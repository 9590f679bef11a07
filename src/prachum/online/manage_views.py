"""Organizer pages of the online settings: /<lang>/manage/<slug>/online/….

Thin views: the role is checked by meeting_access_required (MANAGE for settings and reminders, REVIEW
for attendance); a form checks shape; a service of online.services writes and audits.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prachum.meetings.permissions import Capability, meeting_access_required
from prachum.meetings.selectors import programme
from prachum.online import selectors, services
from prachum.online.forms import OnlineRoomForm, ReminderRuleForm
from prachum.online.models import OnlineRoom, Provider, ReminderRule


def _page(request, access, template, **context):
    return render(request, f"online/manage/{template}", {"access": access, "tab": "online", "meeting": access.meeting, **context})


@meeting_access_required(Capability.MANAGE)
def index(request, slug, access):
    meeting = access.meeting
    rooms = {room.session_id: room for room in OnlineRoom.objects.filter(meeting=meeting).prefetch_related("moderator_categories")}
    return _page(
        request, access, "index.html",
        meeting_room=rooms.get(None),
        sessions=[(s, rooms.get(s.pk)) for s in programme(meeting)],
        rules=ReminderRule.objects.filter(meeting=meeting),
        rule_form=ReminderRuleForm(),
        attendance=selectors.attendance_by_session(meeting),
        has_bbb=any(room.provider == Provider.BIGBLUEBUTTON for room in rooms.values()),
    )


@meeting_access_required(Capability.MANAGE)
def room(request, slug, access, session_id=None):
    meeting = access.meeting
    session = get_object_or_404(meeting.sessions, pk=session_id) if session_id else None
    instance = OnlineRoom.objects.filter(meeting=meeting, session=session).first()
    form = OnlineRoomForm(request.POST or None, instance=instance or OnlineRoom(meeting=meeting, session=session), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_online_room(
                meeting=meeting, session=session,
                values={name: form.cleaned_data[name] for name in services.ROOM_FIELDS},
                secret=form.cleaned_data.get("secret"), moderator_categories=form.cleaned_data["moderator_categories"],
                actor=request.user,
            )
        except ValidationError as exc:
            for name, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The online settings are saved."))
            return redirect("online_manage:index", slug=meeting.slug)
    return _page(request, access, "room.html", form=form, session=session, room=instance)


@require_POST
@meeting_access_required(Capability.MANAGE)
def room_delete(request, slug, access, session_id):
    room = get_object_or_404(OnlineRoom, meeting=access.meeting, session_id=session_id)
    services.delete_online_room(room=room, actor=request.user)
    messages.success(request, _("The session now uses the meeting's online settings."))
    return redirect("online_manage:index", slug=access.meeting.slug)


@require_POST
@meeting_access_required(Capability.MANAGE)
def rule_add(request, slug, access):
    form = ReminderRuleForm(request.POST)
    if form.is_valid():
        try:
            services.add_reminder_rule(meeting=access.meeting, minutes_before=form.minutes_before(), actor=request.user)
        except services.OnlineError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The reminder is added."))
    else:
        messages.error(request, _("Give a whole number from 1 to 10,000 and a unit."))
    return redirect("online_manage:index", slug=access.meeting.slug)


@require_POST
@meeting_access_required(Capability.MANAGE)
def rule_delete(request, slug, access, rule_id):
    rule = get_object_or_404(ReminderRule, meeting=access.meeting, pk=rule_id)
    services.delete_reminder_rule(rule=rule, actor=request.user)
    messages.success(request, _("The reminder is removed; reminders not yet sent will not go out."))
    return redirect("online_manage:index", slug=access.meeting.slug)


@require_POST
@meeting_access_required(Capability.MANAGE)
def fetch_attendance(request, slug, access):
    counts = services.fetch_provider_attendance(meeting=access.meeting)
    messages.success(request, _("Read the attendee lists of %(sessions)d sessions: %(new)d new online attendances.")
                     % {"sessions": counts["sessions"], "new": counts["new"]})
    return redirect("online_manage:index", slug=access.meeting.slug)


@meeting_access_required(Capability.REVIEW)
def attendance(request, slug, access, session_id):
    session = get_object_or_404(access.meeting.sessions, pk=session_id)
    rows = selectors.session_attendance(access.meeting, session)
    return _page(
        request, access, "attendance.html", session=session, rows=rows,
        in_person=sum(1 for r in rows if r.checked_in_at), online=sum(1 for r in rows if r.joined_at),
    )
