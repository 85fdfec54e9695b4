"""Helpers of the routing tests: policy documents, an active policy, and routing in-process."""

from __future__ import annotations

import copy

from fund.routing import services
from fund.routing.models import RoutingCandidate
from fund.routing.policy import demo_policy, validate_policy


def document(notify=None, **channels) -> dict:
    """The demo policy (every channel routed from a score of 70) with `channels` overriding
    settings per channel code, e.g. document(indirect={"daily_cap": 2})."""
    doc = copy.deepcopy(demo_policy())
    for code, settings in channels.items():
        doc["channels"][code].update(settings)
    if notify is not None:
        doc["notify"] = list(notify)
    return validate_policy(doc)


def activate(keit, doc: dict | None = None, *, name: str = "정책"):
    """A new draft with `doc` (default: the demo policy), activated by KEIT."""
    draft = services.policy_create_draft(actor=keit)
    services.policy_update_draft(
        policy_id=draft.pk,
        actor=keit,
        name=name,
        description="",
        document=doc if doc is not None else document(),
    )
    return services.policy_activate(policy_id=draft.pk, actor=keit, confirm=True)


def route_waiting(**kwargs) -> dict:
    """What a worker does with every waiting candidate (in-process)."""
    ids = list(RoutingCandidate.objects.values_list("pk", flat=True))
    return services.route_proposals(proposal_ids=ids, **kwargs)
