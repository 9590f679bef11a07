from django.urls import path

from prachum.exchange import views

app_name = "exchange"

urlpatterns = [
    path("<slug:slug>/import/", views.import_start, name="import"),
    path("<slug:slug>/import/<str:key>/columns/", views.import_columns, name="import_columns"),
    path("<slug:slug>/import/<str:key>/review/<uuid:job_id>/", views.import_review, name="import_review"),
    path("<slug:slug>/import/<str:key>/apply/<uuid:job_id>/", views.import_apply, name="import_apply"),
    path("<slug:slug>/import/<str:key>/as-invitations/<uuid:job_id>/", views.import_as_invitations,
         name="import_as_invitations"),
    path("<slug:slug>/export/", views.export, name="export"),
]
