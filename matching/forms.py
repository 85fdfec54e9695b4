"""The rule-set editor: one small form per eligibility check and per criterion of each channel,
generated from the rule vocabulary (matching.scoring.rules), so only known checks, criteria
and parameters can be posted. The service (`rule_set_update_draft`) still validates the whole
document; its messages are put back next to the channel or entry they name."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict, ErrorList
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from alliance.proposals.forms import AmountField
from matching.scoring.explain import CRITERION_LABELS, RULE_LABELS
from matching.scoring.rules import (
    CHANNEL_CODES,
    CRITERIA,
    ELIGIBILITY_RULES,
    as_decimal,
    default_rules,
)
from matching.services import NAME_MAX
from portal.core.vocabulary import FUND_SIZE_KRW, INDUSTRIES, ChannelCode, FundUse, Structure

RATIO_DIGITS = 12
RATIO_PLACES = 6
BAND_ROWS = 6
KRW_MAX = FUND_SIZE_KRW * 10

PARAM_LABELS = {
    "industries": _("Strategic industries"),
    "uses": _("Uses of funds"),
    "structures": _("Structures"),
    "min_krw": _("Minimum ticket"),
    "max_krw": _("Maximum ticket"),
    "ratio": _("Co-investment ratio (× the request)"),
    "full_ratio": _("Full points at value added ÷ cost of"),
    "full_share": _("Full points at an own-funds share of"),
    "min_trl": _("TRL scoring 0 (at or below)"),
    "full_trl": _("TRL scoring full points (at or above)"),
    "ai_share": _("Share: AI-related"),
    "regional_share": _("Share: outside the capital area"),
    "spillover_share": _("Share: consortium and SME spillover"),
    "jobs_share": _("Share: jobs"),
    "jobs_per_100eok_full": _("Jobs per 10 billion won for full points"),
}

# "direct › criteria[2] (financial_structure): …" and "direct: weights add up to …": the
# service names the channel and the entry (1-based) a message is about.
ENTRY_IN_MESSAGE = re.compile(
    r"\b(?P<code>" + "|".join(CHANNEL_CODES) + r") › (?P<kind>eligibility|criteria)\[(?P<n>\d+)\]"
)
CHANNEL_IN_MESSAGE = re.compile(r"\b(?P<code>" + "|".join(CHANNEL_CODES) + r")(?=:| ›)")


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def _pair(labels: tuple[str, str]) -> str:
    return labels[1] if _english() else labels[0]


def _code_choices(param: str) -> list[tuple[str, str]]:
    if param == "industries":
        return [(code, en if _english() else ko) for code, ko, en in INDUSTRIES]
    if param == "uses":
        return list(FundUse.choices)
    return list(Structure.choices)


def _plain(value: Decimal) -> str:
    """A decimal as the rule document writes it: "0.3", "10", never "1E+1"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _same_bands(stored, bands: list) -> bool:
    if not isinstance(stored, list) or len(stored) != len(bands):
        return False
    for old, new in zip(stored, bands, strict=True):
        if not isinstance(old, list) or len(old) != 2:
            return False
        if [as_decimal(v) for v in old] != [Decimal(v) for v in new]:
            return False
    return True


def _ratio_field(label, *, max_value=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=max_value,
        max_digits=RATIO_DIGITS,
        decimal_places=RATIO_PLACES,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


def _param_field(param: str, spec: tuple) -> forms.Field:
    kind, extra = spec
    label = PARAM_LABELS.get(param, param)
    if kind == "krw":
        return AmountField(
            label=label,
            help_text=_("In won, or with 조 and 억 (e.g. 1,800억원)."),
            live_echo=False,
            min_value=0,
            max_value=KRW_MAX,
        )
    if kind == "int":
        low, high = extra
        return forms.IntegerField(label=label, required=False, min_value=low, max_value=high)
    if kind == "ratio":
        return _ratio_field(label)
    if kind == "codes":
        return forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=_code_choices(param),
            widget=forms.CheckboxSelectMultiple,
        )
    raise ValueError(param)


