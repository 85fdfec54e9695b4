"""The shared layout (header, footer, messages, language) and the shared template filters."""

from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from alliance.templatetags.portal_tags import brn, krw, status_badge
from portal.core.vocabulary import FirmStatus
from tests.factories import ApplicantFactory, FirmFactory
from tests.ministry_support import ministry_user

# ---------------------------------------------------------------------------------------------
# A small HTML reader for the page tests (the standard library only).


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index]["tag"] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data


def elements(html: str | bytes, tag: str, **attrs) -> list[dict]:
    """Elements of `tag` whose attributes include `attrs` (class_ matches one CSS class)."""
    if isinstance(html, bytes):
        html = html.decode()
    collector = _Collector()
    collector.feed(html)
    found = []
    for element in collector.elements:
        if element["tag"] != tag:
            continue
        ok = True
        for name, wanted in attrs.items():
            if name == "class_":
                ok = wanted in element["attrs"].get("class", "").split()
            else:
                ok = element["attrs"].get(name.replace("_", "-")) == wanted
            if not ok:
                break
        if ok:
            element["text"] = " ".join(element["text"].split())
            found.append(element)
    return found


def nav_links(html) -> list[tuple[str, str]]:
    """(href, text) of the main menu's links, in order."""
    return [(a["attrs"]["href"], a["text"]) for a in elements(html, "a", class_="gnb-main-trigger")]


# ---------------------------------------------------------------------------------------------
# krw / brn filters


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1_500_000_000_000, "1조 5,000억원"),
        (66_000_000_000, "660억원"),
        (0, "0원"),
        (None, "—"),
        (150_000_000_000_000, "150조원"),
        (6_600_000_000_000, "6조 6,000억원"),
        (50_000_000, "5,000만원"),
        (1_234_567_890, "12억 3,456만 7,890원"),
        (7_890, "7,890원"),
        (100_000_000, "1억원"),
        (1_000_000_000_001, "1조 1원"),
        ("66000000000", "660억원"),
    ],
)
def test_krw_shows_jo_eok_man_won_in_korean(amount, expected):
    with translation.override("ko"):
        assert krw(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1_500_000_000_000, "KRW 1.5 trillion"),
        (66_000_000_000, "KRW 66 billion"),
        (5_000_000, "KRW 5,000,000"),
        (0, "KRW 0"),
        (None, "—"),
        (150_000_000_000_000, "KRW 150 trillion"),
        (1_234_000_000_000, "KRW 1.23 trillion"),
        (66_600_000_000, "KRW 66.6 billion"),
        (1_000_000_000, "KRW 1 billion"),
        (999_999_999, "KRW 999,999,999"),
        (999_999_000_000, "KRW 1 trillion"),
    ],
)
def test_krw_shows_trillion_and_billion_in_english(amount, expected):
    with translation.override("en"):
        assert krw(amount) == expected


def test_krw_follows_the_active_language_inside_a_template():
    template = Template("{% load portal_tags %}{{ amount|krw }}")

    with translation.override("ko"):
        korean = template.render(Context({"amount": 3_000_000_000_000}))
    with translation.override("en"):
        english = template.render(Context({"amount": 3_000_000_000_000}))

    assert (korean, english) == ("3조원", "KRW 3 trillion")


def test_krw_leaves_a_value_that_is_not_a_number_as_it_is():
    assert krw("n/a") == "n/a"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234567890", "123-45-67890"),
        ("123-45-67890", "123-45-67890"),
        ("", "—"),
        (None, "—"),
        ("12345", "12345"),
    ],
)
def test_brn_formats_ten_digits_with_dashes(value, expected):
    assert brn(value) == expected


def test_status_badge_maps_states_to_krds_badge_colours():
    assert [status_badge(s) for s in ("pending", "active", "suspended", "submitted", "??")] == [
        "bg-light-warning",
        "bg-light-success",
        "bg-light-danger",
        "bg-light-primary",
        "bg-light-gray",
    ]


# ---------------------------------------------------------------------------------------------
# Header navigation by role


def public_links() -> list[str]:
    """The information site's menu, the same for everyone."""
    return [
        reverse("home"),
        reverse("site:notice_list"),
        reverse("site:event_list"),
        reverse("site:faq"),
        reverse("site:self_check"),
        reverse("alliance_overview"),
        reverse("site:contact"),
    ]


def staff_links() -> list[str]:
    """What both secretariats share: consultations, matching rules, automatic routing, the
    institutions' interests counted and the dashboard."""
    return [
        reverse("consultation_list"),
        reverse("matching:rule_set_list"),
        reverse("routing:policy_list"),
        reverse("institutions:summary"),
        reverse("staff_dashboard"),
    ]


