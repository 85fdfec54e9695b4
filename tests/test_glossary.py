"""One vocabulary (docs/glossary.md): no page, mail or message uses a word the glossary bans.

The banned words are read from the glossary's tables ("do not use" column), so the document
and the test cannot drift apart. Korean words are searched in the Korean translations and the
templates; English words in the English source strings (msgids) and the templates.
"""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def banned_words() -> list[str]:
    words = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("개념 / concept", "---"):
            continue
        words += [word.strip() for word in cells[3].split(",") if word.strip()]
    return words


def _texts() -> dict[str, list[tuple[str, str]]]:
    """(where, text) pairs: Korean translations, English source strings, templates."""
    korean, english = [], []
    for entry in polib.pofile(str(ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po")):
        where = f"ko: {entry.msgid[:60]!r}"
        korean += [(where, entry.msgstr), *((where, s) for s in entry.msgstr_plural.values())]
        english += [
            (f"msgid {entry.msgid[:60]!r}", entry.msgid),
            (f"msgid {entry.msgid[:60]!r}", entry.msgid_plural),
        ]
    templates = [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for path in (ROOT / "templates").rglob("*")
        if path.is_file() and path.suffix in (".html", ".txt")
    ]
    return {"korean": korean + templates, "english": english + templates}


def test_the_glossary_bans_words():
    words = banned_words()
    assert "기금 사무국" in words and "M.AX alliance" in words
    assert len(words) >= 25


@pytest.mark.parametrize("word", banned_words())
def test_no_catalogue_or_template_uses_a_banned_word(word):
    texts = _texts()["korean" if HANGUL.search(word) else "english"]
    # English words are matched case-sensitively ("M.AX alliance" is banned, the Alliance
    # is not); a banned word inside a longer glossary term does not count.
    allowed = {"펀드 사무국", "fund secretariat (KDB)", "M.AX Alliance"}
    hits = sorted({where for where, text in texts if word in _without(text, allowed, word)})
    assert hits == [], f"{word!r} (see docs/glossary.md) in: {hits}"


def _without(text: str, allowed: set[str], word: str) -> str:
    for term in allowed:
        if word != term and word in term:
            text = text.replace(term, "")
    return text
