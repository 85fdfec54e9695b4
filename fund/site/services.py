"""Writes for the information site: notices, FAQ, events, registrations and their mail.

Every function validates, changes state inside one transaction together with its audit row,
and schedules mail with `transaction.on_commit`. Everything that changes an event's
registrations locks the event row first, so the confirmed count never exceeds the capacity and
waitlist positions stay 1..n without gaps.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alliance.audit import audit_record
from alliance.models import User
from fund.site import ics
from fund.site.models import (
    CancelToken,
    Event,
    Faq,
    Notice,
    Registration,
    RegistrationMail,
    RegistrationStatus,
)
from portal.core import outbox, privacy
from portal.core.errors import TransitionNotAllowed
from portal.core.models import NotificationKind

NAME_MAX = Registration._meta.get_field("name").max_length
ORGANIZATION_MAX = Registration._meta.get_field("organization").max_length
EMAIL_MAX = Registration._meta.get_field("email").max_length
PHONE_RE = re.compile(r"\+?[0-9][0-9 ()\-]{6,18}[0-9]")

NOTICE_FIELDS = ("title", "body", "pinned", "published")
FAQ_FIELDS = ("category", "question", "answer", "order", "published")
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "invitation_only",
    "hosts",
    "participants",
    "source",
    "published",
)


class InvalidCancelToken(Exception):
    """The self-cancel link is unknown (mistyped, truncated or made up)."""

    def __init__(self):
        super().__init__()
        self.message = _(
            "This cancellation link is not valid. Check that you copied the whole link from "
            "the mail."
        )


class RegistrationAlreadyCancelled(Exception):
    """The registration was cancelled before; cancelling again changes nothing."""

    def __init__(self, registration: Registration):
        super().__init__(registration.pk)
        self.registration = registration
        self.message = _("This registration has already been cancelled.")


def _published_state(published: bool) -> str:
    return "published" if published else "draft"


def _update_fields(obj, values: dict, allowed: tuple[str, ...]) -> list[str]:
    """Assign the allowed keys of `values` and return the names that actually changed."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


# ---------------------------------------------------------------------------------------------
# Notices


def notice_create(
    *, actor: User | None, title: str, body: str, pinned: bool = False, published: bool = False
) -> Notice:
    """Create a notice (a draft unless `published`); the author is the actor."""
    notice = Notice(
        title=title.strip(),
        body=body,
        pinned=pinned,
        published=published,
        published_at=timezone.now() if published else None,
        author=actor,
    )
    notice.full_clean()
    with transaction.atomic():
        notice.save()
        audit_record(
            actor=actor,
            action="notice.create",
            obj=notice,
            to_state=_published_state(notice.published),
        )
    return notice


def notice_update(*, notice: Notice, actor: User, **values) -> Notice:
    """Change any of title, body, pinned and published. The first publication sets
    `published_at`; later ones keep it, so a corrected notice keeps its place in the list."""
    if "title" in values:
        values["title"] = values["title"].strip()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        from_state = _published_state(notice.published)
        changed = _update_fields(notice, values, NOTICE_FIELDS)
        if notice.published and notice.published_at is None:
            notice.published_at = timezone.now()
        notice.full_clean()
        notice.save()
        to_state = _published_state(notice.published)
        action = "notice.update"
        if changed == ["published"]:
            action = "notice.publish" if notice.published else "notice.unpublish"
        elif changed == ["pinned"]:
            action = "notice.pin" if notice.pinned else "notice.unpin"
        audit_record(
            actor=actor,
            action=action,
            obj=notice,
            from_state=from_state,
            to_state=to_state,
            data={"fields": changed},
        )
    return notice


def notice_set_published(*, notice: Notice, actor: User, published: bool) -> Notice:
    """Publish or take down a notice."""
    return notice_update(notice=notice, actor=actor, published=published)


def notice_set_pinned(*, notice: Notice, actor: User, pinned: bool) -> Notice:
    """Pin a notice to the top of the public list, or unpin it."""
    return notice_update(notice=notice, actor=actor, pinned=pinned)


