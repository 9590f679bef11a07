from drf_spectacular.utils import extend_schema
from rest_framework import generics

from ..access import meeting_access, reachable_meetings
from ..serializers import MeetingSerializer


@extend_schema(tags=["meetings"], summary="Meetings this token reaches")
class MeetingList(generics.ListAPIView):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        return reachable_meetings(self.request)


@extend_schema(tags=["meetings"], summary="One meeting")
class MeetingDetail(generics.RetrieveAPIView):
    serializer_class = MeetingSerializer

    def get_object(self):
        return meeting_access(self.request, self.kwargs["slug"]).meeting
