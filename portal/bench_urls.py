"""The benchmark URLconf: the whole portal plus `/bench/floor/<name>/`.

A floor view returns, byte for byte, a page that bench/run.py captured from the real view, so
the two differ only in the work the real view does. Used by portal.settings.bench only.
"""

import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import include, path

NAME = re.compile(r"[a-z0-9_]{1,40}")
_pages: dict[str, tuple[bytes, str]] = {}


def floor(request, name: str):
    """The captured bytes of page `name`, read from disk once per process."""
    page = _pages.get(name)
    if page is None:
        if not NAME.fullmatch(name):
            raise Http404
        folder = settings.BENCH_FLOOR_DIR
        try:
            body = (folder / f"{name}.body").read_bytes()
            content_type = (folder / f"{name}.type").read_text().strip()
        except FileNotFoundError as exc:
            raise Http404 from exc
        page = _pages[name] = (body, content_type)
    return HttpResponse(page[0], content_type=page[1])


urlpatterns = [
    path("bench/floor/<slug:name>/", floor, name="bench-floor"),
    path("", include("portal.urls")),
]