def notice_delete(*, notice: Notice, actor: User) -> None:
    """Delete a notice; the audit row keeps its id and title."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="notice.delete",
            obj=notice,
            from_state=_published_state(notice.published),
            data={"title": notice.title},
        )
        notice.delete()


# ---------------------------------------------------------------------------------------------
# FAQ


def faq_create(
    *,
    actor: User | None,
    category: str,
    question: str,
    answer: str,
    order: int = 0,
    published: bool = False,
) -> Faq:
    """Create an FAQ entry."""
    faq = Faq(
        category=category,
        question=question.strip(),
        answer=answer,
        order=order,
        published=published,
    )
    faq.full_clean()
    with transaction.atomic():
        faq.save()
        audit_record(
            actor=actor, action="faq.create", obj=faq, to_state=_published_state(faq.published)
        )
    return faq


def faq_update(*, faq: Faq, actor: User, **values) -> Faq:
    """Change any of category, question, answer, order and published."""
    if "question" in values:
        values["question"] = values["question"].strip()
    with transaction.atomic():
        faq = Faq.objects.select_for_update().get(pk=faq.pk)
        from_state = _published_state(faq.published)
        changed = _update_fields(faq, values, FAQ_FIELDS)
        faq.full_clean()
        faq.save()
        audit_record(
            actor=actor,
            action="faq.update",
            obj=faq,
            from_state=from_state,
            to_state=_published_state(faq.published),
            data={"fields": changed},
        )
    return faq


def faq_delete(*, faq: Faq, actor: User) -> None:
    """Delete an FAQ entry; the audit row keeps its question."""
    with transaction.atomic():
        audit_record(actor=actor, action="faq.delete", obj=faq, data={"question": faq.question})
        faq.delete()


# ---------------------------------------------------------------------------------------------
# Events


def _confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()


def event_create(*, actor: User | None, **values) -> Event:
    """Create an event; Event.clean holds the cross-field rules (times, window, place)."""
    event = Event(created_by=actor)
    _update_fields(event, values, EVENT_FIELDS)
    event.title = event.title.strip()
    event.full_clean()
    with transaction.atomic():
        event.save()
        audit_record(
            actor=actor,
            action="event.create",
            obj=event,
            to_state=_published_state(event.published),
        )
    return event


def event_update(*, event: Event, actor: User, **values) -> Event:
    """Change an event. The capacity cannot go below the confirmed registrations; raising it
    confirms people from the waitlist in order, and they are mailed."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        from_state = _published_state(event.published)
        changed = _update_fields(event, values, EVENT_FIELDS)
        event.title = event.title.strip()
        event.full_clean()
        confirmed = _confirmed_count(event)
        if event.capacity < confirmed:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)d people are already confirmed; the capacity cannot be lower."
                    )
                    % {"count": confirmed}
                }
            )
        event.save()
        audit_record(
            actor=actor,
            action="event.update",
            obj=event,
            from_state=from_state,
            to_state=_published_state(event.published),
            data={"fields": changed},
        )
        _fill_from_waitlist(event=event, actor=actor, confirmed=confirmed)
    return event


