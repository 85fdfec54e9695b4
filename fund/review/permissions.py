"""Who may see KDB's review pipeline."""

from __future__ import annotations

from alliance.models import User
from fund.coordination.services import (
    is_fund_side,
)


def can_see_pipeline(user: User) -> bool:
    return is_fund_side(user)
