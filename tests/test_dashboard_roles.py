"""The dashboard is ordered by the reader's work: KEIT's intake and screening by sub-alliance
and industry, KDB's pipeline by channel and review stage; counts and sums only."""

import pytest
from django.urls import reverse

from alliance.models import Industry, SubAlliance
from portal.core.vocabulary import EOK, ProposalStatus
from tests.factories import ProposalFactory
from tests.pipeline_support import in_review, signed_in, submitted_proposal, walk_to

pytestmark = pytest.mark.django_db


def _rows(table):
    return {row.code: row.by_status for row in table}


def test_keit_reads_its_screening_by_sub_alliance_and_industry(client, keit, firm):
    humanoid = SubAlliance.objects.get(code="humanoid")
    robot = Industry.objects.get(code="robot")
    for status in (ProposalStatus.SUBMITTED, ProposalStatus.SUBMITTED, ProposalStatus.REFERRED):
        ProposalFactory(firm=firm, status=status, sub_alliance=humanoid, industry=robot)
    ProposalFactory(firm=firm, status=ProposalStatus.DRAFT, sub_alliance=humanoid, industry=robot)

    response = signed_in(client, keit).get(reverse("staff_dashboard"))

    assert response.status_code == 200
    assert response.context["keit_first"] is True
    sub, industry = (rows for _title, rows, _id in response.context["screening_groups"])
    # submitted, info requested, referred, in review, decided (a draft is not intake)
    assert _rows(sub)["humanoid"] == [2, 0, 1, 0, 0]
    assert _rows(industry)["robot"] == [2, 0, 1, 0, 0]
    body = response.content.decode()
    assert body.index('data-testid="screening"') < body.index('data-testid="by-channel-and-stage"')
    assert firm.name not in body


def test_kdb_reads_the_pipeline_by_channel_and_stage_first(client, keit, kdb, firm):
    proposal = submitted_proposal(requested_krw=1_500 * EOK, total_cost_krw=3_000 * EOK)
    in_review(proposal, keit=keit, channel="loan")
    walk_to(proposal, kdb=kdb, stage="committee")

    response = signed_in(client, kdb).get(reverse("staff_dashboard"))

    assert response.status_code == 200
    assert response.context["keit_first"] is False
    assert 'data-testid="screening"' not in response.content.decode()
    loan = next(row for row in response.context["by_channel"] if row["code"] == "loan")
    committee = next(cell for cell in loan["cells"] if cell["stage"] == "committee")
    assert (committee["count"], committee["requested_krw"]) == (1, 1_500 * EOK)
    assert (loan["count"], loan["requested_krw"]) == (1, 1_500 * EOK)
