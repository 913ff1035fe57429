from __future__ import annotations

from django import forms

from annotations.selectors import tag_list
from briefs.models import Brief, Language
from search.query import ParsedQuery, search_query_parse

SECTIONS = "sections"
ANNOTATIONS = "annotations"


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, strip=True)
    brief = forms.ModelChoiceField(
        queryset=Brief.objects.order_by("title"),
        to_field_name="slug",
        required=False,
        empty_label="All briefs",
        error_messages={"invalid_choice": "There is no brief with that address."},
    )
    language = forms.ChoiceField(choices=[("", "Any language"), *Language.choices], required=False)
    year_from = forms.IntegerField(label="From year", required=False, min_value=1800, max_value=2200)
    year_to = forms.IntegerField(label="To year", required=False, min_value=1800, max_value=2200)
    tag = forms.ModelChoiceField(
        label="Annotation tag",
        queryset=tag_list(),
        to_field_name="code",
        required=False,
        empty_label="Any tag",
        error_messages={"invalid_choice": "There is no tag with that code."},
    )
    # Which result list is shown; the other one is only counted.
    kind = forms.ChoiceField(
        label="Results",
        choices=[(SECTIONS, "Sections"), (ANNOTATIONS, "Annotations")],
        required=False,
        widget=forms.HiddenInput,
    )

    def clean_q(self) -> ParsedQuery:
        parsed = search_query_parse(self.cleaned_data.get("q") or "")
        if parsed.error:
            raise forms.ValidationError(parsed.error, code="query")
        return parsed

    def filters(self) -> dict:
        """Return the cleaned filters shared by section_search and annotation_search."""
        data = self.cleaned_data
        return {
            "brief": data["brief"],
            "language": data["language"] or None,
            "year_from": data["year_from"],
            "year_to": data["year_to"],
        }

    def clean(self) -> dict:
        data = super().clean()
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", "The end year comes before the start year.")
        return data
