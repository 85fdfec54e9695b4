"""Helpers of the ministry tests: users of 산업통상부 and 금융위원회."""

from __future__ import annotations

from fund.ministry.models import Ministry, MinistryMembership
from portal.core.vocabulary import Role
from tests.factories import UserFactory


def ministry_user(username: str = "motie", ministry: str = Ministry.MOTIE):
    user = UserFactory(username=username, role=Role.MINISTRY)
    MinistryMembership.objects.create(user=user, ministry=ministry, unit="제조AI 확산 TF")
    return user
