"""Cached aggregates (fund.aggregate_cache): served from the cache between changes, stale the
moment a change commits, and never filled from an uncommitted transaction.

Caching is skipped inside an atomic block, so these tests commit for real
(`transaction=True`), as the web process does; each starts and ends with an empty cache.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from alliance import services as alliance_services
from alliance.choices import ProposalStatus
from fund import pipeline
from fund.choices import JO
from fund.services import commitment_create

from .factories import ProposalFactory
from .pipeline_support import in_review

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _committed(response, code: str) -> int:
    return next(c.committed_krw for c in response.context["channels"] if c.code == code)


def _stage_count(response, stage: str) -> int:
    return next(c.count for c in response.context["columns"] if c.stage == stage)


def test_the_home_page_reads_its_aggregates_from_the_cache_once_filled(
    client, django_assert_num_queries
):
    client.get(reverse("home"))

    with django_assert_num_queries(0):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert _committed(response, "loan") == 0


def test_the_home_page_shows_a_new_commitment_at_once(client, keit):
    assert _committed(client.get(reverse("home")), "loan") == 0

    commitment_create(channel_code="loan", year=2026, amount_krw=2 * JO, actor=keit, region="ulsan")

    response = client.get(reverse("home"))
    assert _committed(response, "loan") == 2 * JO
    assert 'data-krw="2000000000000"' in response.content.decode()


def test_the_channel_page_shows_a_new_commitment_at_once(client, keit):
    client.get(reverse("channel_detail", args=["direct"]))

    commitment_create(channel_code="direct", year=2026, amount_krw=JO, actor=keit, region="busan")

    channel = client.get(reverse("channel_detail", args=["direct"])).context["channel"]
    assert (channel.committed_krw, channel.remaining_krw) == (JO, channel.size_krw - JO)


def test_a_rolled_back_commitment_is_never_cached_nor_shown(client, keit):
    client.get(reverse("home"))

    with pytest.raises(RuntimeError), transaction.atomic():
        commitment_create(channel_code="loan", year=2026, amount_krw=JO, actor=keit, region="ulsan")
        # A read inside the transaction sees its own row, and must not store it for others.
        assert _committed(client.get(reverse("home")), "loan") == JO
        raise RuntimeError("roll back")

    assert _committed(client.get(reverse("home")), "loan") == 0


def test_the_demand_page_follows_submit_and_withdraw(client, applicant):
    draft = ProposalFactory(firm=applicant.firm, requested_krw=30 * 10**9)
    assert client.get(reverse("alliance_overview")).context["totals"] == {
        "proposal_count": 0,
        "requested_krw": 0,
    }

    alliance_services.proposal_submit(proposal_id=draft.pk, actor=applicant)
    after_submit = client.get(reverse("alliance_overview")).context["totals"]
    alliance_services.proposal_withdraw(proposal_id=draft.pk, actor=applicant)
    after_withdraw = client.get(reverse("alliance_overview")).context["totals"]

    assert after_submit == {"proposal_count": 1, "requested_krw": 30 * 10**9}
    assert after_withdraw == {"proposal_count": 0, "requested_krw": 0}


def test_the_demand_page_is_served_from_the_cache_between_changes(
    client, firm, django_assert_num_queries
):
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED, requested_krw=10**9)
    client.get(reverse("alliance_overview"))

    with django_assert_num_queries(0):
        response = client.get(reverse("alliance_overview"))

    assert response.context["totals"] == {"proposal_count": 1, "requested_krw": 10**9}


def test_the_board_counts_follow_a_stage_move(client, keit, kdb, django_assert_num_queries):
    proposal = in_review(
        ProposalFactory(status=ProposalStatus.SUBMITTED), keit=keit, channel="loan"
    )
    client.force_login(kdb)
    client.get(reverse("pipeline:board"))
    # session, user, groups, sub-alliances, industries, five columns: no stage count.
    with django_assert_num_queries(11):
        before = client.get(reverse("pipeline:board"))

    pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage="prescreen")

    after = client.get(reverse("pipeline:board"))
    assert (_stage_count(before, "received"), _stage_count(before, "prescreen")) == (1, 0)
    assert (_stage_count(after, "received"), _stage_count(after, "prescreen")) == (0, 1)


def test_board_counts_filtered_on_the_proposal_are_counted_each_time(
    client, keit, kdb, django_assert_num_queries
):
    in_review(ProposalFactory(status=ProposalStatus.SUBMITTED), keit=keit, channel="loan")
    client.force_login(kdb)
    client.get(reverse("pipeline:board"), {"region": "gyeongnam"})

    with django_assert_num_queries(12):
        response = client.get(reverse("pipeline:board"), {"region": "gyeongnam"})

    assert _stage_count(response, "received") == 1
