"""Korean registration numbers (SPEC §3.1)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
CRN_WEIGHTS = (1, 2) * 6


def normalize_digits(value: str) -> str:
    """Strip the dashes and spaces people type; keep everything else so it can be rejected."""
    return re.sub(r"[\s\-]", "", value or "")


def brn_check_digit(first_nine: str) -> int:
    """사업자등록번호 check digit from its first nine digits."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_brn(value: str) -> bool:
    value = normalize_digits(value)
    return bool(re.fullmatch(r"\d{10}", value)) and brn_check_digit(value[:9]) == int(value[9])


def validate_business_registration_number(value: str) -> None:
    digits = normalize_digits(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(
            _("A business registration number has 10 digits (e.g. 123-45-67890)."),
            code="brn_format",
        )
    if brn_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(
            _("This business registration number fails its check digit; please check it."),
            code="brn_checksum",
        )


def format_brn(value: str) -> str:
    """Show 10 digits as 123-45-67890."""
    digits = normalize_digits(value)
    if len(digits) != 10:
        return value
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def crn_check_digit(first_twelve: str) -> int:
    total = sum(int(c) * w for c, w in zip(first_twelve, CRN_WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def crn_warning(value: str) -> str | None:
    """법인등록번호: a failed check digit is a warning, not a rejection (SPEC §3.1)."""
    digits = normalize_digits(value)
    if not digits:
        return None
    if not re.fullmatch(r"\d{13}", digits) or crn_check_digit(digits[:12]) != int(digits[12]):
        return str(
            _(
                "The corporate registration number's check digit does not match; it was saved, "
                "please confirm it."
            )
        )
    return None


def validate_crn_format(value: str) -> None:
    if not re.fullmatch(r"\d{13}", normalize_digits(value)):
        raise ValidationError(
            _("A corporate registration number has 13 digits (e.g. 110111-1234567)."),
            code="crn_format",
        )


def format_crn(value: str) -> str:
    digits = normalize_digits(value)
    if len(digits) != 13:
        return value
    return f"{digits[:6]}-{digits[6:]}"
