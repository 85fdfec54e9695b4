import pytest

from alliance.choices import ProposalStatus
from alliance.services import proposal_submit


@pytest.mark.django_db
def test_a_complete_draft_of_an_active_firm_submits(draft, applicant):
    proposal = proposal_submit(proposal_id=draft.pk, actor=applicant)

    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.version == 2
    assert list(proposal.history.values_list("action", "from_state", "to_state")) == [
        ("proposal.submit", "draft", "submitted")
    ]
