"""The import page's form: a document and the metadata to set on its brief (all optional)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings

from briefs.importers import EXTENSIONS
from briefs.models import Brief, Language, Section


def _length(name: str) -> int:
    return Brief._meta.get_field(name).max_length


class BriefImportForm(forms.Form):
    """What the import service needs: the file's bytes and name, metadata, replace or not.

    Metadata left empty is detected from the document (title, authors, series, year,
    language); what is given here overrides it.
    """

    file = forms.FileField(
        label="Document",
        allow_empty_file=True,  # the importer says "the file is empty", like the command
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        help_text="Text, Markdown, HTML, PDF (with a text layer), DOCX or HWPX.",
    )
    title = forms.CharField(required=False, max_length=_length("title"))
    subtitle = forms.CharField(required=False, max_length=_length("subtitle"))
    organisation = forms.CharField(required=False, max_length=_length("organisation"))
    organisation_en = forms.CharField(
        required=False, max_length=_length("organisation_en"), label="Organisation (English)"
    )
    series_code = forms.CharField(required=False, max_length=_length("series_code"), label="Series code")
    authors = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One author per line."
    )
    language = forms.ChoiceField(required=False, choices=[("", "Detect"), *Language.choices])
    publication_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Publication date"
    )
    source_url = forms.URLField(
        required=False, max_length=_length("source_url"), assume_scheme="https", label="Source URL"
    )
    slug = forms.SlugField(
        required=False,
        allow_unicode=True,
        max_length=_length("slug"),
        label="Address (slug)",
        help_text="The brief's address in the library; made from the title when empty.",
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace the brief of the same address with this version",
        help_text="Sections that survive keep their annotations; a section that still has "
        "annotations is never dropped.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.MARGINALIA_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is too large ({upload.size:,} bytes; the limit is {limit:,} bytes)."
            )
        return upload

    def metadata(self) -> dict[str, Any]:
        """Return the metadata fields that were filled in, as the import service takes them."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("file", "replace", "authors") and value not in (None, "")
        }
        authors = [line.strip() for line in self.cleaned_data["authors"].splitlines() if line.strip()]
        if authors:
            data["authors"] = authors
        return data


# The edit page: a brief's metadata, its sections' headings and levels ---------------------


class BriefEditForm(forms.Form):
    """A brief's editable metadata, and the version it was read at (the lost-update guard)."""

    title = forms.CharField(max_length=_length("title"))
    subtitle = forms.CharField(required=False, max_length=_length("subtitle"))
    organisation = forms.CharField(required=False, max_length=_length("organisation"))
    organisation_en = forms.CharField(
        required=False, max_length=_length("organisation_en"), label="Organisation (English)"
    )
    series_code = forms.CharField(required=False, max_length=_length("series_code"), label="Series code")
    authors = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One author per line."
    )
    language = forms.ChoiceField(choices=Language.choices)
    publication_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Publication date"
    )
    publication_year = forms.IntegerField(
        required=False,
        min_value=1800,
        max_value=2200,
        label="Publication year",
        help_text="Filled in from the date when only the date is given.",
    )
    source_url = forms.URLField(
        required=False, max_length=_length("source_url"), assume_scheme="https", label="Source URL"
    )
    copyright = forms.CharField(required=False, max_length=_length("copyright"))
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Disclaimers and other notes printed with the brief.",
    )
    updated_at = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def for_brief(cls, brief: Brief) -> BriefEditForm:
        """Return the form filled in with the brief as it is now."""
        initial = {name: getattr(brief, name) for name in cls.base_fields if name != "updated_at"}
        initial["authors"] = "\n".join(brief.authors)
        initial["updated_at"] = brief.updated_at.isoformat()
        return cls(initial=initial)

    def clean_updated_at(self) -> datetime.datetime:
        try:
            value = datetime.datetime.fromisoformat(self.cleaned_data["updated_at"])
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            raise forms.ValidationError("This form is damaged: reload the page and edit again.")
        return value

    def metadata(self) -> dict[str, Any]:
        """Return every metadata field as brief_update takes it (an empty value clears it)."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "updated_at"}
        data["authors"] = [line.strip() for line in data["authors"].splitlines() if line.strip()]
        return data


LEVEL_CHOICES = [(level, f"Level {level}") for level in range(1, 7)]


class SectionEditForm(forms.Form):
    """One section's heading and level; the section is named by its id."""

    id = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    heading = forms.CharField(required=False, max_length=Section._meta.get_field("heading").max_length)
    level = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int)


class BaseSectionEditFormSet(forms.BaseFormSet):
    def edits(self) -> list[tuple[int, str, int]]:
        """Return (section id, heading, level) for every section in the form."""
        rows = [form.cleaned_data for form in self.forms]
        return [(row["id"], row["heading"], row["level"]) for row in rows]


# absolute_max bounds what a hostile TOTAL_FORMS can make the server build.
SectionEditFormSet = forms.formset_factory(
    SectionEditForm, formset=BaseSectionEditFormSet, extra=0, max_num=5000, absolute_max=5000
)
