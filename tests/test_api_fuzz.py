"""Property-based fuzzing of every operation in the OpenAPI schema (schemathesis), as every
role and anonymously: no answer is a 5xx, and every answer (status, content type, headers,
body) is one the schema describes.

Valid requests (positive mode) go to the world's real objects (tests/api_world.py), so the
answers checked are real ones, not only the 404 of an id nobody has; invalid requests
(negative mode) keep schemathesis' own path parameters. A call that revokes the role's token
(`DELETE /auth/token/`) is undone before the next, and each role must get a 2xx from exactly
the reads it may make, so a run that never got past 401 or 404 cannot pass."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.api_helpers import _fresh_throttles  # noqa: F401  (a fixture)
from tests.api_world import (
    CHECKS,
    OPERATION_COUNT,
    _keep_the_test_connection,  # noqa: F401  (a fixture)
    build_world,
    keep_token,
    load_schema,
    parameters_for,
    token_of,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 6
EXAMPLES = {"count": 0}
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)

PUBLIC_READS = {
    "GET /api/v1/channels/",
    "GET /api/v1/channels/{code}/",
    "GET /api/v1/events/",
    "GET /api/v1/events/{id}/",
    "GET /api/v1/faq/",
    "GET /api/v1/notices/",
    "GET /api/v1/notices/{id}/",
    "GET /api/v1/stats/demand/",
}
# Every signed-in caller reads who they are, the institutions' offers and their own interests.
SIGNED_IN_READS = PUBLIC_READS | {
    "GET /api/v1/firms/",
    "GET /api/v1/proposals/",
    "GET /api/v1/me/",
    "GET /api/v1/institutions/",
    "GET /api/v1/institutions/{id}/",
    "GET /api/v1/interests/",
}
PROPOSAL_READS = {
    "GET /api/v1/firms/{id}/",
    "GET /api/v1/proposals/{id}/",
    "GET /api/v1/proposals/{id}/documents/",
    "GET /api/v1/proposals/{id}/matches/",
}
STAFF_READS = {
    "GET /api/v1/coordination/packets/",
    "GET /api/v1/coordination/packets/{id}/",
    "GET /api/v1/rulesets/",
    "GET /api/v1/rulesets/{id}/",
    "GET /api/v1/rulesets/{id}/preview/",
    "GET /api/v1/routing/",
    "GET /api/v1/routing-policies/",
    "GET /api/v1/routing-policies/{id}/",
    "GET /api/v1/routing-policies/{id}/preview/",
}
PLAN_READS = {"GET /api/v1/infra-plans/", "GET /api/v1/infra-plans/{id}/"}
# The GET operations that must answer 2xx to each role at least once (exactly these).
READS = {
    "anonymous": PUBLIC_READS,
    "applicant": SIGNED_IN_READS
    | PROPOSAL_READS
    | {"GET /api/v1/proposals/{id}/documents/{document_id}/", "GET /api/v1/interests/{id}/"}
    | PLAN_READS,
    "keit": SIGNED_IN_READS
    | PROPOSAL_READS
    | STAFF_READS
    | PLAN_READS
    | {"GET /api/v1/pipeline/summary/", "GET /api/v1/interests/summary/"},
    # KDB sees no firm registry, and its rescore once it has activated the draft rule set.
    "kdb": SIGNED_IN_READS
    | (PROPOSAL_READS - {"GET /api/v1/firms/{id}/"})
    | STAFF_READS
    | PLAN_READS
    | {
        "GET /api/v1/pipeline/",
        "GET /api/v1/pipeline/summary/",
        "GET /api/v1/interests/summary/",
        "GET /api/v1/rulesets/{id}/rescore/",
    },
}


@pytest.fixture(scope="session")
def schema():
    return load_schema()


@pytest.fixture
def world(request):
    return build_world(request)


def _strategy(operation, mode, world):
    if mode == GenerationMode.NEGATIVE:
        return operation.as_strategy(generation_mode=mode)
    return st.one_of(
        [
            operation.as_strategy(generation_mode=mode, path_parameters=parameters)
            for parameters in parameters_for(world, operation)
        ]
    )


def _examples(strategy, call) -> None:
    """Run `call` on MAX_EXAMPLES cases drawn from `strategy` (the same cases every run)."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        EXAMPLES["count"] += 1
        call(case)

    run()


def _fuzz(schema, world, role: str) -> tuple[list[str], set[str]]:
    """Failures of every operation in both modes, and the GET operations that answered 2xx."""
    user = world["users"].get(role)
    key = token_of(user) if user else None
    headers = {"Authorization": f"Token {key}"} if key else {}
    failures, reached = [], set()

    def call(case):
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        finally:
            if user:
                keep_token(user, key)
        if case.method == "GET" and 200 <= response.status_code < 300:
            reached.add(case.operation.label)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == OPERATION_COUNT
    for operation, mode in itertools.product(operations, MODES):
        try:
            _examples(_strategy(operation, mode, world), call)
        except Unsatisfiable:
            # An operation without inputs has nothing to make invalid in negative mode.
            assert mode == GenerationMode.NEGATIVE
        except (Exception, BaseExceptionGroup) as exc:  # every failing operation, not the first
            failures.append(f"{mode.value} {operation.label}: {exc}"[:3000])
    print(f"schemathesis examples so far: {EXAMPLES['count']}")
    return failures, reached


@pytest.mark.parametrize("role", ["anonymous", "applicant", "keit", "kdb"])
def test_every_operation_answers_within_its_schema(schema, world, role):
    failures, reached = _fuzz(schema, world, role)
    assert failures == [], "\n\n".join(failures)
    assert reached == READS[role]
