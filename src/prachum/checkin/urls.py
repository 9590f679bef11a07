from django.urls import path

from . import views

app_name = "checkin"

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("<slug:slug>/", views.desk, name="desk"),
]
