"""Real answers of the API against its OpenAPI schema, checked with schemathesis' own checks
(tests/world.CHECKS: status, content type, headers and body as documented).

Nothing here is generated, unlike tests/test_api_fuzz.py: every call is chosen, so each kind
of answer is certainly produced and checked — every read of every role over a world with the
edge data, a throttled call of every operation, the sign-in lockout, and the errors 401, 404,
405, 406 and 415 of every operation that can give them."""

import uuid

import jsonschema
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from alliance.models import AuditLog, Firm, Proposal, ProposalDocument
from fund.site.models import Registration
from matching.models import RuleSet
from tests.api_helpers import _fresh_throttles  # noqa: F401  (a fixture)
from tests.api_world import (
    CHECKS,
    OPERATION_COUNT,
    ROLES,
    _keep_the_test_connection,  # noqa: F401  (a fixture)
    build_world,
    load_schema,
    named_parameters_for,
    token_of,
)
from tests.files import PDF_TYPE

pytestmark = pytest.mark.django_db

API = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="session")
def schema():
    return load_schema()


@pytest.fixture
def world(request):
    return build_world(request)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _documented(schema, operation) -> set[str]:
    """The status codes the schema documents for `operation`."""
    return set(schema.raw_schema["paths"][operation.path][operation.method]["responses"])


def _headers(world, role: str) -> dict:
    user = world["users"].get(role)
    return {"Authorization": f"Token {token_of(user)}"} if user else {}


def _call(operation, parameters, headers, *, environ=None, **case):
    """One call of `operation`, checked against the schema by schemathesis; the response."""
    case = operation.Case(path_parameters=parameters, **case)
    response = case.call(headers=headers, environ_overrides=environ or {})
    case.validate_response(response, checks=CHECKS)
    return response


def _header(response, name: str) -> list[str] | None:
    """A header of a schemathesis response (its keys are lowercase, its values lists)."""
    return response.headers.get(name.lower())


def _first(world, operation) -> dict:
    return next(iter(named_parameters_for(world, operation).values()))


def _state():
    """What a refused call must leave as it was."""
    return (
        AuditLog.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("pk", "status", "version", "title")),
        list(RuleSet.objects.order_by("pk").values_list("pk", "status", "name", "rules")),
        Firm.objects.count(),
        ProposalDocument.objects.count(),
        Registration.objects.count(),
    )


# ---------------------------------------------------------------------------------------------
# Reads: every GET of every role, on every object of the world

PUBLIC = {
    "/api/v1/channels/",
    "/api/v1/channels/{code}/ loan",
    "/api/v1/events/",
    "/api/v1/events/{id}/ event",
    "/api/v1/faq/",
    "/api/v1/notices/",
    "/api/v1/notices/{id}/ notice",
    "/api/v1/stats/demand/",
}
PLANS = {"/api/v1/infra-plans/", "/api/v1/infra-plans/{id}/ plan"}
# Every signed-in user reads the institutions' offers and their own interests (none for staff).
SIGNED_IN = PUBLIC | {
    "/api/v1/me/",
    "/api/v1/firms/",
    "/api/v1/proposals/",
    "/api/v1/institutions/",
    "/api/v1/institutions/{id}/ bank",
    "/api/v1/interests/",
}
# Only institutions read a deal flow; KEIT and KDB read the interests counted per state.
INSTITUTIONS_ONLY = {"/api/v1/dealflow/"}
INTEREST_SUMMARY = {"/api/v1/interests/summary/"}
STAFF_ONLY = {
    "/api/v1/coordination/packets/",
    "/api/v1/rulesets/",
    "/api/v1/routing/",
    "/api/v1/routing-policies/",
}
STAFF = STAFF_ONLY | {
    "/api/v1/coordination/packets/{id}/ referral",
    "/api/v1/rulesets/{id}/ active",
    "/api/v1/rulesets/{id}/ draft",
    "/api/v1/rulesets/{id}/preview/ draft",
    "/api/v1/routing-policies/{id}/ active",
    "/api/v1/routing-policies/{id}/ draft",
    "/api/v1/routing-policies/{id}/preview/ active",
    "/api/v1/routing-policies/{id}/preview/ draft",
}


def _proposal_reads(*names: str) -> set[str]:
    return {
        f"/api/v1/proposals/{{id}}/{sub}{name}"
        for sub in ("", "documents/", "matches/")
        for name in names
    }


