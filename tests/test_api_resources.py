"""The REST API's resources: auth, firms, proposals, matches, documents, channels, site."""

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from alliance.models import AuditLog, Firm, Proposal, ProposalDocument, User
from matching import services as matching_services
from portal.core.vocabulary import FirmStatus, ProposalStatus
from tests.api_helpers import (
    API,
    _fresh_throttles,  # noqa: F401  (a fixture)
    client_for,
)
from tests.factories import FirmFactory, ProposalFactory, next_valid_brn
from tests.files import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _token(client, username, password="correct-horse-9"):  # noqa: S107
    return client.post(f"{API}/auth/token/", {"username": username, "password": password})


# ---------------------------------------------------------------------------------------------
# Auth


def test_a_token_is_issued_for_valid_credentials_and_authenticates(applicant):
    # Given an applicant, when they exchange their password for a token
    response = _token(client_for(), "applicant")
    # then the token authenticates their requests
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=applicant).key}
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(f"{API}/proposals/").status_code == 200


def test_a_wrong_password_gets_a_field_error_and_no_token(applicant):
    response = _token(client_for(), "applicant", "wrong-password")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert Token.objects.count() == 0


def test_revoking_the_token_makes_it_unusable(applicant):
    client = client_for(applicant)
    assert client.delete(f"{API}/auth/token/").status_code == 204
    assert Token.objects.filter(user=applicant).count() == 0
    response = client.get(f"{API}/proposals/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_anonymous_caller_of_a_private_list_gets_401(db):
    response = client_for().get(f"{API}/proposals/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_browser_session_authenticates_too(applicant, draft):
    client = client_for()
    client.force_login(applicant)
    response = client.get(f"{API}/proposals/{draft.pk}/")
    assert response.status_code == 200
    assert response.json()["title"] == draft.title


def test_an_unknown_api_path_answers_the_json_404(db):
    response = client_for().get(f"{API}/no-such-thing/42/")
    assert response.status_code == 404
    assert response.json() == {"detail": "찾을 수 없습니다.", "code": "not_found"}


def test_throttled_callers_get_429(db, settings):
    rates = {"anon": "2/minute", "user": "100/minute", "token": "10/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    client = client_for()
    statuses = [client.get(f"{API}/channels/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# ---------------------------------------------------------------------------------------------
# Firms


SIGN_UP = {
    "name": "새봄로보틱스",
    "size_class": "startup",
    "region": "daejeon",
    "sub_alliances": ["humanoid"],
    "username": "saebom",
    "email": "ceo@saebom.example.kr",
    "password": "long-enough-pass-42",
}


def test_anyone_can_sign_up_a_firm_which_starts_pending(db):
    brn = next_valid_brn()
    response = client_for().post(
        f"{API}/firms/", {**SIGN_UP, "business_registration_number": brn}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "saebom"
    assert body["firm"]["status"] == "pending"
    assert body["firm"]["business_registration_number"] == brn
    assert body["firm"]["sub_alliances"] == ["humanoid"]
    assert User.objects.get(username="saebom").firm_id == body["firm"]["id"]


def test_a_sign_up_with_a_bad_brn_is_refused_on_that_field_and_creates_nothing(db):
    response = client_for().post(
        f"{API}/firms/", {**SIGN_UP, "business_registration_number": "1234567890"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["business_registration_number"]
    assert Firm.objects.count() == 0
    assert User.objects.count() == 0


def test_keit_verifies_a_pending_firm(keit):
    pending = FirmFactory(status=FirmStatus.PENDING)
    response = client_for(keit).post(f"{API}/firms/{pending.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    pending.refresh_from_db()
    assert pending.status == FirmStatus.ACTIVE


def test_an_applicant_cannot_verify_their_own_firm(applicant, firm):
    Firm.objects.filter(pk=firm.pk).update(status=FirmStatus.PENDING)
    response = client_for(applicant).post(f"{API}/firms/{firm.pk}/verify/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    firm.refresh_from_db()
    assert firm.status == FirmStatus.PENDING


def test_an_applicant_sees_only_their_own_firm(applicant, firm, other_firm):
    client = client_for(applicant)
    listed = client.get(f"{API}/firms/").json()["results"]
    assert [f["id"] for f in listed] == [firm.pk]
    assert client.get(f"{API}/firms/{other_firm.pk}/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Proposals


def test_an_applicant_creates_a_draft(applicant, firm, other_firm):
    response = client_for(applicant).post(
        f"{API}/proposals/",
        {
            "title": "AI 로봇 생산라인",
            "industry": "robot",
            "fund_uses": ["facility", "rnd"],
            "total_cost_krw": 10_000_000_000,
            "requested_krw": 4_000_000_000,
            "preferred_channel": None,
            "partners": [other_firm.pk],
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    proposal = Proposal.objects.get(pk=body["id"])
    assert (body["firm"], body["status"], body["version"]) == (firm.pk, "draft", 1)
    assert body["industry"] == "robot"
    assert body["partners"] == [other_firm.pk]
    assert body["preferred_channel"] is None
    assert proposal.fund_uses == ["facility", "rnd"]
    assert AuditLog.objects.filter(proposal=proposal, action="proposal.create").count() == 1


def test_an_update_with_the_current_version_saves_and_moves_the_version(applicant, draft):
    response = client_for(applicant).patch(
        f"{API}/proposals/{draft.pk}/", {"version": 1, "title": "새 제목"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["version"]) == ("새 제목", 2)


def test_a_stale_update_is_409_with_the_current_version_and_changes_nothing(applicant, draft):
    Proposal.objects.filter(pk=draft.pk).update(version=3)
    response = client_for(applicant).patch(
        f"{API}/proposals/{draft.pk}/", {"version": 2, "title": "덮어쓰기"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["current_version"]) == ("stale_version", 3)
    draft.refresh_from_db()
    assert (draft.title, draft.version) == (draft.title, 3)
    assert draft.title != "덮어쓰기"


def test_an_invalid_update_names_the_field_and_changes_nothing(applicant, draft):
    response = client_for(applicant).patch(
        f"{API}/proposals/{draft.pk}/",
        {"version": 1, "requested_krw": 200_000_000_000},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["requested_krw"]
    draft.refresh_from_db()
    assert (draft.requested_krw, draft.version) == (50_000_000_000, 1)


@pytest.mark.parametrize(("field", "limit"), [("title", 200), ("summary", 5000)])
def test_an_over_long_text_is_refused_with_its_limit_and_never_cut(field, limit, applicant, draft):
    client = client_for(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = (draft.title, draft.summary)

    response = client.patch(
        f"{API}/proposals/{draft.pk}/", {"version": 1, field: "가" * (limit + 1)}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        field: [f"At most {limit} characters: shorten the text (nothing was cut)."]
    }
    draft.refresh_from_db()
    assert ((draft.title, draft.summary), draft.version) == (before, 1)


def test_submit_then_withdraw(applicant, draft):
    client = client_for(applicant)
    submitted = client.post(f"{API}/proposals/{draft.pk}/submit/", {"version": 1}, format="json")
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["version"]) == ("submitted", 2)
    withdrawn = client.post(f"{API}/proposals/{draft.pk}/withdraw/", {}, format="json")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"


def test_submitting_an_incomplete_draft_names_every_missing_field(applicant, firm):
    draft = ProposalFactory(firm=firm, summary="", trl=None)
    response = client_for(applicant).post(f"{API}/proposals/{draft.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == ["summary", "trl"]
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT


def test_a_transition_that_is_not_allowed_is_409(applicant, draft):
    Proposal.objects.filter(pk=draft.pk).update(status=ProposalStatus.REFERRED)
    response = client_for(applicant).post(
        f"{API}/proposals/{draft.pk}/withdraw/", {}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.REFERRED


def test_keit_cannot_create_proposals(keit):
    response = client_for(keit).post(f"{API}/proposals/", {"title": "x"}, format="json")
    assert response.status_code == 403
    assert Proposal.objects.count() == 0


def test_a_consortium_partner_sees_the_proposal_but_cannot_edit_it(
    draft, other_firm, other_applicant
):
    draft.partners.add(other_firm)
    client = client_for(other_applicant)
    assert client.get(f"{API}/proposals/{draft.pk}/").status_code == 200
    response = client.patch(
        f"{API}/proposals/{draft.pk}/", {"version": 1, "title": "x"}, format="json"
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.version == 1


# ---------------------------------------------------------------------------------------------
# Matches


def test_matches_show_every_channel_with_reasons_in_both_languages(applicant, firm):
    proposal = ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED)
    matching_services.score_proposal(proposal_id=proposal.pk)
    client = client_for(applicant)
    body = client.get(f"{API}/proposals/{proposal.pk}/matches/").json()
    assert [m["channel"] for m in body] == ["direct", "indirect", "loan", "infra"]
    item = body[1]["breakdown"][0]
    assert set(item) == {"criterion", "weight", "points", "reason", "reason_ko", "reason_en"}
    assert item["reason"] == item["reason_ko"]
    client.cookies["django_language"] = "en"
    english = client.get(f"{API}/proposals/{proposal.pk}/matches/").json()
    assert english[1]["breakdown"][0]["reason"] == item["reason_en"]
    assert body[1]["rule_version"] == proposal.match_results.first().rule_set.version


# ---------------------------------------------------------------------------------------------
# Documents


def test_a_document_is_uploaded_listed_downloaded_and_removed(applicant, draft):
    client = client_for(applicant)
    url = f"{API}/proposals/{draft.pk}/documents/"
    upload = make_pdf()  # noqa: F405
    created = client.post(url, {"file": upload, "kind": "business_plan"}, format="multipart")
    assert created.status_code == 201
    document = created.json()
    assert (document["kind"], document["content_type"]) == ("business_plan", "application/pdf")
    assert [d["id"] for d in client.get(url).json()] == [document["id"]]
    download = client.get(f"{url}{document['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()  # noqa: F405
    assert client.delete(f"{url}{document['id']}/").status_code == 204
    assert ProposalDocument.objects.count() == 0


def test_a_too_large_upload_is_413_and_nothing_is_stored(applicant, draft, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    response = client_for(applicant).post(
        f"{API}/proposals/{draft.pk}/documents/",
        {"kind": "other", "file": make_pdf()},  # noqa: F405
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert ProposalDocument.objects.count() == 0


def test_a_file_whose_content_does_not_match_its_type_is_400_on_file(applicant, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    response = client_for(applicant).post(
        f"{API}/proposals/{draft.pk}/documents/",
        {"kind": "other", "file": fake},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert ProposalDocument.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Channels, statistics and the information site


def test_channels_show_capacity_from_the_ledger(kdb):
    from fund.capacity.services import commitment_create

    commitment_create(
        channel_code="loan", year=2026, amount_krw=5_000_000_000, actor=kdb, region="busan"
    )
    body = client_for().get(f"{API}/channels/").json()
    loan = next(c for c in body if c["code"] == "loan")
    assert [c["code"] for c in body] == ["direct", "indirect", "loan", "infra"]
    assert loan["committed_krw"] == 5_000_000_000
    assert loan["remaining_krw"] == loan["size_krw"] - 5_000_000_000
    assert client_for().get(f"{API}/channels/nope/").status_code == 404


def test_demand_counts_only_submitted_proposals(firm):
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED, requested_krw=7)
    ProposalFactory(firm=firm)
    body = client_for().get(f"{API}/stats/demand/").json()
    assert body["totals"] == {"proposal_count": 1, "requested_krw": 7}
    factory_row = next(r for r in body["by_sub_alliance"] if r["code"] == "ai_factory")
    assert (factory_row["proposal_count"], factory_row["requested_krw"]) == (1, 7)


def test_delete_discards_a_draft_keeping_its_history_and_refuses_anything_else(
    applicant, other_applicant, draft
):
    own = client_for(applicant)
    stranger = client_for(other_applicant)

    assert stranger.delete(f"{API}/proposals/{draft.pk}/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"

    response = own.delete(f"{API}/proposals/{draft.pk}/")

    draft.refresh_from_db()
    assert response.status_code == 204
    assert (draft.status, draft.version) == ("withdrawn", 2)
    assert list(
        AuditLog.objects.filter(proposal=draft).values_list("action", "from_state", "to_state")
    ) == [("proposal.discard", "draft", "withdrawn")]
    again = own.delete(f"{API}/proposals/{draft.pk}/")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
