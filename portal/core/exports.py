"""Cells for CSV and XLSX exports that a spreadsheet cannot run as a formula."""

# A spreadsheet would run a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe, in CSV and XLSX
    alike; numbers and None stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
