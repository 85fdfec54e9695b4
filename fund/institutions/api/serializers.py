"""Input and output shapes of the institutions' API (SPEC §6)."""

from rest_framework import serializers

from alliance.api.serializers import SUB_ALLIANCE_CODES
from fund.institutions.models import DESCRIPTION_MAX, MESSAGE_MAX, InterestState
from portal.core.vocabulary import (
    FUND_SIZE_KRW,
    INDUSTRY_CODES,
    ChannelCode,
    InstitutionKind,
    Region,
    SizeClass,
)


def _codes(choices, help_text: str):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices), help_text=help_text
    )


class OfferOutput(serializers.Serializer):
    channels = _codes(ChannelCode.values, "The fund channels the institution serves.")
    industries = _codes(INDUSTRY_CODES, "Strategic industries it takes; empty: all.")
    sub_alliances = _codes(SUB_ALLIANCE_CODES, "Sub-alliances it takes; empty: all.")
    regions = _codes(Region.values, "Regions it takes; empty: all.")
    min_ticket_krw = serializers.IntegerField(min_value=0, max_value=FUND_SIZE_KRW)
    max_ticket_krw = serializers.IntegerField(min_value=0, max_value=FUND_SIZE_KRW)
    description = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(help_text="Send it back with a change; a stale one: 409.")


class InstitutionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=InstitutionKind.values)
    offer = OfferOutput(allow_null=True, help_text="Null until the institution keeps an offer.")


class OfferInput(serializers.Serializer):
    """Every field optional (PATCH); each is checked by the service, field by field."""

    channels = serializers.JSONField(required=False, help_text="List of channel codes (1+).")
    industries = serializers.JSONField(required=False, help_text="List of industry codes.")
    sub_alliances = serializers.JSONField(required=False, help_text="List of sub-alliance codes.")
    regions = serializers.JSONField(required=False, help_text="List of region codes.")
    min_ticket_krw = serializers.JSONField(required=False, help_text="Integer won, 0 or more.")
    max_ticket_krw = serializers.JSONField(required=False, help_text="Integer won.")
    description = serializers.JSONField(
        required=False, help_text=f"Text, at most {DESCRIPTION_MAX} characters."
    )
    version = serializers.IntegerField(required=False, min_value=1)


class ShareInput(serializers.Serializer):
    consent = serializers.BooleanField(
        help_text="Must be true: the applicant agrees to the consent text shown on the page."
    )


class ShareOutput(serializers.Serializer):
    proposal = serializers.IntegerField()
    open = serializers.BooleanField()
    opened_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    consent_text = serializers.CharField()


class DealOutput(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    sub_alliance = serializers.CharField(allow_null=True)
    industry = serializers.CharField(allow_null=True)
    region = serializers.CharField(allow_blank=True)
    size_class = serializers.ChoiceField(choices=SizeClass.choices)
    requested_krw = serializers.IntegerField(allow_null=True)
    eligible_channels = serializers.ListField(child=serializers.CharField())
    fit = serializers.IntegerField(min_value=0, max_value=100)
    reasons = serializers.ListField(child=serializers.CharField())
    interest = serializers.IntegerField(
        allow_null=True, help_text="Your institution's interest in it, if any."
    )


class ContactOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)


class InterestInput(serializers.Serializer):
    proposal = serializers.IntegerField(min_value=1)
    message = serializers.CharField(
        max_length=MESSAGE_MAX, help_text="To the firm: why the institution is interested."
    )


class InterestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    proposal = serializers.IntegerField()
    institution = serializers.IntegerField()
    institution_name = serializers.CharField()
    message = serializers.CharField()
    state = serializers.ChoiceField(choices=InterestState.values)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    firm_name = serializers.CharField(
        allow_null=True, help_text="Shown to the institution only once the firm accepted."
    )
    contact = ContactOutput(
        allow_null=True,
        help_text="The other side's contact, once the firm accepted; null before.",
    )
    consultation = serializers.IntegerField(allow_null=True)


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MESSAGE_MAX)


class AcceptInput(serializers.Serializer):
    preferred_slots = serializers.ListField(
        child=serializers.DateTimeField(),
        required=False,
        max_length=3,
        help_text="Up to three times for the consultation; default: the next three weekdays "
        "at 10:00 Korean time.",
    )


class InterestSummaryOutput(serializers.Serializer):
    opened_proposals = serializers.IntegerField()
    interests = serializers.DictField(child=serializers.IntegerField())
