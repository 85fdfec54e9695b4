"""Input and output shapes of the routing API (SPEC §7): the switch, policy versions, previews."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from alliance.api.serializers import SUB_ALLIANCE_CODES
from fund.routing.models import PolicyStatus
from fund.routing.policy import CHANNELS, DAILY_CAP_MAX, NOTIFY, RECOMMENDED_BONUS_MAX
from fund.routing.services import DESCRIPTION_MAX, NAME_MAX
from portal.core.vocabulary import FUND_SIZE_KRW, INDUSTRY_CODES, ChannelCode


class RoutingStateOutput(serializers.Serializer):
    active_version = serializers.IntegerField(
        allow_null=True, help_text="The active policy's version; null when none is active."
    )
    active_policy = serializers.IntegerField(allow_null=True, help_text="The active policy's id.")
    paused = serializers.BooleanField(help_text="True while automatic routing is stopped.")
    changed_at = serializers.DateTimeField(
        allow_null=True, help_text="When routing was last paused or resumed."
    )
    waiting = serializers.IntegerField(
        help_text="Submitted proposals the workers have yet to look at under the policy."
    )


def _amount():
    return serializers.IntegerField(min_value=0, max_value=FUND_SIZE_KRW, allow_null=True)


def _codes(choices):
    return serializers.ListField(child=serializers.ChoiceField(choices=choices))


class ChannelPolicyOutput(serializers.Serializer):
    route = serializers.BooleanField(
        help_text="Whether the workers refer proposals best matched to this channel."
    )
    min_score = serializers.IntegerField(min_value=0, max_value=100)
    daily_cap = serializers.IntegerField(
        min_value=0,
        max_value=DAILY_CAP_MAX,
        allow_null=True,
        help_text="At most this many routed to the channel per day (Korean time); null: no cap.",
    )
    sub_alliances_in = _codes(SUB_ALLIANCE_CODES)
    sub_alliances_out = _codes(SUB_ALLIANCE_CODES)
    industries_in = _codes(INDUSTRY_CODES)
    industries_out = _codes(INDUSTRY_CODES)
    min_requested_krw = _amount()
    max_requested_krw = _amount()
    recommended_bonus = serializers.IntegerField(
        min_value=0,
        max_value=RECOMMENDED_BONUS_MAX,
        default=0,
        help_text="Points added to the score, for the minimum, when 산업부 recommended it.",
    )


PolicyChannelsOutput = inline_serializer(
    "RoutingPolicyChannels", {code: ChannelPolicyOutput() for code in CHANNELS}
)


class PolicyDocumentOutput(serializers.Serializer):
    channels = PolicyChannelsOutput
    notify = serializers.ListField(
        child=serializers.ChoiceField(choices=NOTIFY),
        help_text="Who is mailed when a proposal is routed (the fund secretariat always is).",
    )


@extend_schema_field(PolicyDocumentOutput)
class PolicyDocumentField(serializers.JSONField):
    """The policy document, checked by the service so that each wrong setting is named by its
    path (`policy.channels.direct.min_score`)."""


class RoutingPolicyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=PolicyStatus.choices)
    policy = PolicyDocumentOutput(source="document")
    based_on = serializers.IntegerField(source="based_on_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)


class RoutingPolicyCreateInput(serializers.Serializer):
    based_on = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="The version to copy; the active one when left out.",
    )


class RoutingPolicyUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX
    )
    policy = PolicyDocumentField()


class RoutingActivateInput(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: the workers start routing under this version at once."
    )


class PreviewProposalOutput(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    firm = serializers.CharField()
    channel = serializers.ChoiceField(choices=ChannelCode.choices)
    score = serializers.IntegerField(min_value=0, max_value=100)


class RoutingPreviewOutput(serializers.Serializer):
    policy = serializers.IntegerField()
    version = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    submitted = serializers.IntegerField(help_text="Submitted proposals looked at.")
    scored = serializers.IntegerField(help_text="Of them, scored under the active rule set.")
    would_route = serializers.IntegerField(help_text="How many the policy would route now.")
    by_channel = inline_serializer(
        "RoutingPreviewByChannel",
        {code: serializers.IntegerField(min_value=0) for code in CHANNELS},
        help_text="How many it would route to each channel.",
    )
    held = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text="Held proposals by the first condition they miss (its code).",
    )
    routed_today = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text="Proposals already routed today per channel (they count against the caps).",
    )
    proposals = PreviewProposalOutput(
        many=True, help_text="The first 200 proposals it would route, in the workers' order."
    )
