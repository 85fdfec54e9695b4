"""Cached aggregates (portal.core.aggregate_cache): served from the cache between changes, stale the
moment a change commits, and never filled from an uncommitted transaction.

Caching is skipped inside an atomic block, so these tests commit for real
(`transaction=True`), as the web process does; each starts and ends with an empty cache.
"""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from alliance.models import SubAlliance
from alliance.proposals import services as alliance_services
from fund.capacity.services import commitment_create
from fund.review import services as pipeline
from portal.core.vocabulary import JO, ProposalStatus
from tests.factories import ProposalFactory
from tests.pipeline_support import in_review

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _committed(response, code: str) -> int:
    """The committed amount the page shows on a channel's card (the home page body is a
    cached fragment, so the rendered page is what counts)."""
    html = response.content.decode()
    card = html[html.index(f'data-channel="{code}"') :]
    return int(re.search(r'data-figure="committed" data-krw="([0-9]+)"', card)[1])


def _without_tokens(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


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


def _home(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("home"))


def test_the_home_page_body_is_cached_per_language_and_follows_a_commitment(
    client, keit, django_assert_num_queries
):
    korean, english = _home(client, "ko"), _home(client, "en")
    with django_assert_num_queries(0):
        korean_again, english_again = _home(client, "ko"), _home(client, "en")

    commitment_create(channel_code="loan", year=2026, amount_krw=3 * JO, actor=keit, region="ulsan")

    korean_after, english_after = _home(client, "ko"), _home(client, "en")
    assert "첨단전략산업" in korean_again.content.decode()
    assert "strategic industries it invests in" in english_again.content.decode()
    assert "strategic industries it invests in" not in korean_again.content.decode()
    assert [_committed(r, "loan") for r in (korean, english, korean_again, english_again)] == [
        0,
        0,
        0,
        0,
    ]
    assert [_committed(r, "loan") for r in (korean_after, english_after)] == [3 * JO, 3 * JO]


def test_the_home_page_body_holds_no_visitor_specific_part(client, applicant):
    anonymous = client.get(reverse("home")).content.decode()
    client.force_login(applicant)
    signed_in = client.get(reverse("home")).content.decode()

    assert reverse("signup") in anonymous
    assert reverse("alliance:proposal_new") in signed_in
    assert 'id="cta-title"' in anonymous
    assert 'id="cta-title"' not in signed_in


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
        "expected_value_added_krw": 0,
    }

    alliance_services.proposal_submit(proposal_id=draft.pk, actor=applicant)
    after_submit = client.get(reverse("alliance_overview")).context["totals"]
    alliance_services.proposal_withdraw(proposal_id=draft.pk, actor=applicant)
    after_withdraw = client.get(reverse("alliance_overview")).context["totals"]

    assert after_submit == {
        "proposal_count": 1,
        "requested_krw": 30 * 10**9,
        "expected_value_added_krw": 0,
    }
    assert after_withdraw == {
        "proposal_count": 0,
        "requested_krw": 0,
        "expected_value_added_krw": 0,
    }


def test_the_demand_page_is_served_from_the_cache_between_changes(
    client, firm, django_assert_num_queries
):
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED, requested_krw=10**9)
    first = client.get(reverse("alliance_overview"))

    # The whole page comes from the cache (portal.core.page_cache) for an anonymous visitor.
    with django_assert_num_queries(0):
        response = client.get(reverse("alliance_overview"))

    assert first.context["totals"] == {
        "proposal_count": 1,
        "requested_krw": 10**9,
        "expected_value_added_krw": 0,
    }
    assert response["X-Page-Cache"] == "hit"
    # The same page; only the CSRF tokens (each response's own) differ.
    assert _without_tokens(response) == _without_tokens(first)


def test_the_board_counts_follow_a_stage_move(client, keit, kdb, django_assert_num_queries):
    proposal = in_review(
        ProposalFactory(status=ProposalStatus.SUBMITTED), keit=keit, channel="loan"
    )
    client.force_login(kdb)
    client.get(reverse("pipeline:board"))
    # session, user, groups, saved views, the columns' cards (one UNION ALL): no stage count,
    # and the filter form's reference lists and drawing come from the cache.
    with django_assert_num_queries(5):
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

    # As above, plus the stage counts.
    with django_assert_num_queries(6):
        response = client.get(reverse("pipeline:board"), {"region": "gyeongnam"})

    assert _stage_count(response, "received") == 1


def _selected(response, name: str) -> list[str]:
    html = response.content.decode()
    select = html[html.index(f'<select name="{name}"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_the_cached_filter_form_shows_each_querys_own_selection(client, kdb):
    client.force_login(kdb)
    for _ in range(2):  # drawn, then from the cache
        loan = client.get(reverse("pipeline:board"), {"channel": "loan"})
        direct = client.get(reverse("pipeline:table"), {"channel": "direct", "sort": "age"})
        plain = client.get(reverse("pipeline:board"))

        assert _selected(loan, "channel") == ["loan"]
        assert _selected(direct, "channel") == ["direct"]
        assert _selected(direct, "sort") == ["age"]
        assert _selected(plain, "channel") == [""]
        assert '<select name="sort"' not in plain.content.decode()


def test_the_cached_filter_form_follows_a_renamed_sub_alliance(client, kdb):
    client.force_login(kdb)
    client.get(reverse("pipeline:board"))
    sub = SubAlliance.objects.order_by("order").first()

    sub.name_ko = "새 이름 얼라이언스"
    sub.save()

    assert "새 이름 얼라이언스" in client.get(reverse("pipeline:board")).content.decode()


def test_a_filter_form_with_errors_is_drawn_each_time_with_its_error(client, kdb):
    client.force_login(kdb)
    client.get(reverse("pipeline:board"), {"min_score": "50"})

    response = client.get(reverse("pipeline:board"), {"min_score": "500"})

    assert 'aria-invalid="true"' in response.content.decode()
    assert 'aria-invalid="true"' not in client.get(reverse("pipeline:board")).content.decode()
