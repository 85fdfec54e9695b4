"""Script and SQL-looking input in every main form: stored exactly as typed, shown escaped.

Each case fills a real form the way a browser would (the page's own inputs, with one text field
replaced by the hostile value), posts it, then reads the stored value back and opens the page
where other people see it.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from alliance.models import Consultation, Firm, Proposal
from alliance.proposals.services import proposal_submit
from fund.site import services as site_services
from fund.site.models import Event, Notice, Registration
from portal.core.vocabulary import Role
from tests.factories import (
    ApplicantFactory,
    FirmFactory,
    InstitutionFactory,
    ProposalFactory,
    UserFactory,
    next_valid_brn,
)

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert(1)</script><img src=x onerror="alert(2)">'
SQL = "' OR 1=1; DROP TABLE alliance_firm;--"
PAYLOADS = [pytest.param(SCRIPT, id="script"), pytest.param(SQL, id="sql")]


class FormFields(HTMLParser):
    """The values a browser would send for each POST form of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self.data: dict[str, list[str]] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.data = {}
            self.forms.append(self.data)
        if self.data is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value") or "on")
            elif kind not in ("submit", "button", "file"):
                self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.data.setdefault(self.select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.setdefault(name, []).append("")

    def handle_data(self, data):
        if self.textarea and self.data is not None:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.data = None


def form_data(html: bytes) -> dict[str, list[str]]:
    """The page's main form: the POST form with the most fields (not the header's sign-out)."""
    parser = FormFields()
    parser.feed(html.decode())
    main = max(parser.forms, key=len)
    # The textarea's first newline belongs to the markup, not the value (HTML spec).
    return {k: [v[1:] if v.startswith("\n") else v for v in values] for k, values in main.items()}


def browser(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def fill_and_post(client: Client, url: str, **values):
    data = form_data(client.get(url).content)
    data.update({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    return client.post(url, data)


def errors_of(response) -> dict:
    """Every form's errors in the page's context, to say why a post was refused."""
    found = {}
    for context in response.context or []:
        for key, value in context.flatten().items():
            if hasattr(value, "errors") and getattr(value, "is_bound", False) and value.errors:
                found[key] = value.errors
    return found


def assert_shown_escaped(html: bytes, payload: str):
    text = html.decode()
    assert payload not in text
    assert escape(payload) in text


def next_weekday_at(hour: int) -> datetime.datetime:
    day = timezone.localtime() + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def keit(db):
    return UserFactory(username="keit-x", role=Role.ALLIANCE_SECRETARIAT)


@pytest.fixture
def editor(db):
    return UserFactory(username="editor-x", role=Role.SITE_EDITOR)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sign_up_stores_the_firm_name_as_text_and_the_registry_shows_it_escaped(payload, keit):
    client = browser()
    data = form_data(client.get(reverse("signup")).content)
    data.update(
        name=[payload],
        business_registration_number=[next_valid_brn()],
        size_class=["startup"],
        member_type=["ai_company"],
        region=["seoul"],
        representative=["윤성호"],
        address=[payload[:200]],
        username=["hostile"],
        email=["hostile@example.kr"],
        password1=["Str0ng-passphrase!"],
        password2=["Str0ng-passphrase!"],
    )
    from alliance.models import SubAlliance

    data["sub_alliances"] = [str(SubAlliance.objects.get(code="ai_factory").pk)]

    response = client.post(reverse("signup"), data)

    assert (response.status_code, errors_of(response)) == (302, {})
    firm = Firm.objects.get(members__username="hostile")
    assert (firm.name, firm.address) == (payload, payload)
    page = browser(keit).get(reverse("alliance:secretariat_firm", args=[firm.pk]))
    assert_shown_escaped(page.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["title", "summary"])
def test_a_proposal_step_stores_text_as_typed_and_the_detail_shows_it_escaped(payload, field, keit):
    applicant = ApplicantFactory()
    proposal = ProposalFactory(firm=applicant.firm, created_by=applicant)
    client = browser(applicant)

    response = fill_and_post(
        client, reverse("alliance:proposal_edit", args=[proposal.pk, 1]), **{field: payload}
    )

    assert (response.status_code, errors_of(response)) == (302, {})
    proposal.refresh_from_db()
    assert getattr(proposal, field) == payload
    # KEIT reads it once submitted (a draft is the firm's own)
    proposal_submit(proposal_id=proposal.pk, actor=applicant)
    for reader in (applicant, keit):
        page = browser(reader).get(reverse("alliance:proposal_detail", args=[proposal.pk]))
        assert_shown_escaped(page.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_firm_profile_stores_text_as_typed_and_the_registry_shows_it_escaped(payload, keit):
    applicant = ApplicantFactory()
    client = browser(applicant)

    response = fill_and_post(client, reverse("alliance:firm_profile"), address=payload)

    assert (response.status_code, errors_of(response)) == (302, {})
    firm = Firm.objects.get(pk=applicant.firm_id)
    assert firm.address == payload
    page = browser(keit).get(reverse("alliance:secretariat_firm", args=[firm.pk]))
    assert_shown_escaped(page.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_notice_stores_text_as_typed_and_the_public_page_shows_it_escaped(payload, editor):
    client = browser(editor)

    response = fill_and_post(
        client,
        reverse("site:editor_notice_create"),
        title=payload,
        body=payload,
        published="on",
    )

    assert (response.status_code, errors_of(response)) == (302, {})
    notice = Notice.objects.get()
    assert (notice.title, notice.body) == (payload, payload)
    for url in (reverse("site:notice_detail", args=[notice.pk]), reverse("site:notice_list")):
        assert_shown_escaped(browser().get(url).content, payload)


def _event(editor) -> Event:
    now = timezone.now()
    return site_services.event_create(
        actor=editor,
        kind="seminar",
        title="설명회",
        description="설명",
        starts_at=now + datetime.timedelta(days=20),
        ends_at=now + datetime.timedelta(days=20, hours=2),
        place="서울",
        capacity=10,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=19),
        published=True,
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_event_stores_text_as_typed_and_the_public_page_shows_it_escaped(payload, editor):
    event = _event(editor)
    client = browser(editor)

    response = fill_and_post(
        client,
        reverse("site:editor_event_edit", args=[event.pk]),
        title=payload,
        description=payload,
        place=payload,
    )

    assert (response.status_code, errors_of(response)) == (302, {})
    event.refresh_from_db()
    assert (event.title, event.description, event.place) == (payload, payload, payload)
    for url in (reverse("site:event_detail", args=[event.pk]), reverse("site:event_list")):
        assert_shown_escaped(browser().get(url).content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_registration_stores_text_as_typed_and_the_editor_sees_it_escaped(payload, editor):
    event = _event(editor)

    response = fill_and_post(
        browser(),
        reverse("site:event_detail", args=[event.pk]),
        name=payload[:60],
        organization=payload,
        email="hong@example.kr",
        phone="010-1234-5678",
        consent="on",
    )

    assert (response.status_code, errors_of(response)) == (302, {})
    registration = Registration.objects.get()
    assert (registration.name, registration.organization) == (payload[:60], payload)
    page = browser(editor).get(reverse("site:editor_registrations", args=[event.pk]))
    assert_shown_escaped(page.content, payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_consultation_request_stores_text_as_typed_and_staff_see_it_escaped(payload, keit):
    applicant = ApplicantFactory(firm=FirmFactory())
    bank = InstitutionFactory()
    client = browser(applicant)

    response = fill_and_post(
        client,
        reverse("consultation_new"),
        institution=str(bank.pk),
        topic="loan_terms",
        message=payload,
        preferred_slot_1=next_weekday_at(10).strftime("%Y-%m-%dT%H:%M"),
    )

    assert (response.status_code, errors_of(response)) == (302, {})
    consultation = Consultation.objects.get()
    assert consultation.message == payload
    page = browser(keit).get(reverse("consultation_detail", args=[consultation.pk]))
    assert_shown_escaped(page.content, payload)


def test_sql_looking_search_terms_are_plain_text_to_the_registry(keit):
    FirmFactory(name="현대자동차")

    response = browser(keit).get(reverse("alliance:secretariat_firms"), {"q": SQL})

    assert response.status_code == 200
    assert Firm.objects.count() == 1
    assert Proposal.objects.count() == 0
