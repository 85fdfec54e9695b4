"""generate_proposals: valid, deterministic synthetic load data, and clear errors for bad input."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from alliance.models import AuditLog, Firm, Proposal, ProposalPartner
from alliance.proposals.services import proposal_validate
from alliance.validators import is_valid_brn
from portal.core.vocabulary import CAPITAL_AREA, EOK, ProposalStatus

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_proposals", *args, stdout=out)
    return out.getvalue()


def rows(queryset) -> list[tuple]:
    """What a generated proposal is, independent of its database id."""
    return [
        (
            p.firm.business_registration_number,
            p.title,
            p.summary,
            p.sub_alliance.code,
            p.industry.code,
            p.project_type,
            tuple(p.fund_uses),
            p.structure,
            p.region,
            p.start_date,
            p.end_date,
            p.trl,
            p.ai_related,
            p.total_cost_krw,
            p.requested_krw,
            p.private_coinvest_krw,
            p.expected_value_added_krw,
            p.expected_jobs,
            p.preferred_channel,
            p.status,
            p.stage,
            p.version,
            p.info_request,
            p.created_by_id,
            tuple(sorted(p.partners.values_list("business_registration_number", flat=True))),
        )
        for p in queryset.select_related("firm", "sub_alliance", "industry").order_by("id")
    ]


def test_generates_exactly_the_count_of_valid_submitted_proposals_with_history():
    # when
    output = generate("--count", "500", "--seed", "7")

    # then
    assert Proposal.objects.count() == 500
    assert Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count() == 500
    assert Firm.objects.count() == 10
    assert all(
        is_valid_brn(b) for b in Firm.objects.values_list("business_registration_number", flat=True)
    )
    history = AuditLog.objects.filter(action="proposal.generate")
    assert history.count() == 500
    assert list(
        history.values("proposal_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
        .order_by()
        .distinct()
    ) == [1]
    assert "Created 500 synthetic proposals" in output
    assert "합성 제안 500건 생성" in output
    for proposal in Proposal.objects.order_by("id")[::25]:
        proposal_validate(proposal, complete=True)
        # created_by is null=True without blank=True in the model; generated rows have no author
        proposal.full_clean(exclude=["created_by"])
        assert proposal.partners.filter(pk=proposal.firm_id).count() == 0


def test_generated_amounts_and_shares_follow_the_intended_distributions():
    # when
    generate("--count", "500", "--seed", "7")

    # then
    proposals = list(Proposal.objects.all())
    for p in proposals:
        assert 10 * EOK <= p.requested_krw <= 5_000 * EOK
        assert p.requested_krw <= p.total_cost_krw
        assert p.requested_krw + p.private_coinvest_krw <= p.total_cost_krw
        assert p.requested_krw % 1_000_000 == 0
        assert 1 <= p.trl <= 9
        assert p.fund_uses
        assert p.start_date < p.end_date
    # Shares are random; with 500 draws the 3-sigma band is about ±7 points.
    ai_share = sum(p.ai_related for p in proposals) / len(proposals)
    regional_share = sum(p.region not in CAPITAL_AREA for p in proposals) / len(proposals)
    assert 0.53 <= ai_share <= 0.67
    assert 0.35 <= regional_share <= 0.65
    # log-uniform: as many requests below 70억 as above 700억 (each about a third of the range)
    low = sum(p.requested_krw < 70 * EOK for p in proposals)
    high = sum(p.requested_krw > 700 * EOK for p in proposals)
    assert 100 <= low <= 230 and 100 <= high <= 230
    # about 8 % are consortia with one or two partners
    assert 20 <= ProposalPartner.objects.values("proposal").distinct().count() <= 60


def test_the_same_seed_gives_the_same_proposals_and_reuses_the_firm_pool():
    # given
    generate("--count", "500", "--seed", "7")
    first_ids = list(Proposal.objects.order_by("id").values_list("id", flat=True))

    # when
    generate("--count", "500", "--seed", "7")

    # then
    first = Proposal.objects.filter(id__in=first_ids)
    second = Proposal.objects.exclude(id__in=first_ids)
    assert second.count() == 500
    assert rows(second) == rows(first)
    assert Firm.objects.count() == 10


def test_a_different_seed_gives_different_proposals():
    # given
    generate("--count", "50", "--seed", "7")
    first_ids = list(Proposal.objects.values_list("id", flat=True))

    # when
    generate("--count", "50", "--seed", "8")

    # then
    first = [r[1:] for r in rows(Proposal.objects.filter(id__in=first_ids))]
    second = [r[1:] for r in rows(Proposal.objects.exclude(id__in=first_ids))]
    assert len(second) == 50
    assert first != second


def test_copy_and_bulk_create_write_identical_rows():
    # given
    generate("--count", "300", "--seed", "3", "--method", "copy", "--batch-size", "70")
    copied_ids = list(Proposal.objects.values_list("id", flat=True))

    # when
    generate("--count", "300", "--seed", "3", "--method", "bulk", "--batch-size", "70")

    # then
    copied = Proposal.objects.filter(id__in=copied_ids)
    bulk = Proposal.objects.exclude(id__in=copied_ids)
    assert rows(copied) == rows(bulk)
    assert AuditLog.objects.filter(proposal__in=copied).count() == 300
    assert AuditLog.objects.filter(proposal__in=bulk).count() == 300
    audit_fields = ("action", "object_type", "from_state", "to_state", "data", "actor_id")
    assert list(
        AuditLog.objects.filter(proposal__in=copied)
        .values_list(*audit_fields)
        .order_by()
        .distinct()
    ) == [("proposal.generate", "proposal", "", "submitted", {"seed": 3}, None)]
    assert list(
        AuditLog.objects.filter(proposal__in=bulk).values_list(*audit_fields).order_by().distinct()
    ) == [("proposal.generate", "proposal", "", "submitted", {"seed": 3}, None)]
    copied_audit = AuditLog.objects.filter(proposal__in=copied).first()
    assert copied_audit.object_id == str(copied_audit.proposal_id)
    assert copied_audit.firm_id == copied_audit.proposal.firm_id


def test_generated_firms_sit_beside_the_demo_world():
    # given
    call_command("seed_demo", stdout=io.StringIO())

    # when
    generate("--count", "100", "--seed", "1")

    # then
    assert Firm.objects.count() == 10 + 10
    assert Proposal.objects.count() == 60 + 100  # the living demo world holds 60
    assert Firm.objects.filter(business_registration_number__startswith="97").count() == 10


@pytest.mark.parametrize("bad", ["0", "-5", "abc", "", "2.5", "5000001"])
def test_a_bad_count_is_refused_with_a_clear_message_and_nothing_is_written(bad):
    # when
    with pytest.raises(CommandError, match="--count must be a whole number from 1 to 5,000,000"):
        generate("--count", bad)

    # then
    assert (Proposal.objects.count(), Firm.objects.count(), AuditLog.objects.count()) == (0, 0, 0)


def test_a_bad_count_given_as_a_keyword_is_refused_too():
    with pytest.raises(CommandError, match="--count must be a whole number"):
        call_command("generate_proposals", count=-5, stdout=io.StringIO())

    assert Proposal.objects.count() == 0


def test_a_missing_count_or_bad_seed_is_refused():
    with pytest.raises(CommandError, match="--count"):
        generate()
    with pytest.raises(CommandError, match="--seed must be a whole number"):
        generate("--count", "5", "--seed", "x")

    assert (Proposal.objects.count(), Firm.objects.count()) == (0, 0)
