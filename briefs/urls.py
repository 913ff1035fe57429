from django.urls import path

from briefs import views

app_name = "briefs"

urlpatterns = [
    path("", views.library, name="library"),
    path("import/", views.brief_import_page, name="import"),
    path("briefs/<str:slug>/", views.reader, name="reader"),
]
