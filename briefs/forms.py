"""The import page's form: a document and the metadata to set on its brief (all optional)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from briefs.importers import EXTENSIONS
from briefs.models import Brief, Language


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
