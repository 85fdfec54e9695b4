"""The applicant's match results put eligibility first: a recommended channel (the best
eligible one), eligible channels by score with their bar, channels not eligible without one
and with what would change; a decided proposal shows its decision's results apart."""

import re

import pytest

from fund.review import services as pipeline
from matching.models import MatchResult
from tests.pipeline_support import at_stage, signed_in, submitted_proposal

pytestmark = pytest.mark.django_db


def _articles(html: str) -> list[tuple[str, str]]:
    """(channel, eligible) of each result card, in page order."""
    return re.findall(r'class="match-result" data-channel="(\w+)" data-eligible="(\w+)"', html)


def _card(html: str, channel: str) -> str:
    start = html.index(f'class="match-result" data-channel="{channel}"')
    return html[start : html.index("</article>", start)]


def test_the_best_eligible_channel_is_the_headline_even_when_an_ineligible_one_scores_higher(
    client, firm, applicant
):
    proposal = submitted_proposal(firm=firm)
    MatchResult.objects.filter(proposal=proposal, channel="direct").update(score=100)
    signed_in(client, applicant)

    html = client.get(f"/proposals/{proposal.pk}/").content.decode()

    assert re.search(
        r'data-testid="recommended-channel" data-channel="indirect">\s*'
        r'<p class="match-recommendation-title">Recommended channel: Indirect investment\s*</p>\s*'
        r"<p>The highest score \(73 / 100\) among the channels this proposal is eligible for\.</p>",
        html,
    )
    # eligible first by score, then the others in channel order
    assert _articles(html) == [
        ("indirect", "true"),
        ("loan", "true"),
        ("direct", "false"),
        ("infra", "false"),
    ]
    direct = _card(html, "direct")
    assert "<progress" not in direct
    assert "Not considered for the recommendation until the proposal is eligible." in direct
    assert "What would make it eligible" in direct
    assert '<progress max="100" value="73"' in _card(html, "indirect")


def test_with_no_eligible_channel_the_headline_says_so(client, firm, applicant):
    proposal = submitted_proposal(firm=firm)
    MatchResult.objects.filter(proposal=proposal).update(eligible=False)
    signed_in(client, applicant)

    html = client.get(f"/proposals/{proposal.pk}/").content.decode()

    assert 'data-testid="recommended-channel" data-channel=""' in html
    assert "No channel is eligible yet" in html
    assert "<progress" not in html.split('data-testid="current-results"')[1]


def test_a_decided_proposal_shows_its_decisions_results_apart_from_the_current_ones(
    client, firm, applicant, keit, kdb
):
    proposal = at_stage(keit=keit, kdb=kdb, stage="council", firm=firm)
    pipeline.proposal_decide(
        proposal_id=proposal.pk,
        actor=kdb,
        decision="approved",
        channel="indirect",
        amount_krw=40_000_000_000,
    )
    # A later rescore changes the live results: indirect is no longer eligible.
    MatchResult.objects.filter(proposal=proposal, channel="indirect").update(
        eligible=False, score=20
    )
    signed_in(client, applicant)

    html = client.get(f"/proposals/{proposal.pk}/").content.decode()

    decision_part, current_part = html.split('data-testid="current-results"')
    decision_part = decision_part.split('data-testid="decision-results"')[1]
    assert "Match results the decision was based on" in decision_part
    assert 'data-testid="recommended-channel" data-channel="indirect"' in decision_part
    assert 'data-testid="score-indirect">73 / 100' in decision_part
    assert "Current match results" in current_part
    assert 'data-testid="recommended-channel" data-channel="loan"' in current_part
    assert _articles(current_part) == [
        ("loan", "true"),
        ("direct", "false"),
        ("indirect", "false"),
        ("infra", "false"),
    ]


def test_an_undecided_proposal_shows_only_its_current_results(client, firm, applicant):
    proposal = submitted_proposal(firm=firm)
    signed_in(client, applicant)

    html = client.get(f"/proposals/{proposal.pk}/").content.decode()

    assert 'data-testid="decision-results"' not in html
    assert "Channel match results" in html
    assert len(_articles(html)) == 4
