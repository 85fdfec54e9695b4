"""Sign-in lockout, password rules, session cookie flags and CSRF on every form."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from alliance.models import AuditLog, Firm, SubAlliance, User
from portal.security import LOCKOUT_STATUS, UNKNOWN_ADDRESS, client_ip
from tests.factories import ApplicantFactory, next_valid_brn
from tests.test_access_matrix import (
    API_POST_EXPECTED,
    POST_EXPECTED,
    ROLES,
    api_url_for,
    build_world,
    fingerprint,
    page_client,
    url_for,
)
from tests.test_layout import elements

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
TOKEN = "/api/v1/auth/token/"
PASSWORD = "correct-horse-9"  # the factories' password
LOCKOUT_TEXT_KO = (
    "로그인에 여러 번 실패하여 이 계정 또는 이 주소에서의 로그인이 15분 동안 제한됩니다. "
    "잠시 후 다시 시도하거나 비밀번호를 재설정해 주세요."
)
LOCKOUT_TEXT = (
    "Too many failed sign-in attempts. Sign-in for this account or from this address is "
    "paused for 15 minutes. Try again later, or reset your password."
)


@pytest.fixture(autouse=True)
def _no_throttle_state():
    """The API's throttle counters live in the cache; each test starts without any."""
    cache.clear()
    yield
    cache.clear()


def browser(**defaults) -> Client:
    client = Client(**defaults)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(username: str, password: str, address: str):
    return browser().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_signed_in(response) -> bool:
    return SESSION_KEY in response.wsgi_request.session


# ---------------------------------------------------------------------------------------------
# Lockout


def test_four_failures_still_let_the_right_password_in_and_clear_the_count(applicant):
    for _ in range(4):
        sign_in("applicant", "wrong-password", "10.0.0.1")

    response = sign_in("applicant", PASSWORD, "10.0.0.1")

    assert response.status_code == 302
    assert is_signed_in(response)
    assert (
        AccessAttempt.objects.filter(username="applicant", failures_since_start__gt=0).count() == 0
    )


def test_five_failures_lock_the_account_at_the_address_they_came_from(applicant):
    for _ in range(5):
        failed = sign_in("applicant", "wrong-password", "10.0.1.1")
        assert failed.status_code in (200, LOCKOUT_STATUS)

    response = sign_in("applicant", PASSWORD, "10.0.1.1")

    assert response.status_code == LOCKOUT_STATUS
    assert not is_signed_in(response)
    errors = elements(response.content, "p", **{"class": "critical-txt"})
    assert [e["text"] for e in errors] == [LOCKOUT_TEXT]
    # The page is the sign-in form again, with the user name kept.
    assert elements(response.content, "input", name="username")[0]["attrs"]["value"] == "applicant"


def test_a_server_that_passes_no_address_still_locks_the_account(applicant):
    """A unix-socket server gives no REMOTE_ADDR: the failures still add up per account."""
    for _ in range(5):
        sign_in("applicant", "wrong-password", "")

    response = sign_in("applicant", PASSWORD, "")

    assert response.status_code == LOCKOUT_STATUS
    assert not is_signed_in(response)
    # One row for the account at the unspecified address; the refused sixth try counts too.
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [
        (UNKNOWN_ADDRESS, 6)
    ]


def test_failures_at_one_address_never_stop_the_account_at_another(applicant):
    for _ in range(7):
        sign_in("applicant", "wrong-password", "10.0.1.2")

    response = sign_in("applicant", PASSWORD, "10.0.1.3")

    assert (response.status_code, is_signed_in(response)) == (302, True)


def test_made_up_user_names_from_a_shared_address_never_stop_a_real_user_there(applicant):
    # An office behind one address: someone's typos and an attacker's guesses.
    for n in range(30):
        sign_in(f"guess{n}", "wrong-password", "10.0.2.1")
    for _ in range(4):
        sign_in("applicant", "wrong-password", "10.0.2.1")

    response = sign_in("applicant", PASSWORD, "10.0.2.1")

    assert (response.status_code, is_signed_in(response)) == (302, True)


