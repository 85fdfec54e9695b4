"""The fund secretariat's internal comments on a proposal under review: append-only, fund only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from alliance.models import AuditLog
from fund.review import services as pipeline
from fund.review.models import CommentImmutable, ReviewComment
from portal.core.errors import TransitionNotAllowed
from tests.factories import UserFactory
from tests.pipeline_support import at_stage, in_review, submitted_proposal
from tests.pipeline_support import signed_in as _client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def received(keit):
    return in_review(submitted_proposal(title="검토 중 제안"), keit=keit, channel="loan")


@pytest.fixture
def colleague(db):
    from portal.core.vocabulary import Role

    return UserFactory(username="kdb2", role=Role.FUND_SECRETARIAT)


def _comments(proposal) -> list[tuple[str, str]]:
    return list(
        ReviewComment.objects.filter(review_id=proposal.pk)
        .order_by("created_at", "id")
        .values_list("author__username", "body")
    )


def test_a_comment_is_added_with_an_audit_row_off_the_proposals_history(received, kdb):
    comment = pipeline.review_comment_add(
        proposal_id=received.pk, actor=kdb, body="  재무제표 확인 필요  "
    )

    assert _comments(received) == [("kdb", "재무제표 확인 필요")]
    row = AuditLog.objects.get(action="review.comment")
    assert (row.actor, row.object_type, row.object_id, row.proposal_id, row.data) == (
        kdb,
        "reviewcomment",
        str(comment.pk),
        None,
        {"proposal": received.pk, "length": 10},
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a comment."),
        ("   \n ", "Write a comment."),
        ("가" * 2001, "At most 2000 characters."),
    ],
)
def test_an_empty_or_too_long_comment_is_refused_and_nothing_changes(received, kdb, body, message):
    before = AuditLog.objects.count()

    with pytest.raises(ValidationError) as exc:
        pipeline.review_comment_add(proposal_id=received.pk, actor=kdb, body=body)

    assert exc.value.message_dict == {"body": [message]}
    assert (ReviewComment.objects.count(), AuditLog.objects.count()) == (0, before)


def test_a_comment_of_exactly_the_limit_is_kept(received, kdb):
    pipeline.review_comment_add(proposal_id=received.pk, actor=kdb, body="가" * 2000)

    assert len(_comments(received)[0][1]) == 2000


@pytest.mark.parametrize("who", ["keit", "applicant", "editor"])
def test_only_fund_staff_comment(request, received, who):
    with pytest.raises(PermissionDenied):
        pipeline.review_comment_add(
            proposal_id=received.pk, actor=request.getfixturevalue(who), body="메모"
        )

    assert ReviewComment.objects.count() == 0


def test_a_proposal_outside_the_pipeline_cannot_be_commented(kdb):
    with pytest.raises(TransitionNotAllowed):
        pipeline.review_comment_add(proposal_id=submitted_proposal().pk, actor=kdb, body="메모")

    assert ReviewComment.objects.count() == 0


def test_comments_are_append_only(received, kdb):
    comment = pipeline.review_comment_add(proposal_id=received.pk, actor=kdb, body="첫 메모")
    comment.body = "고친 메모"

    with pytest.raises(CommentImmutable):
        comment.save()
    with pytest.raises(CommentImmutable):
        comment.delete()

    assert _comments(received) == [("kdb", "첫 메모")]


def test_the_detail_page_shows_comments_newest_last_with_author_and_time(
    client, received, kdb, colleague
):
    pipeline.review_comment_add(proposal_id=received.pk, actor=kdb, body="첫 번째")
    pipeline.review_comment_add(proposal_id=received.pk, actor=colleague, body="두 번째")

    response = _client(client, kdb).get(reverse("pipeline:detail", args=[received.pk]))

    assert [(c.author.username, c.body) for c in response.context["comments"]] == [
        ("kdb", "첫 번째"),
        ("kdb2", "두 번째"),
    ]
    body = response.content.decode()
    assert body.index("첫 번째") < body.index("두 번째")
    assert 'hx-post="' + reverse("pipeline:comment", args=[received.pk]) + '"' in body


def test_an_htmx_post_answers_the_comments_section(client, received, kdb):
    response = _client(client, kdb).post(
        reverse("pipeline:comment", args=[received.pk]),
        {"body": "현장 실사 일정 조율"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "fund/pipeline/_comments.html"
    assert "현장 실사 일정 조율" in response.content.decode()
    assert _comments(received) == [("kdb", "현장 실사 일정 조율")]


def test_an_empty_htmx_post_answers_400_with_the_message_and_adds_nothing(client, received, kdb):
    response = _client(client, kdb).post(
        reverse("pipeline:comment", args=[received.pk]),
        {"body": " "},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert response.context["comment_form"].errors == {"body": ["Write a comment."]}
    assert ReviewComment.objects.count() == 0


def test_a_plain_post_redirects_to_the_comments(client, received, kdb):
    response = _client(client, kdb).post(
        reverse("pipeline:comment", args=[received.pk]), {"body": "메모"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("pipeline:detail", args=[received.pk]) + "#comments"


def test_a_too_long_plain_post_answers_400_on_the_detail_page(client, received, kdb):
    response = _client(client, kdb).post(
        reverse("pipeline:comment", args=[received.pk]), {"body": "가" * 2001}
    )

    assert response.status_code == 400
    assert response.context["comment_form"].errors == {"body": ["At most 2000 characters."]}
    assert ReviewComment.objects.count() == 0


def test_keit_and_the_applicant_never_see_fund_comments(client, keit, kdb, firm, applicant):
    proposal = at_stage(keit=keit, kdb=kdb, stage="prescreen", firm=firm, created_by=applicant)
    pipeline.review_comment_add(proposal_id=proposal.pk, actor=kdb, body="내부 검토 의견 비밀")

    pages = []
    for user in (keit, applicant):
        client.force_login(user)
        pages.append(client.get(reverse("alliance:proposal_detail", args=[proposal.pk])))
        pages.append(client.get(reverse("pipeline:screening_detail", args=[proposal.pk])))
        pages.append(client.get(reverse("pipeline:detail", args=[proposal.pk])))

    assert [p.status_code for p in pages] == [200, 200, 404, 200, 404, 404]
    assert not any("내부 검토 의견 비밀" in p.content.decode() for p in pages)
    assert not any("review.comment" in p.content.decode() for p in pages)


def test_the_detail_page_query_count_does_not_grow_with_comments(
    client, received, kdb, django_assert_num_queries
):
    c = _client(client, kdb)
    pipeline.review_comment_add(proposal_id=received.pk, actor=kdb, body="하나")
    c.get(reverse("pipeline:detail", args=[received.pk]))
    with django_assert_num_queries(13) as one:  # 13th: 산업부's recommendation
        c.get(reverse("pipeline:detail", args=[received.pk]))
    for n in range(5):
        pipeline.review_comment_add(proposal_id=received.pk, actor=kdb, body=f"메모 {n}")

    with django_assert_num_queries(len(one)):
        c.get(reverse("pipeline:detail", args=[received.pk]))
