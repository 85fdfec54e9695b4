"""Writes: one function per state change. Each validates, changes state atomically, and
records an audit row in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import permissions
from alliance.audit import audit_record
from alliance.models import (
    NOTE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Firm,
    Industry,
    Proposal,
    ProposalPartner,
    SubAlliance,
    User,
)
from alliance.notifications import services as notifications
from portal.core import aggregate_cache, signals
from portal.core.errors import StaleEdit, TransitionNotAllowed
from portal.core.vocabulary import (
    FUND_SIZE_KRW,
    ChannelCode,
    FirmStatus,
    FundUse,
    ProjectType,
    ProposalStatus,
    Region,
    Structure,
)

# ---------------------------------------------------------------------------------------------
# Audit


# ---------------------------------------------------------------------------------------------
# Firms and accounts


# ---------------------------------------------------------------------------------------------
# Proposals

PROPOSAL_FIELDS = (
    "title",
    "summary",
    "sub_alliance",
    "industry",
    "project_type",
    "fund_uses",
    "structure",
    "region",
    "start_date",
    "end_date",
    "trl",
    "ai_related",
    "total_cost_krw",
    "requested_krw",
    "private_coinvest_krw",
    "expected_value_added_krw",
    "expected_jobs",
    "preferred_channel",
)
REQUIRED_FOR_SUBMIT = (
    "title",
    "summary",
    "sub_alliance",
    "industry",
    "project_type",
    "fund_uses",
    "structure",
    "region",
    "start_date",
    "end_date",
    "trl",
    "total_cost_krw",
    "requested_krw",
    "private_coinvest_krw",
)


# Coded fields and the values each may hold; "" means "not chosen yet" where the model allows.
CHOICE_FIELDS = {
    "project_type": (ProjectType.values, True),
    "structure": (Structure.values, False),
    "region": (Region.values, True),
    "preferred_channel": (ChannelCode.values, True),
}
AMOUNT_FIELDS = (
    "total_cost_krw",
    "requested_krw",
    "private_coinvest_krw",
    "expected_value_added_krw",
)
EXPECTED_JOBS_MAX = 1_000_000
# A field whose error can come from another field's value: the requested amount is checked
# against the total cost, the end date against the start date.
CHECKED_AGAINST = {
    "requested_krw": ("total_cost_krw",),
    "private_coinvest_krw": ("total_cost_krw",),
    "end_date": ("start_date",),
}


def _is_whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def proposal_validate(proposal: Proposal, *, complete: bool) -> None:
    """Field and cross-field rules; with complete=True, everything submission needs.

    Raises one ValidationError mapping each bad field to its messages, so a caller never
    reaches the database with a value that a constraint would refuse.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = proposal.title
    if not isinstance(title, str) or not title.strip():
        add("title", _("Enter a title."))
    elif len(title) > TITLE_MAX:
        add("title", _("The title can be at most %(n)d characters.") % {"n": TITLE_MAX})
    if not isinstance(proposal.summary, str):
        add("summary", _("Enter the summary as text."))
    elif len(proposal.summary) > SUMMARY_MAX:
        add("summary", _("The summary can be at most %(n)d characters.") % {"n": SUMMARY_MAX})
    for field, (allowed, blank_ok) in CHOICE_FIELDS.items():
        value = getattr(proposal, field)
        if not (value == "" and blank_ok) and value not in allowed:
            add(field, _("Choose an option from the list."))
    uses = proposal.fund_uses
    if not isinstance(uses, list) or any(u not in FundUse.values for u in uses):
        add("fund_uses", _("Choose fund uses from the list."))
    if not isinstance(proposal.ai_related, bool):
        add("ai_related", _("Choose yes or no."))
    for field in AMOUNT_FIELDS:
        value = getattr(proposal, field)
        if value is None:
            continue
        if not _is_whole_number(value):
            add(field, _("Enter an amount in whole won."))
        elif value < 0 or (value == 0 and field in ("total_cost_krw", "requested_krw")):
            add(field, _("The amount must be positive."))
        elif value > FUND_SIZE_KRW:
            add(field, _("The amount cannot exceed the fund's 150 trillion won."))
    total, requested = proposal.total_cost_krw, proposal.requested_krw
    coinvest = proposal.private_coinvest_krw
    if "total_cost_krw" not in errors and "requested_krw" not in errors:
        if total is not None and requested is not None and requested > total:
            add("requested_krw", _("The requested amount cannot exceed the total project cost."))
    if "total_cost_krw" not in errors and "private_coinvest_krw" not in errors:
        if total is not None and coinvest is not None and coinvest > total:
            add(
                "private_coinvest_krw",
                _("Private co-investment cannot exceed the total project cost."),
            )
    jobs = proposal.expected_jobs
    if jobs is not None and not (_is_whole_number(jobs) and 0 <= jobs <= EXPECTED_JOBS_MAX):
        add("expected_jobs", _("Enter a number of jobs from 0 to 1,000,000."))
    trl = proposal.trl
    if trl is not None and not (_is_whole_number(trl) and 1 <= trl <= 9):
        add("trl", _("TRL is a level from 1 to 9."))
    for field in ("start_date", "end_date"):
        value = getattr(proposal, field)
        if value is not None and not _is_date(value):
            add(field, _("Enter a valid date."))
    start, end = proposal.start_date, proposal.end_date
    if _is_date(start) and _is_date(end) and end < start:
        add("end_date", _("The end date cannot be before the start date."))
    if complete:
        for field in REQUIRED_FOR_SUBMIT:
            value = getattr(
                proposal, f"{field}_id" if field in ("sub_alliance", "industry") else field
            )
            if value in (None, "", []) and field not in errors:
                add(field, _("This field is required to submit."))
    if errors:
        raise ValidationError(errors)


