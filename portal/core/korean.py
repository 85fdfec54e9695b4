"""Korean prose: particles chosen by the word before them, and dates written out.

Korean particles change with the last sound of the word they follow: 로/으로, 와/과, 을/를, 이/가,
은/는. A message whose word is only known at run time (a firm's name, a version number) is
written in the catalogue with a neutral marker — "%(firm)s을(를)", "%(stage)s(으)로" — and
`particles` resolves every marker from the character in front of it:

    particles("버전 3(으)로 평가했습니다")  ->  "버전 3으로 평가했습니다"
    particles("버전 2(으)로 평가했습니다")  ->  "버전 2로 평가했습니다"

A word that ends in a digit or a Latin letter is read as Koreans read it aloud (3 삼, 2 이,
L 엘, K 케이). Text without markers, and English text, pass unchanged. Templates use the
`particles` filter around a translated block (`{% filter particles %}…{% endfilter %}`), or
`josa` for one word (`{{ name|josa:"을" }}`).
"""

from __future__ import annotations

import datetime
import re

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # the final consonant index of ㄹ

# The final sound of a digit as read aloud: 영 일 이 삼 사 오 육 칠 팔 구.
# Values: None (no final consonant), "ㄹ" or "other".
_DIGIT_FINAL = {
    "0": "other",
    "1": "ㄹ",
    "2": None,
    "3": "other",
    "4": None,
    "5": None,
    "6": "other",
    "7": "ㄹ",
    "8": "ㄹ",
    "9": None,
}
# Latin letters as read aloud (엘, 엠, 엔, 알 end in a consonant; the rest do not).
_LETTER_FINAL = {"l": "ㄹ", "r": "ㄹ", "m": "other", "n": "other"}

# Each particle pair: (after a final consonant, after a vowel), and the special case of ㄹ.
_PAIRS = {
    "로": ("으로", "로"),
    "으로": ("으로", "로"),
    "와": ("과", "와"),
    "과": ("과", "와"),
    "을": ("을", "를"),
    "를": ("을", "를"),
    "이": ("이", "가"),
    "가": ("이", "가"),
    "은": ("은", "는"),
    "는": ("은", "는"),
}

# The neutral markers a catalogue may use, each mapped to its pair's key.
_MARKERS = {
    "(으)로": "로",
    "을(를)": "을",
    "를(을)": "을",
    "이(가)": "이",
    "가(이)": "이",
    "은(는)": "은",
    "는(은)": "은",
    "와(과)": "와",
    "과(와)": "와",
    "와/과": "와",
    "을/를": "을",
    "이/가": "이",
    "은/는": "은",
}
_MARKER_RE = re.compile(
    r"(?P<before>[^\s(])(?P<close>[)\]’”'\"]?)(?P<marker>"
    + "|".join(re.escape(m) for m in sorted(_MARKERS, key=len, reverse=True))
    + ")"
)


def final_sound(word: str) -> str | None:
    """The last sound of `word`: None (a vowel), "ㄹ", or "other" (another consonant).

    The last Hangul syllable, digit or Latin letter decides; closing punctuation is skipped.
    A word with none of these (empty, symbols only) counts as ending in a vowel.
    """
    for char in reversed(word.strip()):
        code = ord(char)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            final = (code - _HANGUL_FIRST) % 28
            if final == 0:
                return None
            return "ㄹ" if final == _RIEUL else "other"
        if char in _DIGIT_FINAL:
            return _DIGIT_FINAL[char]
        if char.isascii() and char.isalpha():
            return _LETTER_FINAL.get(char.lower())
    return None


def particle(word: str, which: str) -> str:
    """The form of particle `which` (any form of the pair: "로", "을", "와", …) after `word`."""
    with_consonant, with_vowel = _PAIRS[which]
    sound = final_sound(word)
    if with_consonant == "으로":
        # ㄹ takes 로 like a vowel does: 서울로, 1로 (일로).
        return "로" if sound in (None, "ㄹ") else "으로"
    return with_vowel if sound is None else with_consonant


def josa(word, which: str) -> str:
    """`word` followed by the right form of particle `which`."""
    text = str(word)
    return text + particle(text, which)


def particles(text) -> str:
    """Resolve every neutral particle marker in `text` by the character in front of it."""
    text = str(text)
    if "(" not in text and "/" not in text:
        return text

    def resolve(match: re.Match) -> str:
        before, close = match["before"], match["close"]
        return before + close + particle(before, _MARKERS[match["marker"]])

    return _MARKER_RE.sub(resolve, text)


def korean_date(value: datetime.date | datetime.datetime | None) -> str:
    """A date as Korean prose writes it: 2025년 12월 11일 (no leading zeros)."""
    if value is None:
        return ""
    return f"{value.year}년 {value.month}월 {value.day}일"


def korean_month(value: datetime.date | datetime.datetime | None) -> str:
    """A month as Korean prose writes it: 2025년 12월."""
    if value is None:
        return ""
    return f"{value.year}년 {value.month}월"
