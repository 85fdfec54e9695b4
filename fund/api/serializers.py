"""Input and output shapes of the fund's API: channels, the coordination queue, the pipeline,
the fund-side proposal actions and the information site (events, notices, FAQ)."""

from django.utils import timezone
from rest_framework import serializers

from alliance.api.serializers import BlankAsNullChoiceField, ProposalOutput
from alliance.models import NOTE_MAX
from fund.coordination.models import PacketDirection, PacketKind, PacketState
from fund.site.models import EventKind, FaqCategory, RegistrationStatus
from fund.site.services import EMAIL_MAX, NAME_MAX, ORGANIZATION_MAX
from portal.core.vocabulary import FUND_SIZE_KRW, ChannelCode, Decision, Region, ReviewStage

CONDITIONS_MAX = NOTE_MAX

# ---------------------------------------------------------------------------------------------
# Channels


class ChannelOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=ChannelCode.choices)
    name = serializers.CharField(help_text="In the active language.")
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    size_krw = serializers.IntegerField(help_text="Five-year size in won.")
    annual_plan_krw = serializers.IntegerField(
        allow_null=True, help_text="This year's planned amount in won (null if none)."
    )
    committed_krw = serializers.IntegerField()
    remaining_krw = serializers.IntegerField()
    funds = serializers.CharField(help_text="What the channel funds (active language).")
    who = serializers.CharField(help_text="Who may apply (active language).")
    terms = serializers.CharField(help_text="Terms (active language).")
    terms_ko = serializers.CharField()
    terms_en = serializers.CharField()


# ---------------------------------------------------------------------------------------------
# Fund-side proposal actions


class ReferInput(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)
    channel = BlankAsNullChoiceField(
        choices=ChannelCode.choices,
        required=False,
        help_text="KEIT's proposed channel; null for the best eligible match.",
    )


class AdvanceInput(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=ReviewStage.choices, help_text="The next stage (received → prescreen → ...)."
    )


class DecideInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    channel = BlankAsNullChoiceField(
        choices=ChannelCode.choices, required=False, help_text="Required for an approval."
    )
    amount_krw = serializers.IntegerField(
        min_value=0,
        max_value=FUND_SIZE_KRW,
        required=False,
        allow_null=True,
        help_text="Approved amount in won (approvals only; at most the requested amount).",
    )
    conditions = serializers.CharField(max_length=CONDITIONS_MAX, required=False, allow_blank=True)


class PacketRefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    sequence = serializers.IntegerField()


class ReferOutput(serializers.Serializer):
    proposal = ProposalOutput()
    packet = PacketRefOutput()


# ---------------------------------------------------------------------------------------------
# Coordination queue


class PacketOutput(serializers.Serializer):
    id = serializers.UUIDField()
    sequence = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PacketKind.choices)
    direction = serializers.ChoiceField(choices=PacketDirection.choices)
    proposal = serializers.IntegerField(source="proposal_id")
    state = serializers.ChoiceField(choices=PacketState.choices)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField(help_text="The immutable content (snapshot, matches, note).")


# ---------------------------------------------------------------------------------------------
# Pipeline


class ReviewOutput(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    title = serializers.CharField(source="proposal.title")
    firm = serializers.IntegerField(source="proposal.firm_id")
    firm_name = serializers.CharField(source="proposal.firm.name")
    sub_alliance = serializers.CharField(source="proposal.sub_alliance.code", allow_null=True)
    industry = serializers.SerializerMethodField()
    region = BlankAsNullChoiceField(
        choices=Region.choices, source="proposal.region", read_only=True
    )
    channel = serializers.ChoiceField(choices=ChannelCode.choices)
    score = serializers.IntegerField()
    rule_version = serializers.IntegerField(allow_null=True)
    requested_krw = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=ReviewStage.choices)
    stage_entered_at = serializers.DateTimeField()
    days_in_stage = serializers.IntegerField()
    keit_note = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer.username", allow_null=True)
    decision = BlankAsNullChoiceField(choices=Decision.choices, read_only=True)
    decided_channel = BlankAsNullChoiceField(choices=ChannelCode.choices, read_only=True)
    approved_krw = serializers.IntegerField(allow_null=True)
    conditions = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    info_question = serializers.CharField()
    received_at = serializers.DateTimeField()

    def get_industry(self, review) -> str | None:
        # The pipeline selector does not join industries; the view looks them up in one query.
        codes = self.context.get("industry_codes")
        if codes is not None:
            return codes.get(review.proposal.industry_id)
        industry = review.proposal.industry
        return industry.code if industry else None


