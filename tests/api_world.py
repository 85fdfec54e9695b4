"""A world for checking the API's answers against its OpenAPI schema: one object behind every
path parameter, including the edge data a schema most easily gets wrong (a firm without a
website, a draft with nothing filled in, a pending rule-set preview, a delivered packet).

Shared by tests/test_api_fuzz.py (schemathesis' generated requests) and
tests/test_api_answers.py (every list, detail and error answer of every role)."""

import contextlib

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alliance.documents.services import document_upload
from alliance.proposals import services as proposal_services
from fund.ministry import services as ministry_services
from fund.routing import services as routing_services
from fund.site.models import Event, Faq, Notice
from matching import services as matching_services
from matching.models import RuleSet, RuleSetStatus
from portal.core.vocabulary import FirmStatus
from tests.factories import FirmFactory
from tests.files import make_pdf
from tests.ministry_support import ministry_user
from tests.pipeline_support import in_review, referral_of, submitted_proposal

# schemathesis' own checks: no 5xx, and status, content type, headers and body as documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ("anonymous", "applicant", "keit", "kdb", "editor")
# Every method of every path in the schema; a new endpoint must be counted here on purpose,
# with its objects in `build_world` and its answers in tests/test_api_answers.py.
OPERATION_COUNT = 73
UNLIMITED = {
    "anon": "100000/minute",
    "user": "100000/minute",
    "token": "100000/minute",
    "self_check": "100000/minute",
}


@contextlib.contextmanager
def connection_kept():
    """A raw WSGI call closes "old" connections when a request starts and ends; the test's
    connection holds its transaction, so it is kept open exactly as Django's test client
    does (and, between tests, left alone)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    with connection_kept():
        yield


def load_schema():
    """The schema as the app serves it, with the app itself as schemathesis' transport (it
    does not depend on the data: a session-scoped fixture loads it once)."""
    with connection_kept():
        return schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


def token_of(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def keep_token(user, key: str) -> None:
    """Give `user` back the token `key` when a call revoked it (`DELETE /auth/token/`): the
    calls after it must still be the role's, not an anonymous caller's 401s."""
    if not Token.objects.filter(key=key).exists():
        Token.objects.filter(user=user).delete()
        Token.objects.create(user=user, key=key)


def build_world(request):
    """Every role, and the objects behind every path parameter of the schema (for a test's
    `world` fixture, from the suite's fixtures).

    `objects` maps the first segment after /api/v1/ to its objects by name, each as its path
    parameters. The firm fixture has no website; the `listed` firm has one and waits for
    verification; the `empty` draft has nothing but a title."""
    firm, applicant, keit, kdb, editor, draft, settings = (
        request.getfixturevalue(name)
        for name in ("firm", "applicant", "keit", "kdb", "editor", "draft", "settings")
    )
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": UNLIMITED}
    listed = FirmFactory(name="웹기업", website="https://www.example.kr", status=FirmStatus.PENDING)
    empty = proposal_services.proposal_create(actor=applicant, data={"title": "빈 초안"})
    submitted = submitted_proposal(firm=firm, created_by=applicant)
    referred = in_review(submitted_proposal(firm=firm, created_by=applicant), keit=keit)
    packet = referral_of(referred)
    document = document_upload(
        proposal_id=draft.pk, actor=applicant, upload=make_pdf(), kind="business_plan"
    )
    active = RuleSet.objects.get(status=RuleSetStatus.ACTIVE)
    rules_draft = matching_services.rule_set_create_draft(actor=kdb, based_on_id=active.pk)
    matching_services.preview_start(rule_set_id=rules_draft.pk, actor=kdb)
    # The routing policy: an active version (routing paused, so nothing moves) and a draft.
    routing_active = routing_services.policy_create_draft(actor=keit)
    routing_services.routing_pause(actor=keit)
    routing_services.policy_activate(policy_id=routing_active.pk, actor=keit, confirm=True)
    routing_draft = routing_services.policy_create_draft(actor=keit)
    now = timezone.now()
    notice = Notice.objects.create(title="공지", body="본문", published=True, published_at=now)
    Faq.objects.create(category="other", question="질문", answer="답", published=True)
    event = Event.objects.create(
        kind="seminar",
        title="설명회",
        description="설명",
        starts_at=now + timezone.timedelta(days=10),
        ends_at=now + timezone.timedelta(days=10, hours=2),
        place="서울",
        capacity=10,
        registration_opens_at=now - timezone.timedelta(days=1),
        registration_closes_at=now + timezone.timedelta(days=9),
        published=True,
    )
    # Issue 17: 우리은행 with an offer and a user; the submitted proposal opened to institutions,
    # fitted, and the bank's interest in it.
    from fund.institutions import services as institutions
    from tests.institution_support import institution_with_offer

    bank, bank_user = institution_with_offer("우리은행", "bank", "bank")
    institutions.share_open(proposal_id=submitted.pk, actor=applicant, consent=True)
    institutions.refresh_fits(proposal_ids=[submitted.pk])
    interest = institutions.interest_express(
        actor=bank_user, proposal_id=submitted.pk, message="관심"
    )
    proposals = {"draft": draft, "empty": empty, "submitted": submitted, "referred": referred}
    motie = ministry_user("motie")
    plan = ministry_services.plan_create(
        actor=motie, data={"title": "공동 데이터", "kind": "data", "description": "설명"}
    )
    return {
        "users": {
            "applicant": applicant,
            "keit": keit,
            "kdb": kdb,
            "editor": editor,
            "ministry": motie,
            "institution": bank_user,
        },
        "objects": {
            "channels": {"loan": {"code": "loan"}},
            "coordination": {"referral": {"id": str(packet.pk)}},
            "events": {"event": {"id": event.pk}},
            "firms": {"firm": {"id": firm.pk}, "listed": {"id": listed.pk}},
            "notices": {"notice": {"id": notice.pk}},
            "institutions": {"bank": {"id": bank.pk}},
            "dealflow": {"opened": {"id": submitted.pk}},
            "interests": {"interest": {"id": interest.pk}},
            "proposals": {
                name: {"id": proposal.pk, "document_id": document.pk}
                for name, proposal in proposals.items()
            },
            "rulesets": {"active": {"id": active.pk}, "draft": {"id": rules_draft.pk}},
            "infra-plans": {"plan": {"id": plan.pk}},
            "routing-policies": {
                "active": {"id": routing_active.pk},
                "draft": {"id": routing_draft.pk},
            },
        },
    }


def resource(path: str) -> str:
    """`/api/v1/proposals/{id}/submit/` → `proposals`."""
    return path.removeprefix("/api/v1/").split("/")[0]


def named_parameters_for(world, operation) -> dict[str, dict]:
    """The world's objects for `operation` by name, each as the path parameters the path has;
    `{"": {}}` for a path without parameters."""
    names = [parameter.name for parameter in operation.path_parameters]
    if not names:
        return {"": {}}
    objects = world["objects"].get(resource(operation.path))
    assert objects, f"{operation.label}: give `build_world` the objects of its path"
    return {name: {key: ids[key] for key in names} for name, ids in objects.items()}


def parameters_for(world, operation) -> list[dict]:
    return list(named_parameters_for(world, operation).values())