@pytest.mark.django_db
def test_a_visitor_sees_the_public_menu_and_sign_in_and_sign_up(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [href for href, _text in nav_links(response.content)] == public_links()
    header_actions = elements(response.content, "a", class_="btn-navi")
    assert [a["attrs"]["href"] for a in header_actions][:2] == [reverse("login"), reverse("signup")]
    assert elements(response.content, "form", action=reverse("logout")) == []


@pytest.mark.django_db
def test_an_applicant_sees_their_workspace_links_and_a_post_sign_out(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("home"))

    assert [href for href, _text in nav_links(response.content)] == [
        *public_links(),
        reverse("alliance:dashboard"),
        reverse("alliance:proposal_new"),
        reverse("consultation_list"),
        reverse("alliance:firm_profile"),
        reverse("ministry:plans"),
        reverse("institutions:offer_list"),
    ]
    logout_forms = elements(response.content, "form", action=reverse("logout"))
    assert [form["attrs"]["method"] for form in logout_forms] == ["post"]
    assert len(elements(response.content, "a", href=reverse("password_change"))) == 1


@pytest.mark.django_db
def test_keit_staff_see_the_registry_and_screening_links_only(client, keit):
    client.force_login(keit)

    response = client.get(reverse("home"))

    assert [href for href, _text in nav_links(response.content)] == [
        *public_links(),
        reverse("alliance:secretariat_firms"),
        reverse("pipeline:screening"),
        reverse("alliance:fund_questions"),
        reverse("pipeline:packets"),
        *staff_links(),
    ]


@pytest.mark.django_db
def test_fund_staff_see_no_applicant_or_registry_links(client, kdb):
    client.force_login(kdb)

    response = client.get(reverse("home"))

    assert [href for href, _text in nav_links(response.content)] == [
        *public_links(),
        reverse("pipeline:board"),
        reverse("pipeline:packets"),
        *staff_links(),
        reverse("site:editor_facts"),
    ]
    assert len(elements(response.content, "form", action=reverse("logout"))) == 1


@pytest.mark.django_db
def test_a_ministry_user_sees_the_overview_the_dashboard_and_the_plans(client):
    client.force_login(ministry_user("fsc", "fsc"))

    response = client.get(reverse("home"))

    assert [href for href, _text in nav_links(response.content)] == [
        *public_links(),
        reverse("overview:ministry"),
        reverse("staff_dashboard"),
        reverse("ministry:plans"),
    ]


@pytest.mark.django_db
def test_the_current_page_is_marked_in_the_menu(client, keit):
    client.force_login(keit)

    response = client.get(reverse("alliance:secretariat_firms"))

    current = elements(response.content, "a", class_="gnb-main-trigger", aria_current="page")
    assert [a["attrs"]["href"] for a in current] == [reverse("alliance:secretariat_firms")]


@pytest.mark.django_db
def test_sign_out_is_a_post_that_ends_the_session(client, applicant):
    client.force_login(applicant)

    refused = client.get(reverse("logout"))
    still_in = client.get(reverse("alliance:firm_profile"))
    response = client.post(reverse("logout"))
    after = client.get(reverse("alliance:firm_profile"))

    assert refused.status_code == 405
    assert still_in.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert after.status_code == 302
    assert after.url.startswith(reverse("login"))


# ---------------------------------------------------------------------------------------------
# Language


@pytest.mark.django_db
def test_korean_is_the_default_language(client):
    response = client.get(reverse("home"))

    assert elements(response.content, "html")[0]["attrs"]["lang"] == "ko"
    assert "AI 팩토리" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_makes_the_home_page_english(client):
    switcher = elements(client.get(reverse("home")).content, "form", action=reverse("set_language"))
    assert [form["attrs"]["method"] for form in switcher] == ["post"]

    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home"))

    assert switched.status_code == 302
    assert switched.url == "/"
    assert elements(response.content, "html")[0]["attrs"]["lang"] == "en"
    html = response.content.decode()
    assert "AI Factory" in html
    assert "AI 팩토리" not in html
    assert "KRW 150 trillion or more" in html
    pressed = elements(response.content, "button", name="language", aria_pressed="true")
    assert [button["attrs"]["value"] for button in pressed] == ["en"]


@pytest.mark.django_db
def test_switching_back_to_korean_restores_korean(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})

    response = client.get(reverse("home"))

    assert elements(response.content, "html")[0]["attrs"]["lang"] == "ko"
    assert "150조원 이상" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Banner, messages, footer, assets


