"""The form for changing one public fact: the value fields its kind uses, the wording in both
languages, the source, and the reason (required). fund.site.fact_services checks again."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fund.site.models import (
    FACT_AMOUNT_MAX,
    FACT_TEXT_MAX,
    REVISION_REASON_MAX,
    Fact,
    FactKind,
    FactQualifier,
    Source,
)

DATE_WIDGET = {"type": "date"}


class SourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Source) -> str:
        english = (get_language() or "ko").startswith("en")
        return f"{obj.marker} · {obj.title_en if english else obj.title_ko}"


class FactForm(forms.Form):
    amount_krw = forms.IntegerField(
        label=_("Amount (won)"),
        min_value=1,
        max_value=FACT_AMOUNT_MAX,
        help_text=_("In whole won, for example 150000000000000 for 150조원."),
    )
    number = forms.DecimalField(label=_("Number"), min_value=0, max_digits=12, decimal_places=2)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE_WIDGET))
    qualifier = forms.ChoiceField(label=_("Qualifier"), choices=FactQualifier.choices)
    unit_ko = forms.CharField(label=_("Unit (Korean)"), max_length=40, required=False)
    unit_en = forms.CharField(label=_("Unit (English)"), max_length=60, required=False)
    label_ko = forms.CharField(label=_("Label (Korean)"), max_length=200)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200)
    text_ko = forms.CharField(
        label=_("Statement (Korean)"),
        max_length=FACT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text_en = forms.CharField(
        label=_("Statement (English)"),
        max_length=FACT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scope_ko = forms.CharField(label=_("Scope (Korean)"), max_length=40, required=False)
    scope_en = forms.CharField(label=_("Scope (English)"), max_length=60, required=False)
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET)
    )
    source = SourceChoiceField(
        label=_("Source"),
        queryset=Source.objects.order_by("order", "id"),
        to_field_name="key",
        empty_label=None,
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=REVISION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the fact's history with your name and the time."),
    )

    def __init__(self, *args, fact: Fact, **kwargs):
        initial = {
            "amount_krw": fact.amount_krw,
            "number": fact.number,
            "date": fact.date,
            "qualifier": fact.qualifier,
            "unit_ko": fact.unit_ko,
            "unit_en": fact.unit_en,
            "label_ko": fact.label_ko,
            "label_en": fact.label_en,
            "text_ko": fact.text_ko,
            "text_en": fact.text_en,
            "scope_ko": fact.scope_ko,
            "scope_en": fact.scope_en,
            "as_of": fact.as_of,
            "source": fact.source_id,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fact = fact
        # Only the value column of the fact's kind is shown.
        keep = {
            FactKind.AMOUNT: "amount_krw",
            FactKind.COUNT: "number",
            FactKind.PERCENT: "number",
            FactKind.DATE: "date",
        }.get(fact.kind)
        for name in ("amount_krw", "number", "date"):
            if name != keep:
                del self.fields[name]
        if fact.kind != FactKind.COUNT:
            del self.fields["unit_ko"]
            del self.fields["unit_en"]
        if fact.kind == FactKind.TEXT:
            del self.fields["qualifier"]
            self.fields["text_ko"].required = True
            self.fields["text_en"].required = True
        if fact.kind == FactKind.PERCENT:
            self.fields["number"].validators.append(MaxValueValidator(100))
            self.fields["number"].widget.attrs["max"] = "100"

    def values(self) -> dict:
        """The cleaned values the service takes (the reason apart)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}
