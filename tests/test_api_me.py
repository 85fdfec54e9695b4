"""`GET /api/v1/me/` (SPEC §6): the caller's username, role code and organisation."""

import pytest
from django.utils import translation

from fund.ministry.models import Ministry
from tests.api_helpers import API, client_for
from tests.factories import InstitutionFactory, UserFactory
from tests.institution_support import institution_user
from tests.ministry_support import ministry_user

pytestmark = pytest.mark.django_db


def me(user=None, language="en"):
    client = client_for(user)
    with translation.override(language):
        return client.get(f"{API}/me/", HTTP_ACCEPT_LANGUAGE=language)


def test_an_applicant_is_named_with_their_firm(applicant, firm):
    response = me(applicant)

    assert response.status_code == 200
    assert response.json() == {
        "username": applicant.username,
        "role": "applicant",
        "organization": {"kind": "firm", "id": firm.pk, "code": None, "name": firm.name},
    }


def test_the_secretariats_editor_and_admin_have_their_codes(keit, kdb, editor):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)

    answers = {user.username: me(user).json() for user in (keit, kdb, editor, admin)}

    assert {name: answer["role"] for name, answer in answers.items()} == {
        keit.username: "keit",
        kdb.username: "kdb",
        editor.username: "editor",
        "root": "admin",
    }
    assert answers[keit.username]["organization"] == {
        "kind": "alliance_secretariat",
        "id": None,
        "code": None,
        "name": "Korea Evaluation Institute of Industrial Technology",
    }
    assert answers[kdb.username]["organization"]["kind"] == "fund_secretariat"
    assert answers[editor.username]["organization"] is None
    assert answers["root"]["organization"] is None


def test_an_institution_and_a_ministry_user_are_named_with_their_organisation():
    bank = InstitutionFactory(name="우리은행", kind="bank")
    institution = institution_user(bank, "bank")
    fsc = ministry_user("fsc", Ministry.FSC)

    assert me(institution).json() == {
        "username": "bank",
        "role": "institution",
        "organization": {"kind": "institution", "id": bank.pk, "code": None, "name": "우리은행"},
    }
    assert me(fsc).json() == {
        "username": "fsc",
        "role": "ministry",
        "organization": {
            "kind": "ministry",
            "id": None,
            "code": "fsc",
            "name": "Financial Services Commission",
        },
    }


def test_an_anonymous_caller_is_told_to_sign_in():
    assert me().status_code == 401
