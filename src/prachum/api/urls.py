"""/api/v1/: the public REST API (docs/api.md; the schema at schema/, the readable page at docs/)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from .views import docs, meetings, registrations, reports, structure

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.RedocView.as_view(url_name="api:schema"), name="docs"),
    path("meetings/", meetings.MeetingList.as_view(), name="meetings"),
    path("meetings/<slug:slug>/", meetings.MeetingDetail.as_view(), name="meeting"),
    path("meetings/<slug:slug>/sessions/", structure.SessionList.as_view(), name="sessions"),
    path("meetings/<slug:slug>/categories/", structure.CategoryList.as_view(), name="categories"),
    path("meetings/<slug:slug>/delegations/", structure.DelegationList.as_view(), name="delegations"),
    path("meetings/<slug:slug>/registrations/", registrations.RegistrationList.as_view(), name="registrations"),
    path("meetings/<slug:slug>/registrations/<int:pk>/", registrations.RegistrationDetail.as_view(),
         name="registration"),
    path("meetings/<slug:slug>/registrations/<int:pk>/approve/", registrations.Approve.as_view(), name="approve"),
    path("meetings/<slug:slug>/registrations/<int:pk>/reject/", registrations.Reject.as_view(), name="reject"),
    path("meetings/<slug:slug>/registrations/<int:pk>/cancel/", registrations.Cancel.as_view(), name="cancel"),
    path("meetings/<slug:slug>/attendance/", reports.Attendance.as_view(), name="attendance"),
    path("meetings/<slug:slug>/participants/", reports.ListOfParticipants.as_view(), name="participants"),
    path("meetings/<slug:slug>/statistics/", reports.Statistics.as_view(), name="statistics"),
]
