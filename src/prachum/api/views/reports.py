"""Read-only reports for other systems: who came (per session), the List of Participants, the figures.
The same selectors as the organizer's pages and PDFs, so every channel states the same numbers and order."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from prachum.checkin import selectors as checkin_selectors
from prachum.core.validators import as_id
from prachum.directory.models import Organization
from prachum.reports import selectors as report_selectors

from ..access import meeting_access


class NotYours(exceptions.PermissionDenied):
    default_detail = _("Only the meeting's organizers and reviewers read this.")
    default_code = "needs_review"


def _reviewer_access(request, slug):
    access = meeting_access(request, slug)
    if not (access.can_manage or access.can_review):
        raise NotYours()
    return access


def _language(request) -> str:
    language = request.query_params.get("language", "en")
    if language not in ("lo", "en"):
        raise exceptions.ValidationError({"language": [_("Choose lo or en.")]})
    return language


def _flag(request, name: str) -> bool:
    value = request.query_params.get(name, "false").lower()
    if value not in ("true", "false", "1", "0"):
        raise exceptions.ValidationError({name: [_("Use true or false.")]})
    return value in ("true", "1")


class AttendanceRow(serializers.Serializer):
    registration_id = serializers.IntegerField()
    name = serializers.CharField()
    delegation = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    by = serializers.CharField(help_text="the staff member who checked the person in, if not a device")
    device = serializers.CharField()
    conflicts = serializers.IntegerField(help_text="other devices' check-ins of the same person, kept aside")


class Attendance(APIView):
    @extend_schema(
        tags=["check-in"], summary="Who came, per session",
        parameters=[
            OpenApiParameter("session", int, description="a session's id; 0 or absent: the meeting as a whole"),
            OpenApiParameter("include_absent", bool, description="also the expected people who did not come"),
        ],
        responses=inline_serializer("AttendanceList", {"session": serializers.IntegerField(allow_null=True),
                                                       "came": serializers.IntegerField(),
                                                       "results": AttendanceRow(many=True)}),
    )
    def get(self, request, slug):
        access = _reviewer_access(request, slug)
        wanted = request.query_params.get("session", "0")
        session = None
        if wanted not in ("", "0"):
            session_id = as_id(wanted)
            session = access.meeting.sessions.filter(pk=session_id).first() if session_id else None
            if session is None:
                raise exceptions.ValidationError({"session": [_("No session of this meeting has this id.")]})
        rows = checkin_selectors.attendance(access.meeting, session, include_absent=_flag(request, "include_absent"))
        return Response({
            "session": session.pk if session else None,
            "came": sum(1 for r in rows if r.checked_in_at),
            "results": [{
                "registration_id": r.registration.pk, "name": r.registration.display_name("en"),
                "delegation": r.delegation, "checked_in_at": r.checked_in_at, "by": r.by, "device": r.device,
                "conflicts": len(r.conflicts),
            } for r in rows],
        })


class ListedPerson(serializers.Serializer):
    registration_id = serializers.IntegerField()
    honorific = serializers.CharField()
    name = serializers.CharField()
    other_name = serializers.CharField(help_text="in Lao lists: the Latin name under a Lao one")
    position = serializers.CharField()
    organization = serializers.CharField()
    category = serializers.CharField()
    is_head_of_delegation = serializers.BooleanField()
    participation = serializers.CharField()
    role = serializers.CharField(help_text="chair, co_chair or empty")


class ListedGroup(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    is_host = serializers.BooleanField()
    people = ListedPerson(many=True)


class DelegationFigures(serializers.Serializer):
    organization = serializers.DictField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class ListOfParticipants(APIView):
    @extend_schema(
        tags=["reports"], summary="The List of Participants, in protocol order",
        parameters=[
            OpenApiParameter("language", str, enum=["lo", "en"], description="the list's language (default en)"),
            OpenApiParameter("attended_only", bool, description="only those who checked in or joined online"),
        ],
        responses=inline_serializer("ListOfParticipants", {
            "language": serializers.CharField(), "count": serializers.IntegerField(),
            "groups": ListedGroup(many=True),
        }),
    )
    def get(self, request, slug):
        access = _reviewer_access(request, slug)
        language = _language(request)
        lop = report_selectors.list_of_participants(access.meeting, language=language,
                                                    attended_only=_flag(request, "attended_only"))
        return Response({
            "language": language, "count": lop.count,
            "groups": [{
                "name": str(group.name), "role": group.role, "is_host": group.is_host,
                "people": [{
                    "registration_id": p.registration_id, "honorific": p.honorific, "name": p.name,
                    "other_name": p.other_name, "position": str(p.position), "organization": str(p.organization),
                    "category": str(p.category), "is_head_of_delegation": p.is_head_of_delegation,
                    "participation": p.participation, "role": p.role,
                } for p in group.people],
            } for group in lop.groups],
        })


def _organization(org: Organization | None) -> dict | None:
    if org is None:
        return None
    return {"code": org.code, "name": {"lo": org.name_lo, "en": org.name_en}}


class Statistics(APIView):
    @extend_schema(
        tags=["reports"], summary="How many people registered, were approved, checked in, joined, attended",
        responses=inline_serializer("Statistics", {
            "populations": serializers.ListField(child=serializers.CharField()),
            "totals": serializers.DictField(child=serializers.IntegerField()),
            "delegations": DelegationFigures(many=True),
        }),
    )
    def get(self, request, slug):
        access = _reviewer_access(request, slug)
        figures = report_selectors.participant_figures(access.meeting)
        return Response({
            "populations": list(figures.populations), "totals": figures.totals,
            "delegations": [{"organization": _organization(d.organization), "counts": d.counts}
                            for d in figures.delegations],
        })
