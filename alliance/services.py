"""Writes: one function per state change. Each validates, changes state atomically, and
records an audit row in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund.choices import FUND_SIZE_KRW

from . import permissions
from .choices import FirmStatus, FundUse, ProposalStatus, Role
from .documents import check_upload
from .models import (
    NOTE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    AuditLog,
    Firm,
    Proposal,
    ProposalDocument,
    ProposalPartner,
    User,
)
from .validators import crn_warning, normalize_digits


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


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> AuditLog:
    """Append one audit row; call inside the transaction that makes the change."""
    proposal = obj if isinstance(obj, Proposal) else getattr(obj, "proposal", None)
    firm = obj if isinstance(obj, Firm) else getattr(obj, "firm", None)
    return AuditLog.objects.create(
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


# ---------------------------------------------------------------------------------------------
# Firms and accounts


def _role_group(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=role)
    return group


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
    """
    brn = normalize_digits(business_registration_number)
    crn = normalize_digits(corporate_registration_number)
    firm = Firm(
        name=name.strip(),
        business_registration_number=brn,
        corporate_registration_number=crn,
        size_class=size_class,
        member_type=member_type,
        region=region,
        representative=representative,
        address=address,
        status=FirmStatus.PENDING,
    )
    errors: dict[str, list] = {}
    try:
        firm.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if Firm.objects.filter(business_registration_number=brn).exists():
        errors.setdefault("business_registration_number", []).append(
            _("A firm with this business registration number is already registered.")
        )
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(_("This username is taken."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            firm.save()
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "business_registration_number": _(
                        "A firm with this business registration number is already registered."
                    )
                }
            ) from exc
        firm.sub_alliances.set(list(sub_alliances))
        user.firm = firm
        user.set_password(password)
        user.save()
        user.groups.add(_role_group(Role.APPLICANT))
        audit_record(actor=user, action="firm.sign_up", obj=firm, to_state=firm.status)
    warnings = [w for w in [crn_warning(crn)] if w]
    return user, warnings


def firm_verify(*, firm: Firm, actor: User) -> Firm:
    """KEIT verifies a pending firm; from then on its users may submit proposals."""
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
    """A firm's own applicant (or KEIT) updates the profile; the BRN itself never changes."""
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
        firm.full_clean()
        firm.save()
        if sub_alliances is not None:
            firm.sub_alliances.set(list(sub_alliances))
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


def proposal_validate(proposal: Proposal, *, complete: bool) -> None:
    """Field and cross-field rules; with complete=True, everything submission needs."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if len(proposal.title or "") > TITLE_MAX:
        add("title", _("The title can be at most %(n)d characters.") % {"n": TITLE_MAX})
    if not (proposal.title or "").strip():
        add("title", _("Enter a title."))
    if len(proposal.summary or "") > SUMMARY_MAX:
        add("summary", _("The summary can be at most %(n)d characters.") % {"n": SUMMARY_MAX})
    uses = proposal.fund_uses
    if not isinstance(uses, list) or any(u not in FundUse.values for u in uses):
        add("fund_uses", _("Choose fund uses from the list."))
    for field in (
        "total_cost_krw",
        "requested_krw",
        "private_coinvest_krw",
        "expected_value_added_krw",
    ):
        value = getattr(proposal, field)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
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
    if proposal.trl is not None and not 1 <= proposal.trl <= 9:
        add("trl", _("TRL is a level from 1 to 9."))
    if proposal.start_date and proposal.end_date and proposal.end_date < proposal.start_date:
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


def _assign(proposal: Proposal, data: dict[str, Any]) -> dict[str, str]:
    changed = {}
    for field in PROPOSAL_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field in ("title", "summary") and isinstance(value, str):
            value = value.strip()
        current = getattr(proposal, field)
        if current != value:
            changed[field] = str(value)[:200]
            setattr(proposal, field, value)
    return changed


def _set_partners(proposal: Proposal, partners: Iterable[Firm]) -> None:
    partners = [p for p in partners if p.pk != proposal.firm_id]
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
    """Save edits to a draft (or an answer in progress); refuse if `version` is stale."""
    with transaction.atomic():
        proposal = _lock(proposal_id)
        if not permissions.can_edit_proposal(actor, proposal):
            raise TransitionNotAllowed(_("This proposal can no longer be edited."))
        if proposal.version != version:
            raise StaleEdit(proposal.version)
        changed = _assign(proposal, data)
        proposal_validate(proposal, complete=False)
        if partners is not None:
            before = set(proposal.partners.values_list("pk", flat=True))
            after = {p.pk for p in partners}
            if before != after:
                changed["partners"] = ",".join(str(p) for p in sorted(after))
                _set_partners(proposal, partners)
        if not changed:
            return proposal
        proposal.version += 1
        proposal.save()
        audit_record(
            actor=actor,
            action="proposal.autosave" if autosave else "proposal.update",
            obj=proposal,
            data={"changed": sorted(changed)},
        )
    return proposal


def proposal_submit(*, proposal_id: int, actor: User, version: int | None = None) -> Proposal:
    """Submit a complete draft, or resubmit after an information request."""
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
        audit_record(
            actor=actor,
            action="proposal.resubmit"
            if previous == ProposalStatus.INFO_REQUESTED
            else "proposal.submit",
            obj=proposal,
            from_state=previous,
            to_state=proposal.status,
        )
    return proposal


def proposal_withdraw(*, proposal_id: int, actor: User, note: str = "") -> Proposal:
    """The lead firm withdraws a proposal that the fund has not yet taken up."""
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
        audit_record(
            actor=actor,
            action="proposal.withdraw",
            obj=proposal,
            from_state=previous,
            to_state=proposal.status,
            note=note[:NOTE_MAX],
        )
    return proposal


def proposal_request_info(*, proposal_id: int, actor: User, question: str) -> Proposal:
    """KEIT sends a submitted proposal back to the applicant with a question."""
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
        audit_record(
            actor=actor,
            action="proposal.request_info",
            obj=proposal,
            from_state=previous,
            to_state=proposal.status,
            note=question,
        )
    return proposal


# ---------------------------------------------------------------------------------------------
# Documents


def document_upload(*, proposal_id: int, actor: User, upload, kind: str) -> ProposalDocument:
    """Check the file by content and store it under a random name; nothing is stored if refused."""
    from .choices import DocumentKind

    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose a document kind from the list.")})
    checked = check_upload(upload)
    with transaction.atomic():
        proposal = _lock(proposal_id)
        if not permissions.can_upload_document(actor, proposal):
            raise TransitionNotAllowed(
                _("Documents can be added only while the proposal is editable.")
            )
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
    with transaction.atomic():
        document = ProposalDocument.objects.select_related("proposal").get(pk=document_id)
        proposal = _lock(document.proposal_id)
        if not permissions.can_upload_document(actor, proposal):
            raise TransitionNotAllowed(
                _("Documents can be removed only while the proposal is editable.")
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
