from django.urls import path

from prachum.registration.views import participant, personal_data, public

app_name = "registration"

urlpatterns = [
    path("m/<slug:slug>/register/", public.register, name="register"),
    path("m/<slug:slug>/register/sent/", public.register_sent, name="register_sent"),
    path("m/<slug:slug>/resend-link/", public.resend_link, name="resend_link"),
    path("r/<str:token>/", participant.manage, name="manage"),
    path("r/<str:token>/cancel/", participant.cancel, name="cancel"),
    path("r/<str:token>/ticket.png", participant.ticket_png, name="ticket_png"),
    path("r/<str:token>/ticket.pdf", participant.ticket_pdf, name="ticket_pdf"),
    path("r/<str:token>/personal-data/", personal_data.participant_export, name="personal_data"),
    path("r/<str:token>/files/<int:answer_id>/", participant.answer_file, name="answer_file"),
]
