"""Korean particles chosen by the word before them, and dates written as Korean prose."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.core.korean import final_sound, josa, korean_date, particle, particles


@pytest.mark.parametrize(
    ("word", "sound"),
    [
        ("서울", "ㄹ"),
        ("부산", "other"),
        ("사전검토", None),
        ("현대자동차", None),
        ("1", "ㄹ"),  # 일
        ("2", None),  # 이
        ("3", "other"),  # 삼
        ("10", "other"),  # 십: ends in a consonant
        ("KEIT", None),  # 티
        ("URL", "ㄹ"),  # 엘
        ("SK AX", None),  # 엑스
        ("KDB)", None),  # closing punctuation is skipped
        ("“AI 팩토리”", None),
        ("", None),
    ],
)
def test_the_final_sound_is_read_as_koreans_read_the_word(word, sound):
    assert final_sound(word) == sound


@pytest.mark.parametrize(
    ("word", "which", "form"),
    [
        ("서울", "로", "로"),  # ㄹ takes 로
        ("부산", "로", "으로"),
        ("사전검토", "으로", "로"),
        ("버전 1", "로", "로"),
        ("버전 3", "로", "으로"),
        ("산업통상부", "와", "와"),
        ("금융위원회", "과", "와"),
        ("사용자 이름", "와", "과"),
        ("제안서", "을", "를"),
        ("채널", "를", "을"),
        ("KEIT", "은", "는"),
        ("한국산업은행", "이", "이"),
        ("KDB", "이", "가"),
    ],
)
def test_each_particle_takes_the_form_its_word_needs(word, which, form):
    assert particle(word, which) == form
    assert josa(word, which) == word + form


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("매칭 규칙 버전 3(으)로 평가했습니다.", "매칭 규칙 버전 3으로 평가했습니다."),
        ("매칭 규칙 버전 2(으)로 평가했습니다.", "매칭 규칙 버전 2로 평가했습니다."),
        ("사전검토(으)로 진행", "사전검토로 진행"),
        ("투자심의위원회(으)로 진행", "투자심의위원회로 진행"),
        (
            "정확한 사용자 이름와/과 비밀번호를 입력하세요.",
            "정확한 사용자 이름과 비밀번호를 입력하세요.",
        ),
        ("현대자동차을(를) 인증할까요?", "현대자동차를 인증할까요?"),
        ("두산 휴머노이드 라인을(를)", "두산 휴머노이드 라인을"),
        ("“AI 팩토리”이(가) 바뀌었습니다", "“AI 팩토리”가 바뀌었습니다"),
        ("KEIT은(는) 간사기관입니다", "KEIT는 간사기관입니다"),
        ("산업통상부와(과) 금융위원회", "산업통상부와 금융위원회"),
        # Nothing to resolve: English, and Korean without markers, pass unchanged.
        ("Scored with rule set version 3.", "Scored with rule set version 3."),
        ("신청 금액(원)", "신청 금액(원)"),
    ],
)
def test_particles_resolves_every_marker_by_the_character_before_it(text, resolved):
    assert particles(text) == resolved


def test_korean_dates_are_written_out_without_leading_zeros():
    assert korean_date(datetime.date(2025, 12, 4)) == "2025년 12월 4일"
    assert korean_date(datetime.datetime(2026, 1, 9, 15, 0)) == "2026년 1월 9일"
    assert korean_date(None) == ""


@pytest.mark.parametrize(
    ("language", "rendered"),
    [("ko", "2025년 12월 11일 · 버전 1로 · KDB가"), ("en", "11 December 2025 · 버전 1로 · KDB")],
)
def test_the_template_filters_follow_the_page_language(language, rendered):
    template = Template(
        "{% load portal_tags %}{{ day|prose_date }} · {{ text|particles }} · {{ who|josa:'이' }}"
    )
    with translation.override(language):
        output = template.render(
            Context({"day": datetime.date(2025, 12, 11), "text": "버전 1(으)로", "who": "KDB"})
        )
    assert output == rendered
