"""iCalendar (.ics) files for events, attached to registration mail."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fund.site.models import Event

PRODID = "-//M.AX x National Growth Fund portal//Events//KO"


def event_uid(event: Event) -> str:
    """A UID that stays the same for every mail about one event, so a calendar that already
    holds the event updates it instead of adding a second copy."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"event-{event.pk}@{host}"


def event_url(event: Event) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("site:event_detail", args=[event.pk])


def event_calendar(event: Event) -> bytes:
    """The event as a one-VEVENT calendar (METHOD:PUBLISH), times with TZID Asia/Seoul."""
    seoul = ZoneInfo(settings.TIME_ZONE)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("calscale", "GREGORIAN")

    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now())
    vevent.add("dtstart", event.starts_at.astimezone(seoul))
    vevent.add("dtend", event.ends_at.astimezone(seoul))
    vevent.add("summary", event.title)
    description = event.description
    if event.online_url:
        description = f"{description}\n\n{event.online_url}"
    vevent.add("description", description)
    vevent.add("location", event.location_display)
    vevent.add("url", event_url(event))
    vevent.add("status", "CONFIRMED")
    calendar.add_component(vevent)
    # Clients need the VTIMEZONE block to read TZID=Asia/Seoul without guessing.
    calendar.add_missing_timezones()
    return calendar.to_ical()
