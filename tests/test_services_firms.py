"""Firm registration, verification and profile updates (alliance.firms.services)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from alliance.firms.services import firm_sign_up, firm_update_profile, firm_verify
from alliance.models import AuditLog, Firm, SubAlliance, User
from portal.core.errors import TransitionNotAllowed
from portal.core.vocabulary import FirmStatus, Role
from tests.factories import FirmFactory, next_valid_brn

CRN_WARNING = (
    "The corporate registration number's check digit does not match; it was saved, "
    "please confirm it."
)
BRN_TAKEN = "A firm with this business registration number is already registered."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _counts() -> tuple[int, int, int]:
    return Firm.objects.count(), User.objects.count(), AuditLog.objects.count()


def _sign_up(**overrides):
    fields = {
        "name": "퓨리오사AI",
        "business_registration_number": "220-81-62517",
        "size_class": "startup",
        "region": "seoul",
        "username": "furiosa",
        "email": "ax@furiosa.example.kr",
        "password": "Npu-Warboy-2026",
        "member_type": "ai_company",
    }
    fields.update(overrides)
    return firm_sign_up(**fields)


def _refusal(**overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        _sign_up(**overrides)
    return caught.value.message_dict


# ---------------------------------------------------------------------------------------------
# firm_sign_up


@pytest.mark.django_db
def test_sign_up_creates_one_pending_firm_with_one_applicant_and_an_audit_row():
    before = _counts()
    factory = SubAlliance.objects.get(code="ai_factory")
    chips = SubAlliance.objects.get(code="ai_semiconductor")

    user, warnings = _sign_up(sub_alliances=[factory, chips], first_name="Jun")

    assert warnings == []
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    firm = Firm.objects.get()
    assert firm.name == "퓨리오사AI"
    assert firm.business_registration_number == "2208162517"
    assert firm.brn_display == "220-81-62517"
    assert firm.status == FirmStatus.PENDING
    assert firm.verified_at is None
    assert firm.verified_by is None
    assert set(firm.sub_alliances.values_list("code", flat=True)) == {
        "ai_factory",
        "ai_semiconductor",
    }
    user.refresh_from_db()
    assert user.firm == firm
    assert user.username == "furiosa"
    assert user.first_name == "Jun"
    assert list(user.groups.values_list("name", flat=True)) == [Role.APPLICANT]
    assert user.is_applicant is True
    assert user.is_staff is False
    assert user.is_superuser is False
    entry = AuditLog.objects.get()
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        user,
        "firm.sign_up",
        "firm",
        str(firm.pk),
    )
    assert (entry.firm, entry.proposal, entry.from_state, entry.to_state) == (
        firm,
        None,
        "",
        "pending",
    )


@pytest.mark.django_db
def test_sign_up_stores_a_hashed_password_never_the_plain_one():
    user, _warnings = _sign_up(password="Npu-Warboy-2026")

    stored = User.objects.get(pk=user.pk).password
    assert stored != "Npu-Warboy-2026"
    assert "Npu-Warboy-2026" not in stored
    assert stored.startswith("md5$")  # the test settings' hasher; production uses Argon2
    assert User.objects.get(pk=user.pk).check_password("Npu-Warboy-2026") is True


@pytest.mark.django_db
def test_sign_up_accepts_the_number_without_dashes():
    _sign_up(business_registration_number="1248100998")

    assert Firm.objects.get().business_registration_number == "1248100998"


@pytest.mark.django_db
def test_sign_up_with_a_registered_number_is_refused_on_that_field_and_creates_nothing():
    FirmFactory(business_registration_number="2208162517")
    before = _counts()

    errors = _refusal(business_registration_number="220-81-62517")

    assert errors == {"business_registration_number": [BRN_TAKEN]}
    assert _counts() == before


@pytest.mark.django_db
def test_sign_up_with_a_bad_check_digit_is_refused_on_that_field_and_creates_nothing():
    before = _counts()

    errors = _refusal(business_registration_number="220-81-62518")

    assert errors == {
        "business_registration_number": [
            "This business registration number fails its check digit; please check it."
        ]
    }
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["22081625", "2208162517123", "22O8162517"])
def test_sign_up_with_a_malformed_number_gets_one_format_message(value):
    before = _counts()

    errors = _refusal(business_registration_number=value)

    assert errors == {
        "business_registration_number": [
            "A business registration number has 10 digits (e.g. 123-45-67890)."
        ]
    }
    assert _counts() == before


@pytest.mark.django_db
def test_sign_up_with_a_taken_username_is_refused_case_insensitively_and_creates_nothing():
    FirmFactory()
    User.objects.create_user(username="Furiosa", password="x-Unused-2026")
    before = _counts()

    errors = _refusal(username="furiosa")

    assert errors == {"username": ["This username is taken."]}
    assert _counts() == before


@pytest.mark.django_db
def test_sign_up_with_a_weak_password_is_refused_with_every_reason_and_creates_nothing():
    before = _counts()

    errors = _refusal(password="12345")

    assert errors == {
        "password": [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ]
    }
    assert _counts() == before


@pytest.mark.django_db
def test_sign_up_with_a_password_like_the_username_is_refused():
    errors = _refusal(username="furiosa-ai", password="furiosa-ai")

    assert errors == {"password": ["The password is too similar to the username."]}
    assert _counts() == (0, 0, 0)


@pytest.mark.django_db
def test_sign_up_with_an_invalid_username_or_email_is_refused_on_those_fields():
    before = _counts()

    errors = _refusal(username="퓨리오사 AI!", email="not-an-email")

    assert errors == {
        "username": [
            "Enter a valid username. This value may contain only letters, numbers, "
            "and @/./+/-/_ characters."
        ],
        "email": ["Enter a valid email address."],
    }
    assert _counts() == before


@pytest.mark.django_db
def test_sign_up_with_unknown_choices_and_a_blank_name_reports_each_field():
    before = _counts()

    errors = _refusal(name="  ", size_class="huge", region="mars", member_type="bank")

    assert errors == {
        "name": ["This field cannot be blank."],
        "size_class": ["Value 'huge' is not a valid choice."],
        "region": ["Value 'mars' is not a valid choice."],
        "member_type": ["Value 'bank' is not a valid choice."],
    }
    assert _counts() == before


@pytest.mark.django_db
def test_sign_up_reports_every_bad_field_at_once():
    FirmFactory(business_registration_number="2208162517")
    User.objects.create_user(username="furiosa", password="x-Unused-2026")
    before = _counts()

    errors = _refusal(password="12345678")

    assert sorted(errors) == ["business_registration_number", "password", "username"]
    assert _counts() == before


@pytest.mark.django_db
def test_sign_up_with_a_corporate_number_failing_its_check_digit_saves_it_with_one_warning():
    user, warnings = _sign_up(corporate_registration_number="110111-1234563")

    assert warnings == [CRN_WARNING]
    assert user.firm.corporate_registration_number == "1101111234563"
    assert Firm.objects.get().crn_display == "110111-1234563"


@pytest.mark.django_db
def test_sign_up_with_a_correct_corporate_number_has_no_warning():
    user, warnings = _sign_up(corporate_registration_number="110111-1234569")

    assert warnings == []
    assert user.firm.corporate_registration_number == "1101111234569"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["110111-123456", "110111-12345690", "11O111-1234569"])
def test_sign_up_with_a_corporate_number_that_is_not_thirteen_digits_is_refused(value):
    before = _counts()

    errors = _refusal(corporate_registration_number=value)

    assert errors == {
        "corporate_registration_number": [
            "A corporate registration number has 13 digits (e.g. 110111-1234567)."
        ]
    }
    assert _counts() == before


# ---------------------------------------------------------------------------------------------
# firm_verify


@pytest.mark.django_db
def test_keit_verifies_a_pending_firm(keit):
    firm = FirmFactory(status=FirmStatus.PENDING)

    verified = firm_verify(firm=firm, actor=keit)

    firm.refresh_from_db()
    assert verified.status == firm.status == FirmStatus.ACTIVE
    assert firm.verified_by == keit
    assert firm.verified_at is not None
    assert firm.verified_at == verified.verified_at
    entry = AuditLog.objects.get()
    assert (entry.actor, entry.action, entry.firm, entry.object_id) == (
        keit,
        "firm.verify",
        firm,
        str(firm.pk),
    )
    assert (entry.from_state, entry.to_state, entry.note) == ("pending", "active", "")


@pytest.mark.django_db
def test_a_second_verify_is_refused_and_changes_nothing(keit):
    firm = firm_verify(firm=FirmFactory(status=FirmStatus.PENDING), actor=keit)
    other_keit = User.objects.create_user(username="keit2", password="x-Unused-2026")
    other_keit.groups.add(Group.objects.get(name=Role.ALLIANCE_SECRETARIAT))
    first = Firm.objects.values("status", "verified_at", "verified_by", "updated_at").get()

    with pytest.raises(TransitionNotAllowed):
        firm_verify(firm=firm, actor=other_keit)

    assert Firm.objects.values("status", "verified_at", "verified_by", "updated_at").get() == first
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "kdb", "editor"])
def test_only_keit_can_verify_a_firm(who, request):
    actor = request.getfixturevalue(who)
    firm = FirmFactory(status=FirmStatus.PENDING)

    with pytest.raises(PermissionDenied):
        firm_verify(firm=firm, actor=actor)

    firm.refresh_from_db()
    assert (firm.status, firm.verified_at, firm.verified_by) == (FirmStatus.PENDING, None, None)
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_a_suspended_firm_cannot_be_verified(keit):
    firm = FirmFactory(status=FirmStatus.SUSPENDED)

    with pytest.raises(TransitionNotAllowed):
        firm_verify(firm=firm, actor=keit)

    firm.refresh_from_db()
    assert firm.status == FirmStatus.SUSPENDED
    assert AuditLog.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# firm_update_profile


@pytest.mark.django_db
def test_an_applicant_updates_their_own_firm_profile_with_an_audit_of_changed_fields(
    firm, applicant
):
    brn = firm.business_registration_number
    chips = SubAlliance.objects.get(code="ai_semiconductor")

    warnings = firm_update_profile(
        firm=firm,
        actor=applicant,
        data={
            "name": firm.name,
            "representative": "정의선",
            "region": "ulsan",
            "business_registration_number": next_valid_brn(),
        },
        sub_alliances=[chips],
    )

    firm.refresh_from_db()
    assert warnings == []
    assert (firm.representative, firm.region) == ("정의선", "ulsan")
    assert firm.business_registration_number == brn
    assert list(firm.sub_alliances.all()) == [chips]
    entry = AuditLog.objects.get()
    assert (entry.actor, entry.action, entry.firm) == (applicant, "firm.update", firm)
    assert entry.data == {
        "changed": {"representative": "정의선", "region": "ulsan", "sub_alliances": str(chips.pk)}
    }


@pytest.mark.django_db
def test_a_profile_update_that_changes_nothing_writes_no_audit_row(firm, applicant):
    firm_update_profile(firm=firm, actor=applicant, data={"name": firm.name, "region": firm.region})

    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_a_profile_update_with_a_bad_corporate_number_digit_saves_with_a_warning(firm, applicant):
    warnings = firm_update_profile(
        firm=firm, actor=applicant, data={"corporate_registration_number": "110111-1234563"}
    )

    firm.refresh_from_db()
    assert warnings == [CRN_WARNING]
    assert firm.corporate_registration_number == "1101111234563"


@pytest.mark.django_db
def test_a_profile_update_with_bad_values_is_refused_and_changes_nothing(firm, applicant):
    before = Firm.objects.values().get(pk=firm.pk)

    with pytest.raises(ValidationError) as caught:
        firm_update_profile(
            firm=firm,
            actor=applicant,
            data={
                "representative": "정의선",
                "corporate_registration_number": "12345",
                "region": "mars",
                "website": "not a url",
            },
        )

    assert caught.value.message_dict == {
        "corporate_registration_number": [
            "A corporate registration number has 13 digits (e.g. 110111-1234567)."
        ],
        "region": ["Value 'mars' is not a valid choice."],
        "website": ["Enter a valid URL."],
    }
    assert Firm.objects.values().get(pk=firm.pk) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_another_firms_applicant_cannot_update_the_profile(firm, other_applicant):
    before = Firm.objects.values().get(pk=firm.pk)

    with pytest.raises(PermissionDenied):
        firm_update_profile(firm=firm, actor=other_applicant, data={"representative": "x"})

    assert Firm.objects.values().get(pk=firm.pk) == before
    assert AuditLog.objects.count() == 0


@pytest.mark.django_db
def test_keit_may_update_any_firm_profile(firm, keit):
    firm_update_profile(firm=firm, actor=keit, data={"address": "서울 서초구 헌릉로 12"})

    firm.refresh_from_db()
    assert firm.address == "서울 서초구 헌릉로 12"
    assert AuditLog.objects.get().actor == keit
