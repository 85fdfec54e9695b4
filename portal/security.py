"""Sign-in lockout glue for django-axes: the backend, the client address and the answer."""

import datetime

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

LOCKOUT_STATUS = 429


class LockoutBackend(AxesStandaloneBackend):
    """Refuses sign-in while the account or the address is locked out.

    Every sign-in over HTTP (the login page, the admin, the API token endpoint) passes the
    request to `authenticate`, and is checked. A call without a request comes from code on the
    server itself (a management command, a test): there is no client to lock out, so this
    backend steps aside and the next backend decides, instead of raising as axes would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if address_is_spraying(request):
            # As axes does for a locked account: the middleware answers with lockout_response.
            request.axes_locked_out = True
            request.axes_credentials = {"username": username}
            raise AxesBackendPermissionDenied("too many failed sign-ins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)


def address_is_spraying(request: HttpRequest) -> bool:
    """Whether the client's address has failed SIGN_IN_ADDRESS_FAILURE_LIMIT sign-ins, across
    every account, within the last base cool-off: the guard against password spraying."""
    since = timezone.now() - settings.SIGN_IN_COOLOFF
    failures = AccessAttempt.objects.filter(
        ip_address=client_ip(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    """How long a locked (account, address) pair stays locked after its last failure:
    SIGN_IN_COOLOFF, doubled for every further round of AXES_FAILURE_LIMIT failures."""
    base = settings.SIGN_IN_COOLOFF
    if request is None:
        return base
    username = get_client_username(request, getattr(request, "axes_credentials", None))
    if not username:
        return base
    failures = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
        .values_list("failures_since_start", flat=True)
        .first()
    ) or 0
    rounds = max(failures // settings.AXES_FAILURE_LIMIT - 1, 0)
    return min(base * 2 ** min(rounds, 16), settings.SIGN_IN_COOLOFF_MAX)


# The width of axes's user name column; no account's name is that long (150 at most).
USERNAME_COLUMN = AccessAttempt._meta.get_field("username").max_length


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The user name a sign-in attempt is counted under: the one typed, cut to the width of
    axes's column.

    Neither the sign-in page's form nor the API's token endpoint limits the length of the name
    it passes to `authenticate`, and a name longer than the column would fail the write that
    records the failure (a 500 where "wrong user name or password" is the answer).
    """
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return username[:USERNAME_COLUMN] if isinstance(username, str) else username


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For.

    Only the last `TRUSTED_PROXY_COUNT` entries were written by proxies we run; anything to the
    left of them came from the client and could name any address, so it is never used.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    # A server on a unix socket passes no address. The lockout must still count: without an
    # address every failure would be a row of its own and no account would ever lock, so
    # such requests share the unspecified address (a valid value of the address column).
    return request.META.get("REMOTE_ADDR", "") or UNKNOWN_ADDRESS


UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (a recorded value, not an address to bind)


LOCKOUT_CODE = "locked_out"


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = int(cool_off(request).total_seconds() // 60)
    return gettext(
        "Too many failed sign-in attempts. Sign-in for this account or from this address is "
        "paused for %(minutes)d minutes. Try again later, or reset your password."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The answer to a locked-out sign-in: the sign-in page with the reason, or JSON for the API.

    429 (Too Many Requests) rather than 403: the account exists or not, the answer is the same,
    so a lockout reveals nothing about which user names are real. The JSON body has the API's
    error shape (`detail`, `code`; portal.core.api) and, like a throttled call, `Retry-After`.
    """
    message = lockout_message(request)
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "code": LOCKOUT_CODE}, status=LOCKOUT_STATUS)
        response["Retry-After"] = str(int(cool_off(request).total_seconds()))
        return response
    username = (credentials or {}).get("username", "")
    form = LockedOutForm(request, username=username, message=message)
    return render(request, "registration/login.html", {"form": form}, status=LOCKOUT_STATUS)


class LockedOutForm(AuthenticationForm):
    """The sign-in form shown again, empty but for the user name, with the lockout reason."""

    def __init__(self, request, *, username: str, message: str):
        super().__init__(request, initial={"username": username})
        self.lockout_message = message

    def non_field_errors(self):
        return self.error_class([self.lockout_message], error_class="nonfield")
