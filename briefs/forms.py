"""The import page's form (a document and the metadata to set on its brief) and the library's filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings

from briefs.importers import EXTENSIONS
from briefs.models import Brief, Language
from briefs.selectors import ASCENDING, DESCENDING, LIBRARY_SORTS, LibraryOptions


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


PER_PAGE = 50


def _no_surrogates(value: str) -> None:
    # A lone surrogate cannot be encoded for the database; refuse it rather than fail there.
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise forms.ValidationError("It holds a character that is not valid text.", code="surrogate")


@dataclass(frozen=True)
class SortLink:
    """A column header that sorts the library: its key, label, link and current state."""

    key: str
    label: str
    href: str
    aria_sort: str  # "ascending", "descending" or "" for a column the list is not sorted by


class LibraryForm(forms.Form):
    """The library's filters, sort and page, from the query string; a bad value is ignored."""

    SORT_LABELS = {
        "title": "Title",
        "organisation": "Organisation",
        "date": "Date",
        "annotations": "Annotations",
    }
    # The direction a column sorts in when first chosen: newest and most annotated first.
    FIRST_DIRECTION = {
        "title": ASCENDING,
        "organisation": ASCENDING,
        "date": DESCENDING,
        "annotations": DESCENDING,
    }
    DEFAULTS = {"sort": "date", "direction": DESCENDING}

    q = forms.CharField(label="Title contains", required=False, max_length=200, validators=[_no_surrogates])
    organisation = forms.ChoiceField(label="Organisation", required=False)
    series = forms.CharField(
        label="Series", required=False, max_length=_length("series_code"), validators=[_no_surrogates]
    )
    year = forms.TypedChoiceField(label="Year", required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(
        label="Language", required=False, choices=[("", "Any language"), *Language.choices]
    )
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in LIBRARY_SORTS], widget=forms.HiddenInput
    )
    direction = forms.ChoiceField(
        required=False,
        choices=[(ASCENDING, "ascending"), (DESCENDING, "descending")],
        widget=forms.HiddenInput,
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, options: LibraryOptions) -> None:
        super().__init__(data)
        self.fields["organisation"].choices = [
            ("", "Any organisation"),
            *((o, o) for o in options.organisations),
        ]
        self.fields["year"].choices = [("", "Any year"), *((str(y), str(y)) for y in options.years)]
        self.fields["series"].widget.attrs.update(list="library-series", autocomplete="off")
        self.fields["q"].widget.input_type = "search"
        self.is_valid()  # every field is checked now; the ones that fail are left out below

    def filters(self) -> dict[str, Any]:
        """Return brief_library's arguments from the fields that are valid (defaults otherwise)."""
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "organisation": data.get("organisation") or "",
            "series": (data.get("series") or "").strip(),
            "year": data.get("year"),
            "language": data.get("language") or "",
            "sort": data.get("sort") or self.DEFAULTS["sort"],
            "direction": data.get("direction") or self.FIRST_DIRECTION[data.get("sort") or "date"],
        }

    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1

    def ignored(self) -> list[str]:
        """Return one message per parameter that was ignored, and why."""
        labels = {"sort": "Sort", "direction": "Sort direction", "page": "Page"}
        return [
            f"{labels.get(name) or self.fields[name].label}: {' '.join(errors)} It was ignored."
            for name, errors in self.errors.items()
        ]

    def querystring(self, **changes: Any) -> str:
        """Return the query string of the valid, non-default parameters, with changes applied."""
        values = {**self.filters(), **changes}
        sort = values["sort"]
        if sort == self.DEFAULTS["sort"] and values["direction"] == self.FIRST_DIRECTION[sort]:
            values.pop("sort")
        if values["direction"] == self.FIRST_DIRECTION[sort]:
            values.pop("direction")
        if values.get("page") == 1:
            values.pop("page")
        return urlencode({name: value for name, value in values.items() if value not in (None, "")})

    def page_href(self, number: int) -> str:
        """Return the link to another page of the same list."""
        return "?" + self.querystring(page=number)

    def sort_links(self) -> dict[str, SortLink]:
        """Return the sortable columns; choosing the current one again reverses it."""
        current = self.filters()
        links = {}
        for key, label in self.SORT_LABELS.items():
            if key == current["sort"]:
                direction = ASCENDING if current["direction"] == DESCENDING else DESCENDING
                aria_sort = "ascending" if current["direction"] == ASCENDING else "descending"
            else:
                direction, aria_sort = self.FIRST_DIRECTION[key], ""
            href = "?" + self.querystring(sort=key, direction=direction)
            links[key] = SortLink(key, label, href, aria_sort)
        return links
