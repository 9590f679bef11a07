"""The outbox: /<lang>/manage/outbox/… (account emails) and /<lang>/manage/<slug>/outbox/… (a meeting's);
and a participant's calendar file beside their private page, /<lang>/r/<token>/calendar.ics."""

from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("outbox/", views.account_outbox, name="account_outbox"),
    path("outbox/<int:pk>/", views.account_message, name="account_message"),
    path("outbox/<int:pk>/html/", views.account_message_html, name="account_message_html"),
    path("outbox/<int:pk>/resend/", views.account_resend, name="account_resend"),
    path("<slug:slug>/outbox/", views.meeting_outbox, name="outbox"),
    path("<slug:slug>/outbox/<int:pk>/", views.meeting_message, name="message"),
    path("<slug:slug>/outbox/<int:pk>/html/", views.meeting_message_html, name="message_html"),
    path("<slug:slug>/outbox/<int:pk>/resend/", views.meeting_resend, name="resend"),
]

# Included at the site's root (prachum/urls.py), not under manage/: the participant's private page's address.
participant_urlpatterns = (
    [path("r/<str:token>/calendar.ics", views.calendar_ics, name="calendar_ics")],
    "notify",
)