# Per role: the reads that answer 200, and those that answer 403 (a collection the role may
# not read); every other read answers 404 (401 for an anonymous caller).
READS = {
    "anonymous": (PUBLIC, set()),
    "applicant": (
        SIGNED_IN
        | {"/api/v1/firms/{id}/ firm", "/api/v1/proposals/{id}/documents/{document_id}/ draft"}
        | _proposal_reads(" draft", " empty", " submitted", " referred")
        | PLANS
        | {"/api/v1/interests/{id}/ interest"},
        STAFF_ONLY
        | {"/api/v1/pipeline/", "/api/v1/pipeline/summary/"}
        | INSTITUTIONS_ONLY
        | INTEREST_SUMMARY,
    ),
    "keit": (
        SIGNED_IN
        | STAFF
        | {"/api/v1/firms/{id}/ firm", "/api/v1/firms/{id}/ listed"}
        | _proposal_reads(" submitted", " referred")
        | PLANS
        | {"/api/v1/pipeline/summary/"}
        | INTEREST_SUMMARY,
        {"/api/v1/pipeline/"} | INSTITUTIONS_ONLY,
    ),
    "kdb": (
        SIGNED_IN
        | STAFF
        | PLANS
        | {"/api/v1/pipeline/", "/api/v1/pipeline/summary/"}
        | _proposal_reads(" referred")
        | INTEREST_SUMMARY,
        INSTITUTIONS_ONLY,
    ),
    "editor": (
        SIGNED_IN,
        STAFF_ONLY
        | {"/api/v1/pipeline/", "/api/v1/pipeline/summary/", "/api/v1/infra-plans/"}
        | INSTITUTIONS_ONLY
        | INTEREST_SUMMARY,
    ),
}


@pytest.mark.parametrize("role", ROLES)
def test_every_read_of_every_role_answers_as_documented(schema, world, role):
    headers = _headers(world, role)
    answered = {}
    for operation in _operations(schema):
        if operation.method != "get":
            continue
        for name, parameters in named_parameters_for(world, operation).items():
            response = _call(operation, parameters, headers)
            answered[f"{operation.path} {name}".strip()] = response.status_code

    ok, forbidden = READS[role]
    hidden = 401 if role == "anonymous" else 404
    expected = {
        read: 200 if read in ok else 403 if read in forbidden else hidden for read in answered
    }
    assert answered == expected


def test_a_firm_without_a_website_answers_null_and_one_with_it_its_url(world, firm):
    client = APIClient(headers=_headers(world, "keit"))
    rows = client.get(f"{API}/firms/").json()["results"]
    assert [(row["name"], row["website"]) for row in rows] == [
        ("웹기업", "https://www.example.kr"),
        (firm.name, None),
    ]
    assert client.get(f"{API}/firms/{firm.pk}/").json()["website"] is None


def test_the_packet_list_answers_one_page_object(world):
    client = APIClient(headers=_headers(world, "kdb"))
    body = client.get(f"{API}/coordination/packets/").json()
    # The referral, and the status packet back to KEIT that says the fund received it.
    assert (set(body), body["next"], body["next_after"]) == (
        {"next", "next_after", "results"},
        None,
        None,
    )
    assert [row["kind"] for row in body["results"]] == ["referral", "received"]
    assert body["results"][0]["id"] == world["objects"]["coordination"]["referral"]["id"]


def test_a_draft_without_sub_alliance_and_industry_answers_null_for_both(world):
    client = APIClient(headers=_headers(world, "applicant"))
    empty = world["objects"]["proposals"]["empty"]["id"]
    body = client.get(f"{API}/proposals/{empty}/").json()
    assert (body["title"], body["sub_alliance"], body["industry"]) == ("빈 초안", None, None)


# ---------------------------------------------------------------------------------------------
# 429: throttled, and locked out

PUBLIC_OPERATIONS = {
    "POST /api/v1/auth/token/",
    "GET /api/v1/channels/",
    "GET /api/v1/channels/{code}/",
    "GET /api/v1/events/",
    "GET /api/v1/events/{id}/",
    "POST /api/v1/events/{id}/register/",
    "GET /api/v1/faq/",
    "POST /api/v1/firms/",
    "GET /api/v1/notices/",
    "GET /api/v1/notices/{id}/",
    "GET /api/v1/stats/demand/",
    "POST /api/v1/self-check/",
}


