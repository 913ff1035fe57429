from django.urls import path

from annotations import codebook_views as views

app_name = "codebook"

urlpatterns = [
    path("categories/new/", views.category_new, name="category-new"),
    path("categories/<slug:code>/edit/", views.category_edit, name="category-edit"),
    path("tags/new/", views.tag_new, name="tag-new"),
    path("tags/<slug:code>/edit/", views.tag_edit, name="tag-edit"),
    path("tags/<slug:code>/retire/", views.tag_retire, name="tag-retire"),
    path("tags/<slug:code>/restore/", views.tag_restore, name="tag-restore"),
    path("<str:kind>/<slug:code>/move/<str:direction>/", views.move, name="move"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.qdc", views.export_qdc, name="export-qdc"),
    path("import/", views.import_page, name="import"),
]
