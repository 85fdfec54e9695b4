"""The coordination queue's handlers of the portal's cross-app signals (FundConfig.ready)."""

from django.dispatch import receiver

from fund.coordination.fund_question_views import fund_question_rows
from portal.core import signals


@receiver(signals.proposal_page_context, dispatch_uid="coordination.fund_questions_on_page")
def fund_questions_on_page(sender, *, request, proposal, **kwargs) -> dict:
    """The applicant's proposal page lists the fund's questions KEIT relayed, with a form to
    answer each open one."""
    return {"fund_questions": fund_question_rows(proposal, request.user, {})}
