from django.urls import path

from . import manage_views as views

# In the namespace meeting_setup with registration/setup_urls.py's pages (prachum/urls.py joins them).
urlpatterns = [
    path("new/", views.new_meeting, name="new"),
    path("new/copy/", views.copy_meeting, name="copy"),
    path("<slug:slug>/setup/", views.meeting_settings, name="setup"),
    path("<slug:slug>/setup/publish/", views.publish, name="publish"),
    path("<slug:slug>/setup/close/", views.close, name="close"),
    path("<slug:slug>/setup/sessions/", views.sessions, name="sessions"),
    path("<slug:slug>/setup/sessions/<int:pk>/", views.sessions, name="session"),
    path("<slug:slug>/setup/sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("<slug:slug>/setup/sessions/<int:session_pk>/items/", views.agenda_item, name="agenda_items"),
    path("<slug:slug>/setup/sessions/<int:session_pk>/items/<int:pk>/", views.agenda_item, name="agenda_item"),
    path("<slug:slug>/setup/sessions/<int:session_pk>/items/<int:pk>/delete/", views.agenda_item_delete,
         name="agenda_item_delete"),
    path("<slug:slug>/setup/categories/", views.categories, name="categories"),
    path("<slug:slug>/setup/categories/<int:pk>/", views.categories, name="category"),
    path("<slug:slug>/setup/categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
    path("<slug:slug>/setup/delegations/", views.delegations, name="delegations"),
    path("<slug:slug>/setup/delegations/<int:pk>/", views.delegations, name="delegation"),
    path("<slug:slug>/setup/delegations/<int:pk>/delete/", views.delegation_delete, name="delegation_delete"),
    path("<slug:slug>/setup/emails/", views.emails, name="emails"),
    path("<slug:slug>/setup/emails/<str:kind>/", views.email_edit, name="email"),
    path("<slug:slug>/setup/roles/", views.roles, name="roles"),
    path("<slug:slug>/setup/roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("<slug:slug>/setup/roles/<int:pk>/resend/", views.role_resend, name="role_resend"),
]
