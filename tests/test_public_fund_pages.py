import pytest
from django.conf import settings
from django.urls import reverse

from fund.capacity.services import commitment_create
from portal.core.vocabulary import JO, ProposalStatus
from tests.factories import FirmFactory, ProposalFactory


def _demand_rows(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start)]


@pytest.mark.django_db
def test_channel_page_shows_size_plan_and_live_capacity(client, keit):
    commitment_create(channel_code="loan", year=2026, amount_krw=2 * JO, actor=keit, region="ulsan")

    response = client.get(reverse("channel_detail", args=["loan"]))

    assert response.status_code == 200
    channel = response.context["channel"]
    assert (channel.size_krw, channel.annual_plan_krw) == (50 * JO, 10 * JO)
    assert (channel.committed_krw, channel.remaining_krw) == (2 * JO, 48 * JO)
    assert channel.used_percent == 4.0


@pytest.mark.django_db
def test_an_unknown_channel_is_404(client):
    assert client.get("/channels/casino/").status_code == 404


@pytest.mark.django_db
def test_channel_page_query_count_is_fixed(client, django_assert_num_queries, keit):
    for _ in range(3):
        commitment_create(
            channel_code="direct", year=2026, amount_krw=JO, actor=keit, region="busan"
        )

    # channels with capacity; the active rule set
    with django_assert_num_queries(2):
        response = client.get(reverse("channel_detail", args=["direct"]))

    assert response.status_code == 200


@pytest.mark.django_db
def test_alliance_page_aggregates_submitted_proposals_only_without_names(client):
    # A name S1 does not print (the page lists the 2025-12-04 meeting's participants).
    firm = FirmFactory(name="비공개 제조기업")
    ProposalFactory(
        firm=firm, status=ProposalStatus.SUBMITTED, requested_krw=30 * 10**9, title="비공개 제목 A"
    )
    ProposalFactory(
        firm=firm,
        status=ProposalStatus.REFERRED,
        requested_krw=20 * 10**9,
        total_cost_krw=40 * 10**9,
    )
    ProposalFactory(firm=firm, status=ProposalStatus.DRAFT, requested_krw=7 * 10**9)
    ProposalFactory(firm=firm, status=ProposalStatus.WITHDRAWN, requested_krw=9 * 10**9)

    response = client.get(reverse("alliance_overview"))

    assert response.status_code == 200
    rows = {s.code: (s.proposal_count, s.requested_krw) for s in response.context["sub_alliances"]}
    assert rows["ai_factory"] == (2, 50 * 10**9)
    assert rows["humanoid"] == (0, 0)
    assert response.context["totals"] == {
        "proposal_count": 2,
        "requested_krw": 50 * 10**9,
        "expected_value_added_krw": 0,
    }
    html = response.content.decode()
    assert firm.name not in html
    assert "비공개 제목 A" not in html
    assert 'data-krw="50000000000"' in _demand_rows(html, "demand-by-sub-alliance")


@pytest.mark.django_db
def test_alliance_page_query_count_does_not_grow_with_proposals(
    client, firm, django_assert_num_queries
):
    ProposalFactory.create_batch(5, firm=firm, status=ProposalStatus.SUBMITTED)

    with django_assert_num_queries(3):
        client.get(reverse("alliance_overview"))
    ProposalFactory.create_batch(20, firm=firm, status=ProposalStatus.SUBMITTED)
    with django_assert_num_queries(3):
        client.get(reverse("alliance_overview"))


@pytest.mark.django_db
def test_dashboard_numbers_are_the_ledger_and_proposal_aggregates(client, keit, firm):
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED, requested_krw=10 * 10**9)
    ProposalFactory(firm=firm, status=ProposalStatus.DRAFT)
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=3 * JO,
        actor=keit,
        region="ulsan",
        ai_related=True,
    )
    commitment_create(
        channel_code="direct", year=2026, amount_krw=1 * JO, actor=keit, region="seoul"
    )
    client.force_login(keit)

    response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 200
    targets = response.context["targets"]
    assert (targets.ai_related_krw, targets.regional_share_percent) == (3 * JO, 75.0)
    data = response.context["chart_data"]
    assert data["channels"]["committed"] == [1 * JO, 0, 3 * JO, 0]
    assert data["channels"]["remaining"] == [14 * JO, 35 * JO, 47 * JO, 50 * JO]
    assert data["funnel"]["counts"] == [1, 1, 0, 0, 0, 0, 0]
    assert data["subAlliances"]["amounts"][0] == 10 * 10**9
    assert 'id="dashboard-data"' in response.content.decode()


@pytest.mark.django_db
def test_dashboard_is_404_for_applicants_editors_and_anonymous(client, applicant, editor):
    assert client.get(reverse("staff_dashboard")).status_code == 404
    client.force_login(applicant)
    assert client.get(reverse("staff_dashboard")).status_code == 404
    client.force_login(editor)
    assert client.get(reverse("staff_dashboard")).status_code == 404


@pytest.mark.django_db
def test_dashboard_is_open_to_the_fund_secretariat(client, kdb):
    client.force_login(kdb)

    assert client.get(reverse("staff_dashboard")).status_code == 200


@pytest.mark.django_db
def test_home_shows_each_channels_live_committed_amount(client, keit):
    commitment_create(
        channel_code="infra", year=2026, amount_krw=7 * 10**11, actor=keit, region="jeonnam"
    )

    html = client.get(reverse("home")).content.decode()

    card = html[html.index('data-channel="infra"') :]
    card = card[: card.index("</li>")]
    assert 'data-figure="committed" data-krw="700000000000"' in card


@pytest.mark.django_db
def test_channel_page_states_the_active_rule_sets_eligibility_rules(client):
    from matching.selectors import active_rule_set

    rules = active_rule_set().rules["channels"]["direct"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("channel_detail", args=["direct"]))

    shown = response.context["rules"]
    # The rule set's own citation ("— source: …") gives way to the registry's source markers.
    assert [r["text"] for r in shown["eligibility"]] == [
        r["description_en"].split(" — source:")[0] for r in rules["eligibility"]
    ]
    assert [r["sources"] for r in shown["eligibility"]] == [
        ("S2", "portal-rule"),
        ("S1",),
        ("S1",),
        ("portal-rule",),
        ("S1", "portal-rule"),
        ("portal-rule",),
    ]
    assert [c["weight"] for c in shown["criteria"]] == [c["weight"] for c in rules["criteria"]]
    assert sum(c["weight"] for c in shown["criteria"]) == 100