# The related rows a proposal points at; a form or serializer hands over model instances.
RELATED_FIELDS = {"sub_alliance": SubAlliance, "industry": Industry}


def _assign(proposal: Proposal, data: dict[str, Any]) -> dict[str, str]:
    changed = {}
    for field in PROPOSAL_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field in ("title", "summary") and isinstance(value, str):
            value = value.strip()
        if field == "fund_uses" and isinstance(value, list):
            if all(isinstance(u, str) for u in value):
                value = list(dict.fromkeys(value))  # the same use twice means it once
        if field in RELATED_FIELDS and not (
            value is None or isinstance(value, RELATED_FIELDS[field])
        ):
            raise ValidationError({field: [_("Choose an option from the list.")]})
        current = getattr(proposal, field)
        if current != value:
            changed[field] = str(value)[:200]
            setattr(proposal, field, value)
    return changed


def _clean_partners(proposal: Proposal, partners: Iterable[Firm]) -> list[Firm]:
    """Distinct firms other than the lead; a newly named partner must be a verified member."""
    distinct: dict[int, Firm] = {}
    for partner in partners:
        if partner.pk != proposal.firm_id:
            distinct.setdefault(partner.pk, partner)
    existing = set()
    if proposal.pk is not None:
        existing = set(
            ProposalPartner.objects.filter(proposal=proposal).values_list("firm_id", flat=True)
        )
    added = set(distinct) - existing
    if added and Firm.objects.filter(pk__in=added, status=FirmStatus.ACTIVE).count() != len(added):
        raise ValidationError(
            {"partners": [_("Consortium partners must be verified member firms.")]}
        )
    return list(distinct.values())


def _set_partners(proposal: Proposal, partners: list[Firm]) -> None:
    ProposalPartner.objects.filter(proposal=proposal).exclude(
        firm__in=[p.pk for p in partners]
    ).delete()
    existing = set(
        ProposalPartner.objects.filter(proposal=proposal).values_list("firm_id", flat=True)
    )
    ProposalPartner.objects.bulk_create(
        [ProposalPartner(proposal=proposal, firm=p) for p in partners if p.pk not in existing]
    )


