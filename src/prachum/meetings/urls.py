from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("<slug:slug>/", views.public_meeting, name="public_meeting"),
]
