"""A firm's audit history as KEIT reads it: every action and status in words, never a code
("firm.verify", "pending")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from alliance.models import AuditLog, Firm
from portal.core.vocabulary import FirmStatus

FIRM_ACTIONS = {
    "firm.sign_up": gettext_lazy("Applied to join"),
    "firm.verify": gettext_lazy("Verified by the alliance secretariat"),
    "firm.update": gettext_lazy("Firm profile changed"),
    "admin.change": gettext_lazy("Corrected by the administrator"),
    "admin.delete": gettext_lazy("Deleted by the administrator"),
}
# An action with no words of its own yet is named generically, never by its code.
OTHER_ACTION = gettext_lazy("Other change")
RECENT = 20


def firm_status_label(code: str) -> str:
    """The words for a firm status code ("" stays "", an unknown code reads "—")."""
    if not code:
        return ""
    return str(FirmStatus(code).label) if code in FirmStatus.values else "—"


def firm_history_rows(firm: Firm, limit: int = RECENT) -> list[dict]:
    """The firm's latest audit rows, newest first, each with its action and statuses in words."""
    entries = (
        AuditLog.objects.filter(firm=firm).select_related("actor").order_by("-created_at", "-id")
    )
    return [
        {
            "entry": entry,
            "action_label": FIRM_ACTIONS.get(entry.action, OTHER_ACTION),
            "from_label": firm_status_label(entry.from_state),
            "to_label": firm_status_label(entry.to_state),
        }
        for entry in entries[:limit]
    ]
