from django.urls import path

from briefs import views

app_name = "briefs"

urlpatterns = [
    path("", views.library, name="library"),
    path("import/", views.brief_import_page, name="import"),
    path("import/status/", views.import_status, name="import_status"),
    path("import/jobs/<uuid:token>/cancel/", views.import_job_cancel, name="import_job_cancel"),
    path("import/<uuid:token>/", views.preview_page, name="preview"),
    path("import/<uuid:token>/sections/", views.preview_correct, name="preview_correct"),
    path("import/<uuid:token>/confirm/", views.preview_confirm, name="preview_confirm"),
    path("import/<uuid:token>/cancel/", views.preview_cancel, name="preview_cancel"),
    path("briefs/<str:slug>/", views.reader, name="reader"),
    path("briefs/<str:slug>/reimport/", views.brief_reimport, name="reimport"),
    path("briefs/<str:slug>/edit/", views.brief_edit_page, name="edit"),
    path("briefs/<str:slug>/delete/", views.brief_delete_page, name="delete"),
]
