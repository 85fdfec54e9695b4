"""Writes for the ministries' part: a recommendation, a plan, a proposal started for a plan."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alliance.audit import audit_record
from alliance.models import Proposal, SubAlliance, User
from alliance.proposals import services as proposal_services
from fund.ministry import permissions
from fund.ministry.models import (
    NOTE_MAX,
    TITLE_MAX,
    InfraKind,
    InfraPlan,
    InfraPlanProposal,
    Recommendation,
)
from fund.ministry.selectors import RECOMMENDABLE
from portal.core import signals
from portal.core.errors import TransitionNotAllowed
from portal.core.vocabulary import FUND_SIZE_KRW, Region


def _note(note, *, field: str = "note", limit: int = NOTE_MAX) -> str:
    if not isinstance(note, str) or not note.strip():
        raise ValidationError({field: [_("Write a note.")]})
    note = note.strip()
    if len(note) > limit:
        raise ValidationError({field: [_("Write at most %(n)s characters.") % {"n": f"{limit:,}"}]})
    return note


def proposal_recommend(*, proposal_id: int, actor: User, note) -> Recommendation:
    """산업부 recommends a proposal to the fund with a note (S1 ①): once, while the fund can
    still act on it. The audit row and the recommendation commit together; the routing policy
    looks at the proposal again (`proposal_recommended`)."""
    if not permissions.can_recommend(actor):
        raise PermissionDenied
    note = _note(note)
    with transaction.atomic():
        proposal = proposal_services.proposal_lock(proposal_id)
        if proposal.status not in RECOMMENDABLE:
            raise TransitionNotAllowed(
                _("Only a submitted proposal that the fund has not decided can be recommended.")
            )
        if Recommendation.objects.filter(proposal=proposal).exists():
            raise TransitionNotAllowed(_("The ministry has already recommended this proposal."))
        try:
            with transaction.atomic():
                recommendation = Recommendation.objects.create(
                    proposal=proposal, note=note, recommended_by=actor
                )
        except IntegrityError as exc:  # a concurrent recommendation of the same proposal
            raise TransitionNotAllowed(
                _("The ministry has already recommended this proposal.")
            ) from exc
        audit_record(
            actor=actor,
            action="proposal.recommend",
            obj=proposal,
            from_state=proposal.status,
            to_state=proposal.status,
            note=note,
        )
        signals.proposal_recommended.send(sender=Recommendation, proposal_id=proposal.pk)
    return recommendation


def _plan_data(data: dict) -> dict:
    """The plan's fields, checked: every error on its own field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = [_("Write a title.")]
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = [_("Write at most %(n)s characters.") % {"n": TITLE_MAX}]
    else:
        cleaned["title"] = title.strip()
    if data.get("kind") not in InfraKind.values:
        errors["kind"] = [_("Choose an option from the list.")]
    else:
        cleaned["kind"] = data["kind"]
    try:
        cleaned["description"] = _note(
            data.get("description"), field="description", limit=NOTE_MAX * 2
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    sub_alliance = data.get("sub_alliance")
    if sub_alliance not in (None, "") and not isinstance(sub_alliance, SubAlliance):
        errors["sub_alliance"] = [_("Choose an option from the list.")]
    cleaned["sub_alliance"] = sub_alliance or None
    region = data.get("region") or ""
    if region and region not in Region.values:
        errors["region"] = [_("Choose an option from the list.")]
    cleaned["region"] = region
    budget = data.get("budget_krw")
    if budget is not None and (
        not isinstance(budget, int) or isinstance(budget, bool) or not 0 < budget <= FUND_SIZE_KRW
    ):
        errors["budget_krw"] = [_("Give an amount in won from 1 to the fund's size.")]
    cleaned["budget_krw"] = budget
    cleaned["open"] = bool(data.get("open", True))
    if errors:
        raise ValidationError(errors)
    return cleaned


def plan_create(*, actor: User, data: dict) -> InfraPlan:
    """산업부 (or KEIT) registers a shared-infrastructure plan for alliance members (S1 ②)."""
    if not permissions.can_manage_plans(actor):
        raise PermissionDenied
    cleaned = _plan_data(data)
    with transaction.atomic():
        plan = InfraPlan.objects.create(created_by=actor, **cleaned)
        audit_record(actor=actor, action="infra_plan.create", obj=plan, to_state="open")
    return plan


def plan_join(*, plan: InfraPlan, actor: User) -> Proposal:
    """A member firm's applicant starts a consortium proposal for an open plan: a draft with
    the plan's title, description, sub-alliance, region and the fund use `shared_infra`,
    linked to the plan. Consortium partners are added in the draft as usual."""
    if not actor.is_authenticated or not actor.is_applicant:
        raise PermissionDenied
    if not plan.open:
        raise TransitionNotAllowed(_("This plan no longer takes proposals."))
    data = {
        "title": plan.title[:TITLE_MAX],
        "summary": plan.description,
        "fund_uses": ["shared_infra"],
    }
    if plan.sub_alliance_id:
        data["sub_alliance"] = plan.sub_alliance
    if plan.region:
        data["region"] = plan.region
    with transaction.atomic():
        proposal = proposal_services.proposal_create(actor=actor, data=data)
        InfraPlanProposal.objects.create(plan=plan, proposal=proposal)
        audit_record(
            actor=actor,
            action="infra_plan.join",
            obj=proposal,
            to_state=proposal.status,
            data={"plan": plan.pk},
        )
    return proposal
