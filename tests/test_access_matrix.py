"""Role x URL matrix: every named page, for every role, answers exactly what SPEC §2 allows.

The expected answers are written out below, one row per URL name and one column per role, so a
change in who may reach what shows up as a diff of these tables. Objects in the URLs belong to
firm A; applicant B must get 404 for them, and applicant A for firm B's (the symmetry test).

Cells: an HTTP status, or "login" for a redirect to the sign-in page. A "*"
marks a request that changed something (a row, a status, an audit entry); every other POST must
leave the database exactly as it was. `/healthz` answers 200 or 503 depending on the workers
("health"). Each request runs in a savepoint that is rolled back, so one role's POST cannot
change what the next role sees.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alliance.consultations import services as consultations
from alliance.documents.services import document_upload
from alliance.models import AuditLog, Consultation, Firm, Proposal, ProposalDocument, User
from fund.coordination import services as coordination
from fund.coordination.fund_questions import fund_question_relay
from fund.coordination.models import CoordinationPacket, FundQuestion, PacketKind
from fund.ministry import services as ministry_services
from fund.ministry.models import InfraPlan
from fund.review import services as pipeline
from fund.routing import services as routing_services
from fund.routing.models import RoutingPolicy
from fund.site import services as site_services
from fund.site.models import Event, Faq, Notice, Registration
from matching.models import RuleSet
from portal.core.models import PersonalDataAccess
from portal.core.vocabulary import FirmStatus, Role
from tests.factories import (
    ApplicantFactory,
    FirmFactory,
    InstitutionFactory,
    ProposalFactory,
    UserFactory,
)
from tests.files import make_pdf
from tests.ministry_support import ministry_user
from tests.pipeline_support import in_review, referral_of, submitted_proposal

ROLES = ("anonymous", "applicant_a", "applicant_b", "keit", "kdb", "editor")


@dataclass
class World:
    users: dict[str, User | None]
    firm_a: Firm
    firm_b: Firm
    pending_firm: Firm
    draft_a: Proposal
    draft_b: Proposal
    submitted_a: Proposal
    submitted_b: Proposal
    document_a: ProposalDocument
    document_b: ProposalDocument
    consultation_a: Consultation
    consultation_b: Consultation
    packet_a: CoordinationPacket
    fund_question_a: FundQuestion
    fund_question_b: FundQuestion
    notice: Notice
    faq: Faq
    event: Event
    registration: Registration
    cancel_token: str
    rule_set: RuleSet
    routing_policy: RoutingPolicy
    infra_plan: InfraPlan
    # One client per role and kind, reused: a new test client loads the whole middleware stack
    # (WhiteNoise scans the static folders), which costs a third of a second each time.
    clients: dict[tuple[str, str], Client] = field(default_factory=dict)


def next_weekday_at(hour: int) -> datetime.datetime:
    day = timezone.localtime() + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _consultation(applicant: User, bank) -> Consultation:
    return consultations.consultation_request(
        actor=applicant,
        institution=bank,
        topic="loan_terms",
        message="대출 조건 상담",
        preferred_slots=[next_weekday_at(10)],
    )


def _document(proposal: Proposal, actor: User) -> ProposalDocument:
    return document_upload(
        proposal_id=proposal.pk, actor=actor, upload=make_pdf(), kind="business_plan"
    )


def _relayed_fund_question(proposal: Proposal, *, kdb: User, keit: User) -> FundQuestion:
    """The fund asks about an in-review proposal; KEIT takes the packet in and relays it."""
    pipeline.proposal_request_info(proposal_id=proposal.pk, actor=kdb, question="매출 근거는?")
    packet = CoordinationPacket.objects.get(proposal=proposal, kind=PacketKind.INFO_REQUESTED)
    coordination.packet_deliver(packet_id=packet.pk)
    question = FundQuestion.objects.get(packet=packet)
    return fund_question_relay(question_id=question.pk, actor=keit, text=question.question)


def build_world() -> World:
    """Every object the URL map names, twice where a firm owns it."""
    firm_a = FirmFactory(name="현대자동차")
    firm_b = FirmFactory(name="두산로보틱스")
    pending_firm = FirmFactory(name="심사 대기 기업", status=FirmStatus.PENDING)
    users = {
        "anonymous": None,
        "applicant_a": ApplicantFactory(firm=firm_a, username="applicant"),
        "applicant_b": ApplicantFactory(firm=firm_b, username="applicant2"),
        "keit": UserFactory(username="keit", role=Role.ALLIANCE_SECRETARIAT),
        "kdb": UserFactory(username="kdb", role=Role.FUND_SECRETARIAT),
        "editor": UserFactory(username="editor", role=Role.SITE_EDITOR),
        # Not a column of the tables below: its own table (MINISTRY_EXPECTED) keeps its answers.
        "ministry": ministry_user("motie"),
    }
    a, b = users["applicant_a"], users["applicant_b"]

    draft_a = ProposalFactory(firm=firm_a, created_by=a, title="A사 초안")
    draft_b = ProposalFactory(firm=firm_b, created_by=b, title="B사 초안")
    submitted_a = submitted_proposal(firm=firm_a, created_by=a, title="A사 제출")
    submitted_b = submitted_proposal(firm=firm_b, created_by=b, title="B사 제출")
    in_review(submitted_a, keit=users["keit"])
    in_review(submitted_b, keit=users["keit"])
    fund_question_a = _relayed_fund_question(submitted_a, kdb=users["kdb"], keit=users["keit"])
    fund_question_b = _relayed_fund_question(submitted_b, kdb=users["kdb"], keit=users["keit"])
    submitted_a.refresh_from_db()
    submitted_b.refresh_from_db()

    bank = InstitutionFactory(name="산업은행")
    now = timezone.now()
    notice = site_services.notice_create(
        actor=users["editor"], title="설명회 안내", body="본문", pinned=False, published=True
    )
    faq = site_services.faq_create(
        actor=users["editor"],
        category="process",
        question="질문?",
        answer="답변",
        order=1,
        published=True,
    )
    event = site_services.event_create(
        actor=users["editor"],
        kind="seminar",
        title="국민성장펀드 설명회",
        description="설명",
        starts_at=now + datetime.timedelta(days=20),
        ends_at=now + datetime.timedelta(days=20, hours=2),
        place="서울 여의도",
        capacity=50,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=19),
        published=True,
    )
    registration = site_services.event_register(
        event=event,
        name="홍길동",
        organization="현대자동차",
        email="hong@example.kr",
        phone="010-1234-5678",
        consent=True,
    )
    cancel_token = site_services.cancel_token_issue(registration=registration)

    world = World(
        users=users,
        firm_a=firm_a,
        firm_b=firm_b,
        pending_firm=pending_firm,
        draft_a=draft_a,
        draft_b=draft_b,
        submitted_a=submitted_a,
        submitted_b=submitted_b,
        document_a=_document(draft_a, a),
        document_b=_document(draft_b, b),
        consultation_a=_consultation(a, bank),
        consultation_b=_consultation(b, bank),
        packet_a=referral_of(submitted_a),
        fund_question_a=fund_question_a,
        fund_question_b=fund_question_b,
        notice=notice,
        faq=faq,
        event=event,
        registration=registration,
        cancel_token=cancel_token,
        rule_set=RuleSet.objects.order_by("pk").first(),
        # A draft: KEIT may edit, preview and activate it.
        routing_policy=routing_services.policy_create_draft(actor=users["keit"]),
        infra_plan=ministry_services.plan_create(
            actor=users["ministry"],
            data={"title": "공동 데이터", "kind": "data", "description": "설명"},
        ),
    )
    return world


def url_arguments(world: World, owner: str) -> dict[str, dict[str, object]]:
    """Keyword arguments per URL name, with firm `owner`'s ("a" or "b") objects."""
    draft = world.draft_a if owner == "a" else world.draft_b
    submitted = world.submitted_a if owner == "a" else world.submitted_b
    document = world.document_a if owner == "a" else world.document_b
    consultation = world.consultation_a if owner == "a" else world.consultation_b
    firm = world.firm_a if owner == "a" else world.firm_b
    question = world.fund_question_a if owner == "a" else world.fund_question_b
    return {
        "alliance:proposal_detail": {"pk": draft.pk},
        "alliance:proposal_edit": {"pk": draft.pk, "step": 1},
        "alliance:proposal_autosave": {"pk": draft.pk},
        "alliance:proposal_submit": {"pk": draft.pk},
        "alliance:proposal_withdraw": {"pk": submitted.pk},
        "alliance:document_upload": {"pk": draft.pk},
        "alliance:document_download": {"pk": document.pk},
        "alliance:document_delete": {"pk": document.pk},
        "alliance:secretariat_firm": {"pk": firm.pk},
        "alliance:firm_verify": {"pk": world.pending_firm.pk},
        "alliance:proposal_request_info": {"pk": submitted.pk},
        "alliance:fund_question": {"pk": question.pk},
        "alliance:fund_question_answer": {"pk": submitted.pk, "question_pk": question.pk},
        "consultation_detail": {"pk": consultation.pk},
        "consultation_confirm": {"pk": consultation.pk},
        "consultation_decline": {"pk": consultation.pk},
        "consultation_cancel": {"pk": consultation.pk},
        "consultation_contact": {"pk": consultation.pk},
        "matching:rule_set_detail": {"pk": world.rule_set.pk},
        "matching:rule_set_edit": {"pk": world.rule_set.pk},
        "matching:rule_set_activate": {"pk": world.rule_set.pk},
        "matching:rule_set_preview": {"pk": world.rule_set.pk},
        "matching:rule_set_progress": {"pk": world.rule_set.pk},
        "matching:proposal_results": {"pk": submitted.pk},
        "matching:proposal_check": {"pk": draft.pk},
        "routing:policy_detail": {"pk": world.routing_policy.pk},
        "routing:policy_edit": {"pk": world.routing_policy.pk},
        "routing:policy_preview": {"pk": world.routing_policy.pk},
        "routing:policy_activate": {"pk": world.routing_policy.pk},
        "ministry:recommend": {"pk": submitted.pk},
        "ministry:plan_detail": {"pk": world.infra_plan.pk},
        "ministry:plan_join": {"pk": world.infra_plan.pk},
        "channel_detail": {"code": "direct"},
        "site:notice_detail": {"pk": world.notice.pk},
        "site:event_detail": {"pk": world.event.pk},
        "site:event_registered": {"pk": world.event.pk},
        "site:registration_cancel": {"token": world.cancel_token},
        "site:editor_notice_edit": {"pk": world.notice.pk},
        "site:editor_notice_publish": {"pk": world.notice.pk},
        "site:editor_notice_pin": {"pk": world.notice.pk},
        "site:editor_notice_delete": {"pk": world.notice.pk},
        "site:editor_fact_edit": {"key": "fund-size"},
        "site:editor_fact_history": {"key": "fund-size"},
        "site:editor_faq_edit": {"pk": world.faq.pk},
        "site:editor_faq_delete": {"pk": world.faq.pk},
        "site:editor_event_edit": {"pk": world.event.pk},
        "site:editor_event_delete": {"pk": world.event.pk},
        "site:editor_registrations": {"pk": world.event.pk},
        "site:editor_registrations_csv": {"pk": world.event.pk},
        "site:editor_registration_check_in": {"pk": world.registration.pk},
        "site:editor_registration_cancel": {"pk": world.registration.pk},
        "site:editor_registration_contact": {"pk": world.registration.pk},
        "pipeline:screening_detail": {"pk": submitted.pk},
        "pipeline:screening_refer": {"pk": submitted.pk},
        "pipeline:packet_detail": {"pk": world.packet_a.pk},
        "pipeline:packet_ack": {"pk": world.packet_a.pk},
        "pipeline:packet_retry": {"pk": world.packet_a.pk},
        "pipeline:detail": {"pk": submitted.pk},
        "pipeline:advance": {"pk": submitted.pk},
        "pipeline:decide": {"pk": submitted.pk},
        "pipeline:reopen": {"pk": submitted.pk},
        "pipeline:release": {"pk": submitted.pk},
        "pipeline:request_info": {"pk": submitted.pk},
        "pipeline:assign": {"pk": submitted.pk},
        "pipeline:comment": {"pk": submitted.pk},
        # No meeting or saved view exists in this world: fund staff get 404 too.
        "pipeline:agenda_add": {"pk": 1},
        "pipeline:agenda_move": {"pk": 1},
        "pipeline:agenda_print": {"pk": 1},
        "pipeline:agenda_remove": {"pk": 1},
        "pipeline:agenda_xlsx": {"pk": 1},
        "pipeline:meeting_detail": {"pk": 1},
        "pipeline:saved_view_delete": {"pk": 1},
        # Nothing is opened to institutions in this world (see test_institution_access).
        "institutions:deal_detail": {"pk": submitted.pk},
        "institutions:interest_detail": {"pk": 1},
        "institutions:interest_accept": {"pk": 1},
        "institutions:interest_decline": {"pk": 1},
        "institutions:share_open": {"pk": submitted.pk},
        "institutions:share_withdraw": {"pk": submitted.pk},
    }


