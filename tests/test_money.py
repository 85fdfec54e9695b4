"""portal.core.money.parse_krw: amounts as people type them, read as integer won."""

import pytest

from portal.core.money import AmountParseError, parse_krw


@pytest.mark.parametrize(
    ("typed", "won"),
    [
        ("4200억", 420_000_000_000),
        ("4,200억", 420_000_000_000),
        ("1.5조", 1_500_000_000_000),
        ("1,800억원", 180_000_000_000),
        ("180000000000", 180_000_000_000),
        ("180,000,000,000", 180_000_000_000),
        ("180,000,000,000원", 180_000_000_000),
        ("1조 5,000억원", 1_500_000_000_000),
        ("1조5000억", 1_500_000_000_000),
        ("3억 5천만원", 350_000_000),
        ("5천만원", 50_000_000),
        ("2억 3,456만 7,890원", 234_567_890),
        ("0.5억", 50_000_000),
        ("12,345원", 12_345),
        ("₩ 1,000", 1_000),
        ("  4200 억  ", 420_000_000_000),
        ("0", 0),
        (" 1 000 ", 1_000),
        ("1.23456789억", 123_456_789),
    ],
)
def test_parse_krw_reads_digits_and_korean_units_as_integer_won(typed, won):
    assert parse_krw(typed) == won


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_parse_krw_reads_blank_text_as_no_amount(blank):
    assert parse_krw(blank) is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-4200억", "negative"),
        ("−1,000", "negative"),
        ("1.5", "fraction"),
        ("0.000000001억", "fraction"),
        ("억", "invalid"),
        ("원", "invalid"),
        ("abc", "invalid"),
        ("1,80억", "invalid"),
        ("5억 3조", "invalid"),  # units from large to small only
        ("5억 3억", "invalid"),  # each unit once
        ("3억 5000", "invalid"),  # 3억 5,000원 or 3억 5,000만? say which
        ("3만 12,000원", "invalid"),  # a remainder as large as the unit before it
        ("1.5.0억", "invalid"),
        ("4200억달러", "invalid"),
    ],
)
def test_parse_krw_refuses_what_is_not_an_amount_and_says_why(typed, code):
    with pytest.raises(AmountParseError) as caught:
        parse_krw(typed)
    assert caught.value.code == code


def test_parse_krw_takes_a_plain_won_remainder_after_units_when_it_ends_in_won():
    assert parse_krw("3억 5,000원") == 300_005_000


def test_parse_krw_keeps_forty_typed_digits_exact():
    assert parse_krw("9" * 36 + "조") == int("9" * 36) * 10**12