def test_spraying_from_one_address_locks_that_address_for_every_account(applicant, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 12
    other = ApplicantFactory(username="someone-else")
    for n in range(12):  # many accounts, a couple of guesses each: no pair reaches five
        sign_in(f"staff{n % 6}", "wrong-password", "10.0.2.9")

    from_there = sign_in("applicant", PASSWORD, "10.0.2.9")
    from_elsewhere = sign_in(other.username, PASSWORD, "10.0.2.10")

    assert (from_there.status_code, is_signed_in(from_there)) == (LOCKOUT_STATUS, False)
    assert (from_elsewhere.status_code, is_signed_in(from_elsewhere)) == (302, True)


def _age_failures(by: datetime.timedelta) -> None:
    """Move every recorded failure `by` into the past instead of waiting."""
    for pk, when in list(AccessAttempt.objects.values_list("pk", "attempt_time")):
        AccessAttempt.objects.filter(pk=pk).update(attempt_time=when - by)


def test_the_lock_lifts_after_the_cool_off(applicant):
    for _ in range(5):
        sign_in("applicant", "wrong-password", "10.0.3.1")
    assert sign_in("applicant", PASSWORD, "10.0.3.1").status_code == LOCKOUT_STATUS

    _age_failures(settings.SIGN_IN_COOLOFF + datetime.timedelta(minutes=1))
    response = sign_in("applicant", PASSWORD, "10.0.3.1")

    assert (response.status_code, is_signed_in(response)) == (302, True)


def test_every_further_round_of_failures_doubles_the_lock(applicant):
    for _ in range(10):  # two rounds of five
        sign_in("applicant", "wrong-password", "10.0.3.2")

    # Past the first 15 minutes: still locked, for 30 (and the attempt starts them again).
    _age_failures(settings.SIGN_IN_COOLOFF + datetime.timedelta(minutes=1))
    still = sign_in("applicant", PASSWORD, "10.0.3.2")
    _age_failures(2 * settings.SIGN_IN_COOLOFF + datetime.timedelta(minutes=1))
    after = sign_in("applicant", PASSWORD, "10.0.3.2")

    assert still.status_code == LOCKOUT_STATUS
    assert "paused for 30 minutes" in still.content.decode()
    assert (after.status_code, is_signed_in(after)) == (302, True)


def test_a_locked_account_gets_no_api_token_and_a_json_reason(applicant):
    api = Client()
    for _ in range(5):
        failed = api.post(
            TOKEN,
            {"username": "applicant", "password": "wrong"},
            content_type="application/json",
            REMOTE_ADDR="10.0.4.1",
        )
        assert failed.status_code in (400, LOCKOUT_STATUS)

    response = api.post(
        TOKEN,
        {"username": "applicant", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.0.4.1",
    )

    assert response.status_code == LOCKOUT_STATUS
    # Korean first: the API speaks Korean unless the client chose English; the API's error
    # shape, and the 15 minutes of the message as Retry-After.
    assert response.json() == {"detail": LOCKOUT_TEXT_KO, "code": "locked_out"}
    assert response["Retry-After"] == "900"


def test_failures_on_the_api_and_the_page_add_up_to_one_count(applicant):
    api = Client()
    for _ in range(3):
        api.post(
            TOKEN,
            {"username": "applicant", "password": "x"},
            content_type="application/json",
            REMOTE_ADDR="10.0.5.1",
        )
    for _ in range(2):
        sign_in("applicant", "wrong-password", "10.0.5.1")

    response = sign_in("applicant", PASSWORD, "10.0.5.1")

    assert (response.status_code, is_signed_in(response)) == (LOCKOUT_STATUS, False)


def test_a_forwarded_for_header_from_the_client_does_not_change_the_address(rf, settings):
    # With no proxy of ours in front, X-Forwarded-For is whatever the client wrote.
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.7"

    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = rf.get(
        "/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert client_ip(behind_proxy) == "203.0.113.7"


# ---------------------------------------------------------------------------------------------
# Password rules (Django's validators, applied by sign-up and by the password change)


def _sign_up_data(**overrides) -> dict:
    data = {
        "name": "마키나락스",
        "business_registration_number": next_valid_brn(),
        "corporate_registration_number": "",
        "size_class": "startup",
        "member_type": "ai_company",
        "sub_alliances": [str(SubAlliance.objects.get(code="ai_factory").pk)],
        "region": "seoul",
        "representative": "윤성호",
        "address": "서울특별시 강남구 테헤란로 1",
        "username": "makinarocks",
        "email": "ax@makinarocks.example.kr",
        "password1": "Str0ng-passphrase!",
        "password2": "Str0ng-passphrase!",
    }
    data.update(overrides)
    return data


WEAK_PASSWORDS = [
    ("Ab1!xyz", "This password is too short. It must contain at least 8 characters."),
    ("password123", "This password is too common."),
    ("20260315194", "This password is entirely numeric."),
    ("makinarocks1", "The password is too similar to the username."),
]


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS)
def test_sign_up_refuses_a_weak_password_and_creates_nothing(password, message):
    response = browser().post(
        reverse("signup"), _sign_up_data(password1=password, password2=password)
    )

    assert response.status_code == 200
    error = elements(response.content, "div", id="id_password1_error")[0]["text"]
    assert message in error
    assert (Firm.objects.count(), User.objects.count(), AuditLog.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS[:3])
def test_a_password_change_refuses_a_weak_password(applicant, password, message):
    client = browser()
    client.force_login(applicant)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


# ---------------------------------------------------------------------------------------------
# Cookies


def test_the_session_and_csrf_cookies_are_http_only_where_they_can_be_and_same_site(applicant):
    client = browser()
    page = client.get(LOGIN)
    response = client.post(LOGIN, {"username": "applicant", "password": PASSWORD})

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert (bool(session["httponly"]), session["samesite"]) == (True, "Lax")
    # htmx reads the token from the page, not the cookie; the cookie is SameSite all the same.
    assert csrf["samesite"] == "Lax"


# ---------------------------------------------------------------------------------------------
# CSRF: every URL that takes a POST refuses one without the token, for every role


def _posting_urls() -> list[str]:
    return sorted(name for name, row in POST_EXPECTED.items() if set(row) != {"405"})


def test_every_form_refuses_a_post_without_the_csrf_token_and_changes_nothing():
    world = build_world()
    refused = {}
    for name in _posting_urls():
        url = url_for(world, name)
        for role in ROLES:
            client = page_client(world, role, csrf=True)
            before = fingerprint()
            response = client.post(url, {"title": "x"})
            refused[(name, role)] = (response.status_code, fingerprint() == before)

    assert {key: value for key, value in refused.items() if value != (403, True)} == {}
    assert len(refused) == len(_posting_urls()) * len(ROLES)


def test_the_api_refuses_a_session_post_without_the_csrf_token():
    # With a token the API needs no CSRF token (no cookie is sent); with the browser's session
    # cookie it must have one, like every form.
    world = build_world()
    posting = sorted(
        name for name, row in API_POST_EXPECTED.items() if set(row) != {"405"} and row[0] == "401"
    )
    answers = {}
    for name in posting:
        client = page_client(world, "applicant_a", csrf=True)
        before = fingerprint()
        response = client.post(api_url_for(world, name), {}, content_type="application/json")
        answers[name] = (response.status_code, fingerprint() == before)

    assert {name: a for name, a in answers.items() if a != (403, True)} == {}
    assert len(answers) == len(posting)
