"""사업자등록번호 / 법인등록번호 rules (SPEC §3.1), proved on known numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from alliance.validators import (
    brn_check_digit,
    crn_check_digit,
    crn_warning,
    format_brn,
    format_crn,
    is_valid_brn,
    normalize_digits,
    validate_business_registration_number,
    validate_crn_format,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _valid_crn(first_twelve: str) -> str:
    """A 법인등록번호 with a correct check digit, computed the way SPEC §3.1 describes."""
    total = sum(int(c) * w for c, w in zip(first_twelve, (1, 2) * 6, strict=True))
    return first_twelve + str((10 - total % 10) % 10)


def _brn_error_codes(value: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_business_registration_number(value)
    return [error.code for error in caught.value.error_list]


@pytest.mark.parametrize(
    "value",
    ["220-81-62517", "2208162517", "124-81-00998", "1248100998", " 124 81 00998 "],
)
def test_known_business_registration_numbers_are_valid_with_or_without_dashes(value):
    assert is_valid_brn(value) is True
    assert validate_business_registration_number(value) is None


def test_check_digit_follows_the_weights_and_the_ninth_digit_carry():
    # 2+6+0+8+3+42+2+15+5 = 83, carry ⌊1·5/10⌋ = 0 → (10 − 3) mod 10 = 7
    assert brn_check_digit("220816251") == 7
    # 1+6+28+8+3+0+0+27+45 = 118, carry ⌊9·5/10⌋ = 4 → 122 → (10 − 2) mod 10 = 8
    assert brn_check_digit("124810099") == 8


@pytest.mark.parametrize("value", ["220-81-62518", "2208162510", "124-81-00990"])
def test_a_wrong_check_digit_is_rejected_as_a_checksum_error(value):
    assert is_valid_brn(value) is False
    assert _brn_error_codes(value) == ["brn_checksum"]


@pytest.mark.parametrize("value", ["220816251", "22081625170", "", "220-81-6251", "1234567890123"])
def test_a_wrong_length_is_rejected_as_a_format_error(value):
    assert is_valid_brn(value) is False
    assert _brn_error_codes(value) == ["brn_format"]


@pytest.mark.parametrize("value", ["22O-81-62517", "abcdefghij", "220-81-6251a", "220.81.62517"])
def test_letters_and_other_characters_are_rejected_as_a_format_error(value):
    assert is_valid_brn(value) is False
    assert _brn_error_codes(value) == ["brn_format"]


def test_the_format_error_message_gives_an_example():
    with pytest.raises(ValidationError) as caught:
        validate_business_registration_number("12345")

    assert caught.value.messages == [
        "A business registration number has 10 digits (e.g. 123-45-67890)."
    ]


def test_normalize_digits_strips_only_dashes_and_spaces():
    assert normalize_digits(" 220-81 -62517\t") == "2208162517"
    assert normalize_digits("22O-81") == "22O81"
    assert normalize_digits(None) == ""


def test_format_brn_groups_ten_digits_as_3_2_5():
    assert format_brn("2208162517") == "220-81-62517"
    assert format_brn("220-81-62517") == "220-81-62517"
    assert format_brn("12345") == "12345"


def test_format_crn_groups_thirteen_digits_as_6_7():
    assert format_crn("1101111234567") == "110111-1234567"
    assert format_crn("") == ""
    assert format_crn("123") == "123"


def test_a_corporate_number_with_a_correct_check_digit_gives_no_warning():
    crn = _valid_crn("110111123456")

    # 1+2+0+2+1+2+1+4+3+8+5+12 = 41 → (10 − 1) mod 10 = 9
    assert crn == "1101111234569"
    assert crn_check_digit(crn[:12]) == 9
    assert crn_warning(crn) is None
    assert crn_warning("110111-1234569") is None


def test_a_corporate_number_with_a_wrong_check_digit_gives_one_warning():
    assert crn_warning("1101111234563") == (
        "The corporate registration number's check digit does not match; it was saved, "
        "please confirm it."
    )


def test_an_empty_corporate_number_gives_no_warning():
    assert crn_warning("") is None
    assert crn_warning(" - ") is None


@pytest.mark.parametrize("value", ["110111123456", "11011112345634", "110111-12345a3"])
def test_a_corporate_number_that_is_not_thirteen_digits_fails_the_format_check(value):
    with pytest.raises(ValidationError) as caught:
        validate_crn_format(value)

    assert [e.code for e in caught.value.error_list] == ["crn_format"]


def test_a_thirteen_digit_corporate_number_passes_the_format_check_whatever_its_check_digit():
    assert validate_crn_format("110111-1234569") is None
    assert validate_crn_format("1101111234563") is None
