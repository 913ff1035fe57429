from django import forms
from django.contrib import admin
from django.db import models

from briefs.models import Brief, Section


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["position", "heading", "level", "kind", "anchor", "text"]
    ordering = ["position"]


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "series_code", "language", "publication_year"]
    list_filter = ["language", "organisation"]
    search_fields = ["title", "subtitle", "series_code", "organisation"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "source_sha256",
        "source_filename",
        "source_format",
        "created_at",
        "updated_at",
    ]
    inlines = [SectionInline]
    # Say the scheme a bare address gets (Django 6 changes the default), as the import forms do.
    formfield_overrides = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["brief", "position", "heading", "kind"]
    list_filter = ["kind", "brief"]
    search_fields = ["heading", "text"]
    ordering = ["brief", "position"]
