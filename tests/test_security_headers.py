"""Deployment checks, security headers and a Content-Security-Policy that pages can live with."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "templates"


def production_env() -> dict[str, str]:
    """What an operator must set for production, and nothing from the test run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="portal.example.kr",
        # Never connected to: neither the checks nor the sign-in page query the database.
        DATABASE_URL="postgres://portal:unused@127.0.0.1:1/portal",
    )
    return env


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


PRODUCTION_REQUEST = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# collectstatic has not run here: name static files plainly instead of through the manifest.
override_settings(STORAGES={
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client(HTTP_HOST="portal.example.kr")
secure = client.get("/accounts/login/", secure=True)
plain = client.get("/accounts/login/")
csrf = secure.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "plain": [plain.status_code, plain.get("Location")],
    "csrf_cookie": {"secure": bool(csrf["secure"]), "samesite": csrf["samesite"]},
    "session_cookie": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                       settings.SESSION_COOKIE_SAMESITE],
}))
"""


def test_production_sends_every_security_header_and_secure_cookies():
    result = run_python(PRODUCTION_REQUEST)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]

    assert answer["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert script_src(headers["Content-Security-Policy"]) == ["'self'"]
    assert answer["plain"] == [301, "https://portal.example.kr/accounts/login/"]
    assert answer["csrf_cookie"] == {"secure": True, "samesite": "Lax"}
    assert answer["session_cookie"] == [True, True, "Lax"]


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def script_src(policy: str) -> list[str]:
    return directives(policy)["script-src"]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "login", "site:event_list", "signup"])
def test_pages_carry_a_policy_without_inline_script_or_style(client, url_name):
    response = client.get(reverse(url_name))

    policy = directives(response["Content-Security-Policy"])
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_api_answers_carry_the_policy_too(client):
    response = client.get("/api/v1/channels/")

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_api_docs_page_has_no_inline_script_for_the_policy_to_block(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert INLINE_SCRIPT.findall(response.content.decode()) == []


# ---------------------------------------------------------------------------------------------
# The templates: what the policy would block in a browser


def _template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _offences(pattern: re.Pattern) -> list[str]:
    found = []
    for path in _template_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path.relative_to(BASE_DIR)}:{number}")
    return found


def test_the_templates_exist_to_be_read():
    assert len(_template_files()) > 50


@pytest.mark.parametrize(
    "pattern",
    [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT, JAVASCRIPT_URL],
    ids=["inline-script", "event-handler", "style-attribute", "style-element", "javascript-url"],
)
def test_no_template_holds_what_the_policy_blocks(pattern):
    assert _offences(pattern) == []


def test_the_audit_patterns_catch_what_they_are_for():
    # The patterns above would be useless if they matched nothing; each sees its own example.
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert not EVENT_HANDLER.search('<button data-confirm="정말요?">')
    assert STYLE_ATTRIBUTE.search('<div style="color: red">')
    assert STYLE_ELEMENT.search("<style>p{}</style>")
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')


@pytest.mark.django_db
def test_htmx_is_told_before_it_starts_not_to_inject_its_own_style_element(client):
    # htmx reads <meta name="htmx-config"> when it starts; a setting made by a script that runs
    # later could come after htmx has added its <style>.
    html = client.get(reverse("home")).content.decode()

    (content,) = re.findall(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert json.loads(content) == {"includeIndicatorStyles": False}
    css = (BASE_DIR / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator," in css


def test_the_policy_forbids_framing_and_plugins_in_settings_too():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]

    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert (policy["frame-ancestors"], policy["object-src"]) == (["'none'"], ["'none'"])


@pytest.mark.django_db
def test_a_request_with_a_hostile_host_header_is_refused_not_served(client):
    response = client.get(reverse("home"), HTTP_HOST="evil.example.com")

    assert response.status_code == 400


@pytest.mark.django_db
def test_document_downloads_are_never_sniffed_or_framed(client):
    # Every answer says nosniff and DENY, even the sign-in redirect an anonymous guess gets.
    response = client.get("/documents/999999/download/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
