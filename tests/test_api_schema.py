"""The OpenAPI schema: generated without warnings, valid, served with local docs."""

import pytest
from django.core.management import call_command

from tests.api_helpers import (
    API,
    _fresh_throttles,  # noqa: F401  (a fixture)
    client_for,
)


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    # --fail-on-warn turns any warning into an error; --validate checks it against OpenAPI 3.
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3.0.3")


@pytest.mark.django_db
def test_the_schema_lists_every_contract_path():
    paths = client_for().get(f"{API}/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/firms/",
        "/api/v1/proposals/{id}/submit/",
        "/api/v1/proposals/{id}/withdraw/",
        "/api/v1/proposals/{id}/refer/",
        "/api/v1/proposals/{id}/advance/",
        "/api/v1/proposals/{id}/decide/",
        "/api/v1/proposals/{id}/request-info/",
        "/api/v1/proposals/{id}/matches/",
        "/api/v1/proposals/{id}/documents/",
        "/api/v1/channels/",
        "/api/v1/rulesets/",
        "/api/v1/coordination/packets/",
        "/api/v1/coordination/packets/{id}/ack/",
        "/api/v1/pipeline/",
        "/api/v1/stats/demand/",
        "/api/v1/events/{id}/register/",
        "/api/v1/notices/",
        "/api/v1/faq/",
    ):
        assert path in paths


@pytest.mark.django_db
def test_the_docs_are_served_from_local_static_files():
    response = client_for().get(f"{API}/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html