def event_delete(*, event: Event, actor: User) -> None:
    """Delete an event that nobody has registered for; one with registrations can only be
    unpublished, because its registrations are records the secretariat must keep."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if Registration.objects.filter(event=event).exists():
            raise TransitionNotAllowed(
                _(
                    "People have registered for this event, so it cannot be deleted. "
                    "Unpublish it instead."
                )
            )
        audit_record(actor=actor, action="event.delete", obj=event, data={"title": event.title})
        event.delete()


# ---------------------------------------------------------------------------------------------
# Registrations


def _queue_mail(registration_id: int) -> None:
    """Write the mail the registration's new state calls for into the outbox, in this
    transaction: it is sent after commit, and by the sweep if the broker is down then."""
    registration_mail_send(registration_id=registration_id)


def _registration_input_errors(
    *, name: str, organization: str, email: str, phone: str, consent
) -> dict:
    errors = {}
    if not name:
        errors["name"] = _("Enter your name.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("The name can be at most %(max)d characters.") % {"max": NAME_MAX}
    if not organization:
        errors["organization"] = _("Enter your organisation.")
    elif len(organization) > ORGANIZATION_MAX:
        errors["organization"] = _("The organisation can be at most %(max)d characters.") % {
            "max": ORGANIZATION_MAX
        }
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
    digits = sum(ch.isdigit() for ch in phone)
    if not phone:
        errors["phone"] = _("Enter a phone number.")
    elif not PHONE_RE.fullmatch(phone) or not 8 <= digits <= 15:
        errors["phone"] = _("Enter a phone number such as 010-1234-5678.")
    if consent is not True:
        errors["consent"] = _(
            "You can register only if you agree to the collection and use of your personal "
            "information."
        )
    return errors


def event_register(
    *, event: Event, name: str, organization: str, email: str, phone: str, consent: bool
) -> Registration:
    """Register someone for an event: confirmed while seats remain, otherwise waitlisted at the
    next position. Raises ValidationError (field errors, or `__all__` when the event is not
    open) and stores nothing in that case; the mail goes out after commit."""
    name, organization = (name or "").strip(), (organization or "").strip()
    email, phone = (email or "").strip(), (phone or "").strip()
    errors = _registration_input_errors(
        name=name, organization=organization, email=email, phone=phone, consent=consent
    )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # The lock serialises every sign-up and cancellation for this event.
        locked = Event.objects.select_for_update().filter(pk=event.pk).first()
        now = timezone.now()
        if locked is None or not locked.published:
            raise ValidationError({NON_FIELD_ERRORS: _("This event is not open for registration.")})
        if locked.ends_at <= now:
            raise ValidationError({NON_FIELD_ERRORS: _("This event has already taken place.")})
        if locked.invitation_only:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("This meeting is by invitation; it takes no registration.")}
            )
        if now < locked.registration_opens_at:
            raise ValidationError({NON_FIELD_ERRORS: _("Registration has not opened yet.")})
        if now >= locked.registration_closes_at:
            raise ValidationError({NON_FIELD_ERRORS: _("Registration for this event has closed.")})
        duplicate = _("This e-mail address is already registered for this event.")
        active = Registration.objects.filter(
            event=locked, status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        )
        if active.filter(email__iexact=email).exists():
            raise ValidationError({"email": duplicate})
        counts = active.aggregate(
            confirmed=Count("id", filter=Q(status=RegistrationStatus.CONFIRMED)),
            last_position=Max("waitlist_position"),
        )
        if counts["confirmed"] < locked.capacity:
            status, position = RegistrationStatus.CONFIRMED, None
        else:
            status, position = RegistrationStatus.WAITLISTED, (counts["last_position"] or 0) + 1
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=locked,
                    name=name,
                    organization=organization,
                    email=email,
                    phone=phone,
                    status=status,
                    waitlist_position=position,
                    consented_at=now,
                )
        except IntegrityError as exc:
            # Only reachable if something bypassed the event lock; the constraint still holds.
            raise ValidationError({"email": duplicate}) from exc
        audit_record(
            actor=None,
            action="registration.create",
            obj=registration,
            to_state=status,
            data={"event": locked.pk, "waitlist_position": position},
        )
        _queue_mail(registration.pk)
    return registration


def _fill_from_waitlist(*, event: Event, actor: User | None, confirmed: int | None = None) -> list:
    """Confirm waitlisted people in position order while seats are free, then renumber the
    rest from 1. The caller holds the event row lock."""
    if confirmed is None:
        confirmed = _confirmed_count(event)
    free = event.capacity - confirmed
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.select_for_update()
        .filter(event=event, status=RegistrationStatus.WAITLISTED)
        .order_by("waitlist_position")[:free]
    )
    if not promoted:
        return []
    now = timezone.now()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.waitlist_position = None
        registration.promoted_at = now
        registration.save(update_fields=["status", "waitlist_position", "promoted_at"])
        audit_record(
            actor=actor,
            action="registration.promote",
            obj=registration,
            from_state=RegistrationStatus.WAITLISTED,
            to_state=RegistrationStatus.CONFIRMED,
            data={"event": event.pk},
        )
        _queue_mail(registration.pk)
    # The uniqueness of positions is checked at commit (deferred), so one shift is enough.
    Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).update(
        waitlist_position=F("waitlist_position") - len(promoted)
    )
    return promoted


def _registration_cancel(
    *, registration_id: int, event_id: int, actor: User | None, action: str
) -> Registration:
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationAlreadyCancelled(registration)
        now = timezone.now()
        if event.ends_at <= now:
            raise TransitionNotAllowed(
                _("This event has already ended; its registrations can no longer be cancelled.")
            )
        from_state, old_position = registration.status, registration.waitlist_position
        registration.status = RegistrationStatus.CANCELLED
        registration.waitlist_position = None
        registration.cancelled_at = now
        registration.cancelled_by = actor if actor and actor.is_authenticated else None
        registration.save(
            update_fields=["status", "waitlist_position", "cancelled_at", "cancelled_by"]
        )
        audit_record(
            actor=actor,
            action=action,
            obj=registration,
            from_state=from_state,
            to_state=RegistrationStatus.CANCELLED,
            data={"event": event.pk},
        )
        if from_state == RegistrationStatus.WAITLISTED:
            Registration.objects.filter(
                event=event,
                status=RegistrationStatus.WAITLISTED,
                waitlist_position__gt=old_position,
            ).update(waitlist_position=F("waitlist_position") - 1)
        else:
            _fill_from_waitlist(event=event, actor=actor)
        _queue_mail(registration.pk)
    return registration


def registration_cancel_by_token(*, token: str) -> Registration:
    """The registrant cancels through the link in their mail. The first waitlisted person is
    confirmed in the same transaction. Raises InvalidCancelToken, RegistrationAlreadyCancelled
    or TransitionNotAllowed (event over) and then changes nothing."""
    from fund.site.selectors import registration_by_cancel_token

    registration = registration_by_cancel_token(token)
    if registration is None:
        raise InvalidCancelToken
    return _registration_cancel(
        registration_id=registration.pk,
        event_id=registration.event_id,
        actor=None,
        action="registration.cancel",
    )


def registration_cancel(*, registration: Registration, actor: User) -> Registration:
    """A site editor cancels on the registrant's behalf; the waitlist moves up the same way."""
    return _registration_cancel(
        registration_id=registration.pk,
        event_id=registration.event_id,
        actor=actor,
        action="registration.cancel_by_staff",
    )


