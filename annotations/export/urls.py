from django.urls import path

from annotations.export import views

app_name = "export"

urlpatterns = [
    path("", views.export_page, name="page"),
    path("download/", views.download, name="download"),
]
