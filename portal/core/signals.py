"""Signals by which a lower layer causes work in an upper one without importing it.

The sender names what happened; each upper app connects its handlers in its own
`receivers.py` (imported by its AppConfig.ready). Handlers run synchronously, inside the
sender's transaction, so work they schedule with `transaction.on_commit` happens only if
the change commits.
"""

from django.dispatch import Signal

# alliance → matching: a proposal entered (or re-entered) the pipeline and must be scored.
# kwargs: proposal_id (int).
proposal_submitted = Signal()

# alliance → fund: an applicant's proposal page is being rendered; receivers return a dict
# of extra template context (the fund's questions to answer, say). kwargs: request, proposal.
proposal_page_context = Signal()

# fund.capacity → matching: a channel's remaining capacity changed (a commitment); the match
# results, which score against it, must be worked out again. kwargs: channel_code (str).
capacity_changed = Signal()

# alliance → matching: something the engine reads changed after submission — a firm's size
# class (as lead or as consortium partner) or a proposal answered during an information
# request; these proposals must be scored again. kwargs: proposal_ids (list[int]).
scoring_inputs_changed = Signal()

# matching → fund.routing: these proposals were scored (on submission, by a rescore batch or by
# the sweep) in the current transaction; the routing policy must look at them again. kwargs:
# proposal_ids (list[int]) or id_range ((first, last), every id in between inclusive).
proposals_scored = Signal()

# alliance, fund.coordination → fund.routing: a page or an API answer shows how each of these
# proposals went to the fund, or why it has not; receivers return {proposal id: status dict}.
# kwargs: proposals (list of Proposal), user (who reads it).
proposal_routing_requested = Signal()

# fund.ministry → fund.routing: 산업부 recommended this proposal to the fund; the routing policy
# looks at it again (a policy may count the recommendation). kwargs: proposal_id (int).
proposal_recommended = Signal()