def proposal_create(
    *, actor: User, data: dict[str, Any], partners: Iterable[Firm] | None = None
) -> Proposal:
    """An applicant starts a draft for their own firm."""
    if not permissions.can_create_proposal(actor):
        raise PermissionDenied
    proposal = Proposal(firm_id=actor.firm_id, created_by=actor, status=ProposalStatus.DRAFT)
    _assign(proposal, data)
    proposal_validate(proposal, complete=False)
    if partners is not None:
        partners = _clean_partners(proposal, partners)
    with transaction.atomic():
        proposal.save()
        if partners is not None:
            _set_partners(proposal, partners)
        audit_record(actor=actor, action="proposal.create", obj=proposal, to_state=proposal.status)
    return proposal


def proposal_lock(proposal_id: int) -> Proposal:
    """The proposal, locked (select_for_update) for a state change in this transaction."""
    return (
        Proposal.objects.select_for_update(of=("self",)).select_related("firm").get(pk=proposal_id)
    )


def proposal_update(
    *,
    proposal_id: int,
    actor: User,
    version: int,
    data: dict[str, Any],
    partners: Iterable[Firm] | None = None,
    autosave: bool = False,
) -> Proposal:
    """Save edits to a draft (or an answer in progress); refuse if `version` is stale.

    PermissionDenied for anyone but the lead firm's applicants; TransitionNotAllowed once the
    proposal is no longer editable; StaleEdit when `version` is not the current one. An edit
    that changes nothing writes nothing and keeps the version.
    """
    with transaction.atomic():
        proposal = proposal_lock(proposal_id)
        if not permissions.is_lead_member(actor, proposal):
            raise PermissionDenied
        if not proposal.is_editable:
            raise TransitionNotAllowed(_("This proposal can no longer be edited."))
        if proposal.version != version:
            raise StaleEdit(proposal.version)
        changed = _assign(proposal, data)
        proposal_validate(proposal, complete=False)
        if partners is not None:
            partners = _clean_partners(proposal, partners)
            before = set(proposal.partners.values_list("pk", flat=True))
            after = {p.pk for p in partners}
            if before != after:
                changed["partners"] = ",".join(str(pk) for pk in sorted(after))
                _set_partners(proposal, partners)
        if not changed:
            return proposal
        proposal.version += 1
        proposal.save()
        if proposal.status != ProposalStatus.DRAFT:
            # An answer to an information request may change a counted requested amount and
            # what the engine scores: the results follow the proposal as it now stands.
            aggregate_cache.invalidate()
            signals.scoring_inputs_changed.send(sender=Proposal, proposal_ids=[proposal.pk])
        audit_record(
            actor=actor,
            action="proposal.autosave" if autosave else "proposal.update",
            obj=proposal,
            data={"changed": sorted(changed)},
        )
    return proposal


def proposal_submit(*, proposal_id: int, actor: User, version: int | None = None) -> Proposal:
    """Submit a complete draft, or resubmit after an information request.

    PermissionDenied for anyone but the lead firm's applicants; StaleEdit on a stale
    `version`; TransitionNotAllowed when not editable or the firm is not verified yet;
    ValidationError naming every field that is missing or wrong.
    """
    with transaction.atomic():
        proposal = proposal_lock(proposal_id)
        if not permissions.is_lead_member(actor, proposal):
            raise PermissionDenied
        if version is not None and proposal.version != version:
            raise StaleEdit(proposal.version)
        if not proposal.is_editable:
            raise TransitionNotAllowed(
                _("Only a draft or a proposal awaiting your answer can be submitted.")
            )
        if not proposal.firm.is_active:
            raise TransitionNotAllowed(
                _(
                    "Your firm must be verified by the alliance "
                    "secretariat before it can submit proposals."
                )
            )
        proposal_validate(proposal, complete=True)
        previous = proposal.status
        proposal.status = ProposalStatus.SUBMITTED
        proposal.submitted_at = timezone.now()
        proposal.info_request = ""
        proposal.version += 1
        proposal.save()
        # Public demand counts submitted proposals: the cached sums are stale once this commits.
        aggregate_cache.invalidate()
        audit_record(
            actor=actor,
            action="proposal.resubmit"
            if previous == ProposalStatus.INFO_REQUESTED
            else "proposal.submit",
            obj=proposal,
            from_state=previous,
            to_state=proposal.status,
        )
        signals.proposal_submitted.send(sender=Proposal, proposal_id=proposal.pk)
    return proposal