def _datetime(value) -> str | None:
    """A datetime as DRF's DateTimeField writes it: ISO 8601 in the current time zone."""
    if not value:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# The columns `review_value_rows` reads, for `pipeline_selectors.pipeline_page_values`.
REVIEW_ROW_FIELDS = (
    "proposal_id",
    "proposal__title",
    "proposal__firm_id",
    "proposal__firm__name",
    "proposal__sub_alliance__code",
    "proposal__industry_id",
    "proposal__region",
    "channel",
    "score",
    "rule_version",
    "requested_krw",
    "stage",
    "stage_entered_at",
    "keit_note",
    "reviewer__username",
    "decision",
    "decided_channel",
    "approved_krw",
    "conditions",
    "decided_at",
    "info_question",
    "received_at",
)


def review_value_rows(values, *, industry_codes: dict) -> list[dict]:
    """What `ReviewOutput(reviews, many=True).data` gives, built directly from
    `.values(*REVIEW_ROW_FIELDS)` dicts.

    The pipeline list is the API's busiest read (50 rows of 24 fields a page): DRF's
    field-by-field serialization and the model instances were most of its time. ReviewOutput
    stays the schema and the shape; tests/test_api_pipeline_rows.py checks the two give the
    same rows.
    """
    now = timezone.now()
    return [
        {
            "proposal": v["proposal_id"],
            "title": v["proposal__title"],
            "firm": v["proposal__firm_id"],
            "firm_name": v["proposal__firm__name"],
            "sub_alliance": v["proposal__sub_alliance__code"],
            "industry": industry_codes.get(v["proposal__industry_id"]),
            "region": v["proposal__region"] or None,
            "channel": v["channel"],
            "score": v["score"],
            "rule_version": v["rule_version"],
            "requested_krw": v["requested_krw"],
            "stage": v["stage"],
            "stage_entered_at": _datetime(v["stage_entered_at"]),
            "days_in_stage": (now - v["stage_entered_at"]).days,
            "keit_note": v["keit_note"],
            "reviewer": v["reviewer__username"],
            "decision": v["decision"] or None,
            "decided_channel": v["decided_channel"] or None,
            "approved_krw": v["approved_krw"],
            "conditions": v["conditions"],
            "decided_at": _datetime(v["decided_at"]),
            "info_question": v["info_question"],
            "received_at": _datetime(v["received_at"]),
        }
        for v in values
    ]


class DecideOutput(serializers.Serializer):
    proposal = ProposalOutput()
    review = ReviewOutput()


# ---------------------------------------------------------------------------------------------
# Information site


class NoticeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    pinned = serializers.BooleanField()
    published_at = serializers.DateTimeField()


class FaqOutput(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=FaqCategory.choices)
    question = serializers.CharField()
    answer = serializers.CharField()
    order = serializers.IntegerField()


class EventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    online_url = serializers.CharField()
    capacity = serializers.IntegerField()
    confirmed_count = serializers.IntegerField()
    waitlisted_count = serializers.IntegerField()
    seats_left = serializers.SerializerMethodField()
    registration_opens_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField()
    registration_state = serializers.ChoiceField(
        choices=["open", "upcoming", "closed", "ended", "invitation"]
    )

    def get_seats_left(self, event) -> int:
        return max(event.capacity - event.confirmed_count, 0)


class RegistrationInput(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    organization = serializers.CharField(max_length=ORGANIZATION_MAX)
    email = serializers.CharField(max_length=EMAIL_MAX)
    phone = serializers.CharField(max_length=20)
    consent = serializers.BooleanField(
        help_text="Consent to the collection and use of personal data; must be true."
    )


class RegistrationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="event_id")
    status = serializers.ChoiceField(choices=RegistrationStatus.choices)
    waitlist_position = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


# ---------------------------------------------------------------------------------------------
# Demand statistics


class DemandRowOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    proposal_count = serializers.IntegerField()
    requested_krw = serializers.IntegerField()


class SubAllianceDemandOutput(DemandRowOutput):
    surveyed_demand_krw = serializers.IntegerField()


class DemandTotalsOutput(serializers.Serializer):
    proposal_count = serializers.IntegerField()
    requested_krw = serializers.IntegerField()


class DemandOutput(serializers.Serializer):
    totals = DemandTotalsOutput()
    by_sub_alliance = SubAllianceDemandOutput(many=True)
    by_industry = DemandRowOutput(many=True)
