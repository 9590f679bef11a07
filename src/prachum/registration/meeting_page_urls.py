from django.urls import path

from prachum.registration.views import meeting_page

# The meeting's public page keeps its name, meetings:public_meeting, though registration serves it.
app_name = "meetings"

urlpatterns = [
    path("<slug:slug>/", meeting_page.public_meeting, name="public_meeting"),
]
