from django.urls import path

from annotations.claims import events_views as views

app_name = "claim_events"

urlpatterns = [
    path("", views.event_list_page, name="list"),
    path("new/", views.event_new, name="new"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/delete/", views.event_delete, name="delete"),
]
