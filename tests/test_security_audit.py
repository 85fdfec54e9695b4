"""Every state change by every role writes an audit row; the app offers no way to edit one.

The list below holds every service function that changes domain state (found by reading the
`<entity>_<action>` functions of each services module: alliance's firms, proposals,
documents and consultations, fund's site, capacity, coordination (with the fund's
questions) and review, and matching). Each is called once by the role that may call it; the
new audit rows must be exactly the expected (actor, action) pairs. Mail bookkeeping
(`*_mail_send`), scoring runs and rule previews change no state a person decided, and write
no row. Views, exports and the scheduled erasure of personal data go to the personal-data
access log instead (tests/test_privacy.py).
"""

import datetime

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from alliance.consultations import services as consultations
from alliance.documents import services as documents_services
from alliance.firms import services as firms_services
from alliance.models import AuditLog, AuditLogImmutable, SubAlliance
from alliance.proposals import services as alliance_services
from fund.capacity import services as fund_services
from fund.coordination import fund_questions
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, FundQuestion, PacketState
from fund.review import services as pipeline
from fund.site import services as site_services
from fund.site.models import Faq, Notice
from matching import services as matching_services
from tests.factories import UserFactory, next_valid_brn
from tests.files import make_pdf
from tests.pipeline_support import walk_to
from tests.test_access_matrix import World, build_world, next_weekday_at

pytestmark = pytest.mark.django_db


def _sign_up(w: World):
    return firms_services.firm_sign_up(
        name="마키나락스",
        business_registration_number=next_valid_brn(),
        size_class="startup",
        region="seoul",
        username="makina",
        email="ax@makinarocks.example.kr",
        password="Str0ng-passphrase!",
        member_type="ai_company",
        sub_alliances=[SubAlliance.objects.get(code="ai_factory")],
    )


def _create_proposal(w: World):
    return alliance_services.proposal_create(actor=w.users["applicant_a"], data={"title": "신규"})


def _update(w: World, *, autosave: bool):
    return alliance_services.proposal_update(
        proposal_id=w.draft_a.pk,
        actor=w.users["applicant_a"],
        version=w.draft_a.version,
        data={"title": "고친 제목"},
        autosave=autosave,
    )


def _confirm(w: World):
    return consultations.consultation_confirm(
        consultation_id=w.consultation_a.pk,
        actor=w.users["kdb"],
        slot=w.consultation_a.preferred_slot_1,
        place="KDB 본점",
    )


def _event_values() -> dict:
    now = timezone.now()
    return {
        "kind": "workshop",
        "title": "워크숍",
        "description": "설명",
        "starts_at": now + datetime.timedelta(days=30),
        "ends_at": now + datetime.timedelta(days=30, hours=3),
        "place": "대전",
        "capacity": 20,
        "registration_opens_at": now,
        "registration_closes_at": now + datetime.timedelta(days=29),
        "published": False,
    }


def _decide(w: World):
    walk_to(w.submitted_a, kdb=w.users["kdb"], stage="council")
    return pipeline.proposal_decide(
        proposal_id=w.submitted_a.pk,
        actor=w.users["kdb"],
        decision="approved",
        channel="indirect",
        amount_krw=10_000_000_000,
        conditions="",
    )


def _defer_and_reopen(w: World):
    walk_to(w.submitted_a, kdb=w.users["kdb"], stage="council")
    pipeline.proposal_decide(
        proposal_id=w.submitted_a.pk, actor=w.users["kdb"], decision="deferred"
    )
    return pipeline.proposal_reopen(
        proposal_id=w.submitted_a.pk, actor=w.users["kdb"], reason="보완 후 재상정"
    )


def _approve_and_release(w: World):
    _decide(w)
    return pipeline.proposal_release_commitment(
        proposal_id=w.submitted_a.pk, actor=w.users["kdb"], amount_krw=1, reason="일부 취소"
    )


def _new_rule_set(w: World):
    return matching_services.rule_set_create_draft(actor=w.users["kdb"])


