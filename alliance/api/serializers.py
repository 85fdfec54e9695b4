"""Input and output shapes of the alliance's API: firms, proposals, matches and documents.

Field names and codes are the contract of SPEC §5. Inputs only check types and ranges; the
services hold every rule and answer with field errors of their own.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Manager, QuerySet
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.models import NOTE_MAX, SUMMARY_MAX, TITLE_MAX, Firm, Industry, Proposal, SubAlliance
from alliance.proposals.selectors import proposals_routing
from alliance.proposals.services import EXPECTED_JOBS_MAX, PROPOSAL_FIELDS
from alliance.reference_data import SUB_ALLIANCES
from portal.core.vocabulary import (
    FUND_SIZE_KRW,
    ChannelCode,
    DocumentKind,
    FirmStatus,
    FundUse,
    MemberType,
    ProjectType,
    Region,
    ReviewStage,
    SizeClass,
    Structure,
)

SUB_ALLIANCE_CODES = [code for code, *_rest in SUB_ALLIANCES]

ID_MAX = 2**63 - 1


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A code that may be "not chosen yet": stored as "", sent and received as null."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, allow_blank=True, **kwargs)

    def to_representation(self, value):
        return value or None

    def to_internal_value(self, data):
        return super().to_internal_value(data) if data not in (None, "") else ""

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


class BlankAsNullURLField(serializers.URLField):
    """A URL that may be missing: stored as "", sent as null (never an empty "URL")."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


# ---------------------------------------------------------------------------------------------
# Firms


class FirmOutput(serializers.ModelSerializer):
    sub_alliances = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    website = BlankAsNullURLField(read_only=True, help_text="null when the firm has none.")

    class Meta:
        model = Firm
        fields = [
            "id",
            "name",
            "name_en",
            "business_registration_number",
            "corporate_registration_number",
            "size_class",
            "member_type",
            "region",
            "status",
            "sub_alliances",
            "representative",
            "address",
            "website",
            "verified_at",
            "created_at",
        ]
        read_only_fields = fields


class FirmSignUpInput(serializers.Serializer):
    """A firm's registration with its first applicant account (the firm starts `pending`)."""

    name = serializers.CharField(max_length=120)
    business_registration_number = serializers.CharField(
        max_length=20, help_text="10 digits (hyphens allowed), checksum-validated."
    )
    corporate_registration_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True
    )
    size_class = serializers.ChoiceField(choices=SizeClass.choices)
    member_type = serializers.ChoiceField(
        choices=MemberType.choices, required=False, default=MemberType.MANUFACTURER
    )
    region = serializers.ChoiceField(choices=Region.choices)
    representative = serializers.CharField(max_length=60, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sub_alliances = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=SubAlliance.objects.all(),
        required=False,
        help_text="Sub-alliance codes.",
    )
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class FirmSignUpOutput(serializers.Serializer):
    firm = FirmOutput()
    username = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


# ---------------------------------------------------------------------------------------------
# Proposals


class RoutingReasonOutput(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "The condition: submitted, eligible, channel_routed, min_score, sub_alliance_in, "
            "sub_alliance_out, industry_in, industry_out, amount, daily_cap, paused; or a "
            "note: pending, unscored, manual."
        )
    )
    met = serializers.BooleanField()
    channel = BlankAsNullChoiceField(choices=ChannelCode.choices, read_only=True)
    reason = serializers.SerializerMethodField(help_text="The reason in the active language.")
    reason_ko = serializers.CharField()
    reason_en = serializers.CharField()

    def get_reason(self, item) -> str:
        english = (get_language() or "ko").startswith("en")
        return item["reason_en"] if english else item["reason_ko"]


class ProposalRoutingOutput(serializers.Serializer):
    """How the proposal went to the fund, or why it has not yet (SPEC §7)."""

    state = serializers.ChoiceField(
        choices=["routed", "held", "manual"],
        allow_null=True,
        help_text=(
            "routed: the workers referred it under `policy_version`; manual: KEIT referred it "
            "by hand; held: the active policy does not route it now (`reasons`: what it "
            "misses; the secretariats only); null: nothing decided yet."
        ),
    )
    policy_version = serializers.IntegerField(allow_null=True)
    channel = BlankAsNullChoiceField(choices=ChannelCode.choices, read_only=True)
    at = serializers.DateTimeField(allow_null=True, help_text="When it was routed or referred.")
    reasons = RoutingReasonOutput(many=True)


def _reader(context: dict):
    request = context.get("request")
    return request.user if request is not None else AnonymousUser()


def _attach_routing(proposals: list, context: dict) -> None:
    statuses = proposals_routing(proposals, _reader(context))
    for proposal in proposals:
        proposal._routing = statuses[proposal.pk]


