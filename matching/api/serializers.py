"""Input and output shapes of the matching API: rule sets, their previews and rescore runs."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matching.models import RuleSetStatus
from matching.services import NAME_MAX
from matching.templatetags.matching_tags import localized


class RuleSetOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=RuleSetStatus.choices)
    rules = serializers.JSONField(help_text="The rule-set document (channels, checks, weights).")
    based_on = serializers.IntegerField(source="based_on_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)


class RuleSetCreateInput(serializers.Serializer):
    based_on = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        help_text="The rule set to copy; the active one when left out.",
    )


class RuleSetUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    rules = serializers.JSONField()


class PreviewChangeOutput(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    before = serializers.JSONField()
    after = serializers.JSONField()


class PreviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    rule_set = serializers.IntegerField(source="rule_set_id")
    base_rule_set = serializers.IntegerField(source="base_rule_set_id", allow_null=True)
    finished = serializers.SerializerMethodField()
    total_proposals = serializers.IntegerField()
    changes = PreviewChangeOutput(many=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_finished(self, preview) -> bool:
        return preview.finished_at is not None


class RescoreOutput(serializers.Serializer):
    run = serializers.IntegerField(source="run.pk")
    rule_set = serializers.IntegerField(source="run.rule_set_id")
    batches = serializers.IntegerField()
    batches_done = serializers.IntegerField()
    proposals_done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()


class LocalizedReasonMixin(serializers.Serializer):
    reason = serializers.SerializerMethodField(help_text="The reason in the active language.")
    reason_ko = serializers.CharField()
    reason_en = serializers.CharField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_reason(self, item) -> str:
        return localized(item)


class BreakdownItemOutput(LocalizedReasonMixin):
    criterion = serializers.CharField()
    weight = serializers.IntegerField()
    points = serializers.FloatField()


class CheckOutput(LocalizedReasonMixin):
    rule = serializers.CharField()
    passed = serializers.BooleanField()


class HintOutput(LocalizedReasonMixin):
    code = serializers.CharField()


class MatchOutput(serializers.Serializer):
    channel = serializers.CharField(source="channel_id")
    eligible = serializers.BooleanField()
    score = serializers.IntegerField(min_value=0, max_value=100)
    breakdown = BreakdownItemOutput(many=True)
    checks = CheckOutput(many=True)
    hints = HintOutput(many=True)
    rule_version = serializers.IntegerField(source="rule_set.version")
    computed_at = serializers.DateTimeField()
