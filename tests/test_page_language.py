"""Every page every role can open, in Korean: no internal code and no untranslated English.

The pages are those the access matrix (tests/test_access_matrix.py) lets a role open with a
200, drawn from the same world. The visible text of each page — text nodes outside scripts and
styles, plus the attributes a person reads or hears (title, aria-label, placeholder, alt,
data-confirm) — must not show:
- a code of the portal's vocabulary (a status, stage, decision, channel, … value such as
  `approved`, `in_review`, `loan`), an audit action (`proposal.refer`) or any snake_case
  identifier (`industry_in`);
- an English word in lower case: a Korean page says everything in Korean. Names that are
  written in Latin letters (KEIT, KDB, AI, M.AX, file types, the world's user names), e-mail
  addresses and web addresses are not words of the page.
The English pages are checked for snake_case and dotted codes only (a code word such as
"submitted" reads as English there).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import models

from portal.core import vocabulary
from tests.test_access_matrix import (
    GET_EXPECTED,
    ROLES,
    build_world,
    page_client,
    url_for,
)

pytestmark = pytest.mark.django_db

READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm")
SKIPPED_TAGS = ("script", "style", "template", "textarea", "code", "pre")
# Pages that are not for people (feeds, files, health answers) or that sign the role out.
NOT_PAGES = {"healthz", "readyz", "logout", "site:event_ics", "alliance:document_download"}

# Vocabulary codes: every value of every choice list in portal.core.vocabulary.
CODES = {
    value
    for item in vars(vocabulary).values()
    if isinstance(item, type) and issubclass(item, models.Choices) and item is not models.Choices
    for value in item.values
    if isinstance(value, str)
}
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
DOTTED = re.compile(
    r"\b(?:proposal|firm|document|packet|commitment|rule_set|notice|event)\.[a-z_]+\b"
)
EMAIL = re.compile(r"[\w.*+-]+@[\w*-]+(?:\.[\w-]+)+")
ADDRESS = re.compile(r"(?:https?://|www\.)\S+|/[\w/.-]+/|\b[\w-]+\.(?:kr|com|org|net|go\.kr)\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Latin-letter words that are names or units on Korean pages (glossary: docs/glossary.md).
LATIN_NAMES = {
    "applicant",
    "applicant2",
    "keit",
    "kdb",
    "editor",  # the world's user names
    "pdf",
    "docx",
    "xlsx",
    "pptx",
    "hwp",
    "hwpx",
    "csv",
    "ics",
    "json",
}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def problems(parts: list[str], *, korean: bool) -> set[str]:
    found = set()
    for part in parts:
        text = ADDRESS.sub(" ", EMAIL.sub(" ", part))
        found |= {f"code {m}" for m in DOTTED.findall(text)}
        text = DOTTED.sub(" ", text)
        found |= {f"code {m}" for m in SNAKE.findall(text)}
        text = SNAKE.sub(" ", text)
        if not korean:
            continue  # on an English page a code word ("submitted") reads as English
        for word in WORD.findall(text):
            if not word.islower() or word in LATIN_NAMES:
                continue
            if word in CODES:
                found.add(f"code {word}")
            else:
                found.add(f"English {word!r} in {part[:80]!r}")
    return found


def pages_for(role: str) -> list[str]:
    column = ROLES.index(role)
    return sorted(
        name
        for name, row in GET_EXPECTED.items()
        if row[column].rstrip("*") == "200" and name not in NOT_PAGES
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_code_or_an_untranslated_word(role):
    world = build_world()
    client = page_client(world, role)
    found = {}
    for language in ("ko", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for name in pages_for(role):
            response = client.get(url_for(world, name))
            assert response.status_code == 200, name
            if "text/html" not in response["Content-Type"]:
                continue
            bad = problems(visible_text(response.content.decode()), korean=language == "ko")
            if bad:
                found[f"{language} {name}"] = sorted(bad)
    assert found == {}, "\n".join(f"{page}: {bad}" for page, bad in sorted(found.items()))


def test_the_checker_finds_codes_and_english_on_a_korean_page():
    html = (
        '<main><p>기금운용심의회 → approved</p><p title="proposal.refer">이력</p>'
        "<p>industry_in 조건</p><p>Please choose</p><script>var x = 'in_review';</script>"
        "<p>문의: kdb@example.kr, KEIT, M.AX, PDF</p></main>"
    )
    assert problems(visible_text(html), korean=True) == {
        "code approved",
        "code proposal.refer",
        "code industry_in",
        "English 'choose' in 'Please choose'",
    }
    assert problems(visible_text(html), korean=False) == {"code proposal.refer", "code industry_in"}