class ProposalListOutput(serializers.ListSerializer):
    """A list of proposals asks the routing statuses of the whole page at once."""

    def to_representation(self, data):
        items = list(data.all() if isinstance(data, Manager | QuerySet) else data)
        _attach_routing([p for p in items if not hasattr(p, "_routing")], self.context)
        return super().to_representation(items)


class ProposalOutput(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    # null on a draft that has not chosen them yet.
    sub_alliance = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    project_type = BlankAsNullChoiceField(choices=ProjectType.choices, read_only=True)
    fund_uses = serializers.ListField(
        child=serializers.ChoiceField(choices=FundUse.choices), read_only=True
    )
    region = BlankAsNullChoiceField(choices=Region.choices, read_only=True)
    preferred_channel = BlankAsNullChoiceField(choices=ChannelCode.choices, read_only=True)
    stage = BlankAsNullChoiceField(choices=ReviewStage.choices, read_only=True)
    partners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    routing = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "firm",
            "firm_name",
            *PROPOSAL_FIELDS,
            "partners",
            "status",
            "stage",
            "info_request",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
            "routing",
        ]
        read_only_fields = fields
        list_serializer_class = ProposalListOutput

    @extend_schema_field(ProposalRoutingOutput)
    def get_routing(self, proposal: Proposal) -> dict:
        if not hasattr(proposal, "_routing"):
            _attach_routing([proposal], self.context)
        return ProposalRoutingOutput(proposal._routing, context=self.context).data


def _amount(help_text: str):
    return serializers.IntegerField(
        min_value=0, max_value=FUND_SIZE_KRW, required=False, allow_null=True, help_text=help_text
    )


# An over-long text is refused with its limit, never shortened to fit.
TOO_LONG = {
    "max_length": gettext_lazy(
        "At most {max_length} characters: shorten the text (nothing was cut)."
    )
}


class ProposalFieldsInput(serializers.Serializer):
    """The editable fields of a proposal; every one optional (drafts may be incomplete)."""

    title = serializers.CharField(max_length=TITLE_MAX, required=False, error_messages=TOO_LONG)
    summary = serializers.CharField(
        max_length=SUMMARY_MAX, required=False, allow_blank=True, error_messages=TOO_LONG
    )
    sub_alliance = serializers.SlugRelatedField(
        slug_field="code", queryset=SubAlliance.objects.all(), required=False, allow_null=True
    )
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True
    )
    project_type = BlankAsNullChoiceField(choices=ProjectType.choices, required=False)
    fund_uses = serializers.ListField(
        child=serializers.ChoiceField(choices=FundUse.choices), required=False, max_length=20
    )
    structure = serializers.ChoiceField(choices=Structure.choices, required=False)
    region = BlankAsNullChoiceField(choices=Region.choices, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    trl = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)
    ai_related = serializers.BooleanField(required=False)
    total_cost_krw = _amount("Total project cost in won.")
    requested_krw = _amount("Amount requested from the fund in won.")
    private_coinvest_krw = _amount("Private co-investment in won.")
    expected_value_added_krw = _amount("Expected value added in won.")
    expected_jobs = serializers.IntegerField(
        min_value=0, max_value=EXPECTED_JOBS_MAX, required=False, allow_null=True
    )
    preferred_channel = BlankAsNullChoiceField(
        choices=ChannelCode.choices,
        required=False,
        help_text="A channel code, or null to let the portal suggest one.",
    )
    partners = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        max_length=50,
        help_text="Ids of verified member firms in the consortium.",
    )

    def validate_partners(self, ids):
        firms = list(Firm.objects.filter(pk__in=set(ids), status=FirmStatus.ACTIVE))
        if len(firms) != len(set(ids)):
            raise serializers.ValidationError(
                _("Consortium partners must be verified member firms.")
            )
        return firms


class ProposalCreateInput(ProposalFieldsInput):
    title = serializers.CharField(max_length=TITLE_MAX, error_messages=TOO_LONG)


class ProposalUpdateInput(ProposalFieldsInput):
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The version you last read; stale → 409."
    )


class ProposalSubmitInput(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        help_text="The version you last read; if sent and stale, 409.",
    )


class ProposalWithdrawInput(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)


class RequestInfoInput(serializers.Serializer):
    question = serializers.CharField(max_length=NOTE_MAX)


# ---------------------------------------------------------------------------------------------
# Matches


# ---------------------------------------------------------------------------------------------
# Documents


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    proposal = serializers.IntegerField(source="proposal_id")
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class DocumentUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, DOCX, XLSX, PPTX, HWP or HWPX; 20 MB at most.")
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
