from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from annotations.selectors import tag_list
from briefs.models import Brief, Language
from search.query import ParsedQuery, search_query_parse

SECTIONS = "sections"
ANNOTATIONS = "annotations"


class TagSelect(forms.Select):
    """The page's one-tag menu, reading every `tag` and `tags` value of the query string."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name: str) -> list[str]:
        getlist = getattr(data, "getlist", None)
        if getlist is None:
            value = data.get(name)
            return [value] if value else []
        return [v for v in [*getlist(name), *getlist(name + "s")] if v]

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return False

    def get_context(self, name: str, value, attrs) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("multiple", None)  # one choice on the page
        return context


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    brief = forms.ModelChoiceField(
        label=_("Brief"),
        queryset=Brief.objects.order_by("title"),
        to_field_name="slug",
        required=False,
        empty_label=_("All briefs"),
        error_messages={"invalid_choice": _("There is no brief with that address.")},
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any language")), *Language.choices], required=False
    )
    year_from = forms.IntegerField(label=_("From year"), required=False, min_value=1800, max_value=2200)
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1800, max_value=2200)
    # One tag from the page's menu; the API may repeat it, and spell it `tags` as the export
    # does: any of them matches.
    tag = forms.ModelMultipleChoiceField(
        label=_("Annotation tag"),
        queryset=tag_list(),
        to_field_name="code",
        required=False,
        widget=TagSelect,
        error_messages={"invalid_choice": _("There is no tag with the code %(value)s.")},
    )
    # Which result list is shown; the other one is only counted.
    kind = forms.ChoiceField(
        label=_("Results"),
        choices=[(SECTIONS, _("Sections")), (ANNOTATIONS, _("Annotations"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].empty_label = _("Any tag")  # the menu's first option

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
            self.add_error("year_to", _("The end year comes before the start year."))
        return data
