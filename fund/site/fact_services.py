"""Writes to the public fact registry: one change of one fact, with the reason, in one
transaction together with its revision row (the value before and after) and its audit row.

A channel's five-year size and its annual plan are facts that the capacity ledger also
counts against; changing such a fact writes the new amount through to the channel row
(fund.capacity), in the same transaction, so the pages and the ledger never disagree.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from alliance.audit import audit_record
from alliance.models import User
from fund.capacity.models import LIVE_AMOUNT, AnnualPlan, Channel
from fund.site.facts import registry_invalidate
from fund.site.models import (
    REVISION_REASON_MAX,
    Fact,
    FactKind,
    FactQualifier,
    FactRevision,
    Source,
)
from portal.core.vocabulary import FUND_SIZE_KRW

# The fields a change may touch; key, kind and group say what the fact is and stay.
EDITABLE_FIELDS = (
    "amount_krw",
    "number",
    "date",
    "qualifier",
    "unit_ko",
    "unit_en",
    "label_ko",
    "label_en",
    "text_ko",
    "text_en",
    "scope_ko",
    "scope_en",
    "as_of",
    "source",
)
VALUE_COLUMNS = {
    FactKind.AMOUNT: "amount_krw",
    FactKind.COUNT: "number",
    FactKind.PERCENT: "number",
    FactKind.DATE: "date",
}
CHANNEL_SIZE = re.compile(r"^channel-(?P<code>[a-z]+)-size$")
CHANNEL_PLAN = re.compile(r"^channel-(?P<code>[a-z]+)-plan-(?P<year>\d{4})$")


def fact_snapshot(fact: Fact) -> dict:
    """Every editable field of `fact` as JSON values (what a revision records)."""
    values = {}
    for name in EDITABLE_FIELDS:
        value = fact.source_id if name == "source" else getattr(fact, name)
        if isinstance(value, Decimal):
            value = str(int(value)) if value == value.to_integral_value() else str(value)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        values[name] = value
    return values


def _clean_values(fact: Fact, values: dict) -> dict:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    cleaned = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "source" and isinstance(value, Source):
            value = value.key
        cleaned[name] = value
    # A kind fills one value column; the others stay empty whatever the form sent.
    own = VALUE_COLUMNS.get(fact.kind)
    for column in ("amount_krw", "number", "date"):
        if column != own and column in cleaned:
            cleaned[column] = None
    return cleaned


def _value_errors(fact: Fact) -> dict:
    """What is wrong with the fact's value for its kind, as field errors."""
    errors = {}
    if fact.kind == FactKind.AMOUNT and not fact.amount_krw:
        errors["amount_krw"] = _("Give the amount in won.")
    if fact.kind in (FactKind.COUNT, FactKind.PERCENT) and fact.number is None:
        errors["number"] = _("Give the number.")
    if fact.kind == FactKind.PERCENT and fact.number is not None and fact.number > 100:
        errors["number"] = _("A percentage is at most 100.")
    if fact.kind == FactKind.DATE and fact.date is None:
        errors["date"] = _("Give the date.")
    if fact.kind == FactKind.TEXT:
        for name in ("text_ko", "text_en"):
            if not getattr(fact, name):
                errors[name] = _("A statement needs its text in Korean and in English.")
    if fact.kind != FactKind.DATE and fact.qualifier == FactQualifier.MONTH:
        errors["qualifier"] = _("Only a date can be given to the month.")
    return errors


def _write_through(fact: Fact) -> None:
    """Carry a channel size or annual plan fact to the channel row the ledger counts on."""
    size = CHANNEL_SIZE.match(fact.key)
    plan = CHANNEL_PLAN.match(fact.key)
    if not (size or plan):
        return
    code = (size or plan)["code"]
    channel = Channel.objects.select_for_update().filter(code=code).first()
    if channel is None:
        return
    if size:
        if fact.amount_krw > FUND_SIZE_KRW:
            raise ValidationError(
                {"amount_krw": _("A channel cannot be larger than the whole fund.")}
            )
        committed = channel.commitments.aggregate(total=Sum(LIVE_AMOUNT))["total"] or 0
        if fact.amount_krw < committed:
            raise ValidationError(
                {
                    "amount_krw": _(
                        "%(committed)s won is already committed from this channel; its size "
                        "cannot be smaller."
                    )
                    % {"committed": f"{committed:,}"}
                }
            )
        channel.size_krw = fact.amount_krw
        channel.save(update_fields=["size_krw"])
    else:
        annual = AnnualPlan(channel=channel, year=int(plan["year"]), amount_krw=fact.amount_krw)
        try:
            annual.clean_fields(exclude=["channel"])
            annual.validate_constraints(exclude=["channel", "year"])
        except ValidationError as exc:
            raise ValidationError({"amount_krw": exc.messages}) from exc
        AnnualPlan.objects.update_or_create(
            channel=channel, year=annual.year, defaults={"amount_krw": annual.amount_krw}
        )


def fact_update(*, fact: Fact, actor: User | None, reason: str, **values) -> Fact:
    """Change a fact. Refuses (ValidationError, nothing stored) a missing reason, a value that
    does not fit the fact's kind, an unknown source, or a change that changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the fact changes.")})
    if len(reason) > REVISION_REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason within %(n)d characters.") % {"n": REVISION_REASON_MAX}}
        )
    with transaction.atomic():
        fact = Fact.objects.select_for_update().get(pk=fact.pk)
        before = fact_snapshot(fact)
        cleaned = _clean_values(fact, values)
        if "source" in cleaned:
            if not Source.objects.filter(key=cleaned["source"]).exists():
                raise ValidationError({"source": _("Choose a source from the registry.")})
            fact.source_id = cleaned.pop("source")
        for name, value in cleaned.items():
            setattr(fact, name, value)
        errors = _value_errors(fact)
        if errors:
            raise ValidationError(errors)
        fact.full_clean(exclude=["source", "updated_by"])
        after = fact_snapshot(fact)
        changed = [name for name in EDITABLE_FIELDS if before[name] != after[name]]
        if not changed:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Nothing changed: the fact already has these values.")}
            )
        _write_through(fact)
        fact.updated_by = actor if actor and actor.is_authenticated else None
        fact.save()
        FactRevision.objects.create(
            fact=fact, before=before, after=after, reason=reason, actor=fact.updated_by
        )
        audit_record(
            actor=actor,
            action="fact.update",
            obj=fact,
            note=reason,
            data={"key": fact.key, "fields": changed},
        )
        registry_invalidate()
    return fact