def _update_rule_set(w: World):
    draft = _new_rule_set(w)
    return matching_services.rule_set_update_draft(
        rule_set_id=draft.pk,
        actor=w.users["kdb"],
        name="v2",
        description="가중치 조정",
        rules=draft.rules,
    )


def _retry(w: World):
    # A packet the sweep gave up on; staff send it again.
    CoordinationPacket.objects.filter(pk=w.packet_a.pk).update(state=PacketState.STUCK)
    return coordination.packet_retry(packet_id=w.packet_a.pk, actor=w.users["keit"])


def _activate(w: World):
    draft = matching_services.rule_set_create_draft(actor=w.users["kdb"])
    return matching_services.rule_set_activate(rule_set_id=draft.pk, actor=w.users["kdb"])


def _meeting(w: World):
    return pipeline.committee_meeting_create(
        actor=w.users["kdb"],
        body="committee",
        meets_at=timezone.now() + datetime.timedelta(days=7),
        title="제1차 투자심의위원회",
    )


def _agenda_of(w: World, *proposals):
    """A committee meeting with `proposals` walked to the committee stage and on its agenda."""
    meeting = _meeting(w)
    for proposal in proposals:
        walk_to(proposal, kdb=w.users["kdb"], stage="committee")
        pipeline.agenda_add(meeting_id=meeting.pk, proposal_id=proposal.pk, actor=w.users["kdb"])
    return meeting


def _saved_view(w: World):
    return pipeline.saved_view_create(
        actor=w.users["kdb"], name="위원회 대기", page="table", querystring="stage=committee"
    )


AGENDA_ROWS = [("kdb", "meeting.create")] + [("kdb", "proposal.advance")] * 2
PIPELINE_TOOL_SERVICES = [
    ("committee_meeting_create (KDB)", _meeting, [("kdb", "meeting.create")]),
    (
        "agenda_add (KDB)",
        lambda w: _agenda_of(w, w.submitted_a),
        [*AGENDA_ROWS, ("kdb", "agenda.add")],
    ),
    (
        "agenda_remove (KDB)",
        lambda w: pipeline.agenda_remove(
            meeting_id=_agenda_of(w, w.submitted_a).pk,
            proposal_id=w.submitted_a.pk,
            actor=w.users["kdb"],
        ),
        [*AGENDA_ROWS, ("kdb", "agenda.add"), ("kdb", "agenda.remove")],
    ),
    (
        "agenda_reorder (KDB)",
        lambda w: pipeline.agenda_reorder(
            meeting_id=_agenda_of(w, w.submitted_a, w.submitted_b).pk,
            actor=w.users["kdb"],
            proposal_ids=[w.submitted_b.pk, w.submitted_a.pk],
        ),
        [*AGENDA_ROWS, ("kdb", "agenda.add")]
        + [("kdb", "proposal.advance")] * 2
        + [("kdb", "agenda.add"), ("kdb", "agenda.reorder")],
    ),
    (
        "review_comment_add (KDB)",
        lambda w: pipeline.review_comment_add(
            proposal_id=w.submitted_a.pk, actor=w.users["kdb"], body="재무 검토 필요"
        ),
        [("kdb", "review.comment")],
    ),
    ("saved_view_create (KDB)", _saved_view, [("kdb", "saved_view.create")]),
    (
        "saved_view_delete (KDB)",
        lambda w: pipeline.saved_view_delete(actor=w.users["kdb"], view_id=_saved_view(w).pk),
        [("kdb", "saved_view.create"), ("kdb", "saved_view.delete")],
    ),
]


