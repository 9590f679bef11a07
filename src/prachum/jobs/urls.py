from django.urls import path

from prachum.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<uuid:job_id>/", views.job, name="job"),
    path("<uuid:job_id>/download/", views.download, name="download"),
]
