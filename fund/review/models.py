"""The fund secretariat's review pipeline: stages, decisions, committees, comments (SPEC §3.6)."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fund.coordination.models import CoordinationPacket
from portal.core.vocabulary import APPROVING_DECISIONS, ChannelCode, Decision, ReviewStage


class FundReview(models.Model):
    """The fund secretariat's pipeline entry for one referred proposal.

    Created when the referral packet is taken in. `stage` mirrors `Proposal.stage` (both are
    written together by fund.review.services) so the pipeline can be filtered, sorted and paged on
    one table; `score` is the proposed channel's score at referral, with its rule version.
    """

    proposal = models.OneToOneField(
        "alliance.Proposal", primary_key=True, on_delete=models.PROTECT, related_name="review"
    )
    referral = models.OneToOneField(CoordinationPacket, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelCode.choices)
    # 0 with no rule version when the proposed channel had no match result at referral.
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    rule_version = models.PositiveIntegerField(_("rule version"), null=True, blank=True)
    requested_krw = models.PositiveBigIntegerField(_("requested amount (KRW)"))
    stage = models.CharField(_("review stage"), max_length=12, choices=ReviewStage.choices)
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    keit_note = models.TextField(_("KEIT note"), blank=True)
    reviewer = models.ForeignKey(
        "alliance.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decision = models.CharField(_("decision"), max_length=26, choices=Decision.choices, blank=True)
    decided_channel = models.CharField(
        _("decided channel"), max_length=10, choices=ChannelCode.choices, blank=True
    )
    approved_krw = models.PositiveBigIntegerField(_("approved amount (KRW)"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The match results the decision was based on, frozen at the moment it was recorded
    # (matching.selectors.results_snapshot): later rules or capacity never change them.
    decision_results = models.JSONField(
        _("match results at the decision"), default=list, blank=True
    )
    info_question = models.TextField(_("information requested"), blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("fund review")
        verbose_name_plural = _("fund reviews")
        indexes = [
            models.Index(fields=["stage", "-score", "-proposal"], name="review_stage_score"),
            models.Index(
                fields=["channel", "stage", "-score", "-proposal"], name="review_channel_score"
            ),
            models.Index(fields=["stage", "stage_entered_at"], name="review_stage_age"),
            # The unfiltered table and API (and their deep keyset pages) sort the whole
            # pipeline: without these, each page sorted 100,000 rows (bench/, issue 7).
            models.Index(fields=["-score", "-proposal"], name="review_score"),
            models.Index(fields=["stage_entered_at", "proposal"], name="review_age"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=ReviewStage.values), name="review_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ChannelCode.values), name="review_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Decision.values),
                name="review_decision_valid",
            ),
            # A decision exists exactly when the stage is `decided`; only approvals carry money.
            models.CheckConstraint(
                condition=(Q(stage=ReviewStage.DECIDED) & ~Q(decision=""))
                | (~Q(stage=ReviewStage.DECIDED) & Q(decision="")),
                name="review_decision_iff_decided",
            ),
            models.CheckConstraint(
                condition=(
                    Q(decision__in=APPROVING_DECISIONS, approved_krw__gt=0)
                    & Q(approved_krw__lte=F("requested_krw"))
                )
                | (~Q(decision__in=APPROVING_DECISIONS) & Q(approved_krw__isnull=True)),
                name="review_approved_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.stage}"

    @property
    def days_in_stage(self) -> int:
        return (timezone.now() - self.stage_entered_at).days


class CommitteeBody(models.TextChoices):
    """The two bodies that sit on proposals; each code is the review stage it hears."""

    COMMITTEE = ReviewStage.COMMITTEE.value, _("Investment review committee")
    COUNCIL = ReviewStage.COUNCIL.value, _("Fund management council")


MEETING_TEXT_MAX = 200


class CommitteeMeeting(models.Model):
    """One sitting of the investment review committee or the fund management council.

    Its agenda is the ordered `AgendaItem` rows; only proposals at the body's own stage are
    put on it (fund.review.services.agenda_add), and the agenda is changed only with the meeting row
    locked, so positions stay 1..n.
    """

    body = models.CharField(_("body"), max_length=12, choices=CommitteeBody.choices)
    meets_at = models.DateTimeField(_("date and time"))
    title = models.CharField(_("title"), max_length=MEETING_TEXT_MAX, blank=True)
    location = models.CharField(_("location"), max_length=MEETING_TEXT_MAX, blank=True)
    created_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-meets_at", "-id"]
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        indexes = [models.Index(fields=["-meets_at", "-id"], name="meeting_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(body__in=CommitteeBody.values), name="meeting_body_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {timezone.localtime(self.meets_at):%Y-%m-%d %H:%M}"


class AgendaItem(models.Model):
    """One proposal on a meeting's agenda, heard in `position` order (1, 2, …)."""

    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    review = models.ForeignKey(
        FundReview, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("review")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    added_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "review"], name="agenda_item_once"),
            # Deferred so that a reorder can rewrite every position in one transaction.
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="agenda_item_position_min"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.position} {self.review_id}"


class CommentImmutable(Exception):
    """Review comments are append-only."""


COMMENT_MAX = 2000


class ReviewComment(models.Model):
    """A fund staff member's comment on a proposal in the pipeline: internal to the fund
    secretariat (never shown to KEIT or applicants) and append-only."""

    review = models.ForeignKey(
        FundReview, on_delete=models.PROTECT, related_name="comments", verbose_name=_("review")
    )
    author = models.ForeignKey(
        "alliance.User",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.CharField(_("comment"), max_length=COMMENT_MAX)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        indexes = [models.Index(fields=["review", "created_at", "id"], name="comment_review")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise CommentImmutable("review comments are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise CommentImmutable("review comments are append-only")


class SavedViewPage(models.TextChoices):
    BOARD = "board", _("Board")
    TABLE = "table", _("Table")


SAVED_VIEW_NAME_MAX = 60

SAVED_VIEW_QUERY_MAX = 500


class SavedView(models.Model):
    """A fund staff member's named set of pipeline filters, opened as a quick link.

    `querystring` holds only known filter keys with validated values (fund.review.services
    .saved_view_create re-encodes them through the pipeline filter form).
    """

    owner = models.ForeignKey(
        "alliance.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=SAVED_VIEW_NAME_MAX)
    page = models.CharField(
        _("page"), max_length=8, choices=SavedViewPage.choices, default=SavedViewPage.TABLE
    )
    querystring = models.CharField(_("filters"), max_length=SAVED_VIEW_QUERY_MAX)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["owner", Lower("name"), "id"]
        verbose_name = _("saved pipeline view")
        verbose_name_plural = _("saved pipeline views")
        constraints = [
            models.UniqueConstraint(
                F("owner"),
                Lower("name"),
                name="saved_view_unique_name",
                violation_error_message=_("You already have a view with this name."),
            ),
            models.CheckConstraint(
                condition=Q(page__in=SavedViewPage.values), name="saved_view_page_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="saved_view_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
