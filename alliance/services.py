"""Writes: one function per state change. Each validates, changes state atomically, and
records an audit row in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund import aggregate_cache
from fund.choices import FUND_SIZE_KRW, ChannelCode

from . import notifications, permissions
from .choices import (
    DocumentKind,
    FirmStatus,
    FundUse,
    ProjectType,
    ProposalStatus,
    Region,
    Role,
    Structure,
)
from .documents import check_upload
from .models import (
    NOTE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    AuditLog,
    Firm,
    FundQuestion,
    Industry,
    Proposal,
    ProposalDocument,
    ProposalPartner,
    SubAlliance,
    User,
)
from .validators import (
    crn_warning,
    normalize_digits,
    validate_business_registration_number,
    validate_crn_format,
)


class StaleEdit(Exception):
    """The object changed since the editor loaded it; their save was refused (409)."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version
        self.message = _(
            "Someone else saved this proposal after you opened it. Your changes were not "
            "saved; reload to see the current version."
        )


class TransitionNotAllowed(Exception):
    """The requested change is not possible from the object's current state."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# Audit


def audit_row(
    *,
    actor: User | None,
    action: str,
    obj,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> AuditLog:
    """One unsaved audit row (for bulk writes); `audit_record` saves it."""
    proposal = obj if isinstance(obj, Proposal) else getattr(obj, "proposal", None)
    firm = obj if isinstance(obj, Firm) else getattr(obj, "firm", None)
    return AuditLog(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        proposal=proposal if isinstance(proposal, Proposal) else None,
        firm=firm if isinstance(firm, Firm) else None,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def audit_record(**fields) -> AuditLog:
    """Append one audit row; call inside the transaction that makes the change."""
    row = audit_row(**fields)
    row.save(force_insert=True)
    return row


# ---------------------------------------------------------------------------------------------
# Firms and accounts


def _role_group(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=role)
    return group


def _firm_errors(firm: Firm) -> dict[str, list[str]]:
    """Every field error of an unsaved firm state, one clear message per field.

    The registration numbers are checked by their own rules first and then left out of
    `full_clean`, so a 13-digit BRN gets the format message instead of that plus Django's
    length message. Uniqueness is the caller's business: its wording depends on the use.
    """
    errors: dict[str, list[str]] = {}
    for field, check in (
        ("business_registration_number", validate_business_registration_number),
        ("corporate_registration_number", validate_crn_format),
    ):
        value = getattr(firm, field)
        if value:
            try:
                check(value)
            except ValidationError as exc:
                errors[field] = list(exc.messages)
    try:
        firm.full_clean(exclude=list(errors), validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def _brn_taken_message() -> str:
    return _("A firm with this business registration number is already registered.")


def firm_sign_up(
    *,
    name: str,
    business_registration_number: str,
    size_class: str,
    region: str,
    username: str,
    email: str,
    password: str,
    member_type: str = "manufacturer",
    corporate_registration_number: str = "",
    representative: str = "",
    address: str = "",
    sub_alliances: Iterable = (),
    first_name: str = "",
    last_name: str = "",
) -> tuple[User, list[str]]:
    """Register a firm (pending until KEIT verifies it) with its first applicant user.

    Returns the user and any warnings (a 법인등록번호 whose check digit fails is saved with one).
    Refusals raise one ValidationError naming every bad field; nothing is created then.
    """
    brn = normalize_digits(business_registration_number)
    crn = normalize_digits(corporate_registration_number)
    firm = Firm(
        name=(name or "").strip(),
        business_registration_number=brn,
        corporate_registration_number=crn,
        size_class=size_class,
        member_type=member_type,
        region=region,
        representative=representative,
        address=address,
        status=FirmStatus.PENDING,
    )
    errors = _firm_errors(firm)
    if "business_registration_number" not in errors and (
        Firm.objects.filter(business_registration_number=brn).exists()
    ):
        errors["business_registration_number"] = [_brn_taken_message()]
    user = User(
        username=User.normalize_username(username or ""),
        email=User.objects.normalize_email(email or ""),
        first_name=first_name,
        last_name=last_name,
    )
    try:
        # The password is set (hashed) only after validation; the row's own checks cover the
        # username's characters and length and the e-mail's form.
        user.clean_fields(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = [_("This username is taken.")]
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            firm.save()
            firm.sub_alliances.set(list(sub_alliances))
            user.firm = firm
            user.set_password(password)
            user.save()
            user.groups.add(_role_group(Role.APPLICANT))
            audit_record(actor=user, action="firm.sign_up", obj=firm, to_state=firm.status)
    except IntegrityError as exc:
        # A concurrent sign-up took the number or the username between the checks and here.
        raced: dict[str, list[str]] = {}
        if Firm.objects.filter(business_registration_number=brn).exists():
            raced["business_registration_number"] = [_brn_taken_message()]
        if User.objects.filter(username__iexact=user.username).exists():
            raced["username"] = [_("This username is taken.")]
        if not raced:
            raise
        raise ValidationError(raced) from exc
    warnings = [w for w in [crn_warning(crn)] if w]
    return user, warnings


def firm_verify(*, firm: Firm, actor: User) -> Firm:
    """KEIT verifies a pending firm; from then on its users may submit proposals.

    PermissionDenied for anyone but KEIT staff; TransitionNotAllowed unless the firm is pending.
    """
    if not (actor.is_authenticated and actor.is_alliance_staff):
        raise PermissionDenied
    with transaction.atomic():
        firm = Firm.objects.select_for_update().get(pk=firm.pk)
        if not permissions.can_verify_firm(actor, firm):
            raise TransitionNotAllowed(_("Only a pending firm can be verified by KEIT staff."))
        previous = firm.status
        firm.status = FirmStatus.ACTIVE
        firm.verified_at = timezone.now()
        firm.verified_by = actor
        firm.save(update_fields=["status", "verified_at", "verified_by", "updated_at"])
        audit_record(
            actor=actor, action="firm.verify", obj=firm, from_state=previous, to_state=firm.status
        )
    return firm


FIRM_PROFILE_FIELDS = (
    "name",
    "name_en",
    "corporate_registration_number",
    "representative",
    "size_class",
    "member_type",
    "region",
    "address",
    "website",
)


def firm_update_profile(
    *, firm: Firm, actor: User, data: dict[str, Any], sub_alliances: Iterable | None = None
) -> list[str]:
    """A firm's own applicant (or KEIT) updates the profile; the BRN itself never changes.

    Returns warnings (a 법인등록번호 failing its check digit); an audit row only when
    something changed.
    """
    if not (actor.is_alliance_staff or (actor.is_applicant and actor.firm_id == firm.pk)):
        raise PermissionDenied
    with transaction.atomic():
        firm = Firm.objects.select_for_update().get(pk=firm.pk)
        changed = {}
        for field in FIRM_PROFILE_FIELDS:
            if field in data:
                value = data[field]
                if field == "corporate_registration_number":
                    value = normalize_digits(value)
                if getattr(firm, field) != value:
                    changed[field] = str(value)
                    setattr(firm, field, value)
        errors = _firm_errors(firm)
        if errors:
            raise ValidationError(errors)
        if sub_alliances is not None:
            wanted = {s.pk for s in sub_alliances}
            if wanted != set(firm.sub_alliances.values_list("pk", flat=True)):
                changed["sub_alliances"] = ",".join(str(pk) for pk in sorted(wanted))
                firm.sub_alliances.set(list(wanted))
        if changed:
            firm.save()
            audit_record(actor=actor, action="firm.update", obj=firm, data={"changed": changed})
    return [w for w in [crn_warning(firm.corporate_registration_number)] if w]


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


def _lock(proposal_id: int) -> Proposal:
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
        proposal = _lock(proposal_id)
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
            # An answer to an information request may change a counted requested amount.
            aggregate_cache.invalidate()
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
        proposal = _lock(proposal_id)
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
        # Imported here: matching.services imports this module.
        from matching.services import schedule_scoring

        schedule_scoring(proposal_id=proposal.pk)
    return proposal


def proposal_withdraw(*, proposal_id: int, actor: User, note: str = "") -> Proposal:
    """The lead firm withdraws a proposal that the fund has not yet taken up.

    PermissionDenied for anyone but the lead firm's applicants; TransitionNotAllowed once the
    proposal is referred, decided or already withdrawn.
    """
    with transaction.atomic():
        proposal = _lock(proposal_id)
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
        proposal = _lock(proposal_id)
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
        proposal = _lock(proposal_id)
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

ANSWER_MAX = SUMMARY_MAX


def _lock_fund_question(question_id: int) -> tuple[Proposal, FundQuestion]:
    """The question's proposal and the question, locked in that order (as every proposal
    change locks the proposal first); TransitionNotAllowed when there is no such question."""
    proposal_id = (
        FundQuestion.objects.filter(pk=question_id).values_list("proposal_id", flat=True).first()
    )
    if proposal_id is None:
        raise TransitionNotAllowed(_("There is no question from the fund with this number."))
    proposal = _lock(proposal_id)
    question = FundQuestion.objects.select_for_update().get(pk=question_id)
    return proposal, question


def _require_fund_review(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.IN_REVIEW:
        raise TransitionNotAllowed(
            _("The fund is no longer reviewing this proposal, so the question is closed.")
        )


def fund_question_relay(*, question_id: int, actor: User, text: str) -> FundQuestion:
    """KEIT sends the fund's question (as asked, or reworded) to the applicant firm.

    The proposal stays in the fund's review at its stage. PermissionDenied for anyone but
    KEIT staff; ValidationError on `text` when empty or too long; TransitionNotAllowed when
    the question was already sent, or the fund no longer reviews the proposal.
    """
    if not (actor.is_authenticated and actor.is_alliance_staff):
        raise PermissionDenied
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({"text": _("Write the question for the applicant.")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    with transaction.atomic():
        proposal, question = _lock_fund_question(question_id)
        if question.relayed_at is not None:
            raise TransitionNotAllowed(
                _("This question was already sent to the applicant; there is no open question.")
            )
        _require_fund_review(proposal)
        question.relayed_question = text
        question.relayed_at = timezone.now()
        question.relayed_by = actor
        question.save(update_fields=["relayed_question", "relayed_at", "relayed_by"])
        entry = audit_record(
            actor=actor,
            action="proposal.relay_fund_question",
            obj=proposal,
            from_state=proposal.stage,
            to_state=proposal.stage,
            note=text,
            data={"question": question.pk, "packet": str(question.packet_id)},
        )
        notifications.notify_info_requested(
            proposal=proposal, question=text, event_key=f"audit:{entry.pk}"
        )
    return question


def fund_question_answer(*, question_id: int, actor: User, answer: str) -> FundQuestion:
    """The lead firm answers the fund's question; the answer goes to the fund as an
    `info_provided` packet (with the question), in the same transaction.

    PermissionDenied for anyone but the lead firm's applicants; ValidationError on `answer`
    when empty or too long; TransitionNotAllowed when the question was not sent to the firm,
    was answered before, or the fund no longer reviews the proposal.
    """
    answer = answer.strip() if isinstance(answer, str) else ""
    with transaction.atomic():
        proposal, question = _lock_fund_question(question_id)
        if not permissions.is_lead_member(actor, proposal):
            raise PermissionDenied
        if question.answered_at is not None:
            raise TransitionNotAllowed(_("This question has already been answered."))
        if question.relayed_at is None:
            raise TransitionNotAllowed(_("This question has not been sent to your firm."))
        _require_fund_review(proposal)
        if not answer:
            raise ValidationError({"answer": _("Write your answer.")})
        if len(answer) > ANSWER_MAX:
            raise ValidationError({"answer": _("At most %(n)d characters.") % {"n": ANSWER_MAX}})
        # Imported here: fund.coordination imports this module.
        from fund.coordination import packet_create
        from fund.models import PacketDirection, PacketKind

        now = timezone.now()
        packet = packet_create(
            proposal=proposal,
            kind=PacketKind.INFO_PROVIDED,
            direction=PacketDirection.KEIT_TO_KDB,
            payload={
                "proposal": proposal.pk,
                "title": proposal.title,
                "firm": proposal.firm.name,
                "question_packet": str(question.packet_id),
                "question": question.question,
                "relayed_question": question.relayed_question,
                "answer": answer,
                "answered_by": actor.get_username(),
                "answered_at": now.isoformat(),
            },
            actor=actor,
        )
        question.answer = answer
        question.answered_at = now
        question.answered_by = actor
        question.answer_packet = packet
        question.save(update_fields=["answer", "answered_at", "answered_by", "answer_packet"])
        audit_record(
            actor=actor,
            action="proposal.answer_fund_question",
            obj=proposal,
            from_state=proposal.stage,
            to_state=proposal.stage,
            note=answer,
            data={"question": question.pk, "packet": str(packet.pk), "sequence": packet.sequence},
        )
    return question


# ---------------------------------------------------------------------------------------------
# Documents


def _check_document_change(actor: User, proposal: Proposal, message: str) -> None:
    if not permissions.is_lead_member(actor, proposal):
        raise PermissionDenied
    if not permissions.can_upload_document(actor, proposal):
        raise TransitionNotAllowed(message)


def document_upload(*, proposal_id: int, actor: User, upload, kind: str) -> ProposalDocument:
    """Check the file by content and store it under a random name; nothing is stored if refused.

    PermissionDenied for anyone but the lead firm's applicants; TransitionNotAllowed once the
    proposal is not editable; ValidationError on `kind` or `file`.
    """
    refused = _("Documents can be added only while the proposal is editable.")
    # Checked before the file is read and hashed, and again under the lock below.
    _check_document_change(actor, Proposal.objects.get(pk=proposal_id), refused)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose a document kind from the list.")})
    checked = check_upload(upload)
    with transaction.atomic():
        proposal = _lock(proposal_id)
        _check_document_change(actor, proposal, refused)
        document = ProposalDocument(
            proposal=proposal,
            kind=kind,
            original_name=checked.safe_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        document.file.save(checked.safe_name, upload, save=False)
        try:
            document.save()
            audit_record(
                actor=actor,
                action="document.upload",
                obj=document,
                data={"name": checked.safe_name, "kind": kind, "size": checked.size},
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def document_delete(*, document_id: int, actor: User) -> None:
    """Remove a document of an editable proposal; its file goes once the transaction commits.

    PermissionDenied for anyone but the lead firm's applicants; TransitionNotAllowed once the
    proposal is not editable.
    """
    with transaction.atomic():
        document = ProposalDocument.objects.select_related("proposal").get(pk=document_id)
        proposal = _lock(document.proposal_id)
        _check_document_change(
            actor, proposal, _("Documents can be removed only while the proposal is editable.")
        )
        audit_record(
            actor=actor,
            action="document.delete",
            obj=document,
            data={"name": document.original_name},
        )
        stored = document.file.name
        storage = document.file.storage
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))
