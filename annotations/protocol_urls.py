"""The W3C Web Annotation Protocol container, mounted at /api/v1/w3c/ by config/urls.py."""

from django.urls import path

from annotations import protocol

app_name = "w3c"

urlpatterns = [
    path("annotations/", protocol.container, name="container"),
    path("annotations/<int:pk>", protocol.annotation, name="annotation"),
]
