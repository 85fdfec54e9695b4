"""Ids from URLs, forms and payloads, parsed one way everywhere: a bad id is a 404, never a 500."""

import re
import uuid

from django.http import Http404

ID_PATTERN = re.compile(r"[0-9]{1,19}")
BIGINT_MAX = 2**63 - 1


def parse_id(value) -> int:
    """A database id: an int, or ASCII digits, within bigint range; otherwise Http404.

    `int()` alone would also take "１２" (full-width digits), " 12 " and "1_2".
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and ID_PATTERN.fullmatch(value):
        number = int(value)
    else:
        raise Http404
    if not 0 < number <= BIGINT_MAX:
        raise Http404
    return number


def parse_uuid(value) -> uuid.UUID | None:
    """A UUID (a packet id), or None for anything that is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
