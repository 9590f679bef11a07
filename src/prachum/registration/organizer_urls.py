from django.urls import path

from prachum.registration.views import organizer

app_name = "organizer"

urlpatterns = [
    path("<slug:slug>/", organizer.overview, name="overview"),
    path("<slug:slug>/registrations/", organizer.registrations, name="registrations"),
    path("<slug:slug>/registrations/<int:pk>/", organizer.registration_detail, name="registration"),
    path("<slug:slug>/registrations/bulk/", organizer.bulk_action, name="bulk"),
    path("<slug:slug>/registrations/bulk/<uuid:job_id>/", organizer.bulk_result, name="bulk_result"),
    path("<slug:slug>/messages/new/", organizer.message_new, name="message_new"),
    path("<slug:slug>/audit/", organizer.audit_log, name="audit"),
]
