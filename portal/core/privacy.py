"""Personal data of event registrants and consultation contacts: masking, the access log and
the scheduled erasure.

The portal keeps that data only as long as its privacy policy says: the setting
`PERSONAL_DATA_RETENTION_DAYS`, counted from the end of the event or the closing of the
consultation. Each app that holds such data registers an eraser here (from its AppConfig), and
the periodic task `core.erase_expired_personal_data` runs them all; the core imports no app.
Staff pages show e-mail addresses and phone numbers masked until a person opens a record, and
every view, reveal, export and erasure is a row of `PersonalDataAccess`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone

from portal.core.models import PersonalDataAccess, PersonalDataAction, PersonalDataKind

__all__ = [
    "PersonalDataAction",
    "PersonalDataKind",
    "access_record",
    "erase_expired",
    "eraser_register",
    "mask_email",
    "mask_phone",
    "retention_cutoff",
]

MASK = "*"
PATH_MAX = PersonalDataAccess._meta.get_field("path").max_length


# ---------------------------------------------------------------------------------------------
# Masking


def mask_email(value: str | None) -> str:
    """`hong@example.com` → `h***@example.com`: the first character of the name and the domain
    stay, so staff can tell addresses apart without reading them."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return MASK * 3
    return f"{local[0]}{MASK * 3}@{domain}"


_FIRST_GROUP = re.compile(r"\+?(\d{1,4})[^\d]")


def mask_phone(value: str | None) -> str:
    """`010-1234-5678` → `010-****-5678`: the first group (the first three digits when there
    are no separators) and the last four digits stay, every other digit becomes `*`, and the
    separators stay where they were. At least three digits are always hidden."""
    value = (value or "").strip()
    positions = [index for index, char in enumerate(value) if char.isdigit()]
    if not positions:
        return ""
    tail = positions[-4:]
    group = _FIRST_GROUP.match(value)
    head_length = len(group.group(1)) if group else 3
    head = positions[:head_length]
    if len(positions) - len(set(head) | set(tail)) < 3:
        head = []
    hidden = set(positions) - set(head) - set(tail)
    return "".join(MASK if index in hidden else char for index, char in enumerate(value))


# ---------------------------------------------------------------------------------------------
# The access log


def access_record(
    *,
    actor,
    action: str,
    kind: str,
    record_ids: Iterable[int],
    path: str = "",
    data: dict | None = None,
) -> PersonalDataAccess:
    """Append one access-log row: `actor` (a user, or None for the scheduled erasure) did
    `action` to the personal data in `record_ids` of `kind`. Call it in the transaction of the
    change it records, if there is one."""
    ids = [int(pk) for pk in record_ids]
    signed_in = actor is not None and actor.is_authenticated
    row = PersonalDataAccess(
        actor=actor if signed_in else None,
        actor_username=actor.get_username() if signed_in else "",
        action=PersonalDataAction(action),
        kind=PersonalDataKind(kind),
        record_ids=ids,
        row_count=len(ids),
        path=path[:PATH_MAX],
        data=data or {},
    )
    row.save(force_insert=True)
    return row


# ---------------------------------------------------------------------------------------------
# Retention: the scheduled erasure

# kind -> eraser(*, cutoff, now) -> rows erased. Registered by the apps that hold the data.
Eraser = Callable[..., int]
_ERASERS: dict[str, Eraser] = {}


def eraser_register(kind: str, eraser: Eraser) -> None:
    """Let `erase_expired` erase `kind`'s data: `eraser(cutoff=…, now=…)` erases what expired at
    or before `cutoff`, logs it with `access_record`, and returns how many rows it erased."""
    _ERASERS[PersonalDataKind(kind)] = eraser


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Data whose retention started at or before this moment has expired."""
    now = now or timezone.now()
    return now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def erase_expired(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every registered eraser; returns the rows erased per kind. Idempotent: erased rows
    are marked, and a second run finds nothing to erase."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    return {str(kind): _ERASERS[kind](cutoff=cutoff, now=now) for kind in sorted(_ERASERS)}
