"""The one mail outbox: every mail the portal sends is a row here first (SPEC §3.5's
at-least-once delivery, applied to mail). `portal.core.outbox` writes and sends the rows.

And the personal-data access log: who viewed, revealed, exported or erased the personal data
of event registrants and consultation contacts (`portal.core.privacy` writes it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("Referral received by the fund")
    FUND_QUESTION = "fund_question", _("Question from the fund secretariat")
    INFO_REQUESTED = "info_requested", _("Information requested")
    FUND_ANSWER = "fund_answer", _("Answer to the fund's question")
    DECISION = "decision", _("Fund decision")
    EVENT_REGISTRATION = "event_registration", _("Event registration")
    CONSULTATION = "consultation", _("Consultation")
    PROPOSAL_ROUTED = "proposal_routed", _("Proposal routed to the fund")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One mail to one person, written in the transaction of the event it reports.

    A worker sends it after commit; the periodic sweep sends what is still pending (the broker
    was down, the mail server refused) until the attempts run out, then it is `failed` for
    staff to see in the admin. `dedupe_key` is unique per event and recipient, so an event
    taken in twice never mails twice.
    """

    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    # Files sent with the mail: [{"filename", "content" (text), "mimetype"}] (an event's .ics).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # The proposal a mail is about, for staff in the admin (by name: the core imports no app).
    proposal = models.ForeignKey(
        "alliance.Proposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposal"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=NotificationState.choices,
        default=NotificationState.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        # The table keeps the name it had when the outbox lived in the alliance app.
        db_table = "alliance_notification"
        ordering = ["-created_at", "-id"]
        verbose_name = _("mail notification")
        verbose_name_plural = _("mail notifications")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="notification_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=NotificationState.values), name="notification_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


# ---------------------------------------------------------------------------------------------
# Personal data: the access log


class PersonalDataAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    REVEAL = "reveal", _("Revealed contact details")
    EXPORT = "export", _("Exported")
    ERASE = "erase", _("Erased")


class PersonalDataKind(models.TextChoices):
    """Whose personal data: the rows of which table (by name: the core imports no app)."""

    REGISTRATION = "registration", _("Event registrants")
    CONSULTATION = "consultation", _("Consultation contacts")


class PersonalDataAccessImmutable(Exception):
    """Raised when code tries to change or delete an access-log row."""


class PersonalDataAccessQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PersonalDataAccessImmutable("access-log rows are append-only")

    def delete(self):
        raise PersonalDataAccessImmutable("access-log rows are append-only")


class PersonalDataAccess(models.Model):
    """Append-only record of one view, reveal, export or erasure of registrants' or
    consultation contacts' personal data: who, when, what, and whose (the record ids).

    The row holds ids, never the personal data itself, so it outlives the erasure it records.
    """

    # SET_NULL keeps the row when an account is deleted; `actor_username` still says who.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=10, choices=PersonalDataAction.choices)
    kind = models.CharField(_("whose"), max_length=20, choices=PersonalDataKind.choices)
    # The registrations or consultations concerned: one for a reveal, a page for a list, every
    # row of the file for an export, a batch for an erasure.
    record_ids = models.JSONField(_("records"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    path = models.CharField(_("page"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=PersonalDataAction.values),
                name="personal_data_access_action_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PersonalDataKind.values),
                name="personal_data_access_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.kind} ×{self.row_count}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PersonalDataAccessImmutable("access-log rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PersonalDataAccessImmutable("access-log rows are append-only")
