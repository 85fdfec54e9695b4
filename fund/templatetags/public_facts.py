"""Template tags that show registry facts with their source (the markup convention the page
tests check, docs/facts.md):

    <span class="portal-fact" data-fact="fund-size" data-source="S1">150조원 이상<sup
      class="portal-source-ref"><a href="#source-S1" title="…">S1</a></sup></span>

Any element with `data-source="<key>"` says that what it holds comes from that registry
source, and holds the source's marker, a link to the page's list of sources
(`{% sources_list %}`, items `id="source-<key>"`).

    {% fact "fund-size" %}                 the value (or statement) with its marker
    {% fact_label "fund-size" %}           the fact's label, plain
    {% fact_note "alliance-members" %}     the note that goes with a figure, plain
    {% fact_number "fund-industries" %}    a count's bare number, inside {% sourced %}
    {% fact_source "fund-industries" %}    the key of a fact's source
    {% sourced "portal-data" %}…{% endsourced %}   any content, wrapped and marked
    {% source_marker "S2" %}               the marker alone
    {% fact_text notice.body %}            plain text, line breaks kept, [[key]] replaced
    {% sources_list %}                     the list every marker points to
    {% footer_facts %}                     who opens and runs the site (the footer)
"""

from __future__ import annotations

import logging
import re

from django import template
from django.db import DatabaseError
from django.template.base import token_kwargs
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe

from fund.site import facts
from fund.site.facts import FACT_REFERENCE, Registry, registry

register = template.Library()
logger = logging.getLogger(__name__)

CONTEXT_KEY = "facts_registry"
HANGUL = re.compile("[\uac00-\ud7a3]")


def _registry(context) -> Registry:
    found = context.get(CONTEXT_KEY)
    if isinstance(found, Registry):
        return found
    loaded = registry()
    # Later tags of the same render reuse it.
    context.dicts[0][CONTEXT_KEY] = loaded
    return loaded


def marker_html(reg: Registry, key: str, *, elsewhere: bool = False) -> str:
    """The `<sup>` marker of source `key`: a link to the list of sources, on this page or,
    from the footer (`elsewhere`), on the sources page."""
    source = reg.source(key)
    base = reverse("site:sources") if elsewhere else ""
    return format_html(
        '<sup class="portal-source-ref"><a href="{}#{}" title="{}">{}</a></sup>',
        base,
        source.anchor,
        f"{source.issuer} · {source.title}",
        source.marker,
    )


def fact_html(reg: Registry, key: str, *, elsewhere: bool = False) -> str:
    entry = reg.fact(key)
    return format_html(
        '<span class="portal-fact" data-fact="{}" data-source="{}">{}{}</span>',
        entry.key,
        entry.source_key,
        entry.display,
        mark_safe(marker_html(reg, entry.source_key, elsewhere=elsewhere)),  # noqa: S308
    )


@register.simple_tag(takes_context=True)
def fact(context, key: str, elsewhere: bool = False):
    return mark_safe(fact_html(_registry(context), key, elsewhere=elsewhere))  # noqa: S308


@register.simple_tag(takes_context=True)
def fact_label(context, key: str) -> str:
    return _registry(context).fact(key).label


@register.simple_tag(takes_context=True)
def fact_number(context, key: str) -> str:
    """A count's or percentage's bare number (12, 1,000), for a sentence that carries the
    unit itself; the sentence is wrapped in `{% sourced %}` for its marker."""
    return facts.format_number(_registry(context).fact(key).number)


@register.simple_tag(takes_context=True)
def fact_source(context, key: str) -> str:
    """The key of the source a fact comes from (for `{% sourced %}` around a sentence)."""
    return _registry(context).fact(key).source_key


@register.simple_tag(takes_context=True)
def fact_note(context, key: str) -> str:
    """The statement or note that goes with a figure (for a statement, its text), plain."""
    return _registry(context).fact(key).text


@register.simple_tag(takes_context=True)
def source_marker(context, key: str, elsewhere: bool = False):
    return mark_safe(marker_html(_registry(context), key, elsewhere=elsewhere))  # noqa: S308


@register.simple_tag(takes_context=True)
def fact_text(context, text):
    """Plain text as paragraphs (line breaks kept, HTML escaped) with every [[key]] of a
    registry fact shown as the fact; an unknown reference stays as it was written."""
    reg = _registry(context)
    html = linebreaks(escape(text or ""))
    # A text written in Korean shows its facts in Korean on the English page too, so a
    # sentence never switches language in the middle.
    language = "ko" if HANGUL.search(text or "") else translation.get_language()

    def replace(match):
        key = match[1]
        if key not in reg.facts:
            return match[0]
        with translation.override(language):
            return fact_html(reg, key)

    return mark_safe(FACT_REFERENCE.sub(replace, html))  # noqa: S308


class SourcedNode(template.Node):
    def __init__(self, key, nodelist, tag):
        self.key, self.nodelist, self.tag = key, nodelist, tag

    def render(self, context):
        reg = _registry(context)
        key = self.key.resolve(context)
        tag = self.tag.resolve(context) if self.tag else "span"
        if tag not in ("span", "div", "p", "li", "td", "dd"):
            raise template.TemplateSyntaxError(f"sourced: unsupported tag {tag!r}")
        return format_html(
            '<{} class="portal-sourced" data-source="{}">{}{}</{}>',
            mark_safe(tag),  # noqa: S308 - one of the names above
            reg.source(key).key,
            mark_safe(self.nodelist.render(context)),  # noqa: S308 - rendered template output
            mark_safe(marker_html(reg, key)),  # noqa: S308
            mark_safe(tag),  # noqa: S308
        )


@register.tag
def sourced(parser, token):
    """{% sourced "portal-data" %}…{% endsourced %}, or with tag="div" for block content."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("sourced needs a source key")
    key = parser.compile_filter(bits[1])
    extra = token_kwargs(bits[2:], parser)
    nodelist = parser.parse(("endsourced",))
    parser.delete_first_token()
    return SourcedNode(key, nodelist, extra.get("tag"))


@register.inclusion_tag("partials/footer_facts.html", takes_context=True)
def footer_facts(context):
    """Who opens and who runs the site, from the registry, for the footer of every page. The
    footer is page chrome: when the database cannot be reached (a sign-in page while it is
    down) the line is left out rather than failing the page."""
    try:
        reg = _registry(context)
    except DatabaseError:
        logger.warning("fact registry unavailable for the footer", exc_info=True)
        return {"facts_registry": None}
    return {"facts_registry": reg}


@register.inclusion_tag("partials/sources.html", takes_context=True)
def sources_list(context, title=""):
    reg = _registry(context)
    return {"sources": list(reg.sources.values()), "title": title}
