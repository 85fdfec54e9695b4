"""Sign-up, sign-in and the password pages."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from alliance.models import AuditLog, Firm, SubAlliance, User
from alliance.validators import crn_check_digit
from portal.core.vocabulary import FirmStatus, Role
from tests.factories import ApplicantFactory, FirmFactory, UserFactory, next_valid_brn
from tests.test_layout import elements

pytestmark = pytest.mark.django_db

SIGNUP = reverse("signup")


def _dashed(brn: str) -> str:
    return f"{brn[:3]}-{brn[3:5]}-{brn[5:]}"


def _valid_crn() -> str:
    first_twelve = "110111123456"
    return first_twelve + str(crn_check_digit(first_twelve))


def _sign_up_data(**overrides) -> dict:
    data = {
        "name": "마키나락스",
        "business_registration_number": _dashed(next_valid_brn()),
        "corporate_registration_number": "",
        "size_class": "startup",
        "member_type": "ai_company",
        "sub_alliances": [
            str(pk)
            for pk in SubAlliance.objects.filter(
                code__in=["ai_factory", "ai_manufacturing_service"]
            ).values_list("pk", flat=True)
        ],
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


def _nothing_created():
    return (Firm.objects.count(), User.objects.count(), AuditLog.objects.count()) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------
# Sign-up


def test_the_sign_up_page_asks_for_the_firm_and_its_first_user(client):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    names = [i["attrs"]["name"] for i in elements(response.content, "input")] + [
        s["attrs"]["name"] for s in elements(response.content, "select")
    ]
    assert set(names) == {
        "csrfmiddlewaretoken",
        "next",
        "name",
        "business_registration_number",
        "corporate_registration_number",
        "sub_alliances",
        "representative",
        "address",
        "username",
        "email",
        "password1",
        "password2",
        "size_class",
        "member_type",
        "region",
    }
    assert len(elements(response.content, "input", name="sub_alliances")) == 10


def test_sign_up_creates_one_pending_firm_and_one_applicant_and_signs_them_in(client):
    brn = next_valid_brn()
    data = _sign_up_data(business_registration_number=_dashed(brn))

    response = client.post(SIGNUP, data)

    assert response.status_code == 302
    assert response.url == reverse("alliance:dashboard")
    firm = Firm.objects.get()
    user = User.objects.get()
    assert (firm.name, firm.business_registration_number, firm.status) == (
        "마키나락스",
        brn,
        FirmStatus.PENDING,
    )
    assert (firm.size_class, firm.member_type, firm.region) == ("startup", "ai_company", "seoul")
    assert sorted(firm.sub_alliances.values_list("code", flat=True)) == [
        "ai_factory",
        "ai_manufacturing_service",
    ]
    assert (user.username, user.email, user.firm_id) == (
        "makinarocks",
        "ax@makinarocks.example.kr",
        firm.pk,
    )
    assert list(user.groups.values_list("name", flat=True)) == [Role.APPLICANT]
    assert user.check_password("Str0ng-passphrase!")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert list(AuditLog.objects.values_list("action", "to_state")) == [("firm.sign_up", "pending")]


def test_after_sign_up_the_next_page_confirms_it_and_shows_the_pending_banner(client):
    client.post(SIGNUP, _sign_up_data())

    response = client.get(reverse("home"))

    assert len(elements(response.content, "li", class_="portal-message--success")) == 1
    banner = elements(response.content, "div", class_="portal-banner")
    assert len(banner) == 1
    assert "마키나락스" in banner[0]["text"]


def test_sign_up_accepts_the_number_without_dashes(client):
    brn = next_valid_brn()

    client.post(SIGNUP, _sign_up_data(business_registration_number=brn))

    assert list(Firm.objects.values_list("business_registration_number", flat=True)) == [brn]


def test_a_bad_checksum_is_shown_on_the_business_number_and_creates_nothing(client):
    good = next_valid_brn()
    bad = good[:9] + str((int(good[9]) + 1) % 10)

    response = client.post(SIGNUP, _sign_up_data(business_registration_number=_dashed(bad)))

    assert response.status_code == 200
    assert len(elements(response.content, "div", id="id_business_registration_number_error")) == 1
    invalid = elements(response.content, "input", aria_invalid="true")
    assert [i["attrs"]["name"] for i in invalid] == ["business_registration_number"]
    assert _nothing_created()
    assert SESSION_KEY not in client.session


def test_a_business_number_of_the_wrong_length_is_refused(client):
    response = client.post(SIGNUP, _sign_up_data(business_registration_number="123-45-678"))

    assert len(elements(response.content, "div", id="id_business_registration_number_error")) == 1
    assert _nothing_created()


def test_an_already_registered_business_number_is_refused_and_creates_nothing(client):
    existing = FirmFactory(name="현대자동차")
    before = (Firm.objects.count(), User.objects.count(), AuditLog.objects.count())

    response = client.post(
        SIGNUP,
        _sign_up_data(business_registration_number=existing.business_registration_number),
    )

    assert len(elements(response.content, "div", id="id_business_registration_number_error")) == 1
    assert (Firm.objects.count(), User.objects.count(), AuditLog.objects.count()) == before


def test_a_taken_username_is_shown_on_the_username(client):
    UserFactory(username="makinarocks")

    response = client.post(SIGNUP, _sign_up_data())

    assert len(elements(response.content, "div", id="id_username_error")) == 1
    assert (Firm.objects.count(), User.objects.count()) == (0, 1)


def test_a_weak_password_from_the_service_is_shown_on_the_first_password(client):
    response = client.post(SIGNUP, _sign_up_data(password1="12345678", password2="12345678"))

    errors = elements(response.content, "div", id="id_password1_error")
    assert len(errors) == 1
    assert errors[0]["text"] != ""
    assert _nothing_created()


def test_two_different_passwords_are_refused_on_the_second(client):
    response = client.post(SIGNUP, _sign_up_data(password2="Different-passphrase!"))

    assert len(elements(response.content, "div", id="id_password2_error")) == 1
    assert _nothing_created()


def test_a_missing_field_is_marked_and_nothing_is_created(client):
    response = client.post(SIGNUP, _sign_up_data(region="", name=""))

    assert len(elements(response.content, "div", id="id_region_error")) == 1
    assert len(elements(response.content, "div", id="id_name_error")) == 1
    assert _nothing_created()


def test_a_crn_whose_check_digit_fails_is_saved_with_a_warning(client):
    crn = _valid_crn()
    wrong = crn[:12] + str((int(crn[12]) + 1) % 10)

    response = client.post(SIGNUP, _sign_up_data(corporate_registration_number=wrong))
    page = client.get(reverse("home"))

    assert response.status_code == 302
    assert Firm.objects.get().corporate_registration_number == wrong
    assert len(elements(page.content, "li", class_="portal-message--warning")) == 1
    assert len(elements(page.content, "li", class_="portal-message--success")) == 1


def test_a_valid_crn_with_a_dash_is_saved_without_a_warning(client):
    crn = _valid_crn()

    client.post(SIGNUP, _sign_up_data(corporate_registration_number=f"{crn[:6]}-{crn[6:]}"))
    page = client.get(reverse("home"))

    assert Firm.objects.get().corporate_registration_number == crn
    assert elements(page.content, "li", class_="portal-message--warning") == []


def test_a_crn_of_the_wrong_length_is_refused(client):
    response = client.post(SIGNUP, _sign_up_data(corporate_registration_number="12345"))

    assert len(elements(response.content, "div", id="id_corporate_registration_number_error")) == 1
    assert _nothing_created()


def test_html_in_the_company_name_is_shown_escaped(client):
    name = '<script>alert("x")</script>악성기업'

    client.post(SIGNUP, _sign_up_data(name=name))
    response = client.get(reverse("home"))

    html = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;악성기업" in html
    assert '<script>alert("x")' not in html
    assert Firm.objects.get().name == name


def test_a_signed_in_user_is_sent_home_from_the_sign_up_page(client, applicant):
    client.force_login(applicant)

    response = client.get(SIGNUP)
    posted = client.post(SIGNUP, _sign_up_data())

    assert (response.status_code, response.url) == (302, reverse("home"))
    assert posted.status_code == 302
    assert Firm.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Sign-in and passwords


def test_the_sign_in_page_renders_its_form(client):
    response = client.get(reverse("login"), {"next": "/firm/"})

    assert response.status_code == 200
    assert [
        i["attrs"]["name"] for i in elements(response.content, "input", class_="krds-input")
    ] == [
        "username",
        "password",
    ]
    # The first `next` belongs to the language switcher in the header.
    assert [i["attrs"]["value"] for i in elements(response.content, "input", name="next")] == [
        "/accounts/login/?next=%2Ffirm%2F",
        "/firm/",
    ]


def test_signing_in_goes_to_the_workspace(client, applicant):
    response = client.post(
        reverse("login"), {"username": "applicant", "password": "correct-horse-9"}
    )

    assert (response.status_code, response.url) == (302, reverse("alliance:dashboard"))
    assert client.session[SESSION_KEY] == str(applicant.pk)


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("applicant", "alliance:dashboard"),
        ("keit", "pipeline:screening"),
        ("kdb", "pipeline:board"),
        ("editor", "site:editor_dashboard"),
    ],
)
def test_each_role_lands_on_its_own_work_after_signing_in(client, request, who, landing):
    request.getfixturevalue(who)

    response = client.post(reverse("login"), {"username": who, "password": "correct-horse-9"})

    assert (response.status_code, response.url) == (302, reverse(landing))


def test_a_page_asked_for_before_signing_in_wins_over_the_landing(client, kdb):
    response = client.post(
        reverse("login"),
        {"username": "kdb", "password": "correct-horse-9", "next": reverse("pipeline:table")},
    )

    assert (response.status_code, response.url) == (302, reverse("pipeline:table"))


def test_a_user_with_two_roles_lands_on_the_first_of_the_map(client, keit):
    keit.groups.add(Group.objects.get_or_create(name=Role.FUND_SECRETARIAT)[0])

    response = client.post(reverse("login"), {"username": "keit", "password": "correct-horse-9"})

    assert response.url == reverse("pipeline:screening")


def test_a_wrong_password_is_refused_with_a_message(client, applicant):
    response = client.post(reverse("login"), {"username": "applicant", "password": "wrong"})

    assert response.status_code == 200
    assert len(elements(response.content, "div", class_="portal-form-errors")) == 1
    assert SESSION_KEY not in client.session


def test_changing_the_password_needs_a_sign_in(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('password_change')}"


def test_a_signed_in_user_changes_their_password(client, applicant):
    client.force_login(applicant)

    page = client.get(reverse("password_change"))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-9",
            "new_password1": "Another-str0ng-one",
            "new_password2": "Another-str0ng-one",
        },
        follow=True,
    )

    assert page.status_code == 200
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    applicant.refresh_from_db()
    assert applicant.check_password("Another-str0ng-one")


def test_a_wrong_current_password_changes_nothing(client, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "Another-str0ng-one",
            "new_password2": "Another-str0ng-one",
        },
    )

    assert response.status_code == 200
    assert len(elements(response.content, "div", id="id_old_password_error")) == 1
    applicant.refresh_from_db()
    assert applicant.check_password("correct-horse-9")


def test_a_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = ApplicantFactory(username="resetme", email="reset@example.kr")

    form = client.get(reverse("password_reset"))
    sent = client.post(reverse("password_reset"), {"email": "reset@example.kr"})
    done = client.get(sent.url)

    assert form.status_code == 200
    assert (sent.status_code, sent.url) == (302, reverse("password_reset_done"))
    assert done.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reset@example.kr"]
    assert "\n" not in mail.outbox[0].subject
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    assert "resetme" in mail.outbox[0].body

    set_form = client.get(link, follow=True)
    assert len(elements(set_form.content, "input", name="new_password1")) == 1
    final = client.post(
        set_form.redirect_chain[-1][0],
        {"new_password1": "Brand-new-passphrase", "new_password2": "Brand-new-passphrase"},
        follow=True,
    )
    assert final.redirect_chain[-1] == (reverse("password_reset_complete"), 302)
    user.refresh_from_db()
    assert user.check_password("Brand-new-passphrase")


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.kr"})

    assert (response.status_code, response.url) == (302, reverse("password_reset_done"))
    assert mail.outbox == []


def test_a_broken_reset_link_says_so(client):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"})
    )

    assert response.status_code == 200
    assert len(elements(response.content, "p", data_state="invalid-link")) == 1
    assert elements(response.content, "input", name="new_password1") == []
