"""Forms for the applicant's proposal pages.

They only parse and shape what the browser sent; every rule about proposals lives in
services.proposal_validate, whose errors the views put back on these fields.
"""

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance.models import NOTE_MAX, SUMMARY_MAX, TITLE_MAX, Firm, Industry, SubAlliance
from portal.core.forms import LimitedCharField, any_choice
from portal.core.money import AmountParseError, parse_krw
from portal.core.vocabulary import (
    ChannelCode,
    DocumentKind,
    FundUse,
    ProjectType,
    ProposalStatus,
    Region,
    Structure,
)

AMOUNT_ERRORS = {
    "negative": _("The amount cannot be negative."),
    "fraction": _("The amount must be a whole number of won."),
    "invalid": _(
        "Enter the amount as digits in won (180,000,000,000) or with 조, 억 and 만 "
        "(1,800억원, 1.5조)."
    ),
}


class AmountField(forms.CharField):
    """Integer won typed as people write it: "1,800억원", "1.5조", "180000000000"
    (portal.core.money.parse_krw); shown back as digits with thousands commas."""

    max_digits_typed = 40

    def __init__(self, *, live_echo: bool = True, min_value=None, max_value=None, **kwargs):
        """`live_echo`: the amount in words under the field while it is typed (the proposal
        form's amounts, whose names `amount_preview` knows); `min_value`/`max_value` in won."""
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "data-amount": "",
                    "placeholder": _("e.g. 1,800억원"),
                    # The amount in words while it is typed, read by the server's own parser.
                    "hx-get": reverse_lazy("alliance:amount_preview"),
                    "hx-trigger": "input changed delay:400ms",
                    "hx-swap": "outerHTML",
                    "hx-sync": "this:replace",
                }
            ),
        )
        super().__init__(**kwargs)
        if not live_echo:
            for name in [name for name in self.widget.attrs if name.startswith("hx-")]:
                del self.widget.attrs[name]
        if min_value is not None:
            self.validators.append(MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(MaxValueValidator(max_value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > self.max_digits_typed:
            raise ValidationError(AMOUNT_ERRORS["invalid"], code="invalid")
        try:
            return parse_krw(text)
        except AmountParseError as exc:
            raise ValidationError(AMOUNT_ERRORS[exc.code], code=exc.code) from None


class NamedChoiceField(forms.ModelChoiceField):
    """Sub-alliances and industries by their name in the current language."""

    def label_from_instance(self, obj):
        return obj.name


class StepForm(forms.Form):
    """One step of the proposal form; carries the version the editor loaded."""

    step: int = 0
    title_text = ""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, with_version: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_version:
            del self.fields["version"]
        for name, field in self.fields.items():
            if isinstance(field, AmountField):
                field.widget.attrs["hx-target"] = f"#id_{name}_krw"
                field.widget.attrs["hx-vals"] = json.dumps({"field": name})

    def service_data(self) -> dict:
        """The cleaned values keyed as services.proposal_update expects them."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "partners")}
        return data

    def field_rows(self) -> list[dict]:
        """The visible fields in order, each amount with the value to show in words."""
        rows = []
        for name in self.fields:
            if name == "version":
                continue
            is_amount = isinstance(self.fields[name], AmountField)
            limit = getattr(self.fields[name], "max_length", None)
            rows.append(
                {
                    "field": self[name],
                    "is_amount": is_amount,
                    "amount": self.amount_preview(name) if is_amount else None,
                    "char_limit": f"{limit:,}" if limit else None,
                    "char_count": self._char_count(name) if limit else None,
                }
            )
        return rows

    def _char_count(self, name: str) -> str:
        value = self[name].value()
        return format_html("<span data-char-count>{}</span>", f"{len(str(value or '')):,}")

    def amount_preview(self, name: str) -> int | None:
        """The amount to show in words under the field: what was typed, if it parses."""
        if self.is_bound:
            try:
                return self.fields[name].clean(self[name].data)
            except ValidationError:
                return None
        value = self.initial.get(name)
        return value if isinstance(value, int) else None


class BasicInfoForm(StepForm):
    step = 1
    # Translators: 기본 정보
    title_text = _("Basic information")

    title = LimitedCharField(label=_("Title"), max_length=TITLE_MAX)
    summary = LimitedCharField(
        label=_("Summary"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the project builds, where, and how AI changes the work."),
    )
    sub_alliance = NamedChoiceField(
        label=_("Sub-alliance"),
        queryset=SubAlliance.objects.all(),
        required=False,
        empty_label=_("Choose"),
    )
    industry = NamedChoiceField(
        label=_("Strategic industry"),
        queryset=Industry.objects.all(),
        required=False,
        empty_label=_("Choose"),
    )
    project_type = forms.ChoiceField(
        label=_("Project type"),
        choices=[("", _("Choose")), *ProjectType.choices],
        required=False,
    )
    ai_related = forms.BooleanField(
        label=_("AI-related project"),
        required=False,
        help_text=_(
            "Tick if AI is central to the project: the fund sets aside 30 trillion won for AI."
        ),
    )


class PlanForm(StepForm):
    step = 2
    # Translators: 사업 계획
    title_text = _("Project plan")

    fund_uses = forms.MultipleChoiceField(
        label=_("Fund uses"),
        choices=FundUse.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    structure = forms.ChoiceField(label=_("Structure"), choices=Structure.choices)
    region = forms.ChoiceField(
        label=_("Project region"), choices=[("", _("Choose")), *Region.choices], required=False
    )
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    trl = forms.TypedChoiceField(
        label=_("Technology readiness level (TRL)"),
        choices=[("", _("Choose")), *[(n, str(n)) for n in range(1, 10)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 is basic research, 9 is a system proven in operation."),
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        # Translators: 포털 추천 받기
        choices=[("", _("Let the portal suggest")), *ChannelCode.choices],
        required=False,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Consortium partners"),
        queryset=Firm.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-partner-option": ""}),
        help_text=_("Active member firms only. Search by name, then tick each partner."),
    )

    def __init__(self, *args, partner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner_choices is not None:
            self.fields["partners"].queryset = partner_choices


class InvestmentForm(StepForm):
    step = 3
    # Translators: 투자 규모
    title_text = _("Investment size")

    total_cost_krw = AmountField(label=_("Total project cost (won)"))
    requested_krw = AmountField(label=_("Amount requested from the fund (won)"))
    private_coinvest_krw = AmountField(label=_("Private co-investment (won)"))
    expected_value_added_krw = AmountField(label=_("Expected value added (won)"))
    expected_jobs = forms.IntegerField(
        label=_("Expected jobs created"), required=False, min_value=0, max_value=1_000_000
    )

    AMOUNT_FIELDS = (
        "total_cost_krw",
        "requested_krw",
        "private_coinvest_krw",
        "expected_value_added_krw",
    )


# The review in step 4 says where each field is edited.
STEP_FORMS: dict[int, type[StepForm]] = {1: BasicInfoForm, 2: PlanForm, 3: InvestmentForm}
LAST_STEP = 4
FIELD_STEPS = {
    name: step
    for step, form_class in STEP_FORMS.items()
    for name in form_class.base_fields
    if name != "version"
}


def step_initial(proposal, step: int) -> dict:
    """A step form's initial values from the proposal (partners must be prefetched)."""
    initial: dict = {"version": proposal.version}
    for name in STEP_FORMS[step].base_fields:
        if name == "version":
            continue
        if name in ("sub_alliance", "industry"):
            initial[name] = getattr(proposal, f"{name}_id")
        elif name == "partners":
            initial[name] = [p.pk for p in proposal.partners.all()]
        else:
            initial[name] = getattr(proposal, name)
    return initial


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class WithdrawForm(forms.Form):
    reason = LimitedCharField(
        label=_("Reason (optional)"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def upload_limit_display() -> str:
    """The document size limit as people write it: "20 MB"."""
    limit = settings.DOCUMENT_MAX_BYTES
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= size:
            return f"{limit / size:g} {unit}"
    return f"{limit} B"


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document kind"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the content check gives the clearer message for empty files
        help_text=_("PDF, DOCX, XLSX, PPTX, HWP or HWPX, up to %(limit)s."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "limit": upload_limit_display()
        }
        self.fields["file"].widget.attrs["accept"] = ".pdf,.docx,.xlsx,.pptx,.hwp,.hwpx"


class ProposalFilterForm(forms.Form):
    """The secretariat's proposal list filters."""

    q = forms.CharField(label=_("Title, firm or business number"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=any_choice(_("All statuses")) + ProposalStatus.choices,
        required=False,
    )
    sub_alliance = forms.ChoiceField(label=_("Sub-alliance"), required=False)
    industry = forms.ChoiceField(label=_("Strategic industry"), required=False)
    region = forms.ChoiceField(
        label=_("Project region"),
        choices=any_choice(_("All regions")) + Region.choices,
        required=False,
    )
    best_channel = forms.ChoiceField(
        label=_("Best channel"),
        choices=any_choice(_("All channels"))
        + ChannelCode.choices
        + [("none", _("No eligible channel"))],
        required=False,
    )
    min_score = forms.IntegerField(
        label=_("Minimum score"), min_value=0, max_value=100, required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("submitted", _("Newest submission first")),
            ("submitted_asc", _("Oldest submission first")),
            ("score", _("Best score, highest first")),
            ("score_asc", _("Best score, lowest first")),
        ],
        required=False,
    )

    def __init__(self, *args, sub_alliances=(), industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_alliance"].choices = any_choice(_("All sub-alliances")) + [
            (sub.code, sub.name) for sub in sub_alliances
        ]
        self.fields["industry"].choices = any_choice(_("All industries")) + [
            (industry.code, industry.name) for industry in industries
        ]

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class RequestInfoForm(forms.Form):
    """KEIT's question to the applicant; the service is what checks it (required, length)."""

    question = forms.CharField(
        label=_("Question for the applicant"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX}),
        required=False,
    )