@pytest.mark.django_db
def test_an_applicant_of_a_pending_firm_sees_the_verification_banner(client):
    firm = FirmFactory(name="대기기업", status=FirmStatus.PENDING)
    client.force_login(ApplicantFactory(firm=firm))

    response = client.get(reverse("home"))

    banners = elements(response.content, "div", class_="portal-banner")
    assert len(banners) == 1
    assert "대기기업" in banners[0]["text"]


@pytest.mark.django_db
def test_an_applicant_of_an_active_firm_and_staff_see_no_banner(client, applicant, keit):
    client.force_login(applicant)
    applicant_page = client.get(reverse("home"))
    client.force_login(keit)
    keit_page = client.get(reverse("home"))

    assert elements(applicant_page.content, "div", class_="portal-banner") == []
    assert elements(keit_page.content, "div", class_="portal-banner") == []


@pytest.mark.django_db
def test_messages_use_the_krds_alert_style(client, applicant, firm):
    client.force_login(applicant)
    data = {
        "name": firm.name,
        "size_class": firm.size_class,
        "member_type": firm.member_type,
        "region": firm.region,
    }

    response = client.post(reverse("alliance:firm_profile"), data, follow=True)

    alerts = elements(response.content, "li", class_="portal-message--success")
    assert len(alerts) == 1
    badges = elements(response.content, "span", class_="critical-badge")
    assert [badge["attrs"]["class"] for badge in badges] == ["critical-badge ok"]