# (label, call, expected new rows as (actor username or None, action)).
SERVICES = [
    ("firm_sign_up", _sign_up, [("makina", "firm.sign_up")]),
    (
        "firm_verify",
        lambda w: firms_services.firm_verify(firm=w.pending_firm, actor=w.users["keit"]),
        [("keit", "firm.verify")],
    ),
    (
        "firm_update_profile",
        lambda w: firms_services.firm_update_profile(
            firm=w.firm_a, actor=w.users["applicant_a"], data={"address": "울산광역시"}
        ),
        [("applicant", "firm.update")],
    ),
    ("proposal_create", _create_proposal, [("applicant", "proposal.create")]),
    ("proposal_update", lambda w: _update(w, autosave=False), [("applicant", "proposal.update")]),
    (
        "proposal_update (autosave)",
        lambda w: _update(w, autosave=True),
        [("applicant", "proposal.autosave")],
    ),
    (
        "proposal_submit",
        lambda w: alliance_services.proposal_submit(
            proposal_id=w.draft_a.pk, actor=w.users["applicant_a"]
        ),
        [("applicant", "proposal.submit")],
    ),
    (
        "proposal_withdraw",
        lambda w: alliance_services.proposal_withdraw(
            proposal_id=w.draft_a.pk, actor=w.users["applicant_a"], note="보류"
        ),
        [("applicant", "proposal.withdraw")],
    ),
    (
        "proposal_discard",
        lambda w: alliance_services.proposal_discard(
            proposal_id=w.draft_a.pk, actor=w.users["applicant_a"]
        ),
        [("applicant", "proposal.discard")],
    ),
    (
        "proposal_request_info (KEIT)",
        lambda w: alliance_services.proposal_request_info(
            proposal_id=_submitted_draft(w), actor=w.users["keit"], question="근거 자료?"
        ),
        [("keit", "proposal.request_info")],
    ),
    (
        "document_upload",
        lambda w: documents_services.document_upload(
            proposal_id=w.draft_a.pk, actor=w.users["applicant_a"], upload=make_pdf(), kind="other"
        ),
        [("applicant", "document.upload")],
    ),
    (
        "document_delete",
        lambda w: documents_services.document_delete(
            document_id=w.document_a.pk, actor=w.users["applicant_a"]
        ),
        [("applicant", "document.delete")],
    ),
    (
        "consultation_request",
        lambda w: consultations.consultation_request(
            actor=w.users["applicant_a"],
            institution=w.consultation_a.institution,
            topic="documents",
            message="",
            preferred_slots=[next_weekday_at(14)],
        ),
        [("applicant", "consultation.request")],
    ),
    ("consultation_confirm", _confirm, [("kdb", "consultation.confirm")]),
    (
        "consultation_decline",
        lambda w: consultations.consultation_decline(
            consultation_id=w.consultation_a.pk, actor=w.users["keit"], reason="일정 불가"
        ),
        [("keit", "consultation.decline")],
    ),
    (
        "consultation_cancel",
        lambda w: consultations.consultation_cancel(
            consultation_id=w.consultation_a.pk, actor=w.users["applicant_a"]
        ),
        [("applicant", "consultation.cancel")],
    ),
    (
        "notice_create",
        lambda w: site_services.notice_create(actor=w.users["editor"], title="공지", body="본문"),
        [("editor", "notice.create")],
    ),
    (
        "notice_update",
        lambda w: site_services.notice_update(
            notice=w.notice, actor=w.users["editor"], title="바뀐 공지"
        ),
        [("editor", "notice.update")],
    ),
    (
        "notice_set_published",
        lambda w: site_services.notice_set_published(
            notice=w.notice, actor=w.users["editor"], published=False
        ),
        [("editor", "notice.unpublish")],
    ),
    (
        "notice_set_pinned",
        lambda w: site_services.notice_set_pinned(
            notice=w.notice, actor=w.users["editor"], pinned=True
        ),
        [("editor", "notice.pin")],
    ),
    (
        "notice_delete",
        lambda w: site_services.notice_delete(notice=w.notice, actor=w.users["editor"]),
        [("editor", "notice.delete")],
    ),
    (
        "faq_create",
        lambda w: site_services.faq_create(
            actor=w.users["editor"], category="other", question="Q?", answer="A"
        ),
        [("editor", "faq.create")],
    ),
    (
        "faq_update",
        lambda w: site_services.faq_update(faq=w.faq, actor=w.users["editor"], answer="새 답변"),
        [("editor", "faq.update")],
    ),
    (
        "faq_delete",
        lambda w: site_services.faq_delete(faq=w.faq, actor=w.users["editor"]),
        [("editor", "faq.delete")],
    ),
    (
        "event_create",
        lambda w: site_services.event_create(actor=w.users["editor"], **_event_values()),
        [("editor", "event.create")],
    ),
    (
        "event_update",
        lambda w: site_services.event_update(event=w.event, actor=w.users["editor"], place="부산"),
        [("editor", "event.update")],
    ),
    (
        "event_delete",
        lambda w: site_services.event_delete(
            event=site_services.event_create(actor=None, **_event_values()),
            actor=w.users["editor"],
        ),
        [(None, "event.create"), ("editor", "event.delete")],
    ),
    (
        "event_register (visitor)",
        lambda w: site_services.event_register(
            event=w.event,
            name="김방문",
            organization="우리은행",
            email="kim@example.kr",
            phone="010-2222-3333",
            consent=True,
        ),
        [(None, "registration.create")],
    ),
    (
        "registration_cancel_by_token (visitor)",
        lambda w: site_services.registration_cancel_by_token(token=w.cancel_token),
        [(None, "registration.cancel")],
    ),
    (
        "registration_cancel (editor)",
        lambda w: site_services.registration_cancel(
            registration=w.registration, actor=w.users["editor"]
        ),
        [("editor", "registration.cancel_by_staff")],
    ),
    (
        "registration_toggle_check_in",
        lambda w: site_services.registration_toggle_check_in(
            registration=w.registration, actor=w.users["editor"]
        ),
        [("editor", "registration.check_in")],
    ),
    (
        "proposal_refer (KEIT)",
        lambda w: coordination.proposal_refer(
            proposal_id=_submitted_draft(w), actor=w.users["keit"], note="추천", channel="loan"
        ),
        [("keit", "proposal.refer")],
    ),
    (
        "packet_acknowledge (KDB)",
        lambda w: coordination.packet_acknowledge(packet_id=w.packet_a.pk, actor=w.users["kdb"]),
        [("kdb", "packet.acknowledge")],
    ),
    ("packet_retry (KEIT)", _retry, [("keit", "packet.retry")]),
    (
        "proposal_advance (KDB)",
        lambda w: pipeline.proposal_advance(
            proposal_id=w.submitted_a.pk, actor=w.users["kdb"], stage="prescreen"
        ),
        [("kdb", "proposal.advance")],
    ),
    (
        "proposal_decide (KDB)",
        _decide,
        # The committed amount is drawn from the channel in the same transaction.
        [("kdb", "proposal.advance")] * 3
        + [("kdb", "commitment.create"), ("kdb", "proposal.decide")],
    ),
    (
        "proposal_reopen (KDB)",
        _defer_and_reopen,
        [("kdb", "proposal.advance")] * 3
        + [("kdb", "proposal.decide"), ("kdb", "proposal.reopen")],
    ),
    (
        "proposal_release_commitment (KDB)",
        _approve_and_release,
        # The ledger's release and the proposal's, in one transaction.
        [("kdb", "proposal.advance")] * 3
        + [
            ("kdb", "commitment.create"),
            ("kdb", "proposal.decide"),
            ("kdb", "commitment.release"),
            ("kdb", "proposal.release"),
        ],
    ),
    (
        "commitment_release (KDB)",
        lambda w: fund_services.commitment_release(
            commitment_id=fund_services.commitment_create(
                channel_code="loan",
                year=2026,
                amount_krw=1_000_000_000,
                actor=w.users["kdb"],
                region="gyeongnam",
            ).pk,
            amount_krw=1,
            reason="취소",
            actor=w.users["kdb"],
        ),
        [("kdb", "commitment.create"), ("kdb", "commitment.release")],
    ),
    (
        "proposal_request_info (KDB)",
        lambda w: pipeline.proposal_request_info(
            proposal_id=w.submitted_a.pk, actor=w.users["kdb"], question="재무제표?"
        ),
        [("kdb", "proposal.fund_request_info")],
    ),
    (
        "review_assign (KDB)",
        lambda w: pipeline.review_assign(
            proposal_id=w.submitted_a.pk, actor=w.users["kdb"], reviewer=w.users["kdb"]
        ),
        [("kdb", "proposal.assign_reviewer")],
    ),
    (
        "commitment_create (KDB)",
        lambda w: fund_services.commitment_create(
            channel_code="loan",
            year=2026,
            amount_krw=1_000_000_000,
            actor=w.users["kdb"],
            region="gyeongnam",
        ),
        [("kdb", "commitment.create")],
    ),
    ("rule_set_create_draft (KDB)", _new_rule_set, [("kdb", "ruleset.create")]),
    (
        "rule_set_update_draft (KDB)",
        lambda w: _update_rule_set(w),
        [("kdb", "ruleset.create"), ("kdb", "ruleset.update")],
    ),
    (
        "rule_set_activate (KDB)",
        _activate,
        [("kdb", "ruleset.create"), ("kdb", "ruleset.retire"), ("kdb", "ruleset.activate")],
    ),
]
SERVICES += PIPELINE_TOOL_SERVICES


