from django.urls import path

from prachum.registration.views import focal_point as views

app_name = "focal_point"

urlpatterns = [
    path("<slug:slug>/delegation/", views.delegations, name="delegations"),
    path("<slug:slug>/delegation/<int:delegation_id>/", views.delegation, name="delegation"),
    path("<slug:slug>/delegation/<int:delegation_id>/nominate/", views.nominate, name="nominate"),
    path("<slug:slug>/delegation/<int:delegation_id>/submit/", views.submit, name="submit"),
    path("<slug:slug>/delegation/<int:delegation_id>/ranks/", views.ranks, name="ranks"),
    path("<slug:slug>/delegation/<int:delegation_id>/r/<int:registration_id>/endorse/", views.endorse, name="endorse"),
    path("<slug:slug>/delegation/<int:delegation_id>/r/<int:registration_id>/decline/", views.decline, name="decline"),
    path("<slug:slug>/delegation/<int:delegation_id>/r/<int:registration_id>/head/", views.head, name="head"),
    path("<slug:slug>/delegation/<int:delegation_id>/r/<int:registration_id>/withdraw/", views.withdraw, name="withdraw"),
]