def registration_toggle_check_in(*, registration: Registration, actor: User) -> Registration:
    """Mark a confirmed registrant as present at the event, or undo that."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise TransitionNotAllowed(_("Only confirmed registrations can be checked in."))
        checking_in = registration.checked_in_at is None
        registration.checked_in_at = timezone.now() if checking_in else None
        registration.save(update_fields=["checked_in_at"])
        audit_record(
            actor=actor,
            action="registration.check_in" if checking_in else "registration.check_in_undo",
            obj=registration,
            data={"event": registration.event_id},
        )
    return registration


def registrations_export_record(
    *, event: Event, actor: User, registration_ids: list[int], status: str = "", path: str = ""
) -> None:
    """Record that an editor exported an event's registrations: the file holds personal data,
    so who took it, when, and whose rows it holds (with their count) go into the personal-data
    access log."""
    privacy.access_record(
        actor=actor,
        action=privacy.PersonalDataAction.EXPORT,
        kind=privacy.PersonalDataKind.REGISTRATION,
        record_ids=registration_ids,
        path=path,
        data={"event": event.pk, "status": status},
    )


def registrations_erase_expired(
    *, cutoff: datetime.datetime, now: datetime.datetime | None = None, batch_size: int = 500
) -> int:
    """Erase the personal data of every registration for an event that ended at or before
    `cutoff`: the name, organisation, e-mail address and phone number are blanked, the
    self-cancel tokens and the mail sent to the person are deleted, and `erased_at` is set.
    Status, times and check-in stay, for the counts. Works in batches, each in one transaction
    with its access-log row; returns how many registrations were erased."""
    now = now or timezone.now()
    erased = 0
    while True:
        with transaction.atomic():
            # A row an editor is checking in right now is left for the next run.
            ids = list(
                Registration.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(event__ends_at__lte=cutoff, erased_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return erased
            Registration.objects.filter(pk__in=ids).update(
                name="", organization="", email="", phone="", erased_at=now
            )
            CancelToken.objects.filter(registration_id__in=ids).delete()
            outbox.forget(
                kind=NotificationKind.EVENT_REGISTRATION,
                event_key_prefixes=[f"registration:{pk}:" for pk in ids],
            )
            privacy.access_record(
                actor=None,
                action=privacy.PersonalDataAction.ERASE,
                kind=privacy.PersonalDataKind.REGISTRATION,
                record_ids=ids,
                data={"retention_started_by": cutoff.isoformat()},
            )
        erased += len(ids)


def cancel_token_issue(*, registration: Registration) -> str:
    """Mint a self-cancel secret for the registration and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    CancelToken.objects.create(registration=registration, token_hash=CancelToken.hash(token))
    return token


