"""A meeting's sessions, categories and delegations (with their quota and the seats taken)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from prachum.meetings.models import Delegation
from prachum.registration.selectors import seats_taken

from ..access import meeting_access
from ..serializers_registrations import CategorySerializer, DelegationSerializer, SessionSerializer


class _OfMeeting(generics.ListAPIView):
    pagination_class = None

    def access(self):
        if not hasattr(self, "_access"):
            self._access = meeting_access(self.request, self.kwargs["slug"])
        return self._access


@extend_schema(tags=["meetings"], summary="The meeting's sessions")
class SessionList(_OfMeeting):
    serializer_class = SessionSerializer

    def get_queryset(self):
        return self.access().meeting.sessions.order_by("starts_at", "order", "pk")


@extend_schema(tags=["meetings"], summary="The meeting's categories, with their quotas")
class CategoryList(_OfMeeting):
    serializer_class = CategorySerializer

    def get_queryset(self):
        return self.access().meeting.categories.order_by("order", "pk")


@extend_schema(tags=["meetings"], summary="The meeting's delegations, with quota and seats taken",
               description="A focal point's token lists their own delegations only. `seats_taken` counts the "
                           "pending and approved registrations, as the quota does.")
class DelegationList(_OfMeeting):
    serializer_class = DelegationSerializer

    def get_queryset(self):
        access = self.access()
        delegations = Delegation.objects.filter(meeting=access.meeting).select_related("organization", "meeting")
        if not access.sees_all_registrations:
            delegations = delegations.filter(pk__in=access.delegation_ids)
        return delegations.order_by("organization__protocol_order", "pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["seats_taken"] = seats_taken(self.access().meeting)
        return context
