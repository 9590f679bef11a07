from django.urls import path

from prachum.badges import views

app_name = "badges"

urlpatterns = [
    path("<slug:slug>/badges/", views.badges_page, name="badges"),
    path("<slug:slug>/badges/design/", views.design_page, name="design"),
    path(
        "<slug:slug>/badges/registration/<int:registration_id>.pdf",
        views.registration_badge, name="registration_badge",
    ),
]
