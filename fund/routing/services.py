"""Writes of automatic routing: policy versions, the pause switch, and the workers' referrals.

A proposal becomes a candidate in the transaction that scores it (or that activates a policy,
or resumes routing); a worker then looks at it under the active policy and either refers it,
through the same referral service and packet as KEIT's hand, with the system as actor, or
holds it. Each referral is its own transaction, which reads the pause switch with a shared lock
(a pause waits for it, and no referral follows a pause), locks the candidate (skipped if
another worker has it), the proposal and the channel's daily count, and removes the candidate:
a worker killed at any point leaves the candidate for the next run, and a proposal is routed at
most once (its status, and the routed row keyed by the proposal).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alliance.audit import audit_record
from alliance.models import Proposal, User
from alliance.notifications import services as notifications
from fund.coordination import services as coordination
from fund.routing import selectors
from fund.routing.models import (
    SWITCH_ID,
    PolicyStatus,
    RoutedProposal,
    RoutingCandidate,
    RoutingPolicy,
    RoutingSwitch,
)
from fund.routing.permissions import can_manage_routing
from fund.routing.policy import (
    CHANNELS,
    PolicyInvalid,
    decide,
    default_policy,
    render,
    validate_policy,
)
from portal.core import outbox
from portal.core.errors import TransitionNotAllowed
from portal.core.models import NotificationKind
from portal.core.outbox import absolute_url
from portal.core.queue import task
from portal.core.vocabulary import ChannelCode, ProposalStatus

NAME_MAX = 120
DESCRIPTION_MAX = 5000
# Proposal ids per routing message.
ROUTE_BATCH = 200
# Candidates one sweep looks at.
SWEEP_LIMIT = 1000
SWEEP_GRACE_DEFAULT = 60
# Advisory lock keys (any constants unique in the portal): the policy versions, and each
# channel's daily count (the second key is the channel's index).
POLICY_LOCK = 0x524F_5554  # "ROUT"
CAP_LOCK = 0x4341_5053  # "CAPS"


def sweep_grace() -> datetime.timedelta:
    """How long the sweep leaves a new candidate to the message sent for it."""
    seconds = int(getattr(settings, "ROUTING_SWEEP_GRACE", SWEEP_GRACE_DEFAULT))
    return datetime.timedelta(seconds=seconds)


# ---------------------------------------------------------------------------------------------
# Locks


def _advisory_lock(*keys: int) -> None:
    """A transaction-scoped advisory lock (PostgreSQL); SQLite runs one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(keys))
            cursor.execute(f"SELECT pg_advisory_xact_lock({placeholders})", list(keys))


def switch_for_update() -> RoutingSwitch:
    """The pause switch, created if it was never set, locked to the end of the transaction."""
    RoutingSwitch.objects.get_or_create(pk=SWITCH_ID)
    return RoutingSwitch.objects.select_for_update().get(pk=SWITCH_ID)