def proposal_withdraw(*, proposal_id: int, actor: User, note: str = "") -> Proposal:
    """The lead firm withdraws a proposal that the fund has not yet taken up.

    PermissionDenied for anyone but the lead firm's applicants; TransitionNotAllowed once the
    proposal is referred, decided or already withdrawn.
    """
    with transaction.atomic():
        proposal = proposal_lock(proposal_id)
        if not permissions.is_lead_member(actor, proposal):
            raise PermissionDenied
        if not proposal.is_withdrawable:
            raise TransitionNotAllowed(_("This proposal can no longer be withdrawn."))
        previous = proposal.status
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.version += 1
        proposal.save()
        aggregate_cache.invalidate()
        audit_record(
            actor=actor,
            action="proposal.withdraw",
            obj=proposal,
            from_state=previous,
            to_state=proposal.status,
            note=(note or "").strip()[:NOTE_MAX],
        )
    return proposal


def proposal_discard(*, proposal_id: int, actor: User) -> Proposal:
    """The lead firm discards a draft it never submitted (the API's DELETE).

    Nothing is erased: the audit history is append-only, so the draft is closed as withdrawn
    and leaves every list of open work. TransitionNotAllowed for anything but a draft.
    """
    with transaction.atomic():
        proposal = proposal_lock(proposal_id)
        if not permissions.is_lead_member(actor, proposal):
            raise PermissionDenied
        if proposal.status != ProposalStatus.DRAFT:
            raise TransitionNotAllowed(_("Only a draft can be discarded; withdraw it instead."))
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.version += 1
        proposal.save()
        audit_record(
            actor=actor,
            action="proposal.discard",
            obj=proposal,
            from_state=ProposalStatus.DRAFT,
            to_state=proposal.status,
        )
    return proposal


def proposal_request_info(*, proposal_id: int, actor: User, question: str) -> Proposal:
    """KEIT sends a submitted proposal back to the applicant with a question.

    PermissionDenied for anyone but KEIT staff; ValidationError on `question` when it is empty
    or too long; TransitionNotAllowed unless the proposal is submitted.
    """
    if not (actor.is_authenticated and actor.is_alliance_staff):
        raise PermissionDenied
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Write the question for the applicant.")})
    if len(question) > NOTE_MAX:
        raise ValidationError({"question": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    with transaction.atomic():
        proposal = proposal_lock(proposal_id)
        if not permissions.can_request_info(actor, proposal):
            raise TransitionNotAllowed(
                _("Information can be requested only on a submitted proposal.")
            )
        previous = proposal.status
        proposal.status = ProposalStatus.INFO_REQUESTED
        proposal.info_request = question
        proposal.version += 1
        proposal.save()
        entry = audit_record(
            actor=actor,
            action="proposal.request_info",
            obj=proposal,
            from_state=previous,
            to_state=proposal.status,
            note=question,
        )
        notifications.notify_info_requested(
            proposal=proposal, question=question, event_key=f"audit:{entry.pk}"
        )
    return proposal


# ---------------------------------------------------------------------------------------------
# The fund secretariat's questions, relayed by KEIT and answered by the applicant


# ---------------------------------------------------------------------------------------------
# Documents
