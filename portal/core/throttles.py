"""API rate limits (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]); 429 beyond them.

Kept apart from portal.core.api: DRF imports these while it defines APIView itself.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _SettingsRateMixin:
    """Read the rate when a request arrives, not when the class is imported, so a deployment
    (or a test) can change the rates through settings."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_SettingsRateMixin, AnonRateThrottle):
    pass


class UserThrottle(_SettingsRateMixin, UserRateThrottle):
    pass


class TokenObtainThrottle(_SettingsRateMixin, AnonRateThrottle):
    """Password guessing through the token endpoint: a much lower rate per client address."""

    scope = "token"
