"""The errors services raise and every caller (pages, API, workers) maps the same way.

A service refuses bad input with Django's ValidationError (400 with field errors); these are
the other refusals: a stale edit and a capacity conflict (409), a change the current state
does not allow (409).
"""

from django.utils.translation import gettext as _


class StaleEdit(Exception):
    """The object changed since the editor loaded it; their save was refused (409)."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version
        self.message = _(
            "Someone else saved this proposal after you opened it. Your changes were not "
            "saved; reload to see the current version."
        )


class TransitionNotAllowed(Exception):
    """The requested change is not possible from the object's current state."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CapacityExceeded(Exception):
    """The commitment would push the channel past its five-year size (409 in the API)."""

    def __init__(self, *, channel, remaining_krw: int, amount_krw: int):
        super().__init__(channel.code, remaining_krw, amount_krw)
        self.channel = channel
        self.remaining_krw = remaining_krw
        self.amount_krw = amount_krw
        self.message = _(
            "The %(channel)s channel has %(remaining)s won left; %(amount)s won cannot be "
            "committed."
        ) % {
            "channel": channel.name,
            "remaining": f"{remaining_krw:,}",
            "amount": f"{amount_krw:,}",
        }
