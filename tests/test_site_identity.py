"""Every page carries the site's identity (icon, name, description) and a footer that links the
privacy policy and the terms of use; the terms are the portal's own operating rule."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.test_layout import elements

pytestmark = pytest.mark.django_db


def browser(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("url_name", ["home", "site:faq", "login", "site:terms", "site:privacy"])
def test_every_page_links_the_privacy_policy_and_the_terms_from_its_footer(url_name):
    response = browser("ko").get(reverse(url_name))

    assert response.status_code == 200
    assert len(elements(response.content, "footer", id="krds-footer")) == 1
    links = [
        (a["attrs"]["data-footer-link"], a["attrs"]["href"], a["text"])
        for a in elements(response.content, "a")
        if "data-footer-link" in a["attrs"]
    ]
    assert links[:2] == [
        ("privacy", reverse("site:privacy"), "개인정보 처리방침"),
        ("terms", reverse("site:terms"), "이용약관"),
    ]


def test_every_page_names_the_site_and_shows_its_icon():
    response = browser("en").get(reverse("home"))

    (icon,) = elements(response.content, "link", rel="icon")
    assert (icon["attrs"]["href"], icon["attrs"]["type"]) == (
        "/static/img/favicon.svg",
        "image/svg+xml",
    )
    assert finders.find("img/favicon.svg") is not None
    (name,) = elements(response.content, "meta", name="application-name")
    assert name["attrs"]["content"] == "M.AX × National Growth Fund matching portal"
    (description,) = elements(response.content, "meta", name="description")
    assert description["attrs"]["content"] == (
        "Where M.AX Alliance member firms propose AX investments and are matched with the "
        "National Growth Fund"
    )


def test_the_terms_are_korean_first_and_labelled_as_the_portals_own_rule(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30

    response = Client().get(reverse("site:terms"))

    html = response.content.decode()
    assert response.status_code == 200
    assert elements(html, "html")[0]["attrs"]["lang"] == "ko"
    assert elements(html, "h1")[0]["text"] == "이용약관"
    assert elements(html, "span", data_part="operating-rule")[0]["text"] == "포털 운영 기준"
    assert [s["attrs"]["data-terms"] for s in elements(html, "section")] == [
        "purpose",
        "accounts",
        "proposals",
        "results",
        "facts",
        "personal-data",
        "changes",
        "contact",
    ]
    (personal,) = elements(html, "section", data_terms="personal-data")
    assert "행사나 상담이 끝나고 30일 뒤에 지웁니다" in personal["text"]


def test_the_terms_in_english_cite_no_law_and_point_at_the_privacy_policy():
    response = browser("en").get(reverse("site:terms"))

    html = response.content.decode()
    assert elements(html, "h1")[0]["text"] == "Terms of use"
    (lead,) = elements(html, "p", class_="portal-page-lead")
    assert "they cite no law" in lead["text"]
    (results,) = elements(html, "section", data_terms="results")
    assert "they are not an investment or loan decision" in results["text"]
    assert f'<a href="{reverse("site:privacy")}" class="krds-btn medium tertiary">' in html
    for law_word in ("「", "법 제", "Act", "Article"):
        assert law_word not in html.split('<main id="main"')[1].split("</main>")[0]


def test_the_terms_answer_only_get_and_head():
    response = browser("en").post(reverse("site:terms"))

    assert response.status_code == 405
