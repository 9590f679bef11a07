"""Organizer pages of online meetings: /<lang>/manage/<slug>/online/…"""

from django.urls import path

from . import manage_views as views

app_name = "online_manage"

urlpatterns = [
    path("<slug:slug>/online/", views.index, name="index"),
    path("<slug:slug>/online/room/", views.room, name="room"),
    path("<slug:slug>/online/room/<int:session_id>/", views.room, name="session_room"),
    path("<slug:slug>/online/room/<int:session_id>/delete/", views.room_delete, name="session_room_delete"),
    path("<slug:slug>/online/reminders/", views.rule_add, name="rule_add"),
    path("<slug:slug>/online/reminders/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("<slug:slug>/online/attendance/fetch/", views.fetch_attendance, name="fetch_attendance"),
    path("<slug:slug>/online/attendance/<int:session_id>/", views.attendance, name="attendance"),
]
