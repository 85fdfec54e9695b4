"""Sign-in lockout glue for django-axes: the backend, the client address and the answer."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
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
        return super().authenticate(request, username=username, password=password, **kwargs)


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
    return request.META.get("REMOTE_ADDR", "")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return gettext(
        "Too many failed sign-in attempts. Sign-in for this account or from this address is "
        "paused for %(minutes)d minutes. Try again later, or reset your password."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The answer to a locked-out sign-in: the sign-in page with the reason, or JSON for the API.

    429 (Too Many Requests) rather than 403: the account exists or not, the answer is the same,
    so a lockout reveals nothing about which user names are real.
    """
    message = lockout_message()
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=LOCKOUT_STATUS)
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
