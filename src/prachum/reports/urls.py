from django.urls import path

from prachum.reports import views

app_name = "reports"

# Mounted at /<lang>/manage/. The document and photo file views check who asks themselves (public,
# participant through their private link, organizer), so they work without a login where allowed.
urlpatterns = [
    path("<slug:slug>/reports/", views.index, name="index"),
    path("<slug:slug>/reports/list-of-participants/", views.list_of_participants, name="list_of_participants"),
    path("<slug:slug>/reports/sign-in-sheet/", views.sign_in_sheet, name="sign_in_sheet"),
    path("<slug:slug>/reports/sign-in-sheet/<int:session_id>/", views.sign_in_sheet, name="sign_in_sheet_session"),
    path("<slug:slug>/reports/attendance/", views.attendance, name="attendance"),
    path("<slug:slug>/reports/statistics/", views.statistics_page, name="statistics"),
    path("<slug:slug>/reports/statistics.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("<slug:slug>/reports/news/", views.news, name="news"),
    path("<slug:slug>/reports/news.pdf", views.news_pdf, name="news_pdf"),
    path("<slug:slug>/reports/photos/", views.photo_add, name="photo_add"),
    path("<slug:slug>/reports/photos/<int:photo_id>/delete/", views.photo_delete, name="photo_delete"),
    path("<slug:slug>/reports/photos/<int:photo_id>.jpg", views.photo, name="photo"),
    path("<slug:slug>/documents/", views.documents, name="documents"),
    path("<slug:slug>/documents/<int:document_id>/change/", views.document_change, name="document_change"),
    path("<slug:slug>/documents/<int:document_id>/file/", views.document, name="document"),
    path("<slug:slug>/documents/<int:document_id>/r/<str:token>/", views.participant_document, name="participant_document"),
]