class RuleSetMetaForm(forms.Form):
    """The draft's name and description."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EntryForm(forms.Form):
    """One eligibility check or one criterion of a channel: in use or not, and its parameters.

    An entry not in use is not validated (its inputs are ignored); one in use needs every
    parameter."""

    use = forms.BooleanField(label=_("Use"), required=False)

    def __init__(self, *args, kind: str, name: str, entry: dict, **kwargs):
        self.kind = kind  # "rule" (eligibility) or "criterion"
        self.name = name
        self.entry = entry  # the stored entry (or the start rule set's), for its descriptions
        vocabulary = ELIGIBILITY_RULES if kind == "rule" else CRITERIA
        self.spec = vocabulary[name]
        kwargs.setdefault("initial", self._initial(entry))
        super().__init__(*args, **kwargs)
        self.fields["use"].label = _("Apply this check") if kind == "rule" else _("Use")
        if kind == "criterion":
            self.fields["weight"] = forms.IntegerField(
                label=_("Weight (0–100)"),
                required=False,
                min_value=0,
                max_value=100,
                widget=forms.NumberInput(attrs={"step": "1", "class": "portal-weight"}),
            )
        for param, spec in self.spec.items():
            if spec[0] == "bands":
                for row in range(1, BAND_ROWS + 1):
                    self.fields[f"band{row}_share"] = _ratio_field(
                        _("Band %(n)s: request ÷ remaining capacity up to") % {"n": row}
                    )
                    self.fields[f"band{row}_fraction"] = _ratio_field(
                        _("Band %(n)s: fraction of the points (0–1)") % {"n": row},
                        max_value=Decimal(1),
                    )
            else:
                self.fields[param] = _param_field(param, spec)

    def _initial(self, entry: dict) -> dict:
        initial = {"use": bool(entry.get("_in_use"))}
        if self.kind == "criterion":
            initial["weight"] = entry.get("weight", 0)
        params = entry.get("params") or {}
        for param, (kind, _extra) in self.spec.items():
            value = params.get(param)
            if kind == "bands":
                for row, band in enumerate(value or [], start=1):
                    if row <= BAND_ROWS and isinstance(band, list) and len(band) == 2:
                        initial[f"band{row}_share"], initial[f"band{row}_fraction"] = band
            elif value is not None:
                initial[param] = value
        return initial

    @property
    def label(self) -> str:
        return _pair((RULE_LABELS if self.kind == "rule" else CRITERION_LABELS)[self.name])

    @property
    def description(self) -> str:
        return self.entry.get("description_en" if _english() else "description_ko", "")

    @property
    def in_use(self) -> bool:
        if self.is_bound:
            return self.fields["use"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("use")
            )
        return bool(self.initial.get("use"))

    def param_fields(self):
        return [self[name] for name in self.fields if name not in ("use", "weight")]

    def number_fields(self):
        """The weight and the numeric parameters, laid out side by side."""
        return [
            self[name]
            for name, field in self.fields.items()
            if name != "use"
            and not name.startswith("band")
            and not isinstance(field, forms.MultipleChoiceField)
        ]

    def code_fields(self):
        return [
            self[name]
            for name, field in self.fields.items()
            if isinstance(field, forms.MultipleChoiceField)
        ]

    def band_fields(self):
        return [self[name] for name in self.fields if name.startswith("band")]

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.cleaned_data.get("use"):
            self._errors = ErrorDict()
            self.cleaned_data = {"use": False}

    def clean(self):
        data = super().clean()
        if not data.get("use"):
            return data
        required = [name for name in self.fields if name != "use" and "band" not in name]
        for name in required:
            if name not in self._errors and data.get(name) in (None, "", []):
                self.add_error(name, self.fields[name].error_messages["required"])
        if "bands" in self.spec:
            bands = []
            for row in range(1, BAND_ROWS + 1):
                share, fraction = data.get(f"band{row}_share"), data.get(f"band{row}_fraction")
                if share is None and fraction is None:
                    continue
                if share is None or fraction is None:
                    missing = f"band{row}_share" if share is None else f"band{row}_fraction"
                    if missing not in self._errors:
                        self.add_error(missing, _("Give both numbers of this band."))
                    continue
                bands.append([_plain(share), _plain(fraction)])
            if not bands and not any(k.startswith("band") for k in self._errors):
                self.add_error("band1_share", _("Give at least one band."))
            data["bands"] = bands
        return data

    def to_entry(self) -> dict:
        """The entry as the rule document stores it (only for a valid form in use)."""
        data = self.cleaned_data
        stored = self.entry.get("params") or {}
        params = {}
        for param, (kind, _extra) in self.spec.items():
            value = data[param]
            if kind == "ratio":
                # An unchanged ratio keeps the stored spelling ("1.0" stays "1.0").
                same = as_decimal(stored.get(param)) == value
                value = stored[param] if same else _plain(value)
            elif kind == "bands" and _same_bands(stored.get(param), value):
                value = stored[param]
            params[param] = value
        entry = {self.kind: self.name}
        if self.kind == "criterion":
            entry["weight"] = data["weight"]
        entry["params"] = params
        entry["description_ko"] = self.entry.get("description_ko", "")
        entry["description_en"] = self.entry.get("description_en", "")
        return entry

    def weight_or_none(self) -> int | None:
        """The posted weight when it is a whole number in 0–100 (for the live sum)."""
        try:
            return self.fields["weight"].clean(self["weight"].value())
        except ValidationError:
            return None


class ChannelEditor:
    """One channel's entry forms and the messages about the channel as a whole."""

    def __init__(self, code: str, eligibility: list[EntryForm], criteria: list[EntryForm]):
        self.code = code
        self.label = ChannelCode(code).label
        self.eligibility = eligibility
        self.criteria = criteria
        self.errors = ErrorList()

    @property
    def weight_sum(self) -> dict:
        """{"total": sum of the weights in use, "unreadable": weights that are not 0–100}."""
        total, unreadable = 0, 0
        for form in self.criteria:
            if not form.in_use:
                continue
            weight = form.weight_or_none()
            if weight is None:
                unreadable += 1
            else:
                total += weight
        return {"total": total, "unreadable": unreadable, "ok": total == 100 and not unreadable}

    def forms(self) -> list[EntryForm]:
        return [*self.eligibility, *self.criteria]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or any(form.errors for form in self.forms()))


