"""API rate limits (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]); 429 beyond them.

Kept apart from portal.core.api: DRF imports these while it defines APIView itself.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _SettingsRateMixin:
    """Read the rate when a request arrives, not when the class is imported, so a deployment
    (or a test) can change the rates through settings."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def wait(self):
        """Seconds until a request can pass again: the 429's Retry-After, which is always sent.

        DRF gives no wait when more requests are on record than the rate allows (the rate was
        lowered, or processes recorded at the same moment); then a request passes again once
        the record is back under the rate, when its `num_requests`-th newest entry expires."""
        wait = super().wait()
        if wait is None and self.history:
            entry = self.history[min(self.num_requests, len(self.history)) - 1]
            wait = self.duration - (self.now - entry)
        return wait


class AnonThrottle(_SettingsRateMixin, AnonRateThrottle):
    pass


class UserThrottle(_SettingsRateMixin, UserRateThrottle):
    pass


class TokenObtainThrottle(_SettingsRateMixin, AnonRateThrottle):
    """Password guessing through the token endpoint: a much lower rate per client address."""

    scope = "token"


class SelfCheckThrottle(_SettingsRateMixin, SimpleRateThrottle):
    """The public self-check runs the rule set for anyone: limited per client address, signed in
    or not (pages and API share the count)."""

    scope = "self_check"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