def _relay_new_fund_question(w: World):
    pipeline.proposal_request_info(
        proposal_id=w.submitted_a.pk, actor=w.users["kdb"], question="고용 계획은?"
    )
    packet = CoordinationPacket.objects.filter(proposal=w.submitted_a).order_by("-sequence")[0]
    coordination.packet_deliver(packet_id=packet.pk)
    question = FundQuestion.objects.get(packet=packet)
    return fund_questions.fund_question_relay(
        question_id=question.pk, actor=w.users["keit"], text="고용 계획을 알려 주세요."
    )


SERVICES += [
    (
        "fund_question_relay (KEIT)",
        _relay_new_fund_question,
        [("kdb", "proposal.fund_request_info"), ("keit", "proposal.relay_fund_question")],
    ),
    (
        "fund_question_answer (applicant)",
        lambda w: fund_questions.fund_question_answer(
            question_id=w.fund_question_a.pk, actor=w.users["applicant_a"], answer="2027년 30명"
        ),
        [("applicant", "proposal.answer_fund_question")],
    ),
]


def _bank(w: World):
    from tests.institution_support import institution_with_offer

    return institution_with_offer("우리은행", "bank", "bank")[1]


def _open(w: World):
    from fund.institutions import services as institutions

    institutions.share_open(
        proposal_id=w.submitted_a.pk, actor=w.users["applicant_a"], consent=True
    )


