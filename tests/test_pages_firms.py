"""The applicant's firm profile page."""

import pytest
from django.urls import reverse

from alliance.models import AuditLog, Firm, SubAlliance
from alliance.validators import crn_check_digit
from portal.core.vocabulary import FirmStatus
from tests.factories import ApplicantFactory, FirmFactory
from tests.test_layout import elements

pytestmark = pytest.mark.django_db

PROFILE = reverse("alliance:firm_profile")


def _profile_data(firm: Firm, **overrides) -> dict:
    data = {
        "name": firm.name,
        "name_en": firm.name_en,
        "corporate_registration_number": firm.corporate_registration_number,
        "representative": firm.representative,
        "size_class": firm.size_class,
        "member_type": firm.member_type,
        "sub_alliances": [str(s.pk) for s in firm.sub_alliances.all()],
        "region": firm.region,
        "address": firm.address,
        "website": firm.website,
    }
    data.update(overrides)
    return data


def _snapshot(firm: Firm) -> tuple:
    firm.refresh_from_db()
    return (
        firm.name,
        firm.business_registration_number,
        firm.status,
        firm.region,
        firm.corporate_registration_number,
        sorted(firm.sub_alliances.values_list("code", flat=True)),
    )


def test_an_applicant_sees_their_firm_with_its_number_formatted_and_its_status(
    client, applicant, firm
):
    client.force_login(applicant)

    response = client.get(PROFILE)

    assert response.status_code == 200
    brn = firm.business_registration_number
    shown = elements(response.content, "dd", data_field="business_registration_number")
    assert [dd["text"] for dd in shown] == [f"{brn[:3]}-{brn[3:5]}-{brn[5:]}"]
    assert elements(response.content, "dd", data_field="name")[0]["text"] == "현대자동차"
    badges = elements(response.content, "span", class_="krds-badge")
    assert [(b["attrs"]["class"], b["text"]) for b in badges] == [
        ("krds-badge bg-light-success", str(FirmStatus.ACTIVE.label))
    ]
    assert elements(response.content, "input", name="name")[0]["attrs"]["value"] == "현대자동차"
    assert elements(response.content, "input", name="business_registration_number") == []


def test_the_profile_needs_a_sign_in(client):
    response = client.get(PROFILE)

    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={PROFILE}")


@pytest.mark.parametrize("who", ["keit", "kdb", "editor"])
def test_staff_without_a_firm_get_404(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(PROFILE).status_code == 404
    assert client.post(PROFILE, {"name": "x"}).status_code == 404


def test_an_applicant_updates_their_firm_through_the_service(client, applicant, firm):
    client.force_login(applicant)
    humanoid = SubAlliance.objects.get(code="humanoid")

    response = client.post(
        PROFILE,
        _profile_data(
            firm,
            name="현대자동차(주)",
            region="ulsan",
            representative="정의선",
            sub_alliances=[str(humanoid.pk)],
        ),
    )

    assert (response.status_code, response.url) == (302, PROFILE)
    assert _snapshot(firm) == (
        "현대자동차(주)",
        firm.business_registration_number,
        FirmStatus.ACTIVE,
        "ulsan",
        "",
        ["humanoid"],
    )
    entry = AuditLog.objects.get()
    assert (entry.action, entry.actor_id, entry.firm_id) == ("firm.update", applicant.pk, firm.pk)
    assert sorted(entry.data["changed"]) == ["name", "region", "representative", "sub_alliances"]


def test_the_number_and_the_status_cannot_be_changed_from_the_profile(client, firm):
    pending = FirmFactory(status=FirmStatus.PENDING)
    client.force_login(ApplicantFactory(firm=pending))
    before = _snapshot(pending)

    client.post(
        PROFILE,
        _profile_data(pending, business_registration_number="1234567890", status=FirmStatus.ACTIVE),
    )

    assert _snapshot(pending) == before


def test_a_bad_value_is_shown_on_its_field_and_changes_nothing(client, applicant, firm):
    client.force_login(applicant)
    before = _snapshot(firm)

    response = client.post(PROFILE, _profile_data(firm, name="새 이름", region="mars"))

    assert response.status_code == 200
    assert len(elements(response.content, "div", id="id_region_error")) == 1
    assert elements(response.content, "input", name="name")[0]["attrs"]["value"] == "새 이름"
    assert _snapshot(firm) == before
    assert AuditLog.objects.count() == 0


def test_a_crn_whose_check_digit_fails_is_saved_with_a_warning_message(client, applicant, firm):
    client.force_login(applicant)
    first_twelve = "110111765432"
    wrong = first_twelve + str((crn_check_digit(first_twelve) + 1) % 10)

    response = client.post(
        PROFILE, _profile_data(firm, corporate_registration_number=wrong), follow=True
    )

    firm.refresh_from_db()
    assert firm.corporate_registration_number == wrong
    assert len(elements(response.content, "li", class_="portal-message--warning")) == 1
    assert len(elements(response.content, "li", class_="portal-message--success")) == 1
    # The page keeps reminding until the number is corrected.
    assert len(elements(response.content, "ul", class_="portal-inline-alert")) == 1


def test_a_valid_crn_shows_no_warning(client, applicant, firm):
    client.force_login(applicant)
    first_twelve = "110111765432"
    good = first_twelve + str(crn_check_digit(first_twelve))

    response = client.post(
        PROFILE, _profile_data(firm, corporate_registration_number=good), follow=True
    )

    assert elements(response.content, "li", class_="portal-message--warning") == []
    assert elements(response.content, "ul", class_="portal-inline-alert") == []


def test_html_in_the_firm_name_is_escaped_on_the_profile(client, applicant, firm):
    Firm.objects.filter(pk=firm.pk).update(name="<b>굵게</b>")
    client.force_login(applicant)

    html = client.get(PROFILE).content.decode()

    assert "&lt;b&gt;굵게&lt;/b&gt;" in html
    assert "<b>굵게</b>" not in html
