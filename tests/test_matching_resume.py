"""A rescore that stopped making progress is resumed by the periodic sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.services import (
    RESCORE_STALE_AFTER,
    rescore_resume_stale,
    rule_set_activate,
    rule_set_create_draft,
)
from portal.core.vocabulary import ProposalStatus
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_a_stale_unfinished_rescore_is_resumed_and_a_fresh_one_is_left_alone(kdb, firm):
    ProposalFactory.create_batch(3, firm=firm, status=ProposalStatus.SUBMITTED)
    draft = rule_set_create_draft(actor=kdb)
    run = rule_set_activate(rule_set_id=draft.pk, actor=kdb)
    started = run.created_at

    fresh = rescore_resume_stale(now=started + RESCORE_STALE_AFTER - timedelta(seconds=1))
    stale = rescore_resume_stale(now=started + RESCORE_STALE_AFTER)

    assert (fresh, stale) == (0, 1)


def test_a_finished_rescore_is_never_resumed(kdb, firm):
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED)
    draft = rule_set_create_draft(actor=kdb)
    run = rule_set_activate(rule_set_id=draft.pk, actor=kdb)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])

    assert rescore_resume_stale(now=timezone.now() + timedelta(days=1)) == 0