@pytest.mark.django_db
def test_the_footer_names_both_secretariats(client):
    response = client.get(reverse("home"))

    footer = elements(response.content, "footer", id="krds-footer")
    assert len(footer) == 1
    assert [a["attrs"]["href"] for a in elements(response.content, "a", rel="noopener")] == [
        "https://www.keit.re.kr/",
        "https://www.kdb.co.kr/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "login", "signup", "password_reset"])
def test_pages_carry_no_inline_script(client, url_name):
    response = client.get(reverse(url_name))

    scripts = elements(response.content, "script")
    assert [s["attrs"].get("src", "")[:8] for s in scripts] == ["/static/", "/static/"]
    assert all(s["text"] == "" for s in scripts)
    assert " on" not in "".join(
        f" {name}" for element in scripts for name in element["attrs"] if name.startswith("on")
    )


@pytest.mark.parametrize(
    "path",
    [
        "vendor/pretendard/pretendardvariable-gov.css",
        "vendor/krds/css/common/common.css",
        "vendor/krds/css/component/component.css",
        "vendor/htmx/htmx.min.js",
        "css/portal.css",
        "js/portal.js",
    ],
)
def test_every_stylesheet_and_script_the_layout_links_is_served(path):
    assert finders.find(path) is not None


@pytest.mark.django_db
def test_the_layout_uses_the_krds_header_breadcrumb_and_skip_link(client):
    response = client.get(reverse("login"))

    assert len(elements(response.content, "header", id="krds-header")) == 1
    assert len(elements(response.content, "nav", class_="krds-breadcrumb-wrap")) == 1
    first_link = elements(response.content, "a")[0]
    assert first_link["attrs"]["href"] == "#main"


# ---------------------------------------------------------------------------------------------
# Home


def _text_of(html, tag, **attrs) -> list[str]:
    return [element["text"] for element in elements(html, tag, **attrs)]


@pytest.mark.django_db
def test_the_home_page_is_public_and_carries_the_funds_facts(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content
    # Each figure is followed by its source marker (S1, S2, S3: docs/facts.md).
    assert _text_of(html, "dd", data_figure="fund-size") == ["150조원 이상S1"]
    assert _text_of(html, "dd", data_figure="fund-launch") == ["2025년 12월 11일S3"]
    assert _text_of(html, "dd", data_figure="fund-ai-target") == ["30조원 이상S1"]
    assert _text_of(html, "dd", data_figure="fund-2026-regional-share") == ["40%S2"]
    channels = {
        li["attrs"]["data-channel"]: li["text"]
        for li in elements(html, "li", class_="portal-channel")
    }
    assert list(channels) == ["direct", "indirect", "loan", "infra"]
    assert _text_of(html, "dd", data_figure="size") == [
        "15조원S1",
        "35조원S1",
        "50조원S1",
        "50조원S1",
    ]
    assert _text_of(html, "dd", data_figure="plan") == [
        "3조원S2",
        "7조원S2",
        "10조원S2",
        "10조원S2",
    ]
    assert channels["direct"].startswith("직접투자")


@pytest.mark.django_db
def test_the_home_page_lists_the_ten_sub_alliances_and_twelve_industries(client):
    response = client.get(reverse("home"))

    assert _text_of(response.content, "strong", class_="portal-sub-name") == [
        "AI 팩토리",
        "AI 제조서비스",
        "AI 유통·물류",
        "자율주행차",
        "휴머노이드",
        "자율운항선박",
        "AI 가전",
        "AI 방산",
        "AI 바이오",
        "AI 반도체",
    ]
    assert _text_of(response.content, "span", class_="bg-light-primary") == [
        "반도체",
        "이차전지",
        "백신",
        "디스플레이",
        "수소",
        "미래형 이동수단",
        "바이오",
        "AI",
        "방산",
        "로봇",
        "문화·콘텐츠",
        "핵심광물",
    ]


@pytest.mark.django_db
def test_the_home_page_shows_the_seven_steps_from_proposal_to_decision(client):
    response = client.get(reverse("home"))

    steps = elements(response.content, "span", class_="step-tit")
    assert len(steps) == 7
    assert len(elements(response.content, "ol", class_="krds-step-wrap")) == 1


@pytest.mark.django_db
def test_a_visitor_is_invited_to_sign_in_or_sign_up(client):
    response = client.get(reverse("home"))

    hrefs = [a["attrs"]["href"] for a in elements(response.content, "a", class_="large")]
    assert hrefs == [reverse("signup"), reverse("login"), reverse("signup"), reverse("login")]


@pytest.mark.django_db
def test_a_signed_in_applicant_is_pointed_to_their_workspace(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("home"))

    hrefs = [a["attrs"]["href"] for a in elements(response.content, "a", class_="large")]
    assert hrefs == [reverse("alliance:dashboard"), reverse("alliance:proposal_new")]


@pytest.mark.django_db
def test_the_home_page_takes_three_queries_for_a_visitor(client, django_assert_num_queries):
    # channels with capacity, sub-alliances, industries
    with django_assert_num_queries(3):
        response = client.get(reverse("home"))

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_home_page_queries_do_not_grow_with_commitments(
    client, keit, django_assert_num_queries
):
    from fund.capacity.services import commitment_create

    for region in ("ulsan", "busan", "seoul"):
        commitment_create(
            channel_code="loan", year=2026, amount_krw=10**11, actor=keit, region=region
        )

    with django_assert_num_queries(3):
        client.get(reverse("home"))


@pytest.mark.django_db
def test_the_home_page_takes_seven_queries_for_an_applicant(
    client, applicant, django_assert_num_queries
):
    client.force_login(applicant)

    # session, user, roles, the firm (header and banner), then the three of the page
    with django_assert_num_queries(7):
        client.get(reverse("home"))


@pytest.mark.django_db
def test_each_channel_links_to_its_page(client):
    response = client.get(reverse("home"))

    links = [
        a["attrs"]["href"] for a in elements(response.content, "a", class_="portal-channel-more")
    ]
    assert links == [
        reverse("channel_detail", args=[code]) for code in ("direct", "indirect", "loan", "infra")
    ]


# ---------------------------------------------------------------------------------------------
# Form widgets


@pytest.mark.django_db
def test_form_fields_get_the_krds_classes_for_their_kind_and_state():
    from alliance.accounts.forms import SignUpForm

    form = SignUpForm(data={"size_class": "sme", "region": "", "name": "x"})
    form.is_valid()
    template = Template(
        "{% load portal_tags %}{{ form.name|krds_widget }}{{ form.size_class|krds_widget }}"
        "{{ form.region|krds_widget }}"
    )

    html = template.render(Context({"form": form}))

    assert [i["attrs"]["class"] for i in elements(html, "input")] == ["krds-input"]
    assert [s["attrs"]["class"] for s in elements(html, "select")] == [
        "krds-form-select completed",
        "krds-form-select is-error",
    ]
    assert [s["attrs"].get("aria-invalid") for s in elements(html, "select")] == [None, "true"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["keit", "kdb", "editor"])
def test_each_staff_menu_item_names_the_page_it_opens(client, request, who):
    """A menu item's words are the title of the page it opens (no "referral inbox" opening a
    page called something else)."""
    client.force_login(request.getfixturevalue(who))
    public = set(public_links())
    links = [(h, t) for h, t in nav_links(client.get(reverse("home")).content) if h not in public]

    titles = {}
    for href, text in links:
        page = client.get(href)
        assert page.status_code == 200, href
        titles[href] = (text, [h1["text"] for h1 in elements(page.content, "h1")])

    assert {href: [text] for href, (text, _h1) in titles.items()} == {
        href: h1 for href, (_text, h1) in titles.items()
    }