# ---------------------------------------------------------------------------------------------
# Mail

MAIL_SUBJECTS = {
    RegistrationMail.CONFIRMED: gettext_noop("Registration confirmed: %(title)s"),
    RegistrationMail.WAITLISTED: gettext_noop(
        "You are on the waitlist (no. %(position)s): %(title)s"
    ),
    RegistrationMail.PROMOTED: gettext_noop(
        "A seat opened up, your registration is confirmed: %(title)s"
    ),
    RegistrationMail.CANCELLED: gettext_noop("Registration cancelled: %(title)s"),
}


def _mail_kind(registration: Registration) -> str:
    if registration.status == RegistrationStatus.CANCELLED:
        return RegistrationMail.CANCELLED
    if registration.status == RegistrationStatus.WAITLISTED:
        return RegistrationMail.WAITLISTED
    if registration.promoted_at is not None:
        return RegistrationMail.PROMOTED
    return RegistrationMail.CONFIRMED


def _mail_subject(kind: str, registration: Registration) -> str:
    values = {"title": registration.event.title, "position": registration.waitlist_position}
    parts = []
    for language in ("ko", "en"):
        with translation.override(language):
            parts.append(_(MAIL_SUBJECTS[kind]) % values)
    # dict.fromkeys drops the second part when a message has no Korean translation yet.
    return outbox.SUBJECT_PREFIX + " / ".join(dict.fromkeys(parts))


def _mail_body(kind: str, registration: Registration, cancel_url: str) -> str:
    context = {
        "kind": kind,
        "registration": registration,
        "event": registration.event,
        "event_url": ics.event_url(registration.event),
        "cancel_url": cancel_url,
    }
    parts = []
    for language in ("ko", "en"):
        with translation.override(language):
            parts.append(render_to_string("fund/mail/registration.txt", context).strip())
    return outbox.MAIL_LANGUAGE_SEPARATOR.join(parts) + "\n"


def registration_mail_send(*, registration_id: int) -> str:
    """Write the mail the registration's current state calls for (confirmation, waitlist,
    promotion or cancellation) into the outbox, once: a second run for the same state writes
    nothing. Returns the kind written, or "" when there was nothing to write. Records
    `mail_sent_kind/_at` (when the mail was handed to the outbox)."""
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            return ""
        kind = _mail_kind(registration)
        if registration.mail_sent_kind == kind:
            return ""
        cancel_url = ""
        if kind != RegistrationMail.CANCELLED:
            token = cancel_token_issue(registration=registration)
            cancel_url = settings.SITE_URL.rstrip("/") + reverse(
                "site:registration_cancel", args=[token]
            )
        attachments = []
        if kind != RegistrationMail.CANCELLED:
            attachments.append(
                {
                    "filename": f"event-{registration.event_id}.ics",
                    "content": ics.event_calendar(registration.event).decode(),
                    "mimetype": "text/calendar",
                }
            )
        outbox.write(
            kind=NotificationKind.EVENT_REGISTRATION,
            recipients=[outbox.Recipient(registration.email)],
            subject=_mail_subject(kind, registration),
            body=_mail_body(kind, registration, cancel_url),
            event_key=f"registration:{registration.pk}:{kind}",
            attachments=attachments,
        )
        registration.mail_sent_kind = kind
        registration.mail_sent_at = timezone.now()
        registration.save(update_fields=["mail_sent_kind", "mail_sent_at"])
    return kind


# ---------------------------------------------------------------------------------------------
# Demo content (for `manage.py seed_demo`)
