"""The append-only audit log: one row per state change, written in the change's transaction."""

from __future__ import annotations

from alliance.models import (
    AuditLog,
    Firm,
    Proposal,
    User,
)


def audit_row(
    *,
    actor: User | None,
    action: str,
    obj,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> AuditLog:
    """One unsaved audit row (for bulk writes); `audit_record` saves it."""
    proposal = obj if isinstance(obj, Proposal) else getattr(obj, "proposal", None)
    firm = obj if isinstance(obj, Firm) else getattr(obj, "firm", None)
    return AuditLog(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        proposal=proposal if isinstance(proposal, Proposal) else None,
        firm=firm if isinstance(firm, Firm) else None,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def audit_record(**fields) -> AuditLog:
    """Append one audit row; call inside the transaction that makes the change."""
    row = audit_row(**fields)
    row.save(force_insert=True)
    return row
