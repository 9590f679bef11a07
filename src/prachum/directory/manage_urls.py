"""/<lang>/manage/honorifics/"""

from django.urls import path

from . import views

app_name = "honorifics"

urlpatterns = [path("", views.honorifics, name="list")]
