"""Role x URL matrix of the pipeline's committee agendas, comments, saved views and bulk actions.

Same cells as tests/test_access_matrix.py: an HTTP status, or "login" for a redirect to the
sign-in page; a "*" marks a request that changed something. Only fund staff (KDB) reach any of
these; everyone else gets 404 (never 403) and changes nothing.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from alliance.models import AuditLog, Proposal
from fund.review import services as pipeline
from fund.review.models import AgendaItem, CommitteeMeeting, FundReview, ReviewComment, SavedView
from portal.core.vocabulary import Role
from tests.factories import ApplicantFactory, FirmFactory, UserFactory
from tests.pipeline_support import at_stage, meeting_of

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "applicant", "keit", "kdb", "editor")

# Columns: anonymous, applicant, KEIT, KDB, site editor.
GET_EXPECTED = {
    "pipeline:agenda_add": ("405", "405", "405", "405", "405"),
    "pipeline:agenda_move": ("405", "405", "405", "405", "405"),
    "pipeline:agenda_print": ("login", "404", "404", "200", "404"),
    "pipeline:agenda_remove": ("405", "405", "405", "405", "405"),
    "pipeline:agenda_xlsx": ("login", "404", "404", "200", "404"),
    "pipeline:bulk": ("405", "405", "405", "405", "405"),
    "pipeline:comment": ("405", "405", "405", "405", "405"),
    "pipeline:meeting_create": ("405", "405", "405", "405", "405"),
    "pipeline:meeting_detail": ("login", "404", "404", "200", "404"),
    "pipeline:meetings": ("login", "404", "404", "200", "404"),
    "pipeline:saved_view_create": ("405", "405", "405", "405", "405"),
    "pipeline:saved_view_delete": ("405", "405", "405", "405", "405"),
}
# POST with an empty body: a page that only shows something answers a POST like a GET (as the
# pipeline's other pages do); the forms refuse the empty body (KDB's row) or the role (everyone
# else's). Deleting a saved view needs no body.
POST_EXPECTED = {
    "pipeline:agenda_add": ("login", "404", "404", "302", "404"),
    "pipeline:agenda_move": ("login", "404", "404", "302", "404"),
    "pipeline:agenda_print": ("login", "404", "404", "200", "404"),
    "pipeline:agenda_remove": ("login", "404", "404", "302", "404"),
    "pipeline:agenda_xlsx": ("login", "404", "404", "200", "404"),
    "pipeline:bulk": ("login", "404", "404", "302", "404"),
    "pipeline:comment": ("login", "404", "404", "400", "404"),
    "pipeline:meeting_create": ("login", "404", "404", "400", "404"),
    "pipeline:meeting_detail": ("login", "404", "404", "200", "404"),
    "pipeline:meetings": ("login", "404", "404", "200", "404"),
    "pipeline:saved_view_create": ("login", "404", "404", "302", "404"),
    "pipeline:saved_view_delete": ("login", "404", "404", "302*", "404"),
}


@pytest.fixture
def world(db):
    firm = FirmFactory(name="현대자동차")
    users = {
        "anonymous": None,
        "applicant": ApplicantFactory(firm=firm, username="applicant"),
        "keit": UserFactory(username="keit", role=Role.ALLIANCE_SECRETARIAT),
        "kdb": UserFactory(username="kdb", role=Role.FUND_SECRETARIAT),
        "editor": UserFactory(username="editor", role=Role.SITE_EDITOR),
    }
    kdb = users["kdb"]
    # The applicant's own proposal: even its owner sees nothing of the fund's tools.
    proposal = at_stage(
        keit=users["keit"], kdb=kdb, stage="committee", firm=firm, created_by=users["applicant"]
    )
    meeting = meeting_of(kdb=kdb)
    pipeline.agenda_add(meeting_id=meeting.pk, proposal_id=proposal.pk, actor=kdb)
    view = pipeline.saved_view_create(
        actor=kdb, name="위원회", page="table", querystring="stage=committee"
    )
    arguments = {
        "pipeline:agenda_add": {"pk": meeting.pk},
        "pipeline:agenda_move": {"pk": meeting.pk},
        "pipeline:agenda_print": {"pk": meeting.pk},
        "pipeline:agenda_remove": {"pk": meeting.pk},
        "pipeline:agenda_xlsx": {"pk": meeting.pk},
        "pipeline:comment": {"pk": proposal.pk},
        "pipeline:meeting_detail": {"pk": meeting.pk},
        "pipeline:saved_view_delete": {"pk": view.pk},
    }
    return users, arguments


def fingerprint() -> tuple:
    return (
        AuditLog.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("pk", "status", "stage", "version")),
        list(FundReview.objects.order_by("pk").values_list("pk", "stage", "reviewer")),
        list(CommitteeMeeting.objects.order_by("pk").values_list("pk", "body", "meets_at")),
        list(AgendaItem.objects.order_by("pk").values_list("pk", "review", "position")),
        list(ReviewComment.objects.order_by("pk").values_list("pk", "body")),
        list(SavedView.objects.order_by("pk").values_list("pk", "name", "querystring")),
    )


def _signed_in(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def _answer(client: Client, method: str, url: str) -> str:
    """One request, rolled back afterwards; its cell, starred if it changed anything."""
    with transaction.atomic():
        before = fingerprint()
        response = getattr(client, method)(url)
        changed = fingerprint() != before
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next="):
        value = "login"
    else:
        value = str(response.status_code)
    return value + ("*" if changed else "")


def test_the_tables_name_every_pipeline_url_the_portal_matrix_does_not():
    from tests import test_access_matrix as matrix

    pipeline_names = {name for name in matrix.page_names() if name.startswith("pipeline:")}

    assert sorted(pipeline_names - set(matrix.GET_EXPECTED) - set(GET_EXPECTED)) == []
    assert sorted(set(GET_EXPECTED) - pipeline_names) == []
    assert set(POST_EXPECTED) == set(GET_EXPECTED)


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_role_gets_exactly_what_the_table_allows(world, method):
    users, arguments = world
    expected = GET_EXPECTED if method == "get" else POST_EXPECTED
    # One client per role, reused: a new client loads the whole middleware stack each time.
    clients = {role: _signed_in(users[role]) for role in ROLES}

    actual = {
        name: tuple(
            _answer(clients[role], method, reverse(name, kwargs=arguments.get(name, {})))
            for role in ROLES
        )
        for name in expected
    }

    assert {name: row for name, row in actual.items() if row != expected[name]} == {}