def _entries(rules: dict, code: str, key: str, kind: str) -> dict[str, dict]:
    """The stored entries of a channel by name (the first of each name), marked as in use."""
    body = ((rules or {}).get("channels") or {}).get(code) or {}
    found: dict[str, dict] = {}
    for entry in body.get(key) or []:
        if isinstance(entry, dict) and isinstance(entry.get(kind), str):
            found.setdefault(entry[kind], {**entry, "_in_use": True})
    return found


def _without_descriptions(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k not in ("description_ko", "description_en")}


class RuleSetEditor:
    """Every form of the editor page; `rules()` rebuilds the document from them."""

    def __init__(self, rule_set, data=None):
        self.rule_set = rule_set
        self.meta = RuleSetMetaForm(
            data,
            initial={"name": rule_set.name, "description": rule_set.description},
        )
        start = default_rules()
        self.channels = []
        for code in CHANNEL_CODES:
            parts = {}
            for key, kind, vocabulary in (
                ("eligibility", "rule", ELIGIBILITY_RULES),
                ("criteria", "criterion", CRITERIA),
            ):
                stored = _entries(rule_set.rules, code, key, kind)
                fallback = _entries(start, code, key, kind)
                anywhere = {}
                for other in CHANNEL_CODES:
                    for name, entry in _entries(start, other, key, kind).items():
                        anywhere.setdefault(name, entry)
                forms_ = []
                for name in vocabulary:
                    # A check this channel does not use starts from its own start entry, or
                    # else from another channel's parameters, never that channel's words:
                    # a borrowed description would describe the other channel.
                    start_entry = fallback.get(name) or _without_descriptions(
                        anywhere.get(name) or {}
                    )
                    entry = stored.get(name) or {**start_entry, "_in_use": False, "weight": 0}
                    prefix = f"{code}-{kind}-{name}"
                    forms_.append(EntryForm(data, kind=kind, name=name, entry=entry, prefix=prefix))
                parts[key] = forms_
            self.channels.append(ChannelEditor(code, parts["eligibility"], parts["criteria"]))
        self.errors = ErrorList()  # messages naming no channel
        self._where: dict[tuple[str, str, int], EntryForm] = {}

    def channel(self, code: str) -> ChannelEditor | None:
        return next((c for c in self.channels if c.code == code), None)

    def is_valid(self) -> bool:
        valid = self.meta.is_valid()
        for channel in self.channels:
            for form in channel.forms():
                valid = form.is_valid() and valid
        return valid

    def rules(self) -> dict:
        """The rebuilt document (after is_valid); remembers which form each entry came from."""
        document = {k: v for k, v in (self.rule_set.rules or {}).items() if k != "channels"}
        channels = {}
        for channel in self.channels:
            body = {}
            for key, forms_ in (
                ("eligibility", channel.eligibility),
                ("criteria", channel.criteria),
            ):
                body[key] = []
                for form in forms_:
                    if form.cleaned_data.get("use"):
                        body[key].append(form.to_entry())
                        self._where[(channel.code, key, len(body[key]))] = form
            channels[channel.code] = body
        document["channels"] = channels
        return document

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put each of the service's messages next to the field, entry or channel it names."""
        by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, messages in by_field.items():
            for message in messages:
                if field in self.meta.fields:
                    self.meta.add_error(field, message)
                    continue
                entry = ENTRY_IN_MESSAGE.search(message)
                if entry:
                    form = self._where.get((entry["code"], entry["kind"], int(entry["n"])))
                    if form is not None:
                        form.add_error(None, message)
                        continue
                channel = CHANNEL_IN_MESSAGE.search(message)
                if channel:
                    self.channel(channel["code"]).errors.append(message)
                else:
                    self.errors.append(message)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.errors or self.meta.errors or any(channel.has_errors for channel in self.channels)
        )
