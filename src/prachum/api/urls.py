"""/api/v1/: the public REST API (docs/api.md; the schema at schema/, the readable page at docs/)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from .views import meetings

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    path("meetings/", meetings.MeetingList.as_view(), name="meetings"),
    path("meetings/<slug:slug>/", meetings.MeetingDetail.as_view(), name="meeting"),
]
