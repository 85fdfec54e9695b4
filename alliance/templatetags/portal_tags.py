"""Template filters the pages share: won amounts, registration numbers, masked contact details,
KRDS form widgets."""

from django import forms, template
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext

from alliance.validators import format_brn, format_crn
from portal.core.korean import josa, korean_date, particles
from portal.core.money import as_int, krw_en, krw_ko
from portal.core.privacy import mask_email, mask_phone

register = template.Library()

EMPTY = "—"


@register.filter
def krw(value) -> str:
    """An integer won amount as 조/억/만원 in Korean, KRW trillion/billion in English."""
    amount = as_int(value)
    if amount is None:
        return EMPTY if value in (None, "") else str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    english = (get_language() or "ko").startswith("en")
    return sign + (krw_en(amount) if english else krw_ko(amount))


@register.filter
def brn(value) -> str:
    """사업자등록번호 as 123-45-67890."""
    if not value:
        return EMPTY
    return format_brn(str(value))


@register.filter(name="mask_email")
def mask_email_filter(value) -> str:
    """An e-mail address as staff see it until they open the record: h***@example.com."""
    return mask_email(value) or EMPTY


@register.filter(name="mask_phone")
def mask_phone_filter(value) -> str:
    """A phone number as staff see it until they open the record: 010-****-5678."""
    return mask_phone(value) or EMPTY


@register.filter
def crn(value) -> str:
    """법인등록번호 as 110111-1234567."""
    if not value:
        return EMPTY
    return format_crn(str(value))


# Status codes of firms and proposals never collide except "decided", which means the same.
BADGE_CLASSES = {
    "pending": "bg-light-warning",
    "active": "bg-light-success",
    "suspended": "bg-light-danger",
    "draft": "bg-light-gray",
    "submitted": "bg-light-primary",
    "info_requested": "bg-light-warning",
    "referred": "bg-light-secondary",
    "in_review": "bg-light-information",
    "decided": "bg-light-success",
    "withdrawn": "bg-light-disabled",
}


@register.filter
def status_badge(value) -> str:
    """The KRDS badge modifier for a firm or proposal status code."""
    return BADGE_CLASSES.get(str(value), "bg-light-gray")


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
        return ""
    if isinstance(widget, forms.Select):
        return "krds-form-select"
    return "krds-input"


@register.filter
def krds_widget(bound_field):
    """Render a bound field's widget with the KRDS class for its kind of input."""
    css = _widget_class(bound_field.field.widget)
    if css == "krds-form-select" and bound_field.value() not in (None, "", [], ()):
        css += " completed"  # KRDS draws a chosen value darker than the prompt
    if css.startswith("krds-form-select") and bound_field.errors:
        css += " is-error"  # KRDS marks a select itself, not its wrapper
    existing = bound_field.field.widget.attrs.get("class", "")
    # Django adds aria-invalid and aria-describedby (<id>_helptext, <id>_error) itself.
    attrs = {"class": f"{existing} {css}".strip()} if css else {}
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_choice_list(bound_field) -> bool:
    """True for checkbox/radio groups, which KRDS lays out as a check area, not an input."""
    return isinstance(bound_field.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current one, with the paginator's ellipsis for the gaps."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.filter
def seconds_ago(seconds) -> str:
    """An age in seconds as people say it: 45초 전, 3분 전, 2시간 전 (45 s, 3 min, 2 h ago)."""
    seconds = as_int(seconds)
    if seconds is None:
        return EMPTY
    if seconds < 60:
        return ngettext("%(n)d second ago", "%(n)d seconds ago", seconds) % {"n": seconds}
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    hours = seconds // 3600
    return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}


@register.filter(name="particles")
def particles_filter(value) -> str:
    """Resolve the neutral particle markers of Korean text — (으)로, 을(를), 이(가), 은(는),
    와(과) — by the word before each (portal.core.korean); other text passes unchanged."""
    return particles(value)


@register.filter(name="josa")
def josa_filter(value, which: str) -> str:
    """`value` followed by the right form of the Korean particle `which`, on Korean pages."""
    if (get_language() or "ko").startswith("en"):
        return str(value)
    return josa(value, which)


@register.filter
def prose_date(value) -> str:
    """A date in running text: 2025년 12월 11일 in Korean, 11 December 2025 in English."""
    if not value:
        return ""
    if (get_language() or "ko").startswith("en"):
        return date_format(value, "j F Y")
    return korean_date(value)
