from django.contrib import admin
from django.http import HttpRequest

from annotations.models import Annotation, Category, Tag
from annotations.selectors import annotations_visible_to
from search.services import annotation_index_refresh


class TagInline(admin.TabularInline):
    model = Tag
    extra = 0
    fields = ["code", "label_ko", "label_en", "colour", "shortcut", "active", "position"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_ko", "position"]
    inlines = [TagInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_ko", "category", "colour", "shortcut", "active"]
    list_filter = ["active", "category"]
    list_editable = ["active"]
    search_fields = ["code", "label_en", "label_ko"]
    fields = [
        "category",
        "code",
        ("label_ko", "label_en"),
        "description",
        "decision_rule",
        "example",
        ("colour", "shortcut"),
        ("active", "position"),
    ]

    def save_model(self, request: HttpRequest, obj: Tag, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and {"label_ko", "label_en"} & set(form.changed_data):
            # Annotations are searchable by their tags' labels: re-index them with the new ones.
            annotation_index_refresh(annotations=obj.annotations.all())

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        # Deleting a used tag would silently untag annotations: deactivate it instead.
        if obj is not None and obj.annotations.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    """Read-only: writes go through the reader and its services, which validate anchors."""

    list_display = [
        "pk",
        "quote_excerpt",
        "section",
        "author",
        "actor",
        "visibility",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["visibility", "actor", "tags"]
    search_fields = ["quote", "note", "author__username"]
    list_select_related = ["section__brief", "author"]

    def get_queryset(self, request: HttpRequest):
        # The admin honours privacy like every other page.
        return annotations_visible_to(request.user).select_related("section__brief", "author")

    @admin.display(description="quote")
    def quote_excerpt(self, obj: Annotation) -> str:
        return obj.quote[:60]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Annotation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Annotation | None = None) -> bool:
        return False
