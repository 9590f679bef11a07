from django.urls import path

from prachum.registration.views import invitations, organizer, personal_data, protocol

app_name = "organizer"

urlpatterns = [
    path("<slug:slug>/", organizer.overview, name="overview"),
    path("<slug:slug>/registrations/", organizer.registrations, name="registrations"),
    path("<slug:slug>/registrations/<int:pk>/", organizer.registration_detail, name="registration"),
    path("<slug:slug>/registrations/<int:pk>/files/<int:answer_id>/", organizer.answer_file, name="answer_file"),
    path("<slug:slug>/registrations/<int:pk>/name/", organizer.registration_name, name="registration_name"),
    path("<slug:slug>/registrations/<int:pk>/personal-data/", personal_data.organizer_export, name="registration_export"),
    path("<slug:slug>/registrations/<int:pk>/erase/", personal_data.organizer_erase, name="registration_erase"),
    path("<slug:slug>/registrations/<int:pk>/role/", protocol.registration_role, name="registration_role"),
    path("<slug:slug>/delegations/<int:delegation_id>/order/", protocol.delegation_order, name="delegation_order"),
    path("<slug:slug>/registrations/bulk/", organizer.bulk_action, name="bulk"),
    path("<slug:slug>/registrations/bulk/<uuid:job_id>/", organizer.bulk_result, name="bulk_result"),
    path("<slug:slug>/invitations/", invitations.invitations, name="invitations"),
    path("<slug:slug>/invitations/<int:pk>/resend/", invitations.invitation_resend, name="invitation_resend"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", invitations.invitation_revoke, name="invitation_revoke"),
    path("<slug:slug>/invitations/remind/", invitations.invitations_remind, name="invitations_remind"),
    path("<slug:slug>/invitations/resend/", invitations.invitations_resend, name="invitations_resend"),
    path("<slug:slug>/invitations/jobs/<uuid:job_id>/", invitations.invitations_job, name="invitations_job"),
    path("<slug:slug>/messages/new/", organizer.message_new, name="message_new"),
    path("<slug:slug>/audit/", organizer.audit_log, name="audit"),
]
