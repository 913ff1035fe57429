"""The import forms: documents to upload, a new version of a brief, a preview's metadata."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from briefs.importers import EXTENSIONS
from briefs.models import Brief, Language


def _length(name: str) -> int:
    return Brief._meta.get_field(name).max_length


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field taking several files (Django's documented recipe), each checked alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class BriefUploadForm(forms.Form):
    """One or several documents to read into import previews (nothing is saved yet)."""

    files = MultipleFileField(
        label="Documents",
        allow_empty_file=True,  # the importer says "the file is empty", like the command
        widget=MultipleFileInput(attrs={"accept": ",".join(EXTENSIONS), "multiple": True}),
        help_text="Text, Markdown, HTML, PDF (with a text layer), DOCX or HWPX; several at once if you like.",
    )

    def clean_files(self) -> list[Any]:
        uploads = self.cleaned_data["files"]
        most = settings.MARGINALIA_MAX_IMPORT_FILES
        if len(uploads) > most:
            raise forms.ValidationError(
                f"{len(uploads)} files were chosen; at most {most} can be uploaded at once."
            )
        limit = settings.MARGINALIA_MAX_IMPORT_BYTES
        too_large = [upload for upload in uploads if upload.size > limit]
        if too_large:
            raise forms.ValidationError(
                [
                    f"{upload.name} is too large ({upload.size:,} bytes; the limit is {limit:,} bytes)."
                    for upload in too_large
                ]
            )
        return uploads


class ReimportForm(forms.Form):
    """A new version of a brief's document, to preview against the current one."""

    file = forms.FileField(
        label="New version of the document",
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        help_text="Sections keep their annotations under the same heading; you see what changes "
        "before anything is saved.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.MARGINALIA_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is too large ({upload.size:,} bytes; the limit is {limit:,} bytes)."
            )
        return upload


def _authors(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class PreviewMetadataForm(forms.Form):
    """The metadata of an import preview, as the editor corrects it (validated like the importer)."""

    title = forms.CharField(max_length=_length("title"))
    subtitle = forms.CharField(required=False, max_length=_length("subtitle"))
    organisation = forms.CharField(required=False, max_length=_length("organisation"))
    organisation_en = forms.CharField(
        required=False, max_length=_length("organisation_en"), label="Organisation (English)"
    )
    series_code = forms.CharField(required=False, max_length=_length("series_code"), label="Series")
    authors = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One author per line."
    )
    publication_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Publication date"
    )
    publication_year = forms.IntegerField(
        required=False, min_value=1800, max_value=2200, label="Year (when there is no date)"
    )
    language = forms.ChoiceField(choices=Language.choices)
    source_url = forms.URLField(
        required=False, max_length=_length("source_url"), assume_scheme="https", label="Source URL"
    )
    slug = forms.SlugField(
        allow_unicode=True,
        max_length=_length("slug"),
        label="Address (slug)",
        help_text="The brief's address in the library.",
    )

    def __init__(self, *args: Any, fixed_slug: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_slug:  # a re-import keeps its brief's address
            self.fields["slug"].disabled = True
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "A new version keeps its brief's address."

    @classmethod
    def initial_from(cls, metadata: dict[str, Any]) -> dict[str, Any]:
        """Return form initial values for a preview's stored metadata."""
        initial = {name: metadata.get(name) for name in cls.base_fields}
        initial["authors"] = "\n".join(metadata.get("authors") or [])
        return initial

    def clean_authors(self) -> list[str]:
        authors = _authors(self.cleaned_data["authors"])
        too_long = [a for a in authors if len(a) > 300]
        if too_long:
            raise forms.ValidationError("An author's name has at most 300 characters.")
        return authors

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        date, year = data.get("publication_date"), data.get("publication_year")
        if date and year and date.year != year:
            self.add_error("publication_year", f"The year {year} does not match the date {date:%Y-%m-%d}.")
        return data
