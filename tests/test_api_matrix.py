"""Role × endpoint × object: another organisation's object answers 404 and nothing changes;
and the query count of every list endpoint does not grow with the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import AuditLog, Proposal, ProposalDocument
from fund.coordination.models import CoordinationPacket
from fund.ministry import services as ministry_services
from fund.routing import services as routing_services
from fund.site.models import Event, Faq, Notice
from matching.models import RuleSet
from portal.core.vocabulary import ProposalStatus
from tests.api_helpers import (
    API,
    _fresh_throttles,  # noqa: F401  (a fixture)
    client_for,
)
from tests.factories import FirmFactory, ProposalFactory
from tests.files import make_pdf
from tests.pipeline_support import in_review, submitted_proposal

pytestmark = pytest.mark.django_db

# (method, path template); {p} is another firm's draft, {d} its document, {f} its firm.
PROPOSAL_ENDPOINTS = [
    ("get", "/proposals/{p}/"),
    ("patch", "/proposals/{p}/"),
    ("post", "/proposals/{p}/submit/"),
    ("post", "/proposals/{p}/withdraw/"),
    ("post", "/proposals/{p}/request-info/"),
    ("post", "/proposals/{p}/refer/"),
    ("post", "/proposals/{p}/advance/"),
    ("post", "/proposals/{p}/decide/"),
    ("get", "/proposals/{p}/matches/"),
    ("post", "/proposals/{p}/recommend/"),
    ("get", "/proposals/{p}/documents/"),
    ("post", "/proposals/{p}/documents/"),
    ("get", "/proposals/{p}/documents/{d}/"),
    ("delete", "/proposals/{p}/documents/{d}/"),
    ("get", "/firms/{f}/"),
    ("post", "/firms/{f}/verify/"),
]
BODIES = {
    "patch": {"version": 1, "title": "남의 제안"},
    "post": {
        "version": 1,
        "question": "?",
        "note": "x",
        "stage": "prescreen",
        "decision": "rejected",
    },
}


def _state():
    return (
        list(Proposal.objects.order_by("pk").values_list("pk", "status", "title", "version")),
        AuditLog.objects.count(),
        ProposalDocument.objects.count(),
        CoordinationPacket.objects.count(),
    )


@pytest.mark.parametrize("role", ["applicant", "kdb", "editor"])
@pytest.mark.parametrize(("method", "template"), PROPOSAL_ENDPOINTS)
def test_another_organisations_object_is_404_and_nothing_changes(
    request, role, method, template, other_draft, other_applicant
):
    from alliance.documents.services import document_upload

    document = document_upload(
        proposal_id=other_draft.pk, actor=other_applicant, upload=make_pdf(), kind="other"
    )
    path = template.format(p=other_draft.pk, d=document.pk, f=other_draft.firm_id)
    before = _state()
    client = client_for(request.getfixturevalue(role))
    response = getattr(client, method)(f"{API}{path}", BODIES.get(method, {}))
    assert response.status_code == 404
    assert response.json() == {"detail": "찾을 수 없습니다.", "code": "not_found"}
    assert _state() == before


@pytest.mark.parametrize("role", ["applicant", "editor"])
@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("get", "/coordination/packets/{k}/"),
        ("post", "/coordination/packets/{k}/ack/"),
        ("get", "/rulesets/{r}/"),
        ("post", "/rulesets/{r}/activate/"),
        ("get", "/routing-policies/{q}/"),
        ("put", "/routing-policies/{q}/"),
        ("get", "/routing-policies/{q}/preview/"),
        ("post", "/routing-policies/{q}/activate/"),
    ],
)
def test_staff_objects_are_404_for_everyone_else(request, role, method, template, keit):
    proposal = submitted_proposal()
    in_review(proposal, keit=keit)
    packet = CoordinationPacket.objects.order_by("sequence").first()
    rule_set = RuleSet.objects.first()
    policy = routing_services.policy_create_draft(actor=keit)
    before = _state()
    client = client_for(request.getfixturevalue(role))
    path = template.format(k=packet.pk, r=rule_set.pk, q=policy.pk)
    assert getattr(client, method)(f"{API}{path}").status_code == 404
    assert _state() == before


@pytest.mark.parametrize(
    "path",
    ["/coordination/packets/", "/pipeline/", "/rulesets/", "/routing/", "/routing-policies/"],
)
def test_a_role_without_the_capability_gets_403_on_the_collection(applicant, path):
    response = client_for(applicant).get(f"{API}{path}")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_stage_that_is_not_next_is_409(kdb, keit):
    proposal = submitted_proposal()
    in_review(proposal, keit=keit)
    response = client_for(kdb).post(f"{API}/proposals/{proposal.pk}/advance/", {"stage": "council"})
    assert response.status_code == 409
    proposal.refresh_from_db()
    assert proposal.stage == "received"


# ---------------------------------------------------------------------------------------------
# Query counts: one page costs the same whatever its size.


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def many(firm, applicant, keit, kdb, editor):
    """Six of everything a list endpoint shows."""
    from django.utils import timezone

    partners = [FirmFactory() for _ in range(2)]
    for _ in range(6):
        draft = ProposalFactory(firm=firm)
        draft.partners.add(*partners)
        in_review(submitted_proposal(firm=firm), keit=keit)
    now = timezone.now()
    for n in range(6):
        Notice.objects.create(title=f"공지 {n}", body="본문", published=True, published_at=now)
        Faq.objects.create(category="other", question=f"질문 {n}", answer="답", published=True)
        Event.objects.create(
            kind="seminar",
            title=f"설명회 {n}",
            description="설명",
            starts_at=now + timezone.timedelta(days=10),
            ends_at=now + timezone.timedelta(days=10, hours=2),
            place="서울",
            capacity=10,
            registration_opens_at=now - timezone.timedelta(days=1),
            registration_closes_at=now + timezone.timedelta(days=9),
            published=True,
        )
        routing_services.policy_create_draft(actor=keit)
        ministry_services.plan_create(
            actor=keit, data={"title": f"계획 {n}", "kind": "testbed", "description": "설명"}
        )
    return {"applicant": applicant, "keit": keit, "kdb": kdb, "editor": editor}


# (role, list path, queries for any page size). Token lookup and role groups included; the
# proposals' routing adds two (the routed ones and the hand referrals' packets).
LISTS = [
    ("applicant", "/proposals/", 6),
    ("keit", "/proposals/", 6),
    ("keit", "/firms/", 4),
    ("applicant", "/firms/", 4),
    ("kdb", "/coordination/packets/", 3),
    ("kdb", "/pipeline/", 4),
    ("kdb", "/rulesets/", 3),
    ("kdb", "/routing-policies/", 3),
    ("applicant", "/infra-plans/", 3),
    ("editor", "/notices/", 2),
    ("editor", "/channels/", 2),
]


@pytest.mark.parametrize(("role", "path", "expected"), LISTS)
def test_list_query_counts_do_not_grow_with_the_page_size(many, role, path, expected):
    client = client_for(many[role])
    small = _queries(client, f"{API}{path}?page_size=1")
    large = _queries(client, f"{API}{path}?page_size=6")
    assert (small, large) == (expected, expected)


@pytest.mark.parametrize(
    ("path", "expected"), [("/events/", 1), ("/faq/", 1), ("/stats/demand/", 3)]
)
def test_public_lists_are_a_fixed_number_of_queries(many, path, expected):
    assert _queries(client_for(), f"{API}{path}") == expected


def test_proposal_sub_resources_are_a_fixed_number_of_queries(many, firm):
    proposal = Proposal.objects.filter(firm=firm, status=ProposalStatus.IN_REVIEW).first()
    client = client_for(many["applicant"])
    assert _queries(client, f"{API}/proposals/{proposal.pk}/matches/") == 5
    assert _queries(client, f"{API}/proposals/{proposal.pk}/documents/") == 5
