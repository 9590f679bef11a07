"""Organizer pages of webhooks: /<lang>/manage/<slug>/webhooks/."""

from django.urls import path

from . import webhook_views as views

app_name = "webhooks"

urlpatterns = [
    path("<slug:slug>/webhooks/", views.webhook_list, name="list"),
    path("<slug:slug>/webhooks/<int:webhook_id>/toggle/", views.webhook_toggle, name="toggle"),
    path("<slug:slug>/webhooks/<int:webhook_id>/delete/", views.webhook_delete, name="delete"),
    path("<slug:slug>/webhooks/<int:webhook_id>/", views.webhook_deliveries, name="deliveries"),
    path("<slug:slug>/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend/", views.delivery_resend,
         name="resend"),
]
