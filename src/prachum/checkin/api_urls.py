"""/api/v1/: the check-in API for devices and the check-in page (docs/checkin-api.md)."""

from django.urls import path

from . import api

app_name = "checkin_api"

urlpatterns = [
    path("meetings/<slug:slug>/checkin/redeem/", api.redeem, name="redeem"),
    path("meetings/<slug:slug>/checkin/sync/", api.sync, name="sync"),
    path("meetings/<slug:slug>/checkin/undo/", api.undo, name="undo"),
    path("meetings/<slug:slug>/checkin/bundle/", api.bundle, name="bundle"),
    path("meetings/<slug:slug>/checkin/search/", api.search, name="search"),
    path("meetings/<slug:slug>/checkin/counter/", api.counter, name="counter"),
]
