"""What the secretariat's lists share: a search over names and 사업자등록번호, and pages of
fifty. Used by KEIT's firm registry (alliance) and its proposal screening (fund.coordination).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.http import url_has_allowed_host_and_scheme

from alliance.validators import normalize_digits

PAGE_SIZE = 50


def search_condition(q: str, *, name_fields: tuple[str, ...], brn_field: str) -> Q:
    """Rows whose name fields contain `q`, or whose 사업자등록번호 contains its digits (the
    dashes and spaces people type are ignored)."""
    condition = Q()
    for field in name_fields:
        condition |= Q(**{f"{field}__icontains": q})
    digits = normalize_digits(q)
    if digits.isdigit():
        condition |= Q(**{f"{brn_field}__contains": digits})
    return condition


def page_of(request, queryset, size: int = PAGE_SIZE):
    """The page of `queryset` the request's `page` parameter asks for (the last one if past
    the end, the first if not a number)."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def safe_next(request) -> str:
    """The `next` path a form sent, when it is a printable path on this site; else ""
    (a bare word would otherwise be taken for a view name by `redirect`)."""
    next_url = request.POST.get("next", "")
    if (
        next_url.startswith("/")
        and next_url.isprintable()
        and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return next_url
    return ""