def _interest(w: World):
    from fund.institutions import services as institutions

    bank = _bank(w)
    _open(w)
    institutions.refresh_fits(proposal_ids=[w.submitted_a.pk])
    return institutions.interest_express(actor=bank, proposal_id=w.submitted_a.pk, message="관심")


def _institutions():
    from fund.institutions import services as institutions

    return institutions


INTEREST_SETUP = [("bank", "offer.update"), ("applicant", "proposal.share_open")]
SERVICES += [
    ("offer_update (institution)", _bank, [("bank", "offer.update")]),
    ("share_open (applicant)", _open, [("applicant", "proposal.share_open")]),
    (
        "share_withdraw (applicant)",
        lambda w: (
            _interest(w),
            _institutions().share_withdraw(
                proposal_id=w.submitted_a.pk, actor=w.users["applicant_a"]
            ),
        ),
        [
            *INTEREST_SETUP,
            ("bank", "interest.express"),
            ("applicant", "proposal.share_withdraw"),
            ("applicant", "interest.close"),
        ],
    ),
    ("interest_express (institution)", _interest, [*INTEREST_SETUP, ("bank", "interest.express")]),
    (
        "interest_accept (applicant)",
        lambda w: _institutions().interest_accept(
            interest_id=_interest(w).pk, actor=w.users["applicant_a"]
        ),
        [
            *INTEREST_SETUP,
            ("bank", "interest.express"),
            ("applicant", "consultation.request"),
            ("applicant", "interest.accept"),
        ],
    ),
    (
        "interest_decline (applicant)",
        lambda w: _institutions().interest_decline(
            interest_id=_interest(w).pk, actor=w.users["applicant_a"], reason="시기상조"
        ),
        [*INTEREST_SETUP, ("bank", "interest.express"), ("applicant", "interest.decline")],
    ),
]


def _submitted_draft(w: World) -> int:
    """Firm A's draft, submitted by its applicant (its own audit row is expected too)."""
    alliance_services.proposal_submit(proposal_id=w.draft_a.pk, actor=w.users["applicant_a"])
    return w.draft_a.pk


