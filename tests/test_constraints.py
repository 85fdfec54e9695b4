"""The database holds the invariants even when code goes around the services."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from alliance.models import Firm, Proposal, ProposalDocument
from portal.core.vocabulary import FUND_SIZE_KRW
from tests.factories import FirmFactory


def _refused_update(model, pk, **values) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"requested_krw": F("total_cost_krw") + 1},
        {"private_coinvest_krw": F("total_cost_krw") + 1},
        {"total_cost_krw": -1},
        {"total_cost_krw": 0},
        {"total_cost_krw": FUND_SIZE_KRW * 10 + 1},
        {"requested_krw": -1},
        {"requested_krw": 0},
        {"requested_krw": FUND_SIZE_KRW + 1},
        {"private_coinvest_krw": -1},
        {"expected_value_added_krw": -1},
        {"expected_jobs": -1},
        {"trl": 0},
        {"trl": 10},
        {"trl": 11},
        {"status": "approved"},
        {"status": ""},
        {"stage": "limbo"},
        {"region": "mars"},
        {"structure": "trust"},
        {"structure": ""},
        {"project_type": "casino"},
        {"preferred_channel": "lottery"},
        {"end_date": F("start_date") - 1},
    ],
    ids=lambda values: ",".join(values),
)
def test_a_proposal_row_cannot_hold_an_invalid_value(draft, values):
    before = Proposal.objects.values().get(pk=draft.pk)

    _refused_update(Proposal, draft.pk, **values)

    assert Proposal.objects.values().get(pk=draft.pk) == before


@pytest.mark.django_db
def test_the_amount_constraints_allow_their_edges(draft):
    Proposal.objects.filter(pk=draft.pk).update(
        total_cost_krw=FUND_SIZE_KRW * 10,
        requested_krw=FUND_SIZE_KRW,
        private_coinvest_krw=0,
        trl=9,
        end_date=F("start_date"),
    )

    row = Proposal.objects.values("total_cost_krw", "requested_krw", "trl").get(pk=draft.pk)
    assert row == {"total_cost_krw": 1_500_000_000_000_000, "requested_krw": 150 * 10**12, "trl": 9}


@pytest.mark.django_db
def test_a_new_proposal_row_with_requested_above_total_is_refused(firm):
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(firm=firm, title="x", total_cost_krw=10, requested_krw=11)

    assert Proposal.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"business_registration_number": "22O8162517"},
        {"business_registration_number": "220816251"},
        {"business_registration_number": "220-81-625"},
        {"corporate_registration_number": "11011112345"},
        {"corporate_registration_number": "110111-123456"},
        {"status": "deleted"},
        {"size_class": "huge"},
        {"member_type": "bank"},
        {"region": "mars"},
    ],
    ids=lambda values: ",".join(values),
)
def test_a_firm_row_cannot_hold_an_invalid_value(firm, values):
    before = Firm.objects.values().get(pk=firm.pk)

    _refused_update(Firm, firm.pk, **values)

    assert Firm.objects.values().get(pk=firm.pk) == before


@pytest.mark.django_db
def test_a_firm_may_have_no_corporate_number_or_thirteen_digits(firm):
    Firm.objects.filter(pk=firm.pk).update(corporate_registration_number="1101111234563")
    Firm.objects.filter(pk=firm.pk).update(corporate_registration_number="")

    assert Firm.objects.get(pk=firm.pk).corporate_registration_number == ""


@pytest.mark.django_db
def test_two_firms_cannot_share_a_business_registration_number(firm):
    with pytest.raises(IntegrityError), transaction.atomic():
        FirmFactory(business_registration_number=firm.business_registration_number)

    assert Firm.objects.count() == 1


@pytest.mark.django_db
def test_a_document_kind_outside_the_vocabulary_is_refused(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalDocument.objects.create(
            proposal=draft,
            kind="malware",
            file="documents/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )

    assert ProposalDocument.objects.count() == 0
