"""Helpers for the institutions' tests: institutions with offers and their users."""

from __future__ import annotations

from fund.institutions import services
from portal.core.vocabulary import EOK, Role
from tests.factories import InstitutionFactory, UserFactory


def institution_user(institution, username: str):
    user = UserFactory(username=username, role=Role.INSTITUTION, phone="02-1234-5678")
    user.first_name = username
    user.institution = institution
    user.save()
    return user


def institution_with_offer(name: str, kind: str, username: str, **offer):
    """An institution, one user of it and its offer (kept through the service)."""
    institution = InstitutionFactory(name=name, kind=kind)
    user = institution_user(institution, username)
    data = {
        "channels": ["loan"],
        "industries": [],
        "sub_alliances": [],
        "regions": [],
        "min_ticket_krw": 10 * EOK,
        "max_ticket_krw": 1000 * EOK,
        "description": "",
    }
    data.update(offer)
    services.offer_update(institution_id=institution.pk, actor=user, data=data)
    return institution, user
