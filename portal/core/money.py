"""Won amounts as people read them: 1조 5,000억원 in Korean, KRW 1.5 trillion in English."""

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from portal.core.vocabulary import EOK, JO, MAN

TRILLION = 10**12
BILLION = 10**9


def as_int(value) -> int | None:
    """An amount as an int, or None for empty or non-numeric input (never a bool)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def krw_ko(amount: int) -> str:
    """A non-negative amount in 조/억/만원."""
    # 1조 5,000억원: each 4-digit group gets its unit; empty groups are left out.
    if amount == 0:
        return "0원"
    parts = []
    rest = amount
    for unit, label in ((JO, "조"), (EOK, "억"), (MAN, "만")):
        count, rest = divmod(rest, unit)
        if count:
            parts.append(f"{count:,}{label}")
    if rest:
        parts.append(f"{rest:,}")
    return " ".join(parts) + "원"


def _scaled(amount: int, unit: int) -> str:
    value = (Decimal(amount) / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def krw_en(amount: int) -> str:
    """A non-negative amount in KRW trillion/billion."""
    if amount >= TRILLION or _scaled(amount, BILLION) == "1,000":
        return f"KRW {_scaled(amount, TRILLION)} trillion"
    if amount >= BILLION:
        return f"KRW {_scaled(amount, BILLION)} billion"
    return f"KRW {amount:,}"


# ---------------------------------------------------------------------------------------------
# Reading amounts as people type them


class AmountParseError(ValueError):
    """Typed text that is not an amount; `code` says why (invalid, negative, fraction)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# One number: digits with correct thousands commas or none, and an optional decimal part.
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
# One group of a Korean amount: a number, an optional 천/백/십 inside the group, and its unit.
_GROUP = re.compile(rf"({_NUMBER})(천|백|십)?(조|억|만)")
_BARE = re.compile(rf"({_NUMBER})(천|백|십)?")
_SMALL_UNITS = {"천": 1000, "백": 100, "십": 10, None: 1}
_BIG_UNITS = {"조": JO, "억": EOK, "만": MAN}


def _number(text: str, small: str | None) -> Decimal:
    return Decimal(text.replace(",", "")) * _SMALL_UNITS[small]


def parse_krw(text: str) -> int | None:
    """Integer won from what people write: "4200억", "1.5조", "1,800억원", "3억 5천만원",
    "1조 2,000억", "180000000000", "12,345원"; None for blank text.

    Units go from large to small (조, 억, 만), each at most once; a plain number after a unit
    counts as won only when it ends in 원 ("3억 5,000원"), because "3억 5000" is as often said
    for 3억 5,000만. Raises AmountParseError (code "negative", "fraction" for less than one won,
    else "invalid").
    """
    compact = re.sub(r"\s+", "", text or "")
    if not compact:
        return None
    if compact.startswith("-") or compact.startswith("−"):
        raise AmountParseError("negative")
    explicit_won = compact.endswith("원")
    rest = compact[:-1] if explicit_won else compact
    if rest.startswith("₩"):
        rest = rest[1:]
    if not rest:
        raise AmountParseError("invalid")
    with localcontext(prec=80):  # 40 typed characters stay exact
        return _sum_groups(rest, explicit_won=explicit_won)


def _sum_groups(rest: str, *, explicit_won: bool) -> int:
    total = Decimal(0)
    last_unit = None
    while rest:
        group = _GROUP.match(rest)
        if group is None:
            break
        unit = _BIG_UNITS[group.group(3)]
        if last_unit is not None and unit >= last_unit:
            raise AmountParseError("invalid")
        total += _number(group.group(1), group.group(2)) * unit
        last_unit = unit
        rest = rest[group.end() :]
    if rest:
        bare = _BARE.fullmatch(rest)
        if bare is None or (last_unit is not None and not explicit_won):
            raise AmountParseError("invalid")
        if last_unit is not None and _number(bare.group(1), bare.group(2)) >= last_unit:
            raise AmountParseError("invalid")
        total += _number(bare.group(1), bare.group(2))
    if total != total.to_integral_value():
        raise AmountParseError("fraction")
    return int(total)
