"""Member firms: sign-up with the first applicant, KEIT's verification, the firm's profile."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import permissions
from alliance.audit import audit_record
from alliance.models import (
    Firm,
    Proposal,
    User,
)
from alliance.validators import (
    crn_warning,
    normalize_digits,
    validate_business_registration_number,
    validate_crn_format,
)
from portal.core import signals
from portal.core.errors import TransitionNotAllowed
from portal.core.vocabulary import (
    FirmStatus,
    ProposalStatus,
    Role,
)


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
        if "size_class" in changed:
            # The engine reads the lead's size class and the partners' SME count.
            affected = (
                Proposal.objects.filter(Q(firm=firm) | Q(partners=firm))
                .exclude(status=ProposalStatus.DRAFT)
                .order_by("pk")
                .values_list("pk", flat=True)
                .distinct()
            )
            signals.scoring_inputs_changed.send(sender=Firm, proposal_ids=list(affected))
    return [w for w in [crn_warning(firm.corporate_registration_number)] if w]
