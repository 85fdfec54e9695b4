"""Reads for the information site and its editor pages: published content for everyone,
everything for site editors; lists are already annotated so a page needs no extra queries."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fund.site.models import (
    CancelToken,
    Event,
    Faq,
    FaqCategory,
    Notice,
    Registration,
    RegistrationStatus,
)

SEARCH_MAX = 100


def _search_term(q: str | None) -> str:
    # PostgreSQL text cannot hold NUL, and a query carrying one would fail; no content holds it.
    return (q or "").replace("\x00", "").strip()[:SEARCH_MAX]


def _get_or_404(qs: QuerySet, pk):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


# ---------------------------------------------------------------------------------------------
# Notices


def notices_public(*, q: str = "") -> QuerySet[Notice]:
    """Published notices, pinned first, then newest; `q` searches title and body."""
    qs = Notice.objects.filter(published=True).order_by("-pinned", "-published_at", "-id")
    term = _search_term(q)
    if term:
        qs = qs.filter(Q(title__icontains=term) | Q(body__icontains=term))
    return qs


def notice_get_public(pk) -> Notice:
    """A published notice, or 404 (a draft does not exist for the public)."""
    return _get_or_404(Notice.objects.filter(published=True), pk)


def notices_for_editor(*, q: str = "") -> QuerySet[Notice]:
    """Every notice, drafts included, newest first."""
    qs = Notice.objects.select_related("author").order_by("-pinned", "-updated_at", "-id")
    term = _search_term(q)
    if term:
        qs = qs.filter(Q(title__icontains=term) | Q(body__icontains=term))
    return qs


def notice_get_for_editor(pk) -> Notice:
    return _get_or_404(Notice.objects.all(), pk)


# ---------------------------------------------------------------------------------------------
# FAQ


def _faqs(qs: QuerySet[Faq], *, q: str, category: str) -> QuerySet[Faq]:
    term = _search_term(q)
    if term:
        qs = qs.filter(Q(question__icontains=term) | Q(answer__icontains=term))
    if category in FaqCategory.values:
        qs = qs.filter(category=category)
    return qs.order_by("order", "id")


def faqs_public_grouped(*, q: str = "", category: str = "") -> list[tuple[str, str, list[Faq]]]:
    """Published entries as (category code, label, entries) in the categories' own order,
    leaving out empty categories; one query."""
    by_category: dict[str, list[Faq]] = {}
    for faq in _faqs(Faq.objects.filter(published=True), q=q, category=category):
        by_category.setdefault(faq.category, []).append(faq)
    return [
        (code, label, by_category[code])
        for code, label in FaqCategory.choices
        if code in by_category
    ]


def faqs_for_editor(*, q: str = "", category: str = "") -> QuerySet[Faq]:
    return _faqs(Faq.objects.all(), q=q, category=category).order_by("category", "order", "id")


def faq_get_for_editor(pk) -> Faq:
    return _get_or_404(Faq.objects.all(), pk)


# ---------------------------------------------------------------------------------------------
# Events


def _with_counts(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waitlisted_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )


def events_public_upcoming() -> QuerySet[Event]:
    """Published events that have not ended, soonest first, with registration counts."""
    return _with_counts(
        Event.objects.filter(published=True, ends_at__gt=timezone.now()).order_by("starts_at", "id")
    )


def events_public_past() -> QuerySet[Event]:
    """Published events that have ended, most recent first."""
    return _with_counts(
        Event.objects.filter(published=True, ends_at__lte=timezone.now()).order_by(
            "-starts_at", "-id"
        )
    )


def event_get_public(pk) -> Event:
    """A published event with its counts, or 404."""
    return _get_or_404(_with_counts(Event.objects.filter(published=True)), pk)


def events_for_editor() -> QuerySet[Event]:
    """Every event, upcoming and past, latest start first, with counts."""
    return _with_counts(Event.objects.all()).order_by("-starts_at", "-id")


def event_get_for_editor(pk) -> Event:
    return _get_or_404(_with_counts(Event.objects.all()), pk)


def registrations_for_event(event: Event, *, status: str = "") -> QuerySet[Registration]:
    """The event's registrations in sign-up order, optionally of one status."""
    qs = Registration.objects.filter(event=event).order_by("created_at", "id")
    if status in RegistrationStatus.values:
        qs = qs.filter(status=status)
    return qs


def registration_get_for_editor(pk) -> Registration:
    return _get_or_404(Registration.objects.select_related("event"), pk)


def registration_by_cancel_token(token: str) -> Registration | None:
    """The registration a self-cancel link belongs to, or None for an unknown token."""
    if not token or len(token) > 200:
        return None
    found = (
        CancelToken.objects.select_related("registration__event")
        .filter(token_hash=CancelToken.hash(token))
        .first()
    )
    return found.registration if found else None


# ---------------------------------------------------------------------------------------------
# Editor dashboard


def editor_dashboard_summary() -> dict:
    """Counts for the editor's dashboard (three queries) and the next events."""
    notices = Notice.objects.aggregate(
        published_count=Count("id", filter=Q(published=True)),
        draft_count=Count("id", filter=Q(published=False)),
    )
    faqs = Faq.objects.aggregate(
        published_count=Count("id", filter=Q(published=True)),
        draft_count=Count("id", filter=Q(published=False)),
    )
    upcoming = list(
        _with_counts(Event.objects.filter(ends_at__gt=timezone.now())).order_by("starts_at", "id")[
            :5
        ]
    )
    return {"notices": notices, "faqs": faqs, "upcoming_events": upcoming}
