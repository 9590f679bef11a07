from django.urls import path

from . import views

app_name = "online"

urlpatterns = [
    path("<str:token>/<int:session_id>/", views.join, name="join"),
]
