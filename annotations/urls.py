from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("", views.create, name="create"),
    path("browse/", views.browse, name="browse"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/card/", views.card, name="card"),
    path("<int:pk>/edit/", views.update, name="update"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
