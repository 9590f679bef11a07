from django.urls import path

from prachum.registration.views import meeting_setup as views

# The meeting setup's pages that involve registrations, in the namespace meeting_setup with
# meetings/manage_urls.py's (prachum/urls.py joins them).
urlpatterns = [
    path("<slug:slug>/setup/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/setup/questions/", views.questions, name="questions"),
    path("<slug:slug>/setup/questions/new/", views.questions, {"new": True}, name="question_new"),
    path("<slug:slug>/setup/questions/<int:pk>/", views.questions, name="question"),
    path("<slug:slug>/setup/questions/preview/", views.question_preview, name="question_preview"),
    path("<slug:slug>/setup/questions/<int:pk>/preview/", views.question_preview, name="question_preview_edit"),
]
