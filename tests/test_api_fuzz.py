"""Property-based fuzzing of every operation in the OpenAPI schema (schemathesis), as an
applicant and as staff: no answer is a 5xx, and every answer (status, content type, body)
is one the schema describes."""

import itertools

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fund.coordination import services as coordination
from matching import services as matching_services
from portal.core.vocabulary import ProposalStatus
from tests.api_helpers import (
    _fresh_throttles,  # noqa: F401  (a fixture)
    client_for,
)
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {"count": 0}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# Every method of every path in the schema; a new endpoint must be counted here on purpose.
OPERATION_COUNT = 43


@pytest.fixture
def world(firm, applicant, keit, kdb, draft, settings):
    """Objects for every resource: a draft, a scored submission, one under review, a packet."""
    rates = {"anon": "100000/minute", "user": "100000/minute", "token": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    submitted = ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED)
    matching_services.score_proposal(proposal_id=submitted.pk)
    referred = ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED)
    matching_services.score_proposal(proposal_id=referred.pk)
    packet = coordination.proposal_refer(proposal_id=referred.pk, actor=keit, note="추천")
    coordination.packet_deliver(packet_id=packet.pk)
    return {"applicant": applicant, "keit": keit, "kdb": kdb}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """A raw WSGI call closes "old" connections when a request ends; the test's connection
    holds its transaction, so it is kept open exactly as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token(user) -> str:
    client = client_for(user)
    return client._credentials["HTTP_AUTHORIZATION"]


def _fuzz(headers: dict) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == OPERATION_COUNT
    for operation, mode in itertools.product(operations, MODES):

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            EXAMPLES["count"] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            # An operation without inputs has nothing to make invalid in negative mode.
            assert mode == GenerationMode.NEGATIVE
        except (Exception, BaseExceptionGroup) as exc:  # every failing operation, not the first
            failures.append(
                f"{mode.value} {operation.method.upper()} {operation.path}: {exc}"[:3000]
            )
    print(f"schemathesis examples so far: {EXAMPLES['count']}")
    return failures


@pytest.mark.parametrize("role", ["applicant", "kdb", "keit"])
def test_every_operation_answers_within_its_schema(world, role):
    failures = _fuzz({"Authorization": _token(world[role])})
    assert failures == [], "\n\n".join(failures)


def test_every_operation_answers_anonymous_callers_within_its_schema(world):
    failures = _fuzz({})
    assert failures == [], "\n\n".join(failures)
