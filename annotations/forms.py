"""Input for annotation writes (JSON bodies parsed into plain dicts) and reader filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.models import Actor, Annotation, Tag, Visibility
from briefs.models import Section


class _TagsField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("Unknown or inactive tag: %(value)s."),
        "invalid_pk_value": _("Unknown or inactive tag: %(pk)s."),
        "invalid_list": _("Tags must be a list of tag codes."),
    }


class AnnotationFieldsForm(forms.Form):
    """The editable fields: tags, actor, note, visibility."""

    tags = _TagsField(queryset=Tag.objects.filter(active=True), to_field_name="code", required=False)
    actor = forms.ChoiceField(choices=Actor.choices, required=False)
    note = forms.CharField(required=False, max_length=Annotation.NOTE_MAX_LENGTH)
    visibility = forms.ChoiceField(choices=Visibility.choices, required=False)

    def clean_actor(self) -> str:
        return self.cleaned_data["actor"] or Actor.UNSPECIFIED

    def clean_visibility(self) -> str:
        return self.cleaned_data["visibility"] or Visibility.PRIVATE


class AnnotationCreateForm(AnnotationFieldsForm):
    """A new annotation: where it is, what it quotes, and the editable fields."""

    section = forms.ModelChoiceField(
        queryset=Section.objects.all(),
        error_messages={
            "invalid_choice": _("That section no longer exists: reload the page."),
            "required": _("Which section? (section is required)"),
        },
    )
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    # Bounded by the request size limit; the service compares it with the text.
    quote = forms.CharField(strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start >= end:
            raise forms.ValidationError(_("The selection is empty or reversed (start must be before end)."))
        return data


class AnnotationFilterForm(forms.Form):
    """Reader filters from the query string; bad values are dropped, not fatal."""

    tag = forms.SlugField(required=False, max_length=60)
    annotator = forms.CharField(required=False, max_length=150)
    actor = forms.ChoiceField(choices=[("", _("Any actor")), *Actor.choices], required=False)
    mine = forms.BooleanField(required=False)

    def filters(self) -> dict[str, Any]:
        """Return the valid filters as keyword arguments for annotation_list()."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "tag": data.get("tag") or None,
            "author": data.get("annotator") or None,
            "actor": data.get("actor") or None,
            "mine": bool(data.get("mine")),
        }


class AnnotationBrowseForm(AnnotationFilterForm):
    """The annotations page's filters: the reader's, plus a brief and text in quote or note."""

    brief = forms.SlugField(required=False, max_length=120, allow_unicode=True)
    q = forms.CharField(required=False, max_length=200, strip=True, label=_("Text"))

    def filters(self) -> dict[str, Any]:
        found = super().filters()
        data = getattr(self, "cleaned_data", {})
        return {**found, "brief": data.get("brief") or None, "q": data.get("q") or None}


def first_error(form: forms.Form) -> str:
    """Return a form's first error as one readable sentence, naming the field."""
    for name, errors in form.errors.items():
        message = errors[0]
        return message if name == "__all__" else f"{name}: {message}"
    return gettext("Invalid input.")
