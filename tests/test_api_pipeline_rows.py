"""The pipeline API builds its rows directly from `.values()` dicts
(fund.api.serializers.review_value_rows) for speed; they must be exactly what the ReviewOutput
serializer, the documented shape, gives for the same reviews."""

import datetime
import json

import pytest
from django.utils import timezone

from alliance.models import Industry, Proposal
from fund.api.serializers import REVIEW_ROW_FIELDS, ReviewOutput, review_value_rows
from fund.review.models import FundReview
from tests.factories import UserFactory
from tests.pipeline_support import in_review, submitted_proposal

pytestmark = pytest.mark.django_db


def _reviews():
    return FundReview.objects.select_related(
        "proposal", "proposal__firm", "proposal__sub_alliance", "reviewer"
    ).order_by("proposal_id")


def test_direct_rows_are_the_serializers_rows_for_every_kind_of_review(keit, kdb):
    plain = in_review(submitted_proposal(), keit=keit, channel="loan")
    bare = in_review(submitted_proposal(), keit=keit)
    decided = in_review(submitted_proposal(), keit=keit, channel="infra")
    # A proposal without sub-alliance, industry or region; a reviewer; a full decision.
    Proposal.objects.filter(pk=bare.pk).update(sub_alliance=None, industry=None, region="")
    reviewer = UserFactory(username="reviewer-kim")
    decided_at = timezone.now() - datetime.timedelta(days=3, hours=5)
    FundReview.objects.filter(proposal=decided).update(
        reviewer=reviewer,
        stage="decided",
        decision="approved_with_conditions",
        decided_channel="infra",
        approved_krw=12_000_000_000,
        conditions="조건",
        decided_at=decided_at,
        info_question="질문",
        rule_version=None,
        stage_entered_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
    )
    codes = dict(Industry.objects.values_list("pk", "code"))
    reviews = list(_reviews())
    assert [r.proposal_id for r in reviews] == [plain.pk, bare.pk, decided.pk]

    values = list(FundReview.objects.order_by("proposal_id").values(*REVIEW_ROW_FIELDS))
    ours = review_value_rows(values, industry_codes=codes)
    theirs = ReviewOutput(reviews, many=True, context={"industry_codes": codes}).data

    assert json.dumps(ours, ensure_ascii=False) == json.dumps(theirs, ensure_ascii=False)
    assert (ours[1]["sub_alliance"], ours[1]["industry"], ours[1]["region"]) == (None, None, None)
    assert ours[2]["reviewer"] == "reviewer-kim"
    assert ours[2]["stage_entered_at"] == "2026-01-02T12:04:05.678901+09:00"


def test_no_reviews_give_no_rows():
    assert review_value_rows([], industry_codes={}) == []
