"""The one mail outbox: every mail the portal sends is a row here first (SPEC §3.5's
at-least-once delivery, applied to mail). `portal.core.outbox` writes and sends the rows."""

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
