from collections.abc import Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from annotations.claims.events import event_check
from annotations.models import Annotation, Category, Event, Tag
from annotations.selectors import annotations_visible_to
from search.services import tag_index_refresh

# Said the same way whoever's annotations use the tag, private or shared, alive or deleted,
# and without a count: the admin must not tell an editor about annotations they cannot see.
TAG_IN_USE = (
    "“{codes}” cannot be deleted: annotations use it. Retire it instead by unticking "
    "Active: it stays on those annotations but can no longer be applied."
)
# Fields that change an annotation's search document (labels) or how the tag is offered.
INDEXED_TAG_FIELDS = {"label_ko", "label_en", "active"}


def used_tag_ids(tag_ids: Iterable[int]) -> set[int]:
    """Return which of these tags any annotation row carries (any author, visibility, state)."""
    through = Annotation.tags.through
    return set(through.objects.filter(tag_id__in=list(tag_ids)).values_list("tag_id", flat=True))


def _in_use_message(tags: Iterable[Tag]) -> str:
    return TAG_IN_USE.format(codes="”, “".join(sorted(tag.code for tag in tags)))


class TagInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # Not self.deleted_forms: it is empty while any other row has an error.
        doomed = [f.instance for f in self.forms if self._should_delete_form(f) and f.instance.pk is not None]
        used = used_tag_ids(t.pk for t in doomed)
        if used:
            raise forms.ValidationError(_in_use_message(t for t in doomed if t.pk in used))


class TagInline(admin.TabularInline):
    model = Tag
    formset = TagInlineFormSet
    extra = 0
    fields = ["code", "label_ko", "label_en", "colour", "shortcut", "active", "position"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_ko", "position"]
    inlines = [TagInline]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        changed = [
            f.instance
            for f in formset.forms
            if f.instance.pk is not None
            and INDEXED_TAG_FIELDS & set(f.changed_data)
            and f not in formset.deleted_forms
        ]
        if changed:
            tag_index_refresh(tags=changed)


@admin.action(permissions=["delete"], description="Delete selected tags (unused ones only)")
def delete_unused_tags(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Tag]):
    """Refuse the whole bulk delete if any selected tag is used; else Django's delete_selected."""
    tags = list(queryset)
    used = used_tag_ids(t.pk for t in tags)
    if used:
        modeladmin.message_user(request, _in_use_message(t for t in tags if t.pk in used), messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


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
        if change and INDEXED_TAG_FIELDS & set(form.changed_data):
            # Annotations are searchable by their tags' labels: re-index them with the new ones.
            tag_index_refresh(tags=[obj])

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            # Same name: the confirmation page posts action=delete_selected back.
            actions["delete_selected"] = (
                delete_unused_tags,
                "delete_selected",
                delete_unused_tags.short_description,
            )
        return actions

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        # Deleting a used tag would silently untag annotations. Refuse it with the same
        # answer (a redirect and a message) however the tag is used, and only to users who
        # may delete tags at all (the others get Django's 403 whatever the tag).
        tag = self.get_object(request, object_id)
        if tag is not None and self.has_delete_permission(request, tag) and used_tag_ids([tag.pk]):
            self.message_user(request, _in_use_message([tag]), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:annotations_tag_change", args=[tag.pk]))
        return super().delete_view(request, object_id, extra_context)


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


class EventAdminForm(forms.ModelForm):
    """The events pages' rules (annotations.claims.events.event_check) in the admin too."""

    class Meta:
        model = Event
        fields = ["date", "end_date", "label_ko", "label_en", "description"]

    def _post_clean(self) -> None:
        # event_check below says what the model's constraints would (a duplicate, an end
        # before the start) in the events pages' words; the model's checks would say it twice.
        self._validate_unique = False
        super()._post_clean()

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            try:
                data.update(event_check(data, instance=self.instance))
            except forms.ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(name if name in self.fields else None, error)
        return data


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The claims timeline's events (the events pages at /claims/events/ say the same)."""

    form = EventAdminForm
    list_display = ["date", "end_date", "label_en", "label_ko"]
    search_fields = ["label_en", "label_ko", "description"]
    date_hierarchy = "date"