# The two services that submit first add the submission's row ahead of their own.
SUBMITS_FIRST = {"proposal_request_info (KEIT)", "proposal_refer (KEIT)"}


@pytest.mark.parametrize(
    ("label", "call", "expected"), SERVICES, ids=[label for label, _c, _e in SERVICES]
)
def test_every_state_change_writes_its_audit_rows(label, call, expected):
    world = build_world()
    last = AuditLog.objects.order_by("-pk").values_list("pk", flat=True).first()

    call(world)

    rows = [
        (row.actor.username if row.actor else None, row.action)
        for row in AuditLog.objects.filter(pk__gt=last).select_related("actor").order_by("pk")
    ]
    if label in SUBMITS_FIRST:
        expected = [("applicant", "proposal.submit"), *expected]
    assert rows == expected


def test_the_list_covers_every_auditing_service_function():
    # Any public function of a services module that calls audit_record must be in SERVICES.
    import ast
    import inspect

    from fund.institutions import services as institutions_services

    modules = [
        institutions_services,
        alliance_services,
        consultations,
        site_services,
        fund_services,
        coordination,
        pipeline,
        matching_services,
    ]
    auditing = set()
    for module in modules:
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if "audit_record(" in ast.get_source_segment(inspect.getsource(module), node):
                    auditing.add(node.name)
    auditing.discard("audit_record")
    covered = {label.split(" ")[0] for label, _c, _e in SERVICES}

    assert sorted(auditing - covered) == []


# ---------------------------------------------------------------------------------------------
# The audit log cannot be edited through the app


def test_the_admin_offers_no_add_change_or_delete_on_the_audit_log():
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[AuditLog]
    row = alliance_services.audit_record(actor=superuser, action="test.entry", obj=superuser)

    permissions = (
        model_admin.has_add_permission(request),
        model_admin.has_change_permission(request, row),
        model_admin.has_delete_permission(request, row),
        model_admin.has_view_permission(request, row),
    )

    assert permissions == (False, False, False, True)
    assert model_admin.get_actions(request) == {}


def test_a_superuser_cannot_add_change_or_delete_audit_rows_through_admin_pages():
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    world = build_world()
    row = AuditLog.objects.filter(action="notice.create").get()
    client = Client()
    client.force_login(superuser)
    before = list(AuditLog.objects.order_by("pk").values_list("pk", "action", "note"))

    answers = [
        client.get(reverse("admin:alliance_auditlog_add")).status_code,
        client.post(reverse("admin:alliance_auditlog_add"), {"action": "x"}).status_code,
        client.post(
            reverse("admin:alliance_auditlog_change", args=[row.pk]), {"note": "edited"}
        ).status_code,
        client.post(
            reverse("admin:alliance_auditlog_delete", args=[row.pk]), {"post": "yes"}
        ).status_code,
        client.post(
            reverse("admin:alliance_auditlog_changelist"),
            {"action": "delete_selected", "_selected_action": [row.pk]},
        ).status_code,
        client.get(reverse("admin:alliance_auditlog_change", args=[row.pk])).status_code,
    ]

    assert answers == [403, 403, 403, 403, 200, 200]
    assert list(AuditLog.objects.order_by("pk").values_list("pk", "action", "note")) == before
    assert row.object_id == str(world.notice.pk)


def test_code_cannot_change_or_delete_an_audit_row_either():
    world = build_world()
    row = AuditLog.objects.filter(action="notice.create").get()

    row.note = "고침"
    with pytest.raises(AuditLogImmutable):
        row.save()
    with pytest.raises(AuditLogImmutable):
        row.delete()
    with pytest.raises(AuditLogImmutable):
        AuditLog.objects.filter(pk=row.pk).update(note="고침")
    with pytest.raises(AuditLogImmutable):
        AuditLog.objects.filter(pk=row.pk).delete()

    assert AuditLog.objects.get(pk=row.pk).note == ""
    assert Notice.objects.filter(pk=world.notice.pk).exists()
    assert Faq.objects.count() == 1
