"""The codebook editor's forms: a category, a tag, and a codebook file to import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from annotations import codebook_editor as editor
from annotations.models import Category, Tag

LABELS = {
    "code": _("Code"),
    "label_ko": _("Korean label"),
    "label_en": _("English label"),
    "description": _("Description"),
    "decision_rule": _("Decision rule"),
    "example": _("Example"),
    "colour": _("Colour"),
    "shortcut": _("Shortcut key"),
    "position": _("Position"),
    "category": _("Category"),
}


class _VersionedForm(forms.ModelForm):
    """A codebook entry and the version it was read at (the lost-update guard)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in LABELS:
                field.label = LABELS[name]
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = editor.fingerprint(self.instance)

    def values(self) -> dict:
        """Return the entry's fields to save (without the version)."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class CategoryForm(_VersionedForm):
    class Meta:
        model = Category
        fields = ["code", "label_ko", "label_en", "description", "position"]
        help_texts = {"code": _("Letters, digits and hyphens; used in exports and addresses.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        # The services check uniqueness with a clear message (and catch the race); the model's
        # own unique checks would say the same thing a second time.
        self._validate_unique = False
        super()._post_clean()


class TagForm(_VersionedForm):
    class Meta:
        model = Tag
        fields = [
            "category",
            "code",
            "label_ko",
            "label_en",
            "description",
            "decision_rule",
            "example",
            "colour",
            "shortcut",
            "position",
        ]
        help_texts = {
            "code": _("Letters, digits and hyphens; used in exports and addresses."),
            "colour": _("The highlight colour, as #rrggbb."),
            "shortcut": _("One key that toggles the tag in the reader's tag picker (optional)."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "decision_rule": forms.Textarea(attrs={"rows": 3}),
            "example": forms.Textarea(attrs={"rows": 2, "lang": "ko"}),
            "colour": forms.TextInput(attrs={"pattern": "#[0-9a-fA-F]{6}", "spellcheck": "false"}),
            "shortcut": forms.TextInput(attrs={"size": 2, "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Long enough to say what is wrong with a pasted value rather than cut it silently.
        self.fields["shortcut"].max_length = None
        self.fields["shortcut"].widget.attrs.pop("maxlength", None)
        self.fields["shortcut"].validators = []
        self.fields["shortcut"].strip = False
        self.fields["colour"].max_length = None
        self.fields["colour"].validators = []
        self.fields["colour"].widget.attrs.pop("maxlength", None)
        self.fields["category"].queryset = editor.category_list()
        self.fields["category"].label_from_instance = lambda category: category.label()

    def clean_colour(self) -> str:
        return editor.colour_normalise(self.cleaned_data["colour"])

    def clean_shortcut(self) -> str:
        shortcut = self.cleaned_data["shortcut"]
        # Saving is where duplicates are checked (against the tags as they are then).
        problem = editor.shortcut_problem(shortcut, others=[])
        if problem:
            raise forms.ValidationError(problem)
        return shortcut

    def _get_validation_exclusions(self):
        # The services check the shortcut and the code with a message naming the other tag
        # (and catch the race); the model's own check would name the constraint instead.
        return {*super()._get_validation_exclusions(), "shortcut", "code"}

    def _post_clean(self) -> None:
        self._validate_unique = False
        super()._post_clean()


class CodebookImportForm(forms.Form):
    """A codebook file (CSV or REFI-QDA .qdc) to preview and then bring in."""

    file = forms.FileField(label=_("Codebook file (.csv or .qdc)"))
