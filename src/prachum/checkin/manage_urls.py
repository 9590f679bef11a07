"""Organizer pages of the check-in: /<lang>/manage/<slug>/checkin/devices/ and /<lang>/manage/<slug>/attendance/."""

from django.urls import path

from . import views

app_name = "checkin_manage"

urlpatterns = [
    path("<slug:slug>/checkin/devices/", views.devices, name="devices"),
    path("<slug:slug>/checkin/devices/<int:device_id>/revoke/", views.revoke_device, name="revoke_device"),
    path("<slug:slug>/attendance/", views.attendance, name="attendance"),
]
