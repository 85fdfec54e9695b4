"""Match results follow the firm and the proposal as they are: a change to what the engine
reads after submission (a firm's size class, as lead or as partner; an answer to an information
request) is scored again by a real worker on the `scoring` queue."""

import time

import pytest
from django.db import transaction

from alliance.firms import services as firm_services
from alliance.models import ProposalPartner
from alliance.proposals import services as proposal_services
from matching import services
from matching.models import MatchResult
from portal.core.vocabulary import ProposalStatus, SizeClass
from tests.factories import FirmFactory, ProposalFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def _stored(proposal) -> dict[str, tuple[bool, int]]:
    return {
        r.channel_id: (r.eligible, r.score) for r in MatchResult.objects.filter(proposal=proposal)
    }


def _fresh(proposal) -> dict[str, tuple[bool, int]]:
    """What the engine says of the proposal as it stands now (nothing stored)."""
    proposal.refresh_from_db()
    return {
        r["channel"]: (r["eligible"], r["score"]) for r in services.check_draft(proposal=proposal)
    }


def _scored(proposal) -> dict[str, tuple[bool, int]]:
    services.score_proposal(proposal_id=proposal.pk)
    return _stored(proposal)


def test_a_lead_firm_growing_out_of_sme_size_is_scored_again(celery_worker, firm, keit):
    proposal = ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED)
    before = _scored(proposal)

    # When KEIT corrects the firm's size class from SME to large enterprise
    with transaction.atomic():
        firm_services.firm_update_profile(
            firm=firm, actor=keit, data={"size_class": SizeClass.LARGE}
        )

    # Then a worker stores the results the engine gives the proposal as it now stands.
    expected = _fresh(proposal)
    assert expected != before  # the SME spillover points are gone
    _wait_for(lambda: _stored(proposal) == expected)


def test_a_partner_firms_size_class_change_rescores_the_proposals_it_is_partner_in(
    celery_worker, keit
):
    lead = FirmFactory(size_class=SizeClass.LARGE)
    partner = FirmFactory(size_class=SizeClass.LARGE)
    proposal = ProposalFactory(firm=lead, status=ProposalStatus.SUBMITTED)
    ProposalPartner.objects.create(proposal=proposal, firm=partner)
    draft = ProposalFactory(firm=partner)  # a draft is never scored
    before = _scored(proposal)

    with transaction.atomic():
        firm_services.firm_update_profile(
            firm=partner, actor=keit, data={"size_class": SizeClass.STARTUP}
        )

    expected = _fresh(proposal)
    assert expected != before  # an SME partner now brings the spillover points
    _wait_for(lambda: _stored(proposal) == expected)
    assert not MatchResult.objects.filter(proposal=draft).exists()


def test_an_answer_changing_the_partners_is_scored_before_resubmission(celery_worker, applicant):
    proposal = ProposalFactory(
        firm=applicant.firm, created_by=applicant, status=ProposalStatus.INFO_REQUESTED
    )
    proposal.firm.size_class = SizeClass.LARGE
    proposal.firm.save()
    before = _scored(proposal)

    # When the applicant, answering an information request, adds an SME partner
    with transaction.atomic():
        proposal_services.proposal_update(
            proposal_id=proposal.pk,
            actor=applicant,
            version=proposal.version,
            data={},
            partners=[FirmFactory(size_class=SizeClass.SME)],
        )

    expected = _fresh(proposal)
    assert expected != before
    _wait_for(lambda: _stored(proposal) == expected)


def test_a_change_that_the_engine_does_not_read_sends_nothing(
    firm, keit, django_capture_on_commit_callbacks
):
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED)
    with django_capture_on_commit_callbacks() as callbacks:
        firm_services.firm_update_profile(firm=firm, actor=keit, data={"address": "세종"})
    assert callbacks == []
