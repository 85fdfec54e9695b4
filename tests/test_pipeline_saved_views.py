"""Saved pipeline views: a fund staff member's named filter sets, shown as quick links."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from alliance.models import AuditLog
from fund.review import services as pipeline
from fund.review.models import SavedView
from portal.core.vocabulary import Role
from tests.factories import UserFactory
from tests.pipeline_support import in_review, submitted_proposal
from tests.pipeline_support import signed_in as _client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def colleague(db):
    return UserFactory(username="kdb2", role=Role.FUND_SECRETARIAT)


def _views(user) -> list[tuple[str, str, str]]:
    return list(
        SavedView.objects.filter(owner=user)
        .order_by("pk")
        .values_list("name", "page", "querystring")
    )


def test_only_known_filters_with_valid_values_are_kept_in_form_order(kdb):
    pipeline.saved_view_create(
        actor=kdb,
        name="대출 고득점",
        page="table",
        querystring="?sort=age&min_score=70&evil=%3Cscript%3E&channel=loan&stage=nope&after=90.1",
    )

    assert _views(kdb) == [("대출 고득점", "table", "min_score=70&channel=loan&sort=age")]
    row = AuditLog.objects.get(action="saved_view.create")
    assert (row.actor, row.object_type, row.proposal_id, row.note, row.data) == (
        kdb,
        "savedview",
        None,
        "대출 고득점",
        {"page": "table", "querystring": "min_score=70&channel=loan&sort=age"},
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"name": "  "}, {"name": ["Give the view a name."]}),
        ({"name": "가" * 61}, {"name": ["At most 60 characters."]}),
        ({"page": "kanban"}, {"page": ["Choose the board or the table."]}),
        (
            {"querystring": "channel=bond&after=1.2"},
            {"querystring": ["Choose at least one filter before saving a view."]},
        ),
    ],
)
def test_a_bad_view_is_refused_on_its_field_and_nothing_is_saved(kdb, fields, errors):
    data = {"name": "인프라", "page": "board", "querystring": "channel=infra", **fields}

    with pytest.raises(ValidationError) as exc:
        pipeline.saved_view_create(actor=kdb, **data)

    assert exc.value.message_dict == errors
    assert (SavedView.objects.count(), AuditLog.objects.count()) == (0, 0)


def test_a_name_is_unique_per_user_in_any_case_but_free_for_others(kdb, colleague):
    pipeline.saved_view_create(actor=kdb, name="AI View", page="table", querystring="channel=loan")

    with pytest.raises(ValidationError) as exc:
        pipeline.saved_view_create(
            actor=kdb, name="ai view", page="board", querystring="channel=infra"
        )
    pipeline.saved_view_create(
        actor=colleague, name="AI View", page="board", querystring="channel=infra"
    )

    assert exc.value.message_dict == {"name": ["You already have a view with this name."]}
    assert _views(kdb) == [("AI View", "table", "channel=loan")]
    assert _views(colleague) == [("AI View", "board", "channel=infra")]


@pytest.mark.parametrize("who", ["keit", "applicant", "editor"])
def test_only_fund_staff_save_views(request, who):
    with pytest.raises(PermissionDenied):
        pipeline.saved_view_create(
            actor=request.getfixturevalue(who), name="v", page="table", querystring="channel=loan"
        )

    assert SavedView.objects.count() == 0


def test_a_user_deletes_their_own_view_only(kdb, colleague):
    mine = pipeline.saved_view_create(
        actor=kdb, name="내 보기", page="table", querystring="channel=loan"
    )
    theirs = pipeline.saved_view_create(
        actor=colleague, name="동료 보기", page="table", querystring="channel=infra"
    )

    with pytest.raises(SavedView.DoesNotExist):
        pipeline.saved_view_delete(actor=kdb, view_id=theirs.pk)
    pipeline.saved_view_delete(actor=kdb, view_id=mine.pk)

    assert list(SavedView.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert list(
        AuditLog.objects.filter(action="saved_view.delete").values_list("actor", "object_id")
    ) == [(kdb.pk, str(mine.pk))]


def test_saving_from_the_page_redirects_to_the_saved_filters(client, kdb):
    response = _client(client, kdb).post(
        reverse("pipeline:saved_view_create"),
        {"name": "위원회 대기", "page": "board", "querystring": "stage=committee&after=3.4"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("pipeline:board") + "?stage=committee"
    assert _views(kdb) == [("위원회 대기", "board", "stage=committee")]


def test_a_refused_save_from_the_page_says_why_and_saves_nothing(client, kdb):
    response = _client(client, kdb).post(
        reverse("pipeline:saved_view_create"),
        {"name": "", "page": "table", "querystring": "channel=loan"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Give the view a name."]
    assert response.redirect_chain == [(reverse("pipeline:table") + "?channel=loan", 302)]
    assert SavedView.objects.count() == 0


def test_the_pipeline_pages_list_my_views_only_as_quick_links(client, kdb, colleague):
    pipeline.saved_view_create(
        actor=kdb, name="나의 대출", page="table", querystring="channel=loan"
    )
    pipeline.saved_view_create(
        actor=colleague, name="동료 인프라", page="board", querystring="channel=infra"
    )
    c = _client(client, kdb)

    for name in ("pipeline:board", "pipeline:table"):
        response = c.get(reverse(name))
        body = response.content.decode()
        assert [v.name for v in response.context["saved_views"]] == ["나의 대출"]
        assert f'href="{reverse("pipeline:table")}?channel=loan">나의 대출</a>' in body
        assert "동료 인프라" not in body


def test_deleting_another_users_view_from_the_page_is_404(client, kdb, colleague):
    theirs = pipeline.saved_view_create(
        actor=colleague, name="동료 보기", page="table", querystring="channel=infra"
    )

    response = _client(client, kdb).post(reverse("pipeline:saved_view_delete", args=[theirs.pk]))

    assert response.status_code == 404
    assert SavedView.objects.count() == 1


def test_deleting_my_view_from_the_page(client, kdb):
    mine = pipeline.saved_view_create(
        actor=kdb, name="내 보기", page="board", querystring="channel=loan"
    )

    response = _client(client, kdb).post(
        reverse("pipeline:saved_view_delete", args=[mine.pk]), {"page": "board"}
    )

    assert (response.status_code, response["Location"]) == (302, reverse("pipeline:board"))
    assert SavedView.objects.count() == 0


@pytest.mark.parametrize(("name", "count"), [("pipeline:board", 8), ("pipeline:table", 8)])
def test_the_pipeline_pages_query_count_does_not_grow_with_saved_views(
    client, keit, kdb, name, count, django_assert_num_queries
):
    for _ in range(3):
        in_review(submitted_proposal(), keit=keit)
    c = _client(client, kdb)
    c.get(reverse(name))
    with django_assert_num_queries(count):
        c.get(reverse(name))
    for n in range(5):
        pipeline.saved_view_create(
            actor=kdb, name=f"보기 {n}", page="table", querystring=f"min_score={n}"
        )

    # session, user, groups, sub-alliances, industries, then the page's own (board: stage
    # counts and the five columns' cards in one query; table: the page and the bulk form's
    # reviewers), saved views.
    with django_assert_num_queries(count):
        c.get(reverse(name))
