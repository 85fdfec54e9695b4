import pytest

from matching.models import MatchResult
from matching.selectors import active_rule_set
from matching.services import score_missing
from portal.core.vocabulary import ProposalStatus
from tests.factories import ProposalFactory


@pytest.mark.django_db
def test_the_sweep_scores_submitted_proposals_that_have_no_result(firm):
    # Given two submitted proposals that never reached a worker, a draft, and a withdrawal
    waiting = ProposalFactory.create_batch(2, firm=firm, status=ProposalStatus.SUBMITTED)
    ProposalFactory(firm=firm, status=ProposalStatus.DRAFT)
    ProposalFactory(firm=firm, status=ProposalStatus.WITHDRAWN)

    # When the sweep runs twice
    first = score_missing()
    second = score_missing()

    # Then exactly the two submitted proposals got one result per channel, once
    rule_set = active_rule_set()
    assert (first, second) == (2, 0)
    assert sorted(
        MatchResult.objects.filter(rule_set=rule_set).values_list("proposal_id", flat=True)
    ) == sorted([p.pk for p in waiting for _ in range(4)])