def _paused_shared() -> bool:
    """The switch, read with a shared lock held to the end of the transaction: a pause (which
    takes the row exclusively) waits for this transaction, and the next one sees it."""
    if connection.vendor != "postgresql":
        return RoutingSwitch.objects.filter(pk=SWITCH_ID, paused=True).exists()
    table = connection.ops.quote_name(RoutingSwitch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT paused FROM {table} WHERE id = %s FOR SHARE", [SWITCH_ID])  # noqa: S608
        row = cursor.fetchone()
    return bool(row and row[0])


# ---------------------------------------------------------------------------------------------
# Policy versions (KEIT)


def policy_create_draft(*, actor: User, based_on_id: int | None = None) -> RoutingPolicy:
    """A new draft copying the given version (or the active one, or an empty policy)."""
    if not can_manage_routing(actor):
        raise PermissionDenied
    with transaction.atomic():
        _advisory_lock(POLICY_LOCK)
        if based_on_id is None:
            source = RoutingPolicy.objects.filter(status=PolicyStatus.ACTIVE).first()
        else:
            source = RoutingPolicy.objects.filter(pk=based_on_id).first()
            if source is None:
                raise ValidationError(
                    {"based_on": _("There is no routing policy to start from with this number.")}
                )
        if source is None:
            # A name is data: stored in the portal's language, whatever the page's language.
            with translation.override(settings.LANGUAGE_CODE):
                document, name, description = default_policy(), _("New routing policy"), ""
        else:
            document, name, description = source.document, source.name, source.description
        version = (RoutingPolicy.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        draft = RoutingPolicy.objects.create(
            version=version,
            name=name[:NAME_MAX],
            description=description,
            document=document,
            based_on=source,
            created_by=actor,
        )
        audit_record(actor=actor, action="routing_policy.create", obj=draft, to_state=draft.status)
    return draft


def policy_errors(document) -> tuple[dict | None, dict[str, list[str]]]:
    """The validated document, or None and its errors keyed `policy.<path>`."""
    try:
        return validate_policy(document), {}
    except PolicyInvalid as exc:
        return None, {
            f"policy.{path}" if path else "policy": messages
            for path, messages in exc.errors.items()
        }


def policy_update_draft(
    *, policy_id: int, actor: User, name: str, description: str, document
) -> RoutingPolicy:
    """Replace a draft's content; refused field by field (nothing saved) when it is invalid."""
    if not can_manage_routing(actor):
        raise PermissionDenied
    name = (name or "").strip() if isinstance(name, str) else ""
    description = description if isinstance(description, str) else ""
    normalized, errors = policy_errors(document)
    if not name:
        errors["name"] = [_("Give the policy a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("The name is too long.")]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("The description is too long.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy = RoutingPolicy.objects.select_for_update().get(pk=policy_id)
        if not policy.is_draft:
            raise TransitionNotAllowed(_("Only a draft routing policy can be edited."))
        policy.name = name
        policy.description = description
        policy.document = normalized
        policy.save()
        audit_record(actor=actor, action="routing_policy.update", obj=policy)
    return policy


def policy_activate(*, policy_id: int, actor: User, confirm: bool) -> RoutingPolicy:
    """Make a draft the one active version (the previous one retires) once KEIT confirms, and
    have the workers look at every submitted proposal under it.

    ValidationError without `confirm`, or if the draft is invalid; TransitionNotAllowed for a
    version that is not a draft. Nothing changes when refused.
    """
    if not can_manage_routing(actor):
        raise PermissionDenied
    if confirm is not True:
        raise ValidationError(
            {
                "confirm": [
                    _(
                        "Confirm the activation: the workers start routing under this policy "
                        "at once."
                    )
                ]
            }
        )
    with transaction.atomic():
        # The switch first: referrals in flight finish under the old version, later ones see
        # the new one.
        switch = switch_for_update()
        _advisory_lock(POLICY_LOCK)
        current = (
            RoutingPolicy.objects.select_for_update().filter(status=PolicyStatus.ACTIVE).first()
        )
        policy = RoutingPolicy.objects.select_for_update().get(pk=policy_id)
        if not policy.is_draft:
            raise TransitionNotAllowed(_("Only a draft routing policy can be activated."))
        normalized, errors = policy_errors(policy.document)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        if current is not None:
            current.status = PolicyStatus.RETIRED
            current.retired_at = now
            current.save(update_fields=["status", "retired_at", "updated_at"])
            audit_record(
                actor=actor,
                action="routing_policy.retire",
                obj=current,
                from_state=PolicyStatus.ACTIVE,
                to_state=PolicyStatus.RETIRED,
            )
        policy.status = PolicyStatus.ACTIVE
        policy.document = normalized
        policy.activated_at = now
        policy.activated_by = actor
        policy.save(
            update_fields=["status", "document", "activated_at", "activated_by", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="routing_policy.activate",
            obj=policy,
            from_state=PolicyStatus.DRAFT,
            to_state=PolicyStatus.ACTIVE,
            data={"version": policy.version, "paused": switch.paused},
        )
        if not switch.paused:
            # Paused, nothing is queued: resuming queues every submitted proposal.
            candidates_queue(Proposal.objects.all(), now=now)
            schedule_due(now=now)
    return policy


# ---------------------------------------------------------------------------------------------
# The pause switch (KEIT)


def routing_pause(*, actor: User) -> RoutingSwitch:
    """Stop automatic routing at once: waits for the referrals in flight; none follows."""
    if not can_manage_routing(actor):
        raise PermissionDenied
    with transaction.atomic():
        switch = switch_for_update()
        if switch.paused:
            raise TransitionNotAllowed(_("Automatic routing is already paused."))
        return switch_set(switch, actor=actor, paused=True)


def routing_resume(*, actor: User) -> RoutingSwitch:
    """Start automatic routing again: the workers look at every submitted proposal (scores
    written while routing was paused queued nothing)."""
    if not can_manage_routing(actor):
        raise PermissionDenied
    with transaction.atomic():
        switch = switch_for_update()
        if not switch.paused:
            raise TransitionNotAllowed(_("Automatic routing is already running."))
        switch = switch_set(switch, actor=actor, paused=False)
        if RoutingPolicy.objects.filter(status=PolicyStatus.ACTIVE).exists():
            candidates_queue(Proposal.objects.all(), now=switch.changed_at)
            schedule_due(now=switch.changed_at)
    return switch


def switch_set(switch: RoutingSwitch, *, actor: User | None, paused: bool) -> RoutingSwitch:
    """Turn the locked switch and write the audit row (the caller checked who and when)."""
    switch.paused = paused
    switch.changed_at = timezone.now()
    switch.changed_by = actor if actor is not None and actor.is_authenticated else None
    switch.save()
    states = ("running", "paused")
    audit_record(
        actor=actor,
        action="routing.pause" if paused else "routing.resume",
        obj=switch,
        from_state=states[not paused],
        to_state=states[paused],
    )
    return switch


# ---------------------------------------------------------------------------------------------
# Candidates: what the workers must look at


def candidates_queue(queryset: QuerySet[Proposal], *, now: datetime.datetime) -> list[int]:
    """Make the submitted proposals of `queryset` candidates due `now` (one already waiting
    keeps its place, or is brought forward to now); returns the ids queued or brought forward.
    Call inside the transaction that makes the change they must be looked at for."""
    submitted = queryset.filter(status=ProposalStatus.SUBMITTED).order_by().values("pk")
    table = connection.ops.quote_name(RoutingCandidate._meta.db_table)
    if connection.vendor == "postgresql":
        sql, params = submitted.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (proposal_id, queued_at, due_at) "  # noqa: S608
                f"SELECT q.*, %s, %s FROM ({sql}) q "
                f"ON CONFLICT (proposal_id) DO UPDATE SET due_at = EXCLUDED.due_at "
                f"WHERE {table}.due_at > EXCLUDED.due_at RETURNING proposal_id",
                [now, now, *params],
            )
            return sorted(row[0] for row in cursor.fetchall())
    ids = list(submitted.values_list("pk", flat=True))
    RoutingCandidate.objects.bulk_create(
        [RoutingCandidate(proposal_id=pk, queued_at=now, due_at=now) for pk in ids],
        ignore_conflicts=True,
    )
    RoutingCandidate.objects.filter(pk__in=ids, due_at__gt=now).update(due_at=now)
    return ids


def candidates_after_scoring(
    *, proposal_ids: list[int] | None = None, id_range: tuple[int, int] | None = None
) -> list[int]:
    """Scored proposals (by id, or an id range) become candidates under the active policy, in
    the scoring's transaction; a worker looks at them once it commits. Nothing while routing
    is paused (or no policy is active): resuming (activating) queues every submitted proposal.
    The switch is read with a shared lock, so a resume that commits meanwhile is waited for
    and seen, and no score falls between the two."""
    if not RoutingPolicy.objects.filter(status=PolicyStatus.ACTIVE).exists():
        return []
    if _paused_shared():
        return []
    queryset = Proposal.objects.all()
    if id_range is not None:
        queryset = queryset.filter(pk__gte=id_range[0], pk__lte=id_range[1])
    else:
        queryset = queryset.filter(pk__in=list(proposal_ids or []))
    queued = candidates_queue(queryset, now=timezone.now())
    if queued:
        schedule_routing(proposal_ids=queued)
    return queued


def schedule_routing(*, proposal_ids: list[int]) -> None:
    """Send routing messages of ROUTE_BATCH ids after commit. With the broker down the
    candidates stay, and the sweep looks at them."""
    route_proposals_task = task("routing.route_proposals")
    ids = list(proposal_ids)

    def send() -> None:
        for i in range(0, len(ids), ROUTE_BATCH):
            route_proposals_task.apply_async(
                args=[ids[i : i + ROUTE_BATCH]], queue="coordination", retry=False
            )

    transaction.on_commit(send, robust=True)


def schedule_due(*, now: datetime.datetime) -> int:
    """Messages for every candidate due `now` (after an activation or a resume)."""
    ids = list(
        RoutingCandidate.objects.filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    if ids:
        schedule_routing(proposal_ids=ids)
    return len(ids)


def _next_day(now: datetime.datetime) -> datetime.datetime:
    """The start of the next day in Korea: when the daily caps start again."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start + datetime.timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# Routing (workers)


def route_proposals(*, proposal_ids: list[int], now: datetime.datetime | None = None) -> dict:
    """Look at the candidates among `proposal_ids` that are due: hold or defer in one
    transaction those the policy does not route now, then refer the rest one by one.

    Idempotent: a candidate that another worker holds is skipped, one already looked at is
    gone. Returns counts of routed, held, capped, paused and skipped proposals.
    """
    now = now or timezone.now()
    counts: Counter = Counter()
    todo = _triage(sorted(set(proposal_ids)), now, counts)
    for proposal_id in todo:
        counts[route_one(proposal_id=proposal_id, now=now)] += 1
    return dict(counts)


def _triage(ids: list[int], now: datetime.datetime, counts: Counter) -> list[int]:
    """Decide, in one transaction and a fixed number of queries, every candidate the policy
    will not route today: held ones are removed, capped ones wait for the next day. Returns
    the ids the policy selects, to be referred one by one."""
    if not ids:
        return []
    with transaction.atomic():
        if _paused_shared():
            counts["paused"] += len(ids)
            return []
        policy = selectors.active_policy()
        candidates = list(
            RoutingCandidate.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, due_at__lte=now)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        counts["skipped"] += len(ids) - len(candidates)
        if policy is None:
            RoutingCandidate.objects.filter(pk__in=candidates).delete()
            counts["held"] += len(candidates)
            return []
        facts = selectors.proposal_facts(candidates)
        today = selectors.routed_on(timezone.localdate(now))
        selected, held, capped = [], [], []
        for pk in candidates:
            found = facts.get(pk)
            if found is None or not found.results:
                held.append(pk)
                continue
            decision = decide(policy.document, found, routed_today=today, paused=False)
            if decision.route:
                selected.append(pk)
            elif decision.capped:
                capped.append(pk)
            else:
                held.append(pk)
        RoutingCandidate.objects.filter(pk__in=held).delete()
        RoutingCandidate.objects.filter(pk__in=capped).update(due_at=_next_day(now))
        counts["held"] += len(held)
        counts["capped"] += len(capped)
    return selected


def route_one(*, proposal_id: int, now: datetime.datetime | None = None) -> str:
    """Refer one candidate if the active policy routes it now, in one transaction.

    Returns `routed`, `held` (the policy does not route it; no longer a candidate),
    `capped` (the day's cap is reached; a candidate again the next day), `paused` or
    `skipped` (not a due candidate, or another worker has it).
    """
    now = now or timezone.now()
    with transaction.atomic():
        if _paused_shared():
            return "paused"
        candidate = (
            RoutingCandidate.objects.select_for_update(skip_locked=True)
            .filter(pk=proposal_id, due_at__lte=now)
            .first()
        )
        if candidate is None:
            return "skipped"
        outcome = _route_locked(candidate, now)
        if outcome == "capped":
            candidate.due_at = _next_day(now)
            candidate.save(update_fields=["due_at"])
        elif outcome != "paused":
            candidate.delete()
        return outcome


def _route_locked(candidate: RoutingCandidate, now: datetime.datetime) -> str:
    policy = selectors.active_policy()
    if policy is None:
        return "held"
    # The proposal's row before its facts: a withdrawal or a hand referral waits, or wins.
    locked = list(
        Proposal.objects.select_for_update()
        .filter(pk=candidate.pk, status=ProposalStatus.SUBMITTED)
        .values_list("pk", flat=True)
    )
    if not locked:
        return "held"
    facts = selectors.proposal_facts([candidate.pk]).get(candidate.pk)
    if facts is None or not facts.results:
        return "held"
    first = decide(policy.document, facts, routed_today={}, paused=False)
    if not first.route:
        return "held"
    channel = first.channel
    # One referral at a time per channel, so the day's count cannot pass the cap.
    _advisory_lock(CAP_LOCK, CHANNELS.index(channel))
    day = timezone.localdate(now)
    routed = RoutedProposal.objects.filter(channel=channel, routed_on=day).count()
    decision = decide(policy.document, facts, routed_today={channel: routed}, paused=False)
    if not decision.route:
        return "capped" if decision.capped else "held"
    reasons = [render(r) for r in decision.reasons]
    routing = {
        "policy": policy.pk,
        "policy_version": policy.version,
        "channel": channel,
        "score": decision.score,
        "reasons": reasons,
    }
    try:
        packet = coordination.proposal_refer(
            proposal_id=candidate.pk, actor=None, channel=channel, routing=routing
        )
    except TransitionNotAllowed:
        return "held"
    RoutedProposal.objects.create(
        proposal_id=candidate.pk,
        policy=policy,
        channel=channel,
        score=decision.score,
        packet=packet,
        reasons=reasons,
        routed_at=packet.created_at or now,
        routed_on=day,
    )
    _notify(policy=policy, proposal_id=candidate.pk, packet=packet, channel=channel)
    return "routed"


def sweep(*, now: datetime.datetime | None = None, limit: int = SWEEP_LIMIT) -> dict:
    """Look at the candidates due for longer than the grace period (their message was lost
    with a killed worker or a broker that was down, or a capped day has passed). Nothing
    while routing is paused or no policy is active."""
    now = now or timezone.now()
    policy = selectors.active_policy()
    if policy is None or policy.paused:
        return {}
    ids = list(
        RoutingCandidate.objects.filter(due_at__lte=now - sweep_grace())
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: Counter = Counter()
    for i in range(0, len(ids), ROUTE_BATCH):
        for outcome, n in route_proposals(proposal_ids=ids[i : i + ROUTE_BATCH], now=now).items():
            counts[outcome] += n
    return dict(counts)


# ---------------------------------------------------------------------------------------------
# Mail


ROUTED_SUBJECT = gettext_noop("Referred to the fund automatically: %(title)s")


def _notify(*, policy: RoutingPolicy, proposal_id: int, packet, channel: str) -> list[int]:
    """Mail who the policy names (in the referral's transaction, sent after commit)."""
    notify = policy.document.get("notify") or []
    if not notify:
        return []
    proposal = Proposal.objects.select_related("firm").get(pk=proposal_id)
    people: dict[int, User] = {}
    if "applicant" in notify:
        people.update((u.pk, u) for u in notifications.firm_recipients(proposal.firm_id))
    if "alliance_secretariat" in notify:
        people.update((u.pk, u) for u in notifications.alliance_staff_recipients())
    if not people:
        return []
    context = {
        "title": proposal.title,
        "firm": proposal.firm.name,
        "version": policy.version,
        "channel": ChannelCode(channel).label,
        "link": absolute_url(reverse("alliance:proposal_detail", args=[proposal.pk])),
    }
    title = " ".join(proposal.title.split())
    subject, body = outbox.compose(
        lambda: _(ROUTED_SUBJECT) % {"title": title}, "routing/mail/proposal_routed.txt", context
    )
    return outbox.write(
        kind=NotificationKind.PROPOSAL_ROUTED,
        recipients=[outbox.Recipient(user.email, user) for user in people.values()],
        subject=subject,
        body=body,
        event_key=f"packet:{packet.pk}",
        proposal_id=proposal.pk,
    )
