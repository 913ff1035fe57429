from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import TokenScope


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        label=_("Name"),
        help_text=_("What the token is for, e.g. “sync notebook”."),
    )
    scope = forms.ChoiceField(
        choices=TokenScope.choices, initial=TokenScope.READ, widget=forms.RadioSelect, label=_("Scope")
    )
