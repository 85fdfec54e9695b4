"""The fit of opened proposals to offers is worked out by a real Celery worker, and stays true
when the proposal is opened, the offer changes or the match results change."""

import pytest
from django.db import transaction

from fund.institutions import selectors, services
from fund.institutions.models import InstitutionFit
from tests.institution_support import institution_with_offer
from tests.pipeline_support import submitted_proposal, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _deal_flow(user):
    return [(fit.proposal_id, fit.score) for fit in selectors.dealflow(user)]


def test_opening_and_changing_the_offer_are_fitted_by_a_worker(celery_worker, firm, applicant):
    institution, bank = institution_with_offer(
        "우리은행", "bank", "bank", sub_alliances=["ai_factory"], regions=["gyeongnam"]
    )
    proposal = submitted_proposal(firm=firm, created_by=applicant)

    # When the firm opens it (the fit is queued on commit)
    with transaction.atomic():
        services.share_open(proposal_id=proposal.pk, actor=applicant, consent=True)

    # Then a worker stores its fit: every criterion met.
    assert wait_for(lambda: _deal_flow(bank)) == [(proposal.pk, 100)]

    # When the bank narrows its regions to Seoul
    with transaction.atomic():
        services.offer_update(
            institution_id=institution.pk, actor=bank, data={"regions": ["seoul"]}
        )

    # Then the worker fits it again: the region's 10 points are gone.
    assert wait_for(lambda: _deal_flow(bank) == [(proposal.pk, 90)])
    fit = InstitutionFit.objects.get(proposal=proposal)
    assert [item["points"] for item in fit.breakdown] == [40, 20, 15, 0, 15]


def test_new_match_results_change_the_fit(celery_worker, firm, applicant, kdb):
    from fund.capacity.models import Channel
    from fund.capacity.selectors import channel_capacity
    from fund.capacity.services import commitment_create

    _institution, bank = institution_with_offer("우리은행", "bank", "bank")
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    with transaction.atomic():
        services.share_open(proposal_id=proposal.pk, actor=applicant, consent=True)
    assert wait_for(lambda: _deal_flow(bank)) == [(proposal.pk, 100)]

    # When a commitment leaves the loan channel less than the proposal asks for
    left = channel_capacity(Channel.objects.get(code="loan"))["remaining_krw"]
    with transaction.atomic():
        commitment_create(
            channel_code="loan",
            year=2026,
            amount_krw=left - proposal.requested_krw + 1,
            actor=kdb,
            region="seoul",
        )

    # Then the rescore makes the loan ineligible and the bank (loan only) no longer fits.
    wait_for(lambda: _deal_flow(bank) == [], timeout=60)
    fit = InstitutionFit.objects.get(proposal=proposal)
    assert (fit.fits, fit.eligible_channels, fit.score) == (False, ["indirect"], 60)