@pytest.mark.parametrize("role", ROLES)
def test_a_throttled_call_of_every_operation_answers_as_documented(schema, world, role, settings):
    # No request passes: every call that gets past authentication is throttled, and with no
    # call on record (loading the schema was one) each is told to wait the whole minute.
    rates = {"anon": "0/minute", "user": "0/minute", "token": "0/minute", "self_check": "0/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    headers = _headers(world, role)
    before = _state()

    answered = {}
    for operation in _operations(schema):
        # Documented as required, so schemathesis' header check fails an answer without it.
        documented = schema.raw_schema["paths"][operation.path][operation.method]["responses"]
        assert documented["429"]["headers"]["Retry-After"]["required"] is True
        response = _call(operation, _first(world, operation), headers)
        answered[operation.label] = (response.status_code, _header(response, "Retry-After"))

    throttled = (429, ["60"])
    expected = {
        label: throttled if role != "anonymous" or label in PUBLIC_OPERATIONS else (401, None)
        for label in answered
    }
    assert answered == expected
    assert _state() == before


def test_a_lowered_rate_still_tells_when_to_retry(schema, world, settings):
    # Three calls on record, then the rate drops to one a minute: DRF alone would give no wait.
    operation = schema["/api/v1/proposals/"]["GET"]
    headers = _headers(world, "keit")
    statuses = [_call(operation, {}, headers).status_code for _ in range(3)]
    rates = {"anon": "1/minute", "user": "1/minute", "token": "1/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    response = _call(operation, {}, headers)

    assert statuses == [200, 200, 200]
    assert (response.status_code, _header(response, "Retry-After")) == (429, ["60"])
    assert response.json()["code"] == "throttled"


def test_a_locked_out_sign_in_answers_as_documented(schema, world):
    operation = schema["/api/v1/auth/token/"]["POST"]
    wrong = {"username": "keit", "password": "wrong"}

    # The lockout counts by user name and address; the WSGI transport sends no address.
    client = {"REMOTE_ADDR": "10.0.9.1"}
    responses = [
        _call(operation, {}, {}, environ=client, body=wrong, media_type="application/json")
        for _ in range(5)
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400, 429]
    locked = responses[-1]
    assert (locked.json()["code"], _header(locked, "Retry-After")) == ("locked_out", ["900"])


# ---------------------------------------------------------------------------------------------
# Errors of every operation: 401, 404, 405, 406, 415


def test_a_bad_token_is_401_on_every_operation(schema, world):
    headers = {"Authorization": "Token not-a-token"}
    before = _state()
    answered = {}
    for operation in _operations(schema):
        response = _call(operation, _first(world, operation), headers)
        answered[operation.label] = (response.status_code, response.json()["code"])

    assert answered == dict.fromkeys(answered, (401, "authentication_failed"))
    assert len(answered) == OPERATION_COUNT
    assert _state() == before


MISSING = {
    "id": 2_000_000_000,
    "document_id": 2_000_000_000,
    "code": "none",
}


def test_an_object_that_does_not_exist_is_404_on_every_operation_that_names_one(schema, world):
    headers = _headers(world, "keit")
    before = _state()
    answered = {}
    for operation in _operations(schema):
        names = [parameter.name for parameter in operation.path_parameters]
        if not names:
            continue
        parameters = {name: MISSING[name] for name in names}
        if operation.path.startswith("/api/v1/coordination/"):
            parameters = {"id": str(uuid.uuid4())}
        answered[operation.label] = _call(operation, parameters, headers).status_code

    assert answered == dict.fromkeys(answered, 404)
    assert _state() == before


def test_a_method_a_path_does_not_take_is_405_with_the_error_shape(schema, world):
    error = {
        **schema.raw_schema["components"]["schemas"]["Error"],
        "additionalProperties": False,
    }
    client = APIClient(headers=_headers(world, "keit"))
    before = _state()
    answered = {}
    for path, operations in schema.raw_schema["paths"].items():
        documented = {method.upper() for method in operations}
        url = path.format(**_first(world, schema[path][min(documented)]))
        for method in set(METHODS) - set(operations):
            response = getattr(client, method)(url)
            jsonschema.validate(response.json(), error)
            allowed = set(response["Allow"].split(", ")) - {"HEAD", "OPTIONS"}
            answered[f"{method.upper()} {path}"] = (
                response.status_code,
                response.json()["code"],
                allowed == documented,
            )

    assert answered == dict.fromkeys(answered, (405, "method_not_allowed", True))
    assert len(answered) == len(METHODS) * len(schema.raw_schema["paths"]) - OPERATION_COUNT
    assert _state() == before


def test_an_accept_header_without_json_is_406_where_documented(schema, world):
    headers = {"Accept": "application/xml"}
    answered = {}
    for operation in _operations(schema):
        if "406" in _documented(schema, operation):
            response = _call(operation, _first(world, operation), headers)
            answered[operation.label] = (response.status_code, response.json()["code"])

    # All but the document download and removal, which serve whatever Accept asks for.
    assert answered == dict.fromkeys(answered, (406, "not_acceptable"))
    assert {operation.label for operation in _operations(schema)} - set(answered) == {
        "GET /api/v1/proposals/{id}/documents/{document_id}/",
        "DELETE /api/v1/proposals/{id}/documents/{document_id}/",
    }


@pytest.mark.parametrize("accept", [PDF_TYPE, "application/xml", "*/*"])
def test_a_document_is_downloaded_whatever_the_accept_header_asks_for(schema, world, accept):
    operation = schema["/api/v1/proposals/{id}/documents/{document_id}/"]["GET"]
    parameters = named_parameters_for(world, operation)["draft"]
    headers = {**_headers(world, "applicant"), "Accept": accept}

    response = _call(operation, parameters, headers)

    assert (response.status_code, _header(response, "Content-Type")) == (200, [PDF_TYPE])


# The operations that read a body, each with the role and object that get as far as reading it.
BODY_CALLS = {
    "POST /api/v1/auth/token/": ("anonymous", ""),
    "POST /api/v1/events/{id}/register/": ("anonymous", "event"),
    "POST /api/v1/firms/": ("anonymous", ""),
    "POST /api/v1/proposals/": ("applicant", ""),
    "PATCH /api/v1/proposals/{id}/": ("applicant", "draft"),
    "POST /api/v1/proposals/{id}/advance/": ("kdb", "referred"),
    "POST /api/v1/proposals/{id}/decide/": ("kdb", "referred"),
    "POST /api/v1/proposals/{id}/documents/": ("applicant", "draft"),
    "POST /api/v1/proposals/{id}/refer/": ("keit", "submitted"),
    "POST /api/v1/proposals/{id}/request-info/": ("keit", "submitted"),
    "POST /api/v1/proposals/{id}/submit/": ("applicant", "draft"),
    "POST /api/v1/proposals/{id}/withdraw/": ("applicant", "submitted"),
    "POST /api/v1/rulesets/": ("kdb", ""),
    "PUT /api/v1/rulesets/{id}/": ("kdb", "draft"),
    "POST /api/v1/routing-policies/": ("keit", ""),
    "PUT /api/v1/routing-policies/{id}/": ("keit", "draft"),
    "POST /api/v1/routing-policies/{id}/activate/": ("keit", "draft"),
    "POST /api/v1/self-check/": ("anonymous", ""),
    "POST /api/v1/infra-plans/": ("keit", ""),
    "POST /api/v1/proposals/{id}/recommend/": ("ministry", "submitted"),
    "PATCH /api/v1/institutions/{id}/": ("applicant", "bank"),
    "POST /api/v1/interests/": ("institution", ""),
    "POST /api/v1/interests/{id}/accept/": ("applicant", "interest"),
    "POST /api/v1/interests/{id}/decline/": ("applicant", "interest"),
    "POST /api/v1/proposals/{id}/share/": ("applicant", "submitted"),
}


def test_a_body_in_a_media_type_the_operation_does_not_read_is_415_and_changes_nothing(
    schema, world
):
    before = _state()
    answered = {}
    for operation in _operations(schema):
        if "415" not in _documented(schema, operation):
            continue
        role, name = BODY_CALLS[operation.label]
        parameters = named_parameters_for(world, operation)[name]
        response = _call(
            operation,
            parameters,
            _headers(world, role),
            body="title=x",
            media_type="text/plain",
        )
        answered[operation.label] = (response.status_code, response.json()["code"])

    assert answered == dict.fromkeys(BODY_CALLS, (415, "unsupported_media_type"))
    assert _state() == before
