"""The import forms (documents to upload, a new version of a brief, a preview's metadata) and
the library's filters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from briefs.importers import EXTENSIONS
from briefs.models import Brief, Language, Section
from briefs.selectors import ASCENDING, DESCENDING, LIBRARY_SORTS, LibraryOptions


def _length(name: str) -> int:
    return Brief._meta.get_field(name).max_length


def _too_large(name: str, size: int, limit: int) -> str:
    return gettext("%(file)s is too large (%(size)s bytes; the limit is %(limit)s bytes).") % {
        "file": name,
        "size": f"{size:,}",
        "limit": f"{limit:,}",
    }


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
        label=_("Documents"),
        allow_empty_file=True,  # the importer says "the file is empty", like the command
        widget=MultipleFileInput(attrs={"accept": ",".join(EXTENSIONS), "multiple": True}),
        help_text=_(
            "Text, Markdown, HTML, PDF (with a text layer), DOCX or HWPX; several at once if you like."
        ),
    )

    def clean_files(self) -> list[Any]:
        uploads = self.cleaned_data["files"]
        most = settings.MARGINALIA_MAX_IMPORT_FILES
        if len(uploads) > most:
            raise forms.ValidationError(
                gettext("%(count)d files were chosen; at most %(most)d can be uploaded at once.")
                % {"count": len(uploads), "most": most}
            )
        limit = settings.MARGINALIA_MAX_IMPORT_BYTES
        too_large = [upload for upload in uploads if upload.size > limit]
        if too_large:
            raise forms.ValidationError([_too_large(upload.name, upload.size, limit) for upload in too_large])
        return uploads


class ReimportForm(forms.Form):
    """A new version of a brief's document, to preview against the current one."""

    file = forms.FileField(
        label=_("New version of the document"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        help_text=_(
            "Sections keep their annotations under the same heading; you see what changes "
            "before anything is saved."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.MARGINALIA_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_too_large(upload.name, upload.size, limit))
        return upload


def _authors(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _no_surrogates(value: str) -> None:
    # A lone surrogate cannot be encoded for the database; refuse it rather than fail there.
    if any("\ud800" <= char <= "\udfff" for char in value):
        raise forms.ValidationError(_("It holds a character that is not valid text."), code="surrogate")


class BriefMetadataForm(forms.Form):
    """A brief's descriptive metadata, validated like the importer's (shared by the import
    preview and the edit page)."""

    title = forms.CharField(max_length=_length("title"), label=_("Title"))
    subtitle = forms.CharField(required=False, max_length=_length("subtitle"), label=_("Subtitle"))
    organisation = forms.CharField(
        required=False, max_length=_length("organisation"), label=_("Organisation")
    )
    organisation_en = forms.CharField(
        required=False, max_length=_length("organisation_en"), label=_("Organisation (English)")
    )
    series_code = forms.CharField(required=False, max_length=_length("series_code"), label=_("Series"))
    authors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Authors"),
        help_text=_("One author per line."),
    )
    publication_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label=_("Publication date")
    )
    publication_year = forms.IntegerField(
        required=False, min_value=1800, max_value=2200, label=_("Year (when there is no date)")
    )
    language = forms.ChoiceField(choices=Language.choices, label=_("Language"))
    source_url = forms.URLField(
        required=False, max_length=_length("source_url"), assume_scheme="https", label=_("Source URL")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(_no_surrogates)

    def clean_authors(self) -> list[str]:
        authors = _authors(self.cleaned_data["authors"])
        if any(len(author) > 300 for author in authors):
            raise forms.ValidationError(_("An author's name has at most 300 characters."))
        return authors

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        date, year = data.get("publication_date"), data.get("publication_year")
        if date and year and date.year != year:
            self.add_error(
                "publication_year",
                gettext("The year %(year)d does not match the date %(date)s.")
                % {"year": year, "date": date.isoformat()},
            )
        return data


class PreviewMetadataForm(BriefMetadataForm):
    """The metadata of an import preview, as the editor corrects it, and the brief's address."""

    slug = forms.SlugField(
        allow_unicode=True,
        max_length=_length("slug"),
        label=_("Address (slug)"),
        help_text=_("The brief's address in the library."),
    )

    def __init__(self, *args: Any, fixed_slug: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_slug:  # a re-import keeps its brief's address
            self.fields["slug"].disabled = True
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("A new version keeps its brief's address.")

    @classmethod
    def initial_from(cls, metadata: dict[str, Any]) -> dict[str, Any]:
        """Return form initial values for a preview's stored metadata."""
        initial = {name: metadata.get(name) for name in cls.base_fields}
        initial["authors"] = "\n".join(metadata.get("authors") or [])
        return initial


PER_PAGE = 50


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
        "title": _("Title"),
        "organisation": _("Organisation"),
        "date": _("Date"),
        "annotations": _("Annotations"),
    }
    # The direction a column sorts in when first chosen: newest and most annotated first.
    FIRST_DIRECTION = {
        "title": ASCENDING,
        "organisation": ASCENDING,
        "date": DESCENDING,
        "annotations": DESCENDING,
    }
    DEFAULTS = {"sort": "date", "direction": DESCENDING}

    q = forms.CharField(
        label=_("Title contains"), required=False, max_length=200, validators=[_no_surrogates]
    )
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    series = forms.CharField(
        label=_("Series"), required=False, max_length=_length("series_code"), validators=[_no_surrogates]
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *Language.choices]
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
            ("", _("Any organisation")),
            *((o, o) for o in options.organisations),
        ]
        self.fields["year"].choices = [("", _("Any year")), *((str(y), str(y)) for y in options.years)]
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
        labels = {"sort": _("Sort"), "direction": _("Sort direction"), "page": _("Page")}
        return [
            gettext("%(field)s: %(errors)s It was ignored.")
            % {"field": labels.get(name) or self.fields[name].label, "errors": " ".join(errors)}
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


# The edit page: a brief's metadata, its sections' headings and levels ---------------------


class BriefEditForm(BriefMetadataForm):
    """A brief's editable metadata, and the version it was read at (the lost-update guard)."""

    copyright = forms.CharField(required=False, max_length=_length("copyright"), label=_("Copyright"))
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Notes"),
        help_text=_("Disclaimers and other notes printed with the brief."),
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
            raise forms.ValidationError(_("This form is damaged: reload the page and edit again."))
        return value

    def metadata(self) -> dict[str, Any]:
        """Return every metadata field as brief_update takes it (an empty value clears it)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "updated_at"}


LEVEL_CHOICES = [(level, format_lazy(_("Level {level}"), level=level)) for level in range(1, 7)]


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