def named_patterns() -> dict[str, str]:
    """`namespace:name` -> route of every named pattern in the URL map but the admin's."""
    found: dict[str, str] = {}

    def walk(patterns, namespace: str | None, prefix: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                full = ":".join(p for p in (namespace, entry.namespace) if p) or None
                walk(entry.url_patterns, full, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found[name] = prefix + str(entry.pattern)

    walk(get_resolver().url_patterns, None, "")
    return found


def page_names() -> set[str]:
    return {name for name, route in named_patterns().items() if not route.startswith("api/")}


def api_names() -> set[str]:
    return {name for name, route in named_patterns().items() if route.startswith("api/")}


def api_arguments(world: World, owner: str) -> dict[str, dict[str, object]]:
    """Keyword arguments per API route name, with firm `owner`'s objects."""
    draft = world.draft_a if owner == "a" else world.draft_b
    submitted = world.submitted_a if owner == "a" else world.submitted_b
    document = world.document_a if owner == "a" else world.document_b
    firm = world.firm_a if owner == "a" else world.firm_b
    return {
        "firm-detail": {"pk": firm.pk},
        "firm-verify": {"pk": world.pending_firm.pk},
        "proposal-detail": {"pk": draft.pk},
        "proposal-submit": {"pk": draft.pk},
        "proposal-withdraw": {"pk": submitted.pk},
        "proposal-documents": {"pk": draft.pk},
        "proposal-document": {"pk": draft.pk, "document_id": document.pk},
        "proposal-matches": {"pk": submitted.pk},
        "proposal-refer": {"pk": submitted.pk},
        "proposal-advance": {"pk": submitted.pk},
        "proposal-decide": {"pk": submitted.pk},
        "proposal-request-info": {"pk": submitted.pk},
        "packet-detail": {"pk": world.packet_a.pk},
        "packet-ack": {"pk": world.packet_a.pk},
        "event-detail": {"pk": world.event.pk},
        "event-register": {"pk": world.event.pk},
        "notice-detail": {"pk": world.notice.pk},
        "channel-detail": {"code": "direct"},
        "ruleset-detail": {"pk": world.rule_set.pk},
        "ruleset-activate": {"pk": world.rule_set.pk},
        "ruleset-preview": {"pk": world.rule_set.pk},
        "ruleset-rescore": {"pk": world.rule_set.pk},
        "routing-policy-detail": {"pk": world.routing_policy.pk},
        "routing-policy-preview": {"pk": world.routing_policy.pk},
        "routing-policy-activate": {"pk": world.routing_policy.pk},
        "proposal-recommend": {"pk": submitted.pk},
        "infra-plan-detail": {"pk": world.infra_plan.pk},
        "infra-plan-join": {"pk": world.infra_plan.pk},
        "institution-detail": {"pk": world.consultation_a.institution_id},
        "dealflow-detail": {"pk": submitted.pk},
        "interest-detail": {"pk": 1},
        "interest-accept": {"pk": 1},
        "interest-decline": {"pk": 1},
        "proposal-share": {"pk": submitted.pk},
    }


pytestmark = pytest.mark.django_db

# Columns: anonymous, applicant of firm A, applicant of firm B, KEIT, KDB, site editor.
GET_EXPECTED = {
    "alliance:fund_question": ("login", "404", "404", "200", "404", "404"),
    "alliance:fund_question_answer": ("login", "405", "405", "405", "405", "405"),
    "alliance:fund_questions": ("login", "404", "404", "200", "404", "404"),
    "alliance:dashboard": ("login", "200", "200", "302", "302", "302"),
    "alliance:document_delete": ("login", "405", "405", "405", "405", "405"),
    "alliance:document_download": ("login", "200", "404", "404", "404", "404"),
    "alliance:document_upload": ("login", "405", "405", "405", "405", "405"),
    "alliance:firm_profile": ("login", "200", "200", "404", "404", "404"),
    "alliance:firm_verify": ("405", "405", "405", "405", "405", "405"),
    "alliance:proposal_autosave": ("login", "405", "405", "405", "405", "405"),
    "alliance:amount_preview": ("login", "404", "404", "404", "404", "404"),
    "alliance:proposal_detail": ("login", "200", "404", "404", "404", "404"),
    "alliance:proposal_edit": ("login", "200", "404", "404", "404", "404"),
    "alliance:proposal_new": ("login", "200", "200", "403", "403", "403"),
    "alliance:proposal_request_info": ("405", "405", "405", "405", "405", "405"),
    "alliance:proposal_submit": ("login", "200", "404", "404", "404", "404"),
    "alliance:proposal_withdraw": ("login", "302", "404", "404", "404", "404"),
    "alliance:secretariat_firm": ("login", "404", "404", "200", "404", "404"),
    "alliance:secretariat_firms": ("login", "404", "404", "200", "404", "404"),
    "alliance:secretariat_proposals": ("login", "404", "404", "200", "404", "404"),
    "alliance_overview": ("200", "200", "200", "200", "200", "200"),
    "channel_detail": ("200", "200", "200", "200", "200", "200"),
    "consultation_cancel": ("405", "405", "405", "405", "405", "405"),
    "consultation_confirm": ("405", "405", "405", "405", "405", "405"),
    "consultation_contact": ("405", "405", "405", "405", "405", "405"),
    "consultation_decline": ("405", "405", "405", "405", "405", "405"),
    "consultation_detail": ("login", "200", "404", "200*", "200*", "404"),
    "consultation_list": ("login", "200", "200", "200*", "200*", "404"),
    "consultation_new": ("login", "200", "200", "404", "404", "404"),
    "healthz": ("health",) * 6,
    "readyz": ("health",) * 6,
    "system_status": ("login", "404", "404", "404", "404", "404"),
    "home": ("200", "200", "200", "200", "200", "200"),
    "login": ("200", "200", "200", "200", "200", "200"),
    "logout": ("405", "405", "405", "405", "405", "405"),
    "matching:proposal_check": ("login", "405", "405", "405", "405", "405"),
    "matching:proposal_results": ("login", "200", "404", "200", "200", "404"),
    "matching:rule_set_activate": ("login", "404", "404", "404", "302", "404"),
    "matching:rule_set_detail": ("login", "404", "404", "200", "200", "404"),
    "matching:rule_set_edit": ("login", "404", "404", "404", "404", "404"),
    "matching:rule_set_list": ("login", "404", "404", "200", "200", "404"),
    "matching:rule_set_new": ("login", "405", "405", "405", "405", "405"),
    "matching:rule_set_preview": ("login", "405", "405", "405", "405", "405"),
    "matching:rule_set_progress": ("login", "404", "404", "200", "200", "404"),
    "password_change": ("login", "200", "200", "200", "200", "200"),
    "password_change_done": ("login", "200", "200", "200", "200", "200"),
    "routing:pause": ("405", "405", "405", "405", "405", "405"),
    "routing:policy_activate": ("login", "404", "404", "200", "404", "404"),
    "routing:policy_detail": ("login", "404", "404", "200", "200", "404"),
    "routing:policy_edit": ("login", "404", "404", "200", "404", "404"),
    "routing:policy_list": ("login", "404", "404", "200", "200", "404"),
    "routing:policy_new": ("405", "405", "405", "405", "405", "405"),
    "routing:policy_preview": ("login", "404", "404", "200", "200", "404"),
    "routing:resume": ("405", "405", "405", "405", "405", "405"),
    "password_reset": ("200", "200", "200", "200", "200", "200"),
    "password_reset_complete": ("200", "200", "200", "200", "200", "200"),
    "password_reset_confirm": ("200", "200", "200", "200", "200", "200"),
    "password_reset_done": ("200", "200", "200", "200", "200", "200"),
    "pipeline:agenda_add": ("405", "405", "405", "405", "405", "405"),
    "pipeline:agenda_move": ("405", "405", "405", "405", "405", "405"),
    "pipeline:agenda_print": ("login", "404", "404", "404", "404", "404"),
    "pipeline:agenda_remove": ("405", "405", "405", "405", "405", "405"),
    "pipeline:agenda_xlsx": ("login", "404", "404", "404", "404", "404"),
    "pipeline:bulk": ("405", "405", "405", "405", "405", "405"),
    "pipeline:comment": ("405", "405", "405", "405", "405", "405"),
    "pipeline:meeting_create": ("405", "405", "405", "405", "405", "405"),
    "pipeline:meeting_detail": ("login", "404", "404", "404", "404", "404"),
    "pipeline:meetings": ("login", "404", "404", "404", "200", "404"),
    "pipeline:saved_view_create": ("405", "405", "405", "405", "405", "405"),
    "pipeline:saved_view_delete": ("405", "405", "405", "405", "405", "405"),
    "pipeline:advance": ("405", "405", "405", "405", "405", "405"),
    "pipeline:assign": ("405", "405", "405", "405", "405", "405"),
    "pipeline:board": ("login", "404", "404", "404", "200", "404"),
    "pipeline:decide": ("405", "405", "405", "405", "405", "405"),
    "pipeline:detail": ("login", "404", "404", "404", "200", "404"),
    "pipeline:export": ("login", "404", "404", "404", "200", "404"),
    "pipeline:packet_ack": ("405", "405", "405", "405", "405", "405"),
    "pipeline:packet_detail": ("login", "404", "404", "200", "200", "404"),
    "pipeline:packet_retry": ("405", "405", "405", "405", "405", "405"),
    "pipeline:packets": ("login", "404", "404", "200", "200", "404"),
    "pipeline:release": ("405", "405", "405", "405", "405", "405"),
    "pipeline:reopen": ("405", "405", "405", "405", "405", "405"),
    "pipeline:request_info": ("405", "405", "405", "405", "405", "405"),
    "pipeline:screening": ("login", "404", "404", "200", "404", "404"),
    "pipeline:screening_detail": ("login", "404", "404", "200", "404", "404"),
    "pipeline:screening_refer": ("405", "405", "405", "405", "405", "405"),
    "pipeline:screening_refer_bulk": ("405", "405", "405", "405", "405", "405"),
    "pipeline:table": ("login", "404", "404", "404", "200", "404"),
    "set_language": ("302", "302", "302", "302", "302", "302"),
    "signup": ("200", "302", "302", "302", "302", "302"),
    "site:contact": ("200", "200", "200", "200", "200", "200"),
    "site:editor_dashboard": ("login", "404", "404", "404", "404", "200"),
    "site:editor_event_create": ("login", "404", "404", "404", "404", "200"),
    "site:editor_event_delete": ("login", "404", "404", "404", "404", "200"),
    "site:editor_event_edit": ("login", "404", "404", "404", "404", "200"),
    "site:editor_events": ("login", "404", "404", "404", "404", "200"),
    "site:editor_faq_create": ("login", "404", "404", "404", "404", "200"),
    "site:editor_faq_delete": ("login", "404", "404", "404", "404", "200"),
    "site:editor_faq_edit": ("login", "404", "404", "404", "404", "200"),
    "site:editor_faqs": ("login", "404", "404", "404", "404", "200"),
    "site:editor_notice_create": ("login", "404", "404", "404", "404", "200"),
    "site:editor_notice_delete": ("login", "404", "404", "404", "404", "200"),
    "site:editor_notice_edit": ("login", "404", "404", "404", "404", "200"),
    "site:editor_notice_pin": ("login", "404", "404", "404", "404", "405"),
    "site:editor_notice_publish": ("login", "404", "404", "404", "404", "405"),
    "site:editor_notices": ("login", "404", "404", "404", "404", "200"),
    "site:editor_registration_cancel": ("login", "404", "404", "404", "404", "405"),
    "site:editor_registration_check_in": ("login", "404", "404", "404", "404", "405"),
    "site:editor_registration_contact": ("login", "404", "404", "404", "404", "405"),
    "site:editor_registrations": ("login", "404", "404", "404", "404", "200*"),
    "site:editor_registrations_csv": ("login", "404", "404", "404", "404", "200*"),
    "site:event_detail": ("200", "200", "200", "200", "200", "200"),
    "site:event_list": ("200", "200", "200", "200", "200", "200"),
    "site:event_registered": ("302", "302", "302", "302", "302", "302"),
    "site:faq": ("200", "200", "200", "200", "200", "200"),
    "site:notice_detail": ("200", "200", "200", "200", "200", "200"),
    "site:notice_list": ("200", "200", "200", "200", "200", "200"),
    "site:privacy": ("200", "200", "200", "200", "200", "200"),
    "site:terms": ("200", "200", "200", "200", "200", "200"),
    "site:sources": ("200", "200", "200", "200", "200", "200"),
    "site:editor_facts": ("login", "404", "404", "404", "200", "200"),
    "site:editor_fact_edit": ("login", "404", "404", "404", "200", "200"),
    "site:editor_fact_history": ("login", "404", "404", "404", "200", "200"),
    "site:registration_cancel": ("200", "200", "200", "200", "200", "200"),
    "staff_dashboard": ("404", "404", "404", "200", "200", "404"),
    "site:self_check": ("200", "200", "200", "200", "200", "200"),
    "site:self_check_carry": ("405", "405", "405", "405", "405", "405"),
    "overview:ministry": ("login", "404", "404", "200", "200", "404"),
    "ministry:candidates": ("login", "404", "404", "404", "404", "404"),
    "ministry:recommend": ("login", "404", "404", "404", "404", "404"),
    "ministry:plans": ("login", "200", "200", "200", "200", "404"),
    "ministry:plan_new": ("login", "404", "404", "200", "404", "404"),
    "ministry:plan_detail": ("login", "200", "200", "200", "200", "404"),
    "ministry:plan_join": ("405", "405", "405", "405", "405", "405"),
    "institutions:deal_detail": ("login", "404", "404", "404", "404", "404"),
    "institutions:dealflow": ("login", "404", "404", "404", "404", "404"),
    "institutions:interest_accept": ("405", "405", "405", "405", "405", "405"),
    "institutions:interest_decline": ("405", "405", "405", "405", "405", "405"),
    "institutions:interest_detail": ("login", "404", "404", "404", "404", "404"),
    "institutions:interest_list": ("login", "200", "200", "404", "404", "404"),
    "institutions:offer_edit": ("login", "404", "404", "404", "404", "404"),
    "institutions:offer_list": ("login", "200", "200", "200", "200", "200"),
    "institutions:share_open": ("405", "405", "405", "405", "405", "405"),
    "institutions:share_withdraw": ("405", "405", "405", "405", "405", "405"),
    "institutions:summary": ("login", "404", "404", "200", "200", "404"),
}

POST_EXPECTED = {
    "alliance:fund_question": ("login", "404", "404", "400", "404", "404"),
    "alliance:fund_question_answer": ("login", "400", "404", "404", "404", "404"),
    "alliance:fund_questions": ("login", "404", "404", "405", "404", "404"),
    "alliance:dashboard": ("login", "405", "405", "405", "405", "405"),
    "alliance:document_delete": ("login", "302*", "404", "404", "404", "404"),
    "alliance:document_download": ("login", "405", "405", "405", "405", "405"),
    "alliance:document_upload": ("login", "400", "404", "404", "404", "404"),
    "alliance:firm_profile": ("login", "200", "200", "404", "404", "404"),
    "alliance:firm_verify": ("login", "404", "404", "302*", "404", "404"),
    "alliance:proposal_autosave": ("login", "400", "404", "404", "404", "404"),
    "alliance:amount_preview": ("login", "405", "405", "405", "405", "405"),
    "alliance:proposal_detail": ("login", "405", "405", "405", "405", "405"),
    "alliance:proposal_edit": ("login", "400", "404", "404", "404", "404"),
    "alliance:proposal_new": ("login", "400", "400", "403", "403", "403"),
    "alliance:proposal_request_info": ("login", "404", "404", "200", "404", "404"),
    "alliance:proposal_submit": ("login", "400", "404", "404", "404", "404"),
    "alliance:proposal_withdraw": ("login", "302", "404", "404", "404", "404"),
    "alliance:secretariat_firm": ("login", "404", "404", "200", "404", "404"),
    "alliance:secretariat_firms": ("login", "404", "404", "200", "404", "404"),
    "alliance:secretariat_proposals": ("login", "404", "404", "200", "404", "404"),
    "alliance_overview": ("405", "405", "405", "405", "405", "405"),
    "channel_detail": ("405", "405", "405", "405", "405", "405"),
    "consultation_cancel": ("login", "302*", "404", "302", "302", "404"),
    "consultation_confirm": ("login", "302", "404", "400", "400", "404"),
    "consultation_contact": ("login", "404", "404", "200*", "200*", "404"),
    "consultation_decline": ("login", "302", "404", "400", "400", "404"),
    "consultation_detail": ("405", "405", "405", "405", "405", "405"),
    "consultation_list": ("405", "405", "405", "405", "405", "405"),
    "consultation_new": ("login", "400", "400", "404", "404", "404"),
    "healthz": ("405", "405", "405", "405", "405", "405"),
    "readyz": ("405", "405", "405", "405", "405", "405"),
    "system_status": ("405", "405", "405", "405", "405", "405"),
    "home": ("200", "200", "200", "200", "200", "200"),
    "login": ("200", "200", "200", "200", "200", "200"),
    "logout": ("302", "302", "302", "302", "302", "302"),
    "matching:proposal_check": ("login", "200", "404", "404", "404", "404"),
    "matching:proposal_results": ("login", "405", "405", "405", "405", "405"),
    "matching:rule_set_activate": ("login", "404", "404", "404", "302", "404"),
    "matching:rule_set_detail": ("login", "405", "405", "405", "405", "405"),
    "matching:rule_set_edit": ("login", "404", "404", "404", "404", "404"),
    "matching:rule_set_list": ("login", "405", "405", "405", "405", "405"),
    "matching:rule_set_new": ("login", "404", "404", "404", "302*", "404"),
    "matching:rule_set_preview": ("login", "404", "404", "404", "302", "404"),
    "matching:rule_set_progress": ("login", "405", "405", "405", "405", "405"),
    "password_change": ("login", "200", "200", "200", "200", "200"),
    "password_change_done": ("login", "405", "405", "405", "405", "405"),
    "routing:pause": ("login", "404", "404", "302*", "404", "404"),
    "routing:policy_activate": ("login", "404", "404", "400", "404", "404"),
    "routing:policy_detail": ("login", "404", "404", "405", "405", "404"),
    "routing:policy_edit": ("login", "404", "404", "400", "404", "404"),
    "routing:policy_list": ("login", "404", "404", "405", "405", "404"),
    "routing:policy_new": ("login", "404", "404", "302*", "404", "404"),
    "routing:policy_preview": ("login", "404", "404", "405", "405", "404"),
    "routing:resume": ("login", "404", "404", "302", "404", "404"),
    "password_reset": ("200", "200", "200", "200", "200", "200"),
    "password_reset_complete": ("405", "405", "405", "405", "405", "405"),
    "password_reset_confirm": ("200", "200", "200", "200", "200", "200"),
    "password_reset_done": ("405", "405", "405", "405", "405", "405"),
    "pipeline:agenda_add": ("login", "404", "404", "404", "404", "404"),
    "pipeline:agenda_move": ("login", "404", "404", "404", "404", "404"),
    "pipeline:agenda_print": ("login", "404", "404", "404", "404", "404"),
    "pipeline:agenda_remove": ("login", "404", "404", "404", "404", "404"),
    "pipeline:agenda_xlsx": ("login", "404", "404", "404", "404", "404"),
    "pipeline:bulk": ("login", "404", "404", "404", "302", "404"),
    "pipeline:comment": ("login", "404", "404", "404", "400", "404"),
    "pipeline:meeting_create": ("login", "404", "404", "404", "400", "404"),
    "pipeline:meeting_detail": ("login", "404", "404", "404", "404", "404"),
    "pipeline:meetings": ("login", "404", "404", "404", "200", "404"),
    "pipeline:saved_view_create": ("login", "404", "404", "404", "302", "404"),
    "pipeline:saved_view_delete": ("login", "404", "404", "404", "404", "404"),
    "pipeline:advance": ("login", "404", "404", "404", "302", "404"),
    "pipeline:assign": ("login", "404", "404", "404", "302*", "404"),
    "pipeline:board": ("login", "404", "404", "404", "200", "404"),
    "pipeline:decide": ("login", "404", "404", "404", "400", "404"),
    "pipeline:detail": ("login", "404", "404", "404", "200", "404"),
    "pipeline:export": ("login", "404", "404", "404", "200", "404"),
    "pipeline:packet_ack": ("login", "404", "404", "302", "302*", "404"),
    "pipeline:packet_detail": ("login", "404", "404", "200", "200", "404"),
    "pipeline:packet_retry": ("login", "404", "404", "302", "302", "404"),
    "pipeline:packets": ("login", "404", "404", "200", "200", "404"),
    "pipeline:release": ("login", "404", "404", "404", "400", "404"),
    "pipeline:reopen": ("login", "404", "404", "404", "400", "404"),
    "pipeline:request_info": ("login", "404", "404", "404", "400", "404"),
    "pipeline:screening": ("login", "404", "404", "200", "404", "404"),
    "pipeline:screening_detail": ("login", "404", "404", "200", "404", "404"),
    "pipeline:screening_refer": ("login", "404", "404", "302", "404", "404"),
    "pipeline:screening_refer_bulk": ("login", "404", "404", "302", "404", "404"),
    "pipeline:table": ("login", "404", "404", "404", "200", "404"),
    "set_language": ("302", "302", "302", "302", "302", "302"),
    "signup": ("200", "302", "302", "302", "302", "302"),
    "site:contact": ("405", "405", "405", "405", "405", "405"),
    "site:editor_dashboard": ("login", "404", "404", "404", "404", "405"),
    "site:editor_event_create": ("login", "404", "404", "404", "404", "400"),
    "site:editor_event_delete": ("login", "404", "404", "404", "404", "302"),
    "site:editor_event_edit": ("login", "404", "404", "404", "404", "400"),
    "site:editor_events": ("login", "404", "404", "404", "404", "405"),
    "site:editor_faq_create": ("login", "404", "404", "404", "404", "400"),
    "site:editor_faq_delete": ("login", "404", "404", "404", "404", "302*"),
    "site:editor_faq_edit": ("login", "404", "404", "404", "404", "400"),
    "site:editor_faqs": ("login", "404", "404", "404", "404", "405"),
    "site:editor_notice_create": ("login", "404", "404", "404", "404", "400"),
    "site:editor_notice_delete": ("login", "404", "404", "404", "404", "302*"),
    "site:editor_notice_edit": ("login", "404", "404", "404", "404", "400"),
    "site:editor_notice_pin": ("login", "404", "404", "404", "404", "302*"),
    "site:editor_notice_publish": ("login", "404", "404", "404", "404", "302*"),
    "site:editor_notices": ("login", "404", "404", "404", "404", "405"),
    "site:editor_registration_cancel": ("login", "404", "404", "404", "404", "302*"),
    "site:editor_registration_check_in": ("login", "404", "404", "404", "404", "302*"),
    "site:editor_registration_contact": ("login", "404", "404", "404", "404", "200*"),
    "site:editor_registrations": ("login", "404", "404", "404", "404", "405"),
    "site:editor_registrations_csv": ("login", "404", "404", "404", "404", "405"),
    "site:event_detail": ("400", "400", "400", "400", "400", "400"),
    "site:event_list": ("405", "405", "405", "405", "405", "405"),
    "site:event_registered": ("405", "405", "405", "405", "405", "405"),
    "site:faq": ("405", "405", "405", "405", "405", "405"),
    "site:notice_detail": ("405", "405", "405", "405", "405", "405"),
    "site:notice_list": ("405", "405", "405", "405", "405", "405"),
    "site:privacy": ("405", "405", "405", "405", "405", "405"),
    "site:terms": ("405", "405", "405", "405", "405", "405"),
    "site:sources": ("405", "405", "405", "405", "405", "405"),
    "site:editor_facts": ("login", "404", "404", "404", "405", "405"),
    "site:editor_fact_edit": ("login", "404", "404", "404", "400", "400"),
    "site:editor_fact_history": ("login", "404", "404", "404", "405", "405"),
    "site:registration_cancel": ("302*", "302*", "302*", "302*", "302*", "302*"),
    "staff_dashboard": ("405", "405", "405", "405", "405", "405"),
    "site:self_check": ("400", "400", "400", "400", "400", "400"),
    "site:self_check_carry": ("400", "400", "400", "400", "400", "400"),
    "overview:ministry": ("405", "405", "405", "405", "405", "405"),
    "ministry:candidates": ("405", "405", "405", "405", "405", "405"),
    "ministry:recommend": ("login", "404", "404", "404", "404", "404"),
    "ministry:plans": ("405", "405", "405", "405", "405", "405"),
    "ministry:plan_new": ("login", "404", "404", "400", "404", "404"),
    "ministry:plan_detail": ("405", "405", "405", "405", "405", "405"),
    "ministry:plan_join": ("login", "302*", "302*", "302", "302", "404"),
    "institutions:deal_detail": ("login", "404", "404", "404", "404", "404"),
    "institutions:dealflow": ("405", "405", "405", "405", "405", "405"),
    "institutions:interest_accept": ("login", "404", "404", "404", "404", "404"),
    "institutions:interest_decline": ("login", "404", "404", "404", "404", "404"),
    "institutions:interest_detail": ("405", "405", "405", "405", "405", "405"),
    "institutions:interest_list": ("405", "405", "405", "405", "405", "405"),
    "institutions:offer_edit": ("login", "404", "404", "404", "404", "404"),
    "institutions:offer_list": ("405", "405", "405", "405", "405", "405"),
    "institutions:share_open": ("login", "302", "404", "404", "404", "404"),
    "institutions:share_withdraw": ("login", "302", "404", "404", "404", "404"),
    "institutions:summary": ("405", "405", "405", "405", "405", "405"),
}

PASSWORD_RESET_ARGS = {"uidb64": "MQ", "token": "set-password"}


def page_client(world: World, role: str, *, csrf: bool = False) -> Client:
    """The role's browser, signed in again if a previous request signed it out."""
    user = world.users[role]
    key = (role, "csrf" if csrf else "page")
    if key not in world.clients:
        world.clients[key] = Client(enforce_csrf_checks=csrf)
    client = world.clients[key]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None and client.session.get(SESSION_KEY) != str(user.pk):
        client.force_login(user)
    if user is None and SESSION_KEY in client.session:
        client.logout()
    return client


def _client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def fingerprint() -> tuple:
    """What a refused request must leave as it was: states, rows and the audit trail."""
    return (
        AuditLog.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("pk", "status", "version")),
        list(ProposalDocument.objects.order_by("pk").values_list("pk", flat=True)),
        list(Consultation.objects.order_by("pk").values_list("pk", "status")),
        list(Firm.objects.order_by("pk").values_list("pk", "status")),
        list(Notice.objects.order_by("pk").values_list("pk", "published", "pinned")),
        list(Faq.objects.order_by("pk").values_list("pk", "question")),
        list(Event.objects.order_by("pk").values_list("pk", "published", "title")),
        list(Registration.objects.order_by("pk").values_list("pk", "status", "checked_in_at")),
        list(CoordinationPacket.objects.order_by("pk").values_list("pk", "state")),
        list(RuleSet.objects.order_by("pk").values_list("pk", "status")),
        list(FundQuestion.objects.order_by("pk").values_list("pk", "relayed_at", "answered_at")),
        User.objects.count(),
        # A page that shows or opens personal data leaves a row in the access log.
        PersonalDataAccess.objects.count(),
    )


def cell(response, changed: bool = False) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next="):
        value = "login"
    else:
        value = str(response.status_code)
    return value + ("*" if changed else "")


def url_for(world: World, name: str, owner: str = "a") -> str:
    if name == "password_reset_confirm":
        return reverse(name, kwargs=PASSWORD_RESET_ARGS)
    return reverse(name, kwargs=url_arguments(world, owner).get(name, {}))


def answer(world: World, role: str, method: str, url: str) -> str:
    """One request, rolled back afterwards; its cell, starred if it changed anything."""
    client = page_client(world, role)
    cache.clear()  # the self-check's rate limit counts every role's request from one address
    with transaction.atomic():
        before = fingerprint()
        response = getattr(client, method)(url)
        changed = fingerprint() != before
        transaction.set_rollback(True)
    # The health answers depend on the workers of the moment, not on the role.
    if response.status_code in (200, 503) and url in (reverse("healthz"), reverse("readyz")):
        return "health"
    return cell(response, changed)


def table_text(table: dict[str, tuple]) -> str:
    return "\n".join(
        f'    "{name}": ({", ".join(repr(v).replace(chr(39), chr(34)) for v in row)}),'
        for name, row in sorted(table.items())
    )


@pytest.fixture
def world(db):
    return build_world()


def test_the_tables_name_every_url_of_the_portal():
    names = page_names()

    assert sorted(names - set(GET_EXPECTED)) == []
    assert sorted(set(GET_EXPECTED) - names) == []
    assert set(POST_EXPECTED) == set(GET_EXPECTED)
    assert sorted(api_names() ^ set(API_GET_EXPECTED)) == []
    assert set(API_POST_EXPECTED) == set(API_GET_EXPECTED)


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_role_gets_exactly_what_the_table_allows(world, method):
    expected = GET_EXPECTED if method == "get" else POST_EXPECTED
    actual = {
        name: tuple(answer(world, role, method, url_for(world, name)) for role in ROLES)
        for name in expected
    }

    differences = {name: row for name, row in actual.items() if row != expected[name]}
    assert differences == {}, "actual table:\n" + table_text(actual)


# The REST API (token authentication, JSON). Same columns; an empty JSON body for POST.
API_GET_EXPECTED = {
    "api-docs": ("200", "200", "200", "200", "200", "200"),
    "api-schema": ("200", "200", "200", "200", "200", "200"),
    "api-token": ("401", "405", "405", "405", "405", "405"),
    "channel-detail": ("200", "200", "200", "200", "200", "200"),
    "channel-list": ("200", "200", "200", "200", "200", "200"),
    "event-detail": ("200", "200", "200", "200", "200", "200"),
    "event-list": ("200", "200", "200", "200", "200", "200"),
    "event-register": ("405", "405", "405", "405", "405", "405"),
    "faq": ("200", "200", "200", "200", "200", "200"),
    "firm-detail": ("401", "200", "404", "200", "404", "404"),
    "firm-list": ("401", "200", "200", "200", "200", "200"),
    "firm-verify": ("401", "405", "405", "405", "405", "405"),
    "notice-detail": ("200", "200", "200", "200", "200", "200"),
    "notice-list": ("200", "200", "200", "200", "200", "200"),
    "packet-ack": ("401", "405", "405", "405", "405", "405"),
    "packet-detail": ("401", "404", "404", "200", "200", "404"),
    "packet-list": ("401", "403", "403", "200", "200", "403"),
    "pipeline": ("401", "403", "403", "403", "200", "403"),
    "proposal-advance": ("401", "405", "405", "405", "405", "405"),
    "proposal-decide": ("401", "405", "405", "405", "405", "405"),
    "proposal-detail": ("401", "200", "404", "404", "404", "404"),
    "proposal-document": ("401", "200", "404", "404", "404", "404"),
    "proposal-documents": ("401", "200", "404", "404", "404", "404"),
    "proposal-list": ("401", "200", "200", "200", "200", "200"),
    "proposal-matches": ("401", "200", "404", "200", "200", "404"),
    "proposal-refer": ("401", "405", "405", "405", "405", "405"),
    "proposal-request-info": ("401", "405", "405", "405", "405", "405"),
    "proposal-submit": ("401", "405", "405", "405", "405", "405"),
    "proposal-withdraw": ("401", "405", "405", "405", "405", "405"),
    "routing": ("401", "403", "403", "200", "200", "403"),
    "routing-pause": ("401", "405", "405", "405", "405", "405"),
    "routing-policy-activate": ("401", "405", "405", "405", "405", "405"),
    "routing-policy-detail": ("401", "404", "404", "200", "200", "404"),
    "routing-policy-list": ("401", "403", "403", "200", "200", "403"),
    "routing-policy-preview": ("401", "404", "404", "200", "200", "404"),
    "routing-resume": ("401", "405", "405", "405", "405", "405"),
    "ruleset-activate": ("401", "405", "405", "405", "405", "405"),
    "ruleset-detail": ("401", "404", "404", "200", "200", "404"),
    "ruleset-list": ("401", "403", "403", "200", "200", "403"),
    "ruleset-preview": ("401", "404", "404", "404", "404", "404"),
    "ruleset-rescore": ("401", "404", "404", "404", "404", "404"),
    "stats-demand": ("200", "200", "200", "200", "200", "200"),
    "self-check": ("405", "405", "405", "405", "405", "405"),
    "me": ("401", "200", "200", "200", "200", "200"),
    "pipeline-summary": ("401", "403", "403", "200", "200", "403"),
    "infra-plan-list": ("401", "200", "200", "200", "200", "403"),
    "infra-plan-detail": ("401", "200", "200", "200", "200", "404"),
    "infra-plan-join": ("401", "405", "405", "405", "405", "405"),
    "proposal-recommend": ("401", "405", "405", "405", "405", "405"),
    "dealflow-detail": ("401", "404", "404", "404", "404", "404"),
    "dealflow-list": ("401", "403", "403", "403", "403", "403"),
    "institution-detail": ("401", "200", "200", "200", "200", "200"),
    "institution-list": ("401", "200", "200", "200", "200", "200"),
    "interest-accept": ("401", "405", "405", "405", "405", "405"),
    "interest-decline": ("401", "405", "405", "405", "405", "405"),
    "interest-detail": ("401", "404", "404", "404", "404", "404"),
    "interest-list": ("401", "200", "200", "200", "200", "200"),
    "interest-summary": ("401", "403", "403", "200", "200", "403"),
    "proposal-share": ("401", "405", "405", "405", "405", "405"),
}

API_POST_EXPECTED = {
    "api-docs": ("405", "405", "405", "405", "405", "405"),
    "api-schema": ("405", "405", "405", "405", "405", "405"),
    "api-token": ("400", "400", "400", "400", "400", "400"),
    "channel-detail": ("405", "405", "405", "405", "405", "405"),
    "channel-list": ("405", "405", "405", "405", "405", "405"),
    "event-detail": ("405", "405", "405", "405", "405", "405"),
    "event-list": ("405", "405", "405", "405", "405", "405"),
    "event-register": ("400", "400", "400", "400", "400", "400"),
    "faq": ("405", "405", "405", "405", "405", "405"),
    "firm-detail": ("401", "405", "405", "405", "405", "405"),
    "firm-list": ("400", "400", "400", "400", "400", "400"),
    "firm-verify": ("401", "404", "404", "200*", "404", "404"),
    "notice-detail": ("405", "405", "405", "405", "405", "405"),
    "notice-list": ("405", "405", "405", "405", "405", "405"),
    "packet-ack": ("401", "404", "404", "403", "200*", "404"),
    "packet-detail": ("401", "405", "405", "405", "405", "405"),
    "packet-list": ("401", "405", "405", "405", "405", "405"),
    "pipeline": ("401", "405", "405", "405", "405", "405"),
    "proposal-advance": ("401", "400", "404", "400", "400", "404"),
    "proposal-decide": ("401", "400", "404", "400", "400", "404"),
    "proposal-detail": ("401", "405", "405", "405", "405", "405"),
    "proposal-document": ("401", "405", "405", "405", "405", "405"),
    "proposal-documents": ("401", "415", "404", "404", "404", "404"),
    "proposal-list": ("401", "400", "400", "400", "400", "400"),
    "proposal-matches": ("401", "405", "405", "405", "405", "405"),
    "proposal-refer": ("401", "403", "404", "409", "403", "404"),
    "proposal-request-info": ("401", "400", "404", "400", "400", "404"),
    "proposal-submit": ("401", "200*", "404", "404", "404", "404"),
    "proposal-withdraw": ("401", "409", "404", "403", "403", "404"),
    "routing": ("401", "405", "405", "405", "405", "405"),
    "routing-pause": ("401", "403", "403", "200*", "403", "403"),
    "routing-policy-activate": ("401", "404", "404", "400", "403", "404"),
    "routing-policy-detail": ("401", "405", "405", "405", "405", "405"),
    "routing-policy-list": ("401", "403", "403", "201*", "403", "403"),
    "routing-policy-preview": ("401", "405", "405", "405", "405", "405"),
    "routing-resume": ("401", "403", "403", "409", "403", "403"),
    "ruleset-activate": ("401", "404", "404", "403", "409", "404"),
    "ruleset-detail": ("401", "405", "405", "405", "405", "405"),
    "ruleset-list": ("401", "403", "403", "403", "201*", "403"),
    "ruleset-preview": ("401", "404", "404", "403", "409", "404"),
    "ruleset-rescore": ("401", "405", "405", "405", "405", "405"),
    "stats-demand": ("405", "405", "405", "405", "405", "405"),
    "self-check": ("400", "400", "400", "400", "400", "400"),
    "me": ("401", "405", "405", "405", "405", "405"),
    "pipeline-summary": ("401", "405", "405", "405", "405", "405"),
    "infra-plan-list": ("401", "403", "403", "400", "403", "403"),
    "infra-plan-detail": ("401", "405", "405", "405", "405", "405"),
    "infra-plan-join": ("401", "201*", "201*", "403", "403", "404"),
    "proposal-recommend": ("401", "403", "404", "403", "403", "404"),
    "dealflow-detail": ("401", "405", "405", "405", "405", "405"),
    "dealflow-list": ("401", "405", "405", "405", "405", "405"),
    "institution-detail": ("401", "405", "405", "405", "405", "405"),
    "institution-list": ("401", "405", "405", "405", "405", "405"),
    "interest-accept": ("401", "404", "404", "404", "404", "404"),
    "interest-decline": ("401", "404", "404", "404", "404", "404"),
    "interest-detail": ("401", "405", "405", "405", "405", "405"),
    "interest-list": ("401", "403", "403", "403", "403", "403"),
    "interest-summary": ("401", "405", "405", "405", "405", "405"),
    "proposal-share": ("401", "400", "404", "404", "404", "404"),
}


def api_answer(world: World, role: str, method: str, url: str) -> str:
    user = world.users[role]
    if (role, "api") not in world.clients:
        client = world.clients[(role, "api")] = APIClient()
        if user is not None:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client = world.clients[(role, "api")]
    cache.clear()  # the throttle counters: this test sends more than a client would
    with transaction.atomic():
        before = fingerprint()
        response = getattr(client, method)(url, {}, format="json")
        changed = fingerprint() != before
        transaction.set_rollback(True)
    return cell(response, changed)


def api_url_for(world: World, name: str, owner: str = "a") -> str:
    return reverse(name, kwargs=api_arguments(world, owner).get(name, {}))


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_role_gets_exactly_what_the_api_table_allows(world, method):
    expected = API_GET_EXPECTED if method == "get" else API_POST_EXPECTED
    actual = {
        name: tuple(api_answer(world, role, method, api_url_for(world, name)) for role in ROLES)
        for name in sorted(api_names())
    }

    differences = {name: row for name, row in actual.items() if row != expected.get(name)}
    assert differences == {}, "actual table:\n" + table_text(actual)


FIRM_OWNED = sorted(
    name
    for name in (
        "alliance:proposal_detail",
        "alliance:proposal_edit",
        "alliance:proposal_autosave",
        "alliance:proposal_submit",
        "alliance:proposal_withdraw",
        "alliance:document_upload",
        "alliance:document_download",
        "alliance:document_delete",
        "consultation_detail",
        "consultation_cancel",
        "matching:proposal_results",
        "matching:proposal_check",
    )
)


def test_each_applicant_gets_404_for_the_other_firms_objects_and_changes_nothing(world):
    # Firm B's objects: applicant A is the outsider now, applicant B the owner. Each URL is
    # asked with the method it serves (GET unless it only takes POST).
    for name in FIRM_OWNED:
        method = "post" if GET_EXPECTED[name][1] == "405" else "get"
        own = (GET_EXPECTED if method == "get" else POST_EXPECTED)[name][1]
        url = url_for(world, name, owner="b")

        outsider = answer(world, "applicant_a", method, url)
        owner = answer(world, "applicant_b", method, url)

        assert (name, outsider, owner) == (name, "404", own)


def test_another_firms_document_is_not_downloadable_under_any_guess(world):
    # Ids next to the real one, an id with a sign or padding, and the real file's stored name.
    client = _client(world.users["applicant_b"])
    document = world.document_a
    paths = [
        f"/documents/{document.pk}/download/",
        f"/documents/{document.pk:04d}/download/",
        f"/documents/+{document.pk}/download/",
        f"/media-not-served/{document.file.name}",
        f"/media/{document.file.name}",
    ]

    statuses = [client.get(path).status_code for path in paths]

    assert statuses == [404, 404, 404, 404, 404]


def test_the_admin_turns_away_every_portal_role():
    # None of the six roles is staff: every admin page sends them to the admin's own sign-in.
    world = build_world()
    pages = [
        reverse("admin:index"),
        reverse("admin:alliance_auditlog_changelist"),
        reverse("admin:alliance_proposal_changelist"),
        reverse("admin:alliance_proposal_change", args=[world.draft_a.pk]),
        reverse("admin:alliance_firm_changelist"),
    ]
    for role in ROLES:
        client = _client(world.users[role])
        answers = [client.get(page) for page in pages]

        assert [(role, r.status_code) for r in answers] == [(role, 302)] * len(pages)
        assert all(r["Location"].startswith(reverse("admin:login")) for r in answers)
    assert admin_site.is_registered(AuditLog)


API_FIRM_OWNED = [
    "firm-detail",
    "proposal-detail",
    "proposal-documents",
    "proposal-document",
    "proposal-matches",
    "proposal-submit",
    "proposal-withdraw",
]


def test_each_applicant_gets_404_for_the_other_firms_objects_in_the_api(world):
    for name in API_FIRM_OWNED:
        method = "post" if API_GET_EXPECTED[name][1] == "405" else "get"
        own = (API_GET_EXPECTED if method == "get" else API_POST_EXPECTED)[name][1]
        url = api_url_for(world, name, owner="b")

        outsider = api_answer(world, "applicant_a", method, url)
        owner = api_answer(world, "applicant_b", method, url)

        assert (name, outsider, owner) == (name, "404", own)


# ---------------------------------------------------------------------------------------------
# The ministry role (산업통상부's user `motie`): one more column, kept as its own table so the
# six columns above stay as they were. Cells: (GET, POST) for pages, then for the API.

MINISTRY_EXPECTED: dict[str, tuple[str, str]] = {
    "alliance:amount_preview": ("404", "405"),
    "alliance:dashboard": ("302", "405"),
    "alliance:document_delete": ("405", "404"),
    "alliance:document_download": ("404", "405"),
    "alliance:document_upload": ("405", "404"),
    "alliance:firm_profile": ("404", "404"),
    "alliance:firm_verify": ("405", "404"),
    "alliance:fund_question": ("404", "404"),
    "alliance:fund_question_answer": ("405", "404"),
    "alliance:fund_questions": ("404", "404"),
    "alliance:proposal_autosave": ("405", "404"),
    "alliance:proposal_detail": ("404", "405"),
    "alliance:proposal_edit": ("404", "404"),
    "alliance:proposal_new": ("403", "403"),
    "alliance:proposal_request_info": ("405", "404"),
    "alliance:proposal_submit": ("404", "404"),
    "alliance:proposal_withdraw": ("404", "404"),
    "alliance:secretariat_firm": ("404", "404"),
    "alliance:secretariat_firms": ("404", "404"),
    "alliance:secretariat_proposals": ("404", "404"),
    "alliance_overview": ("200", "405"),
    "channel_detail": ("200", "405"),
    "consultation_cancel": ("405", "404"),
    "consultation_confirm": ("405", "404"),
    "consultation_contact": ("405", "404"),
    "consultation_decline": ("405", "404"),
    "consultation_detail": ("404", "405"),
    "consultation_list": ("404", "405"),
    "consultation_new": ("404", "404"),
    "healthz": ("health", "405"),
    "home": ("200", "200"),
    "institutions:deal_detail": ("404", "404"),
    "institutions:dealflow": ("404", "405"),
    "institutions:interest_accept": ("405", "404"),
    "institutions:interest_decline": ("405", "404"),
    "institutions:interest_detail": ("404", "405"),
    "institutions:interest_list": ("404", "405"),
    "institutions:offer_edit": ("404", "404"),
    "institutions:offer_list": ("200", "405"),
    "institutions:share_open": ("405", "404"),
    "institutions:share_withdraw": ("405", "404"),
    "institutions:summary": ("404", "405"),
    "login": ("200", "200"),
    "logout": ("405", "302"),
    "matching:proposal_check": ("405", "404"),
    "matching:proposal_results": ("404", "405"),
    "matching:rule_set_activate": ("404", "404"),
    "matching:rule_set_detail": ("404", "405"),
    "matching:rule_set_edit": ("404", "404"),
    "matching:rule_set_list": ("404", "405"),
    "matching:rule_set_new": ("405", "404"),
    "matching:rule_set_preview": ("405", "404"),
    "matching:rule_set_progress": ("404", "405"),
    "ministry:candidates": ("200", "405"),
    "ministry:plan_detail": ("200", "405"),
    "ministry:plan_join": ("405", "302"),
    "ministry:plan_new": ("200", "400"),
    "ministry:plans": ("200", "405"),
    "ministry:recommend": ("200", "400"),
    "overview:ministry": ("200", "405"),
    "password_change": ("200", "200"),
    "password_change_done": ("200", "405"),
    "password_reset": ("200", "200"),
    "password_reset_complete": ("200", "405"),
    "password_reset_confirm": ("200", "200"),
    "password_reset_done": ("200", "405"),
    "pipeline:advance": ("405", "404"),
    "pipeline:agenda_add": ("405", "404"),
    "pipeline:agenda_move": ("405", "404"),
    "pipeline:agenda_print": ("404", "404"),
    "pipeline:agenda_remove": ("405", "404"),
    "pipeline:agenda_xlsx": ("404", "404"),
    "pipeline:assign": ("405", "404"),
    "pipeline:board": ("404", "404"),
    "pipeline:bulk": ("405", "404"),
    "pipeline:comment": ("405", "404"),
    "pipeline:decide": ("405", "404"),
    "pipeline:detail": ("404", "404"),
    "pipeline:export": ("404", "404"),
    "pipeline:meeting_create": ("405", "404"),
    "pipeline:meeting_detail": ("404", "404"),
    "pipeline:meetings": ("404", "404"),
    "pipeline:packet_ack": ("405", "404"),
    "pipeline:packet_detail": ("404", "404"),
    "pipeline:packet_retry": ("405", "404"),
    "pipeline:packets": ("404", "404"),
    "pipeline:release": ("405", "404"),
    "pipeline:reopen": ("405", "404"),
    "pipeline:request_info": ("405", "404"),
    "pipeline:saved_view_create": ("405", "404"),
    "pipeline:saved_view_delete": ("405", "404"),
    "pipeline:screening": ("404", "404"),
    "pipeline:screening_detail": ("404", "404"),
    "pipeline:screening_refer": ("405", "404"),
    "pipeline:screening_refer_bulk": ("405", "404"),
    "pipeline:table": ("404", "404"),
    "readyz": ("health", "405"),
    "routing:pause": ("405", "404"),
    "routing:policy_activate": ("404", "404"),
    "routing:policy_detail": ("404", "404"),
    "routing:policy_edit": ("404", "404"),
    "routing:policy_list": ("404", "404"),
    "routing:policy_new": ("405", "404"),
    "routing:policy_preview": ("404", "404"),
    "routing:resume": ("405", "404"),
    "set_language": ("302", "302"),
    "signup": ("302", "302"),
    "site:contact": ("200", "405"),
    "site:editor_dashboard": ("404", "404"),
    "site:editor_event_create": ("404", "404"),
    "site:editor_event_delete": ("404", "404"),
    "site:editor_event_edit": ("404", "404"),
    "site:editor_events": ("404", "404"),
    "site:editor_fact_edit": ("404", "404"),
    "site:editor_fact_history": ("404", "404"),
    "site:editor_facts": ("404", "404"),
    "site:editor_faq_create": ("404", "404"),
    "site:editor_faq_delete": ("404", "404"),
    "site:editor_faq_edit": ("404", "404"),
    "site:editor_faqs": ("404", "404"),
    "site:editor_notice_create": ("404", "404"),
    "site:editor_notice_delete": ("404", "404"),
    "site:editor_notice_edit": ("404", "404"),
    "site:editor_notice_pin": ("404", "404"),
    "site:editor_notice_publish": ("404", "404"),
    "site:editor_notices": ("404", "404"),
    "site:editor_registration_cancel": ("404", "404"),
    "site:editor_registration_check_in": ("404", "404"),
    "site:editor_registration_contact": ("404", "404"),
    "site:editor_registrations": ("404", "404"),
    "site:editor_registrations_csv": ("404", "404"),
    "site:event_detail": ("200", "400"),
    "site:event_list": ("200", "405"),
    "site:event_registered": ("302", "405"),
    "site:faq": ("200", "405"),
    "site:notice_detail": ("200", "405"),
    "site:notice_list": ("200", "405"),
    "site:privacy": ("200", "405"),
    "site:registration_cancel": ("200", "302*"),
    "site:self_check": ("200", "400"),
    "site:self_check_carry": ("405", "400"),
    "site:sources": ("200", "405"),
    "site:terms": ("200", "405"),
    "staff_dashboard": ("200", "405"),
    "system_status": ("404", "405"),
}
MINISTRY_API_EXPECTED: dict[str, tuple[str, str]] = {
    "api-docs": ("200", "405"),
    "api-schema": ("200", "405"),
    "api-token": ("405", "400"),
    "channel-detail": ("200", "405"),
    "channel-list": ("200", "405"),
    "dealflow-detail": ("404", "405"),
    "dealflow-list": ("403", "405"),
    "event-detail": ("200", "405"),
    "event-list": ("200", "405"),
    "event-register": ("405", "400"),
    "faq": ("200", "405"),
    "firm-detail": ("404", "405"),
    "firm-list": ("200", "400"),
    "firm-verify": ("405", "404"),
    "infra-plan-detail": ("200", "405"),
    "infra-plan-join": ("405", "403"),
    "infra-plan-list": ("200", "400"),
    "institution-detail": ("200", "405"),
    "institution-list": ("200", "405"),
    "interest-accept": ("405", "404"),
    "interest-decline": ("405", "404"),
    "interest-detail": ("404", "405"),
    "interest-list": ("200", "403"),
    "interest-summary": ("403", "405"),
    "notice-detail": ("200", "405"),
    "notice-list": ("200", "405"),
    "packet-ack": ("405", "404"),
    "packet-detail": ("404", "405"),
    "packet-list": ("403", "405"),
    "pipeline": ("403", "405"),
    "me": ("200", "405"),
    "pipeline-summary": ("200", "405"),
    "proposal-advance": ("405", "404"),
    "proposal-decide": ("405", "404"),
    "proposal-detail": ("404", "405"),
    "proposal-document": ("404", "405"),
    "proposal-documents": ("404", "404"),
    "proposal-list": ("200", "400"),
    "proposal-matches": ("404", "405"),
    "proposal-recommend": ("405", "400"),
    "proposal-refer": ("405", "404"),
    "proposal-request-info": ("405", "404"),
    "proposal-share": ("405", "404"),
    "proposal-submit": ("405", "404"),
    "proposal-withdraw": ("405", "404"),
    "routing": ("403", "405"),
    "routing-pause": ("405", "403"),
    "routing-policy-activate": ("405", "404"),
    "routing-policy-detail": ("404", "405"),
    "routing-policy-list": ("403", "403"),
    "routing-policy-preview": ("404", "405"),
    "routing-resume": ("405", "403"),
    "ruleset-activate": ("405", "404"),
    "ruleset-detail": ("404", "405"),
    "ruleset-list": ("403", "403"),
    "ruleset-preview": ("404", "404"),
    "ruleset-rescore": ("404", "405"),
    "self-check": ("405", "400"),
    "stats-demand": ("200", "405"),
}


def _column_text(table: dict[str, tuple]) -> str:
    return "\n".join(
        f'    "{name}": ("{get}", "{post}"),' for name, (get, post) in sorted(table.items())
    )


def test_the_ministry_gets_exactly_what_its_table_allows(world):
    actual = {
        name: tuple(
            answer(world, "ministry", method, url_for(world, name)) for method in ("get", "post")
        )
        for name in sorted(GET_EXPECTED)
    }

    differences = {n: row for n, row in actual.items() if row != MINISTRY_EXPECTED.get(n)}
    assert differences == {}, "actual table:\n" + _column_text(actual)


def test_the_ministry_gets_exactly_what_its_api_table_allows(world):
    actual = {
        name: tuple(
            api_answer(world, "ministry", method, api_url_for(world, name))
            for method in ("get", "post")
        )
        for name in sorted(api_names())
    }

    differences = {n: row for n, row in actual.items() if row != MINISTRY_API_EXPECTED.get(n)}
    assert differences == {}, "actual table:\n" + _column_text(actual)


# The financial institution's column (issue 17). Kept as a table of its own, so that the six
# columns above stay as they were: its world adds what an institution works on — 산업은행's
# user `bank` with an offer, firm A's in-review proposal opened to institutions, bank's
# interest in it, another institution's interest, and firm A's consultation addressed to
# 산업은행. Cells: (GET, POST).


def institution_world() -> tuple[World, dict[str, dict[str, object]]]:
    from fund.institutions import services as institutions
    from tests.institution_support import institution_user, institution_with_offer

    world = build_world()
    institution = world.consultation_a.institution
    bank = institution_user(institution, "bank")
    institutions.offer_update(
        institution_id=institution.pk,
        actor=bank,
        data={"channels": ["direct", "indirect", "loan", "infra"], "max_ticket_krw": 10**13},
    )
    _other, other_user = institution_with_offer("메리츠증권", "securities", "meritz")
    opened = world.submitted_a
    institutions.share_open(proposal_id=opened.pk, actor=world.users["applicant_a"], consent=True)
    institutions.refresh_fits(proposal_ids=[opened.pk])
    own = institutions.interest_express(actor=bank, proposal_id=opened.pk, message="관심")
    theirs = institutions.interest_express(actor=other_user, proposal_id=opened.pk, message="관심")
    world.users["institution"] = bank
    return world, {
        "own_interest": own.pk,
        "other_interest": theirs.pk,
        "institution": institution.pk,
        "opened": opened.pk,
    }


def _institution_url(world: World, extra: dict, name: str, *, api: bool) -> str:
    overrides = {
        "institutions:deal_detail": {"pk": extra["opened"]},
        "institutions:interest_detail": {"pk": extra["own_interest"]},
        "institutions:interest_accept": {"pk": extra["own_interest"]},
        "institutions:interest_decline": {"pk": extra["own_interest"]},
        "dealflow-detail": {"pk": extra["opened"]},
        "interest-detail": {"pk": extra["own_interest"]},
        "interest-accept": {"pk": extra["own_interest"]},
        "interest-decline": {"pk": extra["own_interest"]},
        "institution-detail": {"pk": extra["institution"]},
    }
    if name in overrides:
        return reverse(name, kwargs=overrides[name])
    return api_url_for(world, name) if api else url_for(world, name)


INSTITUTION_EXPECTED = {
    "alliance:amount_preview": ("404", "405"),
    "alliance:dashboard": ("302", "405"),
    "alliance:document_delete": ("405", "404"),
    "alliance:document_download": ("404", "405"),
    "alliance:document_upload": ("405", "404"),
    "alliance:firm_profile": ("404", "404"),
    "alliance:firm_verify": ("405", "404"),
    "alliance:fund_question": ("404", "404"),
    "alliance:fund_question_answer": ("405", "404"),
    "alliance:fund_questions": ("404", "404"),
    "alliance:proposal_autosave": ("405", "404"),
    "alliance:proposal_detail": ("404", "405"),
    "alliance:proposal_edit": ("404", "404"),
    "alliance:proposal_new": ("403", "403"),
    "alliance:proposal_request_info": ("405", "404"),
    "alliance:proposal_submit": ("404", "404"),
    "alliance:proposal_withdraw": ("404", "404"),
    "alliance:secretariat_firm": ("404", "404"),
    "alliance:secretariat_firms": ("404", "404"),
    "alliance:secretariat_proposals": ("404", "404"),
    "alliance_overview": ("200", "405"),
    "channel_detail": ("200", "405"),
    "consultation_cancel": ("405", "302"),
    "consultation_confirm": ("405", "400"),
    "consultation_contact": ("405", "404"),
    "consultation_decline": ("405", "400"),
    "consultation_detail": ("200", "405"),
    "consultation_list": ("200", "405"),
    "consultation_new": ("404", "404"),
    "healthz": ("health", "405"),
    "home": ("200", "200"),
    "institutions:deal_detail": ("200", "400"),
    "institutions:dealflow": ("200", "405"),
    "institutions:interest_accept": ("405", "404"),
    "institutions:interest_decline": ("405", "404"),
    "institutions:interest_detail": ("200", "405"),
    "institutions:interest_list": ("200", "405"),
    "institutions:offer_edit": ("200", "400"),
    "institutions:offer_list": ("200", "405"),
    "institutions:share_open": ("405", "404"),
    "institutions:share_withdraw": ("405", "404"),
    "institutions:summary": ("404", "405"),
    "login": ("200", "200"),
    "logout": ("405", "302"),
    "matching:proposal_check": ("405", "404"),
    "matching:proposal_results": ("404", "405"),
    "matching:rule_set_activate": ("404", "404"),
    "matching:rule_set_detail": ("404", "405"),
    "matching:rule_set_edit": ("404", "404"),
    "matching:rule_set_list": ("404", "405"),
    "matching:rule_set_new": ("405", "404"),
    "matching:rule_set_preview": ("405", "404"),
    "matching:rule_set_progress": ("404", "405"),
    "ministry:candidates": ("404", "405"),
    "ministry:plan_detail": ("404", "405"),
    "ministry:plan_join": ("405", "404"),
    "ministry:plan_new": ("404", "404"),
    "ministry:plans": ("404", "405"),
    "ministry:recommend": ("404", "404"),
    "overview:ministry": ("404", "405"),
    "password_change": ("200", "200"),
    "password_change_done": ("200", "405"),
    "password_reset": ("200", "200"),
    "password_reset_complete": ("200", "405"),
    "password_reset_confirm": ("200", "200"),
    "password_reset_done": ("200", "405"),
    "pipeline:advance": ("405", "404"),
    "pipeline:agenda_add": ("405", "404"),
    "pipeline:agenda_move": ("405", "404"),
    "pipeline:agenda_print": ("404", "404"),
    "pipeline:agenda_remove": ("405", "404"),
    "pipeline:agenda_xlsx": ("404", "404"),
    "pipeline:assign": ("405", "404"),
    "pipeline:board": ("404", "404"),
    "pipeline:bulk": ("405", "404"),
    "pipeline:comment": ("405", "404"),
    "pipeline:decide": ("405", "404"),
    "pipeline:detail": ("404", "404"),
    "pipeline:export": ("404", "404"),
    "pipeline:meeting_create": ("405", "404"),
    "pipeline:meeting_detail": ("404", "404"),
    "pipeline:meetings": ("404", "404"),
    "pipeline:packet_ack": ("405", "404"),
    "pipeline:packet_detail": ("404", "404"),
    "pipeline:packet_retry": ("405", "404"),
    "pipeline:packets": ("404", "404"),
    "pipeline:release": ("405", "404"),
    "pipeline:reopen": ("405", "404"),
    "pipeline:request_info": ("405", "404"),
    "pipeline:saved_view_create": ("405", "404"),
    "pipeline:saved_view_delete": ("405", "404"),
    "pipeline:screening": ("404", "404"),
    "pipeline:screening_detail": ("404", "404"),
    "pipeline:screening_refer": ("405", "404"),
    "pipeline:screening_refer_bulk": ("405", "404"),
    "pipeline:table": ("404", "404"),
    "readyz": ("health", "405"),
    "routing:pause": ("405", "404"),
    "routing:policy_activate": ("404", "404"),
    "routing:policy_detail": ("404", "404"),
    "routing:policy_edit": ("404", "404"),
    "routing:policy_list": ("404", "404"),
    "routing:policy_new": ("405", "404"),
    "routing:policy_preview": ("404", "404"),
    "routing:resume": ("405", "404"),
    "set_language": ("302", "302"),
    "signup": ("302", "302"),
    "site:contact": ("200", "405"),
    "site:editor_dashboard": ("404", "404"),
    "site:editor_event_create": ("404", "404"),
    "site:editor_event_delete": ("404", "404"),
    "site:editor_event_edit": ("404", "404"),
    "site:editor_events": ("404", "404"),
    "site:editor_fact_edit": ("404", "404"),
    "site:editor_fact_history": ("404", "404"),
    "site:editor_facts": ("404", "404"),
    "site:editor_faq_create": ("404", "404"),
    "site:editor_faq_delete": ("404", "404"),
    "site:editor_faq_edit": ("404", "404"),
    "site:editor_faqs": ("404", "404"),
    "site:editor_notice_create": ("404", "404"),
    "site:editor_notice_delete": ("404", "404"),
    "site:editor_notice_edit": ("404", "404"),
    "site:editor_notice_pin": ("404", "404"),
    "site:editor_notice_publish": ("404", "404"),
    "site:editor_notices": ("404", "404"),
    "site:editor_registration_cancel": ("404", "404"),
    "site:editor_registration_check_in": ("404", "404"),
    "site:editor_registration_contact": ("404", "404"),
    "site:editor_registrations": ("404", "404"),
    "site:editor_registrations_csv": ("404", "404"),
    "site:event_detail": ("200", "400"),
    "site:event_list": ("200", "405"),
    "site:event_registered": ("302", "405"),
    "site:faq": ("200", "405"),
    "site:notice_detail": ("200", "405"),
    "site:notice_list": ("200", "405"),
    "site:privacy": ("200", "405"),
    "site:registration_cancel": ("200", "302*"),
    "site:self_check": ("200", "400"),
    "site:self_check_carry": ("405", "400"),
    "site:sources": ("200", "405"),
    "site:terms": ("200", "405"),
    "staff_dashboard": ("404", "405"),
    "system_status": ("404", "405"),
}
API_INSTITUTION_EXPECTED = {
    "api-docs": ("200", "405"),
    "api-schema": ("200", "405"),
    "api-token": ("405", "400"),
    "channel-detail": ("200", "405"),
    "channel-list": ("200", "405"),
    "dealflow-detail": ("200", "405"),
    "dealflow-list": ("200", "405"),
    "event-detail": ("200", "405"),
    "event-list": ("200", "405"),
    "event-register": ("405", "400"),
    "faq": ("200", "405"),
    "firm-detail": ("404", "405"),
    "firm-list": ("200", "400"),
    "firm-verify": ("405", "404"),
    "infra-plan-detail": ("404", "405"),
    "infra-plan-join": ("405", "404"),
    "infra-plan-list": ("403", "403"),
    "institution-detail": ("200", "405"),
    "institution-list": ("200", "405"),
    "interest-accept": ("405", "404"),
    "interest-decline": ("405", "404"),
    "interest-detail": ("200", "405"),
    "interest-list": ("200", "400"),
    "interest-summary": ("403", "405"),
    "notice-detail": ("200", "405"),
    "notice-list": ("200", "405"),
    "packet-ack": ("405", "404"),
    "packet-detail": ("404", "405"),
    "packet-list": ("403", "405"),
    "pipeline": ("403", "405"),
    "me": ("200", "405"),
    "pipeline-summary": ("403", "405"),
    "proposal-advance": ("405", "404"),
    "proposal-decide": ("405", "404"),
    "proposal-detail": ("404", "405"),
    "proposal-document": ("404", "405"),
    "proposal-documents": ("404", "404"),
    "proposal-list": ("200", "400"),
    "proposal-matches": ("404", "405"),
    "proposal-recommend": ("405", "404"),
    "proposal-refer": ("405", "404"),
    "proposal-request-info": ("405", "404"),
    "proposal-share": ("405", "404"),
    "proposal-submit": ("405", "404"),
    "proposal-withdraw": ("405", "404"),
    "routing": ("403", "405"),
    "routing-pause": ("405", "403"),
    "routing-policy-activate": ("405", "404"),
    "routing-policy-detail": ("404", "405"),
    "routing-policy-list": ("403", "403"),
    "routing-policy-preview": ("404", "405"),
    "routing-resume": ("405", "403"),
    "ruleset-activate": ("405", "404"),
    "ruleset-detail": ("404", "405"),
    "ruleset-list": ("403", "403"),
    "ruleset-preview": ("404", "404"),
    "ruleset-rescore": ("404", "405"),
    "self-check": ("405", "400"),
    "stats-demand": ("200", "405"),
}


def test_an_institution_gets_exactly_what_its_column_allows():
    world, extra = institution_world()
    actual = {
        name: tuple(
            answer(world, "institution", method, _institution_url(world, extra, name, api=False))
            for method in ("get", "post")
        )
        for name in sorted(GET_EXPECTED)
    }

    differences = {n: row for n, row in actual.items() if row != INSTITUTION_EXPECTED.get(n)}
    assert differences == {}, "actual table:\n" + table_text(actual)


def test_an_institution_gets_exactly_what_its_api_column_allows():
    world, extra = institution_world()
    actual = {
        name: tuple(
            api_answer(world, "institution", method, _institution_url(world, extra, name, api=True))
            for method in ("get", "post")
        )
        for name in sorted(api_names())
    }

    differences = {n: row for n, row in actual.items() if row != API_INSTITUTION_EXPECTED.get(n)}
    assert differences == {}, "actual table:\n" + table_text(actual)


def test_an_institution_gets_404_for_another_institutions_interest_and_changes_nothing():
    world, extra = institution_world()
    web = reverse("institutions:interest_detail", args=[extra["other_interest"]])
    api = reverse("interest-detail", args=[extra["other_interest"]])
    assert answer(world, "institution", "get", web) == "404"
    assert api_answer(world, "institution", "get", api) == "404"
    assert api_answer(world, "institution", "post", api + "accept/") == "404"
