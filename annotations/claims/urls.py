from django.urls import path

from annotations.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("timeline/", views.timeline, name="timeline"),
    path("cooccurrence/", views.cooccurrence, name="cooccurrence"),
    # /claims/matrix.csv, /claims/timeline.xlsx, …: the view's table with the page's parameters.
    path("<slug:kind>.<slug:extension>", views.download, name="download"),
]
