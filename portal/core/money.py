"""Won amounts as people read them: 1조 5,000억원 in Korean, KRW 1.5 trillion in English."""

from decimal import ROUND_HALF_UP, Decimal

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
