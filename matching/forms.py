import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import NAME_MAX


class RuleSetForm(forms.Form):
    """A draft's name, description and rules document (JSON, validated by the service)."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    rules = forms.CharField(
        label=_("Rules (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        max_length=200_000,
    )

    def clean_rules(self):
        try:
            return json.loads(self.cleaned_data["rules"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON: %(error)s"), params={"error": exc}
            ) from exc
