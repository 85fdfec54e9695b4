"""Consultation requests between member firms and financial institutions (SPEC §3.7).

Reads (`consultations_visible_to`, `consultation_get_for_user`, ...) return querysets already
restricted to the user. Writes are one function per state change: each checks the role,
validates, changes state under a row lock in one transaction with its audit row, and schedules
mail on commit. They raise ValidationError (a dict of field errors), TransitionNotAllowed or
PermissionDenied, and change nothing when they do.

Who handles requests: both secretariats. The fund secretariat (KDB) runs the fund side and
the alliance secretariat (KEIT) the member side of SPEC §1's "firms and financial institutions
talk at any time", so either may confirm or decline and both see every request.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alliance.audit import audit_record
from alliance.consultations.selectors import institutions_open_for_consultation
from alliance.models import (
    CONSULTATION_SLOTS_MAX,
    NOTE_MAX,
    Consultation,
    ConsultationStatus,
    ConsultationTopic,
    FinancialInstitution,
    User,
)
from alliance.permissions import (
    can_answer_consultation,
    can_handle_consultations,
    can_request_consultation,
    can_see_all_consultations,
    is_firm_member,
)
from portal.core import outbox, privacy
from portal.core.errors import TransitionNotAllowed
from portal.core.models import NotificationKind

# A consultation lasts an hour and is held on a weekday between 09:00 and 18:00 Korean time,
# so it starts between 09:00 and 17:00, on the hour or the half hour.
SLOT_LENGTH = datetime.timedelta(hours=1)
OPENING = datetime.time(9, 0)
CLOSING = datetime.time(18, 0)
SLOT_MINUTES = (0, 30)
LATEST_START = (datetime.datetime.combine(datetime.date.min, CLOSING) - SLOT_LENGTH).time()
PLACE_MAX = Consultation._meta.get_field("place").max_length
ONLINE_URL_MAX = Consultation._meta.get_field("online_url").max_length


# ---------------------------------------------------------------------------------------------
# Who may do what


# ---------------------------------------------------------------------------------------------
# Reads


# ---------------------------------------------------------------------------------------------
# Validation


def format_slot(slot: datetime.datetime) -> str:
    """A time as people read it here: local (Korean) time, with the weekday."""
    return formats.date_format(timezone.localtime(slot), "Y-m-d (D) H:i")


def _slot_problem(slot, now: datetime.datetime) -> str:
    """Why a preferred time cannot be offered, or "" when it can."""
    if not isinstance(slot, datetime.datetime):
        return _("Enter a valid date and time.")
    if timezone.is_naive(slot):
        # Only a programmatic caller can send one; a form makes times aware in Korean time.
        return _("Give the time with its time zone.")
    local = timezone.localtime(slot)
    values = {"time": format_slot(slot)}
    if slot <= now:
        return _("%(time)s has already passed; choose a time in the future.") % values
    if local.weekday() >= 5:
        return _("%(time)s is on a weekend; choose a weekday.") % values
    start = local.time()
    # Compared by the start, so that no hour is added to the time itself (the last hour of
    # year 9999 has none after it).
    if start < OPENING or start > LATEST_START:
        return (
            _(
                "%(time)s is outside consultation hours: a consultation lasts an hour between "
                "09:00 and 18:00 (Korean time), so it starts at 17:00 at the latest."
            )
            % values
        )
    if local.minute not in SLOT_MINUTES or local.second or local.microsecond:
        return _("%(time)s: choose a time on the hour or the half hour.") % values
    return ""


def slot_errors(preferred_slots) -> list[ValidationError]:
    """Every problem with the preferred times; each names the time (and its position)."""
    if not isinstance(preferred_slots, list | tuple):
        return [ValidationError(_("Give up to three preferred times."))]
    if not preferred_slots:
        return [ValidationError(_("Give at least one preferred time."))]
    if len(preferred_slots) > CONSULTATION_SLOTS_MAX:
        return [
            ValidationError(
                _("Give at most %(n)d preferred times.") % {"n": CONSULTATION_SLOTS_MAX}
            )
        ]
    errors = []
    now = timezone.now()
    seen = set()
    for index, slot in enumerate(preferred_slots):
        problem = _slot_problem(slot, now)
        if not problem and slot in seen:
            problem = _("%(time)s is given twice.") % {"time": format_slot(slot)}
        if problem:
            # The position lets a form put the message under the input it came from.
            errors.append(ValidationError(problem, params={"index": index}))
        else:
            seen.add(slot)
    return errors


def _clean_text(value, *, field: str, errors: dict, limit: int = NOTE_MAX) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = [ValidationError(_("Enter text."))]
        return ""
    value = value.strip()
    if len(value) > limit:
        errors[field] = [ValidationError(_("At most %(n)d characters.") % {"n": limit})]
    return value


# ---------------------------------------------------------------------------------------------
# Writes


def consultation_request(
    *,
    actor: User,
    institution: FinancialInstitution | None,
    topic: str,
    message: str = "",
    preferred_slots: list[datetime.datetime],
) -> Consultation:
    """An applicant asks for a 1:1 consultation with an active institution for their firm.

    PermissionDenied for anyone but an applicant; TransitionNotAllowed while the firm is not
    verified; ValidationError on `institution`, `topic`, `message` or `preferred_slots`
    (one to three future weekday times within consultation hours).
    """
    if not can_request_consultation(actor):
        raise PermissionDenied
    errors: dict[str, list[ValidationError]] = {}
    if not isinstance(institution, FinancialInstitution):
        errors["institution"] = [ValidationError(_("Choose a financial institution."))]
    elif not institutions_open_for_consultation().filter(pk=institution.pk).exists():
        errors["institution"] = [
            ValidationError(_("This institution is not taking consultation requests."))
        ]
    if not topic:
        errors["topic"] = [ValidationError(_("Choose a topic."))]
    elif topic not in ConsultationTopic.values:
        errors["topic"] = [ValidationError(_("Choose an option from the list."))]
    message = _clean_text(message, field="message", errors=errors)
    if topic == ConsultationTopic.OTHER and not message and "message" not in errors:
        errors["message"] = [ValidationError(_("Tell us what you would like to discuss."))]
    problems = slot_errors(preferred_slots)
    if problems:
        errors["preferred_slots"] = problems
    if errors:
        raise ValidationError(errors)
    slots = list(preferred_slots) + [None] * (CONSULTATION_SLOTS_MAX - len(preferred_slots))
    with transaction.atomic():
        if not actor.firm.is_active:
            raise TransitionNotAllowed(
                _(
                    "Your firm must be verified by the alliance secretariat before it can "
                    "request consultations."
                )
            )
        consultation = Consultation.objects.create(
            firm_id=actor.firm_id,
            requested_by=actor,
            institution=institution,
            topic=topic,
            message=message,
            preferred_slot_1=slots[0],
            preferred_slot_2=slots[1],
            preferred_slot_3=slots[2],
        )
        audit_record(
            actor=actor,
            action="consultation.request",
            obj=consultation,
            to_state=consultation.status,
            data={"institution": institution.pk, "topic": topic},
        )
    return consultation


def _lock(consultation_id: int) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("firm", "institution")
        .get(pk=consultation_id)
    )


def _check_handler(actor: User) -> None:
    """Either secretariat or an institution's user may try; `_check_answerer` then checks the
    locked row (an institution answers only what is addressed to it)."""
    if not (can_handle_consultations(actor) or getattr(actor, "is_institution_staff", False)):
        raise PermissionDenied


def _check_answerer(actor: User, consultation: Consultation) -> None:
    if not can_answer_consultation(actor, consultation):
        raise PermissionDenied


def consultation_confirm(
    *,
    consultation_id: int,
    actor: User,
    slot: datetime.datetime | None,
    place: str = "",
    online_url: str = "",
    staff_note: str = "",
) -> Consultation:
    """A secretariat, or the addressed institution itself, confirms a requested consultation
    at one of the firm's preferred times.

    PermissionDenied for anyone but either secretariat or the institution's users;
    TransitionNotAllowed unless the request is still open; ValidationError on `slot` (not one
    of the preferred, or already past), `place`, `online_url` or `staff_note`. The applicant is
    mailed after commit.
    """
    _check_handler(actor)
    errors: dict[str, list[ValidationError]] = {}
    place = _clean_text(place, field="place", errors=errors, limit=PLACE_MAX)
    online_url = _clean_text(online_url, field="online_url", errors=errors, limit=ONLINE_URL_MAX)
    if online_url and "online_url" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            errors["online_url"] = [
                ValidationError(_("Enter a link starting with https:// or http://."))
            ]
    staff_note = _clean_text(staff_note, field="staff_note", errors=errors)
    with transaction.atomic():
        consultation = _lock(consultation_id)
        _check_answerer(actor, consultation)
        if not consultation.is_open:
            raise TransitionNotAllowed(_("Only a request that is still open can be confirmed."))
        if not isinstance(slot, datetime.datetime) or slot not in consultation.preferred_slots:
            errors["slot"] = [ValidationError(_("Choose one of the times the firm proposed."))]
        elif slot <= timezone.now():
            errors["slot"] = [
                ValidationError(
                    _("%(time)s has already passed; choose a later time or decline.")
                    % {"time": format_slot(slot)}
                )
            ]
        if errors:
            raise ValidationError(errors)
        previous = consultation.status
        consultation.status = ConsultationStatus.CONFIRMED
        # The stored preferred value, so the check constraint compares equal instants.
        consultation.confirmed_slot = next(s for s in consultation.preferred_slots if s == slot)
        consultation.place = place
        consultation.online_url = online_url
        consultation.staff_note = staff_note
        consultation.handled_by = actor
        consultation.handled_at = timezone.now()
        consultation.save()
        audit_record(
            actor=actor,
            action="consultation.confirm",
            obj=consultation,
            from_state=previous,
            to_state=consultation.status,
            note=staff_note,
            data={"slot": timezone.localtime(consultation.confirmed_slot).isoformat()},
        )
        _queue_mail(consultation.pk)
    return consultation


def consultation_decline(*, consultation_id: int, actor: User, reason: str) -> Consultation:
    """A secretariat, or the addressed institution itself, declines an open request and tells
    the firm why.

    PermissionDenied for anyone but either secretariat or the institution's users;
    ValidationError on `reason` when it is empty or too long; TransitionNotAllowed unless the
    request is still open. The applicant is mailed after commit.
    """
    _check_handler(actor)
    errors: dict[str, list[ValidationError]] = {}
    reason = _clean_text(reason, field="reason", errors=errors)
    if not reason and "reason" not in errors:
        errors["reason"] = [ValidationError(_("Tell the firm why the request is declined."))]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consultation = _lock(consultation_id)
        _check_answerer(actor, consultation)
        if not consultation.is_open:
            raise TransitionNotAllowed(_("Only a request that is still open can be declined."))
        previous = consultation.status
        consultation.status = ConsultationStatus.DECLINED
        consultation.decline_reason = reason
        consultation.handled_by = actor
        consultation.handled_at = timezone.now()
        consultation.save()
        audit_record(
            actor=actor,
            action="consultation.decline",
            obj=consultation,
            from_state=previous,
            to_state=consultation.status,
            note=reason,
        )
        _queue_mail(consultation.pk)
    return consultation


def consultation_cancel(*, consultation_id: int, actor: User, note: str = "") -> Consultation:
    """The requesting firm's applicant cancels a request that is open or confirmed.

    PermissionDenied for anyone but the firm's applicants; ValidationError on `note` when it is
    too long; TransitionNotAllowed once the request is declined or already cancelled.
    """
    errors: dict[str, list[ValidationError]] = {}
    note = _clean_text(note, field="note", errors=errors)
    with transaction.atomic():
        consultation = _lock(consultation_id)
        if not is_firm_member(actor, consultation):
            raise PermissionDenied
        if errors:
            raise ValidationError(errors)
        if not consultation.is_cancellable:
            raise TransitionNotAllowed(
                _("Only a requested or confirmed consultation can be cancelled.")
            )
        previous = consultation.status
        consultation.status = ConsultationStatus.CANCELLED
        consultation.cancelled_at = timezone.now()
        consultation.save()
        audit_record(
            actor=actor,
            action="consultation.cancel",
            obj=consultation,
            from_state=previous,
            to_state=consultation.status,
            note=note,
        )
    return consultation


# ---------------------------------------------------------------------------------------------
# Retention of the contact person's data


def consultation_closed_at() -> Case:
    """When a consultation closed, as a query expression: a declined or cancelled request when
    that happened, a confirmed one when its hour is over (possibly still to come); NULL for a
    request still waiting for an answer, which never expires."""
    return Case(
        When(
            status=ConsultationStatus.DECLINED,
            then=Coalesce("handled_at", "updated_at"),
        ),
        When(
            status=ConsultationStatus.CANCELLED,
            then=Coalesce("cancelled_at", "updated_at"),
        ),
        When(
            status=ConsultationStatus.CONFIRMED,
            then=ExpressionWrapper(
                F("confirmed_slot") + Value(SLOT_LENGTH), output_field=DateTimeField()
            ),
        ),
        default=None,
        output_field=DateTimeField(),
    )


def consultations_erase_expired(
    *, cutoff: datetime.datetime, now: datetime.datetime | None = None, batch_size: int = 500
) -> int:
    """Erase the contact person of every consultation that closed at or before `cutoff`: the
    link to the person who asked (`requested_by`) and their message are removed, and
    `erased_at` is set. Open requests are kept whatever their age. The firm, institution,
    times, status and history stay. Works in batches, each in one transaction with its
    access-log row; returns how many consultations were erased."""
    now = now or timezone.now()
    erased = 0
    while True:
        with transaction.atomic():
            # A row being cancelled right now is left for the next run.
            ids = list(
                Consultation.objects.select_for_update(of=("self",), skip_locked=True)
                .alias(closed_at=consultation_closed_at())
                .filter(closed_at__lte=cutoff, erased_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return erased
            Consultation.objects.filter(pk__in=ids).update(
                requested_by=None, message="", erased_at=now
            )
            privacy.access_record(
                actor=None,
                action=privacy.PersonalDataAction.ERASE,
                kind=privacy.PersonalDataKind.CONSULTATION,
                record_ids=ids,
                data={"retention_started_by": cutoff.isoformat()},
            )
        erased += len(ids)


def consultation_contacts_access_record(
    *, actor: User, action: str, consultation_ids: list[int], path: str = ""
) -> None:
    """Record that a secretariat saw (`view`) or opened (`reveal`) the contact person of these
    consultations, in the personal-data access log. Only staff views are recorded: the firm's
    own applicants see their own requests."""
    if consultation_ids and can_see_all_consultations(actor):
        privacy.access_record(
            actor=actor,
            action=action,
            kind=privacy.PersonalDataKind.CONSULTATION,
            record_ids=consultation_ids,
            path=path,
        )


# ---------------------------------------------------------------------------------------------
# Mail to the applicant

MAIL_KINDS = (ConsultationStatus.CONFIRMED, ConsultationStatus.DECLINED)
MAIL_SUBJECTS = {
    ConsultationStatus.CONFIRMED: gettext_noop("Consultation confirmed: %(institution)s"),
    ConsultationStatus.DECLINED: gettext_noop("Consultation request declined: %(institution)s"),
}


def _queue_mail(consultation_id: int) -> None:
    """Write the applicant's mail into the outbox, in this transaction: it is sent after
    commit, and by the sweep if the broker is down then."""
    consultation_mail_send(consultation_id=consultation_id)


def _mail_subject(kind: str, consultation: Consultation) -> str:
    parts = []
    for language in ("ko", "en"):
        with translation.override(language):
            parts.append(_(MAIL_SUBJECTS[kind]) % {"institution": consultation.institution.name})
    # dict.fromkeys drops the second part when a message has no Korean translation yet.
    return outbox.SUBJECT_PREFIX + " / ".join(dict.fromkeys(parts))


def _mail_body(kind: str, consultation: Consultation) -> str:
    detail_url = settings.SITE_URL.rstrip("/") + reverse(
        "consultation_detail", args=[consultation.pk]
    )
    parts = []
    for language in ("ko", "en"):
        with translation.override(language):
            context = {
                "kind": kind,
                "consultation": consultation,
                "confirmed_slot": format_slot(consultation.confirmed_slot)
                if consultation.confirmed_slot
                else "",
                "detail_url": detail_url,
            }
            parts.append(render_to_string("alliance/consultation_mail.txt", context).strip())
    return outbox.MAIL_LANGUAGE_SEPARATOR.join(parts) + "\n"


def consultation_mail_send(*, consultation_id: int) -> str:
    """Write the applicant's mail of the confirmation or the refusal into the outbox, once per
    outcome: a second run writes nothing. Returns the kind written, or "" when there was
    nothing to write. Records `mail_sent_kind` and `mail_sent_at` (handed to the outbox)."""
    with transaction.atomic():
        consultation = (
            Consultation.objects.select_for_update(of=("self",))
            .select_related("institution", "requested_by", "firm")
            .filter(pk=consultation_id)
            .first()
        )
        if consultation is None or consultation.status not in MAIL_KINDS:
            return ""
        kind = consultation.status
        recipient = consultation.requested_by.email if consultation.requested_by else ""
        if consultation.mail_sent_kind == kind or not recipient:
            return ""
        outbox.write(
            kind=NotificationKind.CONSULTATION,
            recipients=[outbox.Recipient(recipient, consultation.requested_by)],
            subject=_mail_subject(kind, consultation),
            body=_mail_body(kind, consultation),
            event_key=f"consultation:{consultation.pk}:{kind}",
        )
        consultation.mail_sent_kind = kind
        consultation.mail_sent_at = timezone.now()
        consultation.save(update_fields=["mail_sent_kind", "mail_sent_at"])
    return kind
