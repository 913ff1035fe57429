from django.urls import path

from briefs import views

app_name = "briefs"

urlpatterns = [
    path("", views.library, name="library"),
    path("import/", views.brief_import_page, name="import"),
    path("briefs/<str:slug>/", views.reader, name="reader"),
    path("briefs/<str:slug>/edit/", views.brief_edit_page, name="edit"),
    path("briefs/<str:slug>/delete/", views.brief_delete_page, name="delete"),
]
