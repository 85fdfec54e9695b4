"""Whole public pages for anonymous visitors, cached per language under the versions of the
aggregates they show (portal.core.aggregate_cache): the spike of the day the fund opens a call
is served from the cache, and a committed change reaches the next visitor at once.

What is never cached or served from the cache:
- a visitor with a session or pending messages (every signed-in user has a session): their
  page names them, their role's navigation or a message meant for them alone;
- anything but GET and HEAD, any answer but 200, an answer that sets a cookie;
- inside an atomic block (it may see its own uncommitted rows), as aggregate_cache.

Forms stay protected: every CSRF token in a stored page is replaced by a marker, and each
visitor's copy gets a token of their own (`get_token`, which also sets their CSRF cookie), so
no token is ever shared between visitors.
"""

from __future__ import annotations

import functools
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from portal.core import aggregate_cache

logger = logging.getLogger(__name__)

MAX_PATH = 300
# Not a token: never produced by get_token (letters and digits only).
MARKER = "__portal_csrf_token__"
_FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"')
_HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{32,64})"')
# The response headers a stored page keeps (the middleware adds the rest on every answer).
KEPT_HEADERS = ("Content-Type", "Content-Language")


def cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and len(request.get_full_path()) <= MAX_PATH
        and not connection.in_atomic_block
    )


def _key(request, versions: list) -> str:
    stamp = ".".join(str(v) for v in versions)
    return f"page:{get_language()}:{stamp}:{request.get_full_path()}"


def _without_tokens(body: str) -> str | None:
    """The page with each CSRF token replaced by MARKER; None when a token cannot be found
    although the page used one (then the page is not stored)."""
    tokens = set(_FORM_TOKEN.findall(body)) | set(_HEADER_TOKEN.findall(body))
    for token in tokens:
        body = body.replace(token, MARKER)
    if "csrfmiddlewaretoken" in body and not tokens:
        return None
    return body


def _stored(response: HttpResponse, request) -> dict | None:
    if response.status_code != 200 or response.cookies or response.streaming:
        return None
    body = response.content.decode(response.charset)
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or "CSRF_COOKIE" in request.META:
        body = _without_tokens(body)
        if body is None:
            return None
    return {
        "body": body,
        "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
    }


def _answer(entry: dict, request) -> HttpResponse:
    body = entry["body"]
    if MARKER in body:
        body = body.replace(MARKER, get_token(request))
    response = HttpResponse(body)
    for header, value in entry["headers"].items():
        response[header] = value
    response["X-Page-Cache"] = "hit"
    return response


def public_page(*namespaces: str):
    """Cache the decorated view's page for anonymous visitors under `namespaces`' versions
    (aggregate_cache.PUBLIC when none are named)."""
    namespaces = namespaces or (aggregate_cache.PUBLIC,)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not cacheable_request(request):
                return view(request, *args, **kwargs)
            try:
                versions = aggregate_cache.versions(list(namespaces))
                key = _key(request, versions)
                entry = cache.get(key)
            except Exception:  # a cache outage costs speed, never the page
                logger.warning("page cache unavailable", exc_info=True)
                return view(request, *args, **kwargs)
            if entry is not None:
                return _answer(entry, request)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            entry = _stored(response, request)
            if entry is not None:
                try:
                    cache.set(key, entry, aggregate_cache.TIMEOUT)
                except Exception:
                    logger.warning("page cache unavailable", exc_info=True)
            return response

        return wrapper

    return decorate
