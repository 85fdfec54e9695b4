"""Financial institutions take part (issue 17): offers, consent, fit with reasons, interests
that become consultations, and what an institution may never see."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import translation

from alliance.consultations import services as consultations
from alliance.models import AuditLog, Consultation, ConsultationStatus
from fund.institutions import selectors, services
from fund.institutions.fit import OfferValues, ProposalValues, evaluate, reasons
from fund.institutions.models import InstitutionFit, Interest, Offer, ProposalShare
from portal.core.errors import TransitionNotAllowed
from portal.core.models import Notification
from portal.core.vocabulary import EOK, Role
from tests.api_helpers import client_for
from tests.factories import UserFactory
from tests.institution_support import institution_with_offer
from tests.pipeline_support import submitted_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(db):
    # Loan channel, every industry, the AI factory sub-alliance, Gyeongnam, 10억–1,000억.
    return institution_with_offer(
        "우리은행", "bank", "bank", sub_alliances=["ai_factory"], regions=["gyeongnam"]
    )


@pytest.fixture
def manager(db):
    # Indirect channel, semiconductors only, Seoul only, 1,000억–5,000억.
    return institution_with_offer(
        "테스트자산운용",
        "asset_manager",
        "manager",
        channels=["indirect"],
        industries=["semiconductor"],
        regions=["seoul"],
        min_ticket_krw=1000 * EOK,
        max_ticket_krw=5000 * EOK,
    )


@pytest.fixture
def securities(db):
    # Direct channel only: the test proposal is not eligible there.
    return institution_with_offer("미래에셋증권", "securities", "securities", channels=["direct"])


@pytest.fixture
def opened(firm, applicant):
    """A submitted, scored proposal (eligible: indirect, loan) its firm opened."""
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    services.share_open(proposal_id=proposal.pk, actor=applicant, consent=True)
    return proposal


def _fits(proposal):
    services.refresh_fits(proposal_ids=[proposal.pk])


def _state():
    return (
        list(ProposalShare.objects.values_list("proposal_id", "withdrawn_at")),
        list(Interest.objects.values_list("pk", "state")),
        list(Offer.objects.values_list("pk", "version")),
        AuditLog.objects.count(),
        Consultation.objects.count(),
        Notification.objects.count(),
    )


# ---------------------------------------------------------------------------------------------
# Fit and its reasons


def test_fit_counts_each_criterion_with_its_weight():
    offer = OfferValues(
        channels=("loan", "infra"),
        industries=(),
        sub_alliances=("ai_factory",),
        regions=("seoul",),
        min_ticket_krw=10 * EOK,
        max_ticket_krw=100 * EOK,
    )
    proposal = ProposalValues(
        eligible_channels=("indirect", "loan"),
        industry="robot",
        sub_alliance="ai_factory",
        region="gyeongnam",
        requested_krw=500 * EOK,
    )
    result = evaluate(offer, proposal)
    assert (result.score, result.fits) == (75, True)
    assert [(i["criterion"], i["points"], i["weight"]) for i in result.breakdown] == [
        ("channel", 40, 40),
        ("industry", 20, 20),
        ("sub_alliance", 15, 15),
        ("region", 0, 10),
        ("ticket", 0, 15),
    ]
    names = {"robot": "로봇", "ai_factory": "AI 팩토리"}
    with translation.override("en"):
        assert reasons(
            result.breakdown, names={"robot": "Robotics", "ai_factory": "AI factory"}
        ) == [
            "Channels: the offer serves Ultra-low-rate loans, where the proposal is eligible. "
            "(40 of 40 points)",
            "Industry: the offer takes every one, Robotics included. (20 of 20 points)",
            "Sub-alliance: AI factory is one the offer takes. (15 of 15 points)",
            "Region: Gyeongnam is not one the offer takes. (0 of 10 points)",
            "Ticket: the requested KRW 50 billion is above the offer's KRW 10 billion. "
            "(0 of 15 points)",
        ]
    with translation.override("ko"):
        assert len(reasons(result.breakdown, names=names)) == 5


def test_no_channel_in_common_means_no_fit_whatever_else_matches():
    offer = OfferValues(("direct",), (), (), (), 0, 1000 * EOK)
    proposal = ProposalValues(("indirect", "loan"), "robot", "ai_factory", "gyeongnam", 500 * EOK)
    result = evaluate(offer, proposal)
    assert (result.score, result.fits) == (60, False)


def test_deal_flow_lists_fitting_opened_proposals_best_first(
    opened, bank, manager, securities, other_firm, other_applicant
):
    second = submitted_proposal(firm=other_firm, created_by=other_applicant, region="seoul")
    services.share_open(proposal_id=second.pk, actor=other_applicant, consent=True)
    services.refresh_fits(proposal_ids=[opened.pk, second.pk])

    bank_flow = [(f.proposal_id, f.score) for f in selectors.dealflow(bank[1])]
    # Gyeongnam proposal: everything met; the Seoul one misses the bank's region.
    assert bank_flow == [(opened.pk, 100), (second.pk, 90)]
    manager_flow = [(f.proposal_id, f.score) for f in selectors.dealflow(manager[1])]
    assert manager_flow == [(second.pk, 65), (opened.pk, 55)]
    # The securities firm serves only the direct channel, where neither is eligible.
    assert list(selectors.dealflow(securities[1])) == []
    assert InstitutionFit.objects.filter(institution=securities[0], fits=False).count() == 2


def test_an_offer_change_is_fitted_again(opened, bank):
    _fits(opened)
    institution, user = bank
    services.offer_update(
        institution_id=institution.pk, actor=user, data={"regions": ["seoul"]}, version=2
    )
    services.refresh_fits(institution_ids=[institution.pk])
    assert [f.score for f in selectors.dealflow(user)] == [90]


def test_unscored_or_unopened_proposals_are_not_in_any_deal_flow(bank, firm, applicant):
    submitted_proposal(firm=firm, created_by=applicant)  # scored but never opened
    services.refresh_fits(institution_ids=[bank[0].pk])
    assert InstitutionFit.objects.count() == 0
    assert list(selectors.dealflow(bank[1])) == []


# ---------------------------------------------------------------------------------------------
# Offers


def test_offer_bad_input_names_each_field_and_changes_nothing(bank):
    institution, user = bank
    before = _state()
    with pytest.raises(ValidationError) as caught:
        services.offer_update(
            institution_id=institution.pk,
            actor=user,
            data={
                "channels": ["loan", "moon"],
                "industries": "robot",
                "regions": [],
                "min_ticket_krw": -1,
                "max_ticket_krw": "lots",
                "description": "x" * 2001,
            },
        )
    assert set(caught.value.message_dict) == {
        "channels",
        "industries",
        "min_ticket_krw",
        "max_ticket_krw",
        "description",
    }
    assert _state() == before


def test_offer_ticket_range_must_be_ordered(bank):
    institution, user = bank
    before = _state()
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        services.offer_update(
            institution_id=institution.pk, actor=user, data={"min_ticket_krw": 2000 * EOK}
        )
    assert caught.value.message_dict == {
        "min_ticket_krw": ["The largest ticket must not be smaller than the smallest."]
    }
    assert _state() == before


def test_only_the_institutions_own_users_change_its_offer(bank, manager, applicant, keit):
    before = _state()
    for actor in (manager[1], applicant, keit):
        with pytest.raises(Http404):
            services.offer_update(institution_id=bank[0].pk, actor=actor, data={"regions": []})
    assert _state() == before


def test_offer_update_is_audited(bank):
    institution, user = bank
    services.offer_update(institution_id=institution.pk, actor=user, data={"regions": []})
    row = AuditLog.objects.filter(action="offer.update").last()
    assert (row.actor, row.data) == (
        user,
        {"institution": institution.pk, "changed": ["regions"], "version": 3},
    )


# ---------------------------------------------------------------------------------------------
# Consent and withdrawal


def test_opening_a_draft_is_refused_and_changes_nothing(draft, applicant):
    before = _state()
    with pytest.raises(TransitionNotAllowed):
        services.share_open(proposal_id=draft.pk, actor=applicant, consent=True)
    assert _state() == before


def test_opening_needs_explicit_consent(firm, applicant):
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    before = _state()
    for consent in (False, None, "yes", 1):
        with pytest.raises(ValidationError) as caught:
            services.share_open(proposal_id=proposal.pk, actor=applicant, consent=consent)
        assert list(caught.value.message_dict) == ["consent"]
    assert _state() == before


def test_only_the_lead_firm_opens_its_proposal(opened, other_applicant, keit, bank):
    for actor in (other_applicant, keit, bank[1]):
        with pytest.raises(Http404):
            services.share_withdraw(proposal_id=opened.pk, actor=actor)
    assert ProposalShare.objects.get(proposal=opened).is_open


def test_opening_records_the_consent_text_in_both_languages(opened, applicant):
    share = ProposalShare.objects.get(proposal=opened)
    assert share.opened_by == applicant
    assert "I open this proposal to the financial institutions" in share.consent_text
    row = AuditLog.objects.get(action="proposal.share_open")
    assert (row.proposal, row.from_state, row.to_state, row.note) == (
        opened,
        "closed",
        "open",
        share.consent_text,
    )


def test_withdrawal_removes_access_at_once_and_closes_open_interests(opened, applicant, bank):
    _fits(opened)
    _institution, user = bank
    interest = services.interest_express(actor=user, proposal_id=opened.pk, message="관심")
    web = Client()
    web.force_login(user)
    api = client_for(user)
    assert web.get(reverse("institutions:deal_detail", args=[opened.pk])).status_code == 200
    assert api.get(f"/api/v1/dealflow/{opened.pk}/").status_code == 200

    services.share_withdraw(proposal_id=opened.pk, actor=applicant)

    assert web.get(reverse("institutions:deal_detail", args=[opened.pk])).status_code == 404
    assert api.get(f"/api/v1/dealflow/{opened.pk}/").status_code == 404
    assert api.get("/api/v1/dealflow/").json()["results"] == []
    assert opened.pk not in [
        r["proposal"]
        for r in api.get("/api/v1/interests/").json()["results"]
        if r["state"] == "open"
    ]
    interest.refresh_from_db()
    assert interest.state == "closed"
    assert InstitutionFit.objects.filter(proposal=opened).count() == 0
    assert AuditLog.objects.filter(action="interest.close", object_id=str(interest.pk)).count() == 1
    mail = Notification.objects.get(recipient=user.email, subject__contains="withdrawn")
    assert opened.title in mail.subject
    # Expressing interest again is impossible: the proposal is gone from the deal flow.
    with pytest.raises(Http404):
        services.interest_express(actor=user, proposal_id=opened.pk, message="다시")


def test_a_withdrawn_proposal_is_gone_from_deal_flows(opened, applicant, bank):
    from alliance.proposals import services as proposal_services

    _fits(opened)
    proposal_services.proposal_withdraw(proposal_id=opened.pk, actor=applicant)
    assert list(selectors.dealflow(bank[1])) == []


# ---------------------------------------------------------------------------------------------
# Interest → consultation


def test_interest_is_shown_to_the_firm_with_the_institution_and_mailed(opened, bank, applicant):
    _fits(opened)
    institution, user = bank
    interest = services.interest_express(actor=user, proposal_id=opened.pk, message="대출 상담")
    assert (interest.state, interest.institution, interest.created_by) == (
        "open",
        institution,
        user,
    )
    assert list(selectors.interests_visible_to(applicant)) == [interest]
    row = AuditLog.objects.get(action="interest.express")
    assert (row.actor, row.to_state, row.data) == (
        user,
        "open",
        {"institution": institution.pk, "fit": 100},
    )
    mail = Notification.objects.get(recipient=applicant.email)
    assert "우리은행" in mail.body and "대출 상담" in mail.body


def test_interest_needs_a_message(opened, bank):
    _fits(opened)
    before = _state()
    with pytest.raises(ValidationError) as caught:
        services.interest_express(actor=bank[1], proposal_id=opened.pk, message="  ")
    assert list(caught.value.message_dict) == ["message"]
    assert _state() == before


def test_accepting_opens_a_consultation_answered_by_the_institution(opened, bank, applicant):
    _fits(opened)
    institution, user = bank
    interest = services.interest_express(actor=user, proposal_id=opened.pk, message="관심")

    services.interest_accept(interest_id=interest.pk, actor=applicant)

    interest.refresh_from_db()
    consultation = interest.consultation
    assert (interest.state, interest.decided_by) == ("accepted", applicant)
    assert (consultation.firm, consultation.institution, consultation.requested_by) == (
        opened.firm,
        institution,
        applicant,
    )
    assert consultation.status == ConsultationStatus.REQUESTED
    assert len(consultation.preferred_slots) == 3
    # Both sides see each other's contact.
    as_bank = client_for(user).get(f"/api/v1/interests/{interest.pk}/").json()
    assert as_bank["firm_name"] == opened.firm.name
    assert as_bank["contact"] == {"name": "applicant", "email": applicant.email, "phone": ""}
    as_firm = client_for(applicant).get(f"/api/v1/interests/{interest.pk}/").json()
    assert as_firm["contact"] == {
        "name": "bank",
        "email": user.email,
        "phone": "02-1234-5678",
    }
    # The institution itself answers the consultation.
    consultations.consultation_confirm(
        consultation_id=consultation.pk, actor=user, slot=consultation.preferred_slots[0]
    )
    consultation.refresh_from_db()
    assert (consultation.status, consultation.handled_by) == ("confirmed", user)
    actions = list(
        AuditLog.objects.filter(action__startswith="interest.").values_list("action", flat=True)
    )
    assert actions == ["interest.express", "interest.accept"]


def test_accepting_twice_is_a_conflict_and_changes_nothing(opened, bank, applicant):
    _fits(opened)
    interest = services.interest_express(actor=bank[1], proposal_id=opened.pk, message="관심")
    services.interest_accept(interest_id=interest.pk, actor=applicant)
    before = _state()
    response = client_for(applicant).post(f"/api/v1/interests/{interest.pk}/accept/")
    assert response.status_code == 409
    assert _state() == before


def test_interest_in_the_same_proposal_again_is_a_conflict(opened, bank, applicant):
    _fits(opened)
    interest = services.interest_express(actor=bank[1], proposal_id=opened.pk, message="관심")
    services.interest_decline(interest_id=interest.pk, actor=applicant, reason="시기상조")
    before = _state()
    response = client_for(bank[1]).post(
        "/api/v1/interests/", {"proposal": opened.pk, "message": "다시"}, format="json"
    )
    assert response.status_code == 409
    assert _state() == before


def test_declining_tells_the_institution(opened, bank, applicant):
    _fits(opened)
    interest = services.interest_express(actor=bank[1], proposal_id=opened.pk, message="관심")
    services.interest_decline(interest_id=interest.pk, actor=applicant, reason="시기상조")
    interest.refresh_from_db()
    assert (interest.state, interest.decline_reason, interest.consultation) == (
        "declined",
        "시기상조",
        None,
    )
    assert Notification.objects.filter(recipient=bank[1].email).count() == 1
    as_bank = client_for(bank[1]).get(f"/api/v1/interests/{interest.pk}/").json()
    assert (as_bank["firm_name"], as_bank["contact"]) == (None, None)


# ---------------------------------------------------------------------------------------------
# What an institution never sees


def test_deal_flow_answers_are_anonymised(opened, bank):
    _fits(opened)
    body = client_for(bank[1]).get("/api/v1/dealflow/").json()["results"]
    assert body == [
        {
            "proposal": opened.pk,
            "title": opened.title,
            "summary": opened.summary,
            "sub_alliance": "ai_factory",
            "industry": "robot",
            "region": "gyeongnam",
            "size_class": "sme",
            "requested_krw": 50_000_000_000,
            "eligible_channels": ["indirect", "loan"],
            "fit": 100,
            "reasons": body[0]["reasons"],
            "interest": None,
        }
    ]
    assert len(body[0]["reasons"]) == 5
    page = Client()
    page.force_login(bank[1])
    html = page.get(reverse("institutions:deal_detail", args=[opened.pk])).content.decode()
    assert opened.title in html
    assert opened.firm.name not in html


def test_institution_gets_404_for_what_it_may_not_see(opened, bank, manager, firm, applicant):
    _fits(opened)
    unopened = submitted_proposal(firm=firm, created_by=applicant)
    services.refresh_fits(institution_ids=[bank[0].pk])
    theirs = services.interest_express(actor=manager[1], proposal_id=opened.pk, message="관심")
    api = client_for(bank[1])
    web = Client()
    web.force_login(bank[1])
    assert api.get(f"/api/v1/dealflow/{unopened.pk}/").status_code == 404
    assert web.get(reverse("institutions:deal_detail", args=[unopened.pk])).status_code == 404
    assert api.get(f"/api/v1/interests/{theirs.pk}/").status_code == 404
    assert web.get(reverse("institutions:interest_detail", args=[theirs.pk])).status_code == 404
    assert api.get(f"/api/v1/proposals/{opened.pk}/").status_code == 404
    assert web.get(reverse("alliance:proposal_detail", args=[opened.pk])).status_code == 404


def test_institution_cannot_download_an_opened_proposals_documents(opened, bank, applicant):
    from alliance.models import ProposalDocument

    # An upload straight into the row (the proposal is no longer editable once submitted).
    document = ProposalDocument.objects.create(
        proposal=opened,
        kind="business_plan",
        file="documents/aa/x.pdf",
        original_name="plan.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=applicant,
    )
    _fits(opened)
    web = Client()
    web.force_login(bank[1])
    assert web.get(reverse("alliance:document_download", args=[document.pk])).status_code == 404
    api = client_for(bank[1])
    assert api.get(f"/api/v1/proposals/{opened.pk}/documents/").status_code == 404


def test_another_firm_cannot_answer_or_see_the_interest(opened, bank, other_applicant):
    _fits(opened)
    interest = services.interest_express(actor=bank[1], proposal_id=opened.pk, message="관심")
    before = _state()
    api = client_for(other_applicant)
    assert api.get(f"/api/v1/interests/{interest.pk}/").status_code == 404
    assert api.post(f"/api/v1/interests/{interest.pk}/accept/").status_code == 404
    assert _state() == before


# ---------------------------------------------------------------------------------------------
# The API's commands and KEIT's and KDB's aggregate


def test_api_share_open_and_withdraw(firm, applicant, draft):
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    api = client_for(applicant)
    assert (
        api.post(
            f"/api/v1/proposals/{draft.pk}/share/", {"consent": True}, format="json"
        ).status_code
        == 409
    )
    refused = api.post(f"/api/v1/proposals/{proposal.pk}/share/", {}, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["consent"])
    first = api.post(f"/api/v1/proposals/{proposal.pk}/share/", {"consent": True}, format="json")
    again = api.post(f"/api/v1/proposals/{proposal.pk}/share/", {"consent": True}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["open"] is True
    gone = api.delete(f"/api/v1/proposals/{proposal.pk}/share/")
    assert (gone.status_code, gone.json()["open"]) == (200, False)
    assert api.delete(f"/api/v1/proposals/{proposal.pk}/share/").status_code == 409


def test_api_offer_patch_and_listing(bank, applicant):
    institution, user = bank
    response = client_for(user).patch(
        f"/api/v1/institutions/{institution.pk}/",
        {"channels": ["loan", "infra"], "version": 2},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["offer"]["channels"] == ["loan", "infra"]
    stale = client_for(user).patch(
        f"/api/v1/institutions/{institution.pk}/", {"regions": [], "version": 2}, format="json"
    )
    assert stale.status_code == 409
    listing = client_for(applicant).get("/api/v1/institutions/").json()["results"]
    assert [(row["name"], row["kind"]) for row in listing] == [("우리은행", "bank")]
    assert (
        client_for(applicant)
        .patch(f"/api/v1/institutions/{institution.pk}/", {"regions": []}, format="json")
        .status_code
        == 404
    )


def test_keit_and_kdb_see_counts_per_state(opened, bank, manager, applicant, keit, kdb):
    _fits(opened)
    first = services.interest_express(actor=bank[1], proposal_id=opened.pk, message="관심")
    services.interest_express(actor=manager[1], proposal_id=opened.pk, message="관심")
    services.interest_accept(interest_id=first.pk, actor=applicant)
    expected = {
        "opened_proposals": 1,
        "interests": {"open": 1, "accepted": 1, "declined": 0, "closed": 0},
    }
    for user in (keit, kdb):
        assert client_for(user).get("/api/v1/interests/summary/").json() == expected
    assert client_for(applicant).get("/api/v1/interests/summary/").status_code == 403
    page = Client()
    page.force_login(keit)
    html = page.get(reverse("institutions:summary")).content.decode()
    assert opened.title not in html and opened.firm.name not in html


def test_deal_flow_page_query_count_does_not_grow_with_rows(
    bank, firm, applicant, django_assert_num_queries
):
    for _ in range(3):
        proposal = submitted_proposal(firm=firm, created_by=applicant)
        services.share_open(proposal_id=proposal.pk, actor=applicant, consent=True)
    services.refresh_fits(institution_ids=[bank[0].pk])
    web = Client()
    web.force_login(bank[1])
    with django_assert_num_queries(9):
        response = web.get(reverse("institutions:dealflow"))
    assert response.status_code == 200
    assert response.content.decode().count('data-proposal="') == 3


def test_an_institution_user_needs_an_institution(db):
    loose = UserFactory(username="loose", role=Role.INSTITUTION)
    assert client_for(loose).get("/api/v1/dealflow/").status_code == 403
    web = Client()
    web.force_login(loose)
    assert web.get(reverse("institutions:dealflow")).status_code == 404


# ---------------------------------------------------------------------------------------------
# Pages


def test_the_proposal_page_opens_only_with_the_consent_box_ticked(firm, applicant):
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    web = Client()
    web.force_login(applicant)
    page = web.get(reverse("alliance:proposal_detail", args=[proposal.pk])).content.decode()
    assert 'data-testid="institution-share" data-open="false"' in page
    url = reverse("institutions:share_open", args=[proposal.pk])

    refused = web.post(url, {})
    assert refused.status_code == 302
    assert not ProposalShare.objects.filter(proposal=proposal).exists()

    web.post(url, {"consent": "on"})
    assert ProposalShare.objects.get(proposal=proposal).is_open
    page = web.get(reverse("alliance:proposal_detail", args=[proposal.pk])).content.decode()
    assert 'data-testid="institution-share" data-open="true"' in page


def test_an_institution_lists_only_the_consultations_addressed_to_it(opened, bank, applicant):
    from tests.factories import InstitutionFactory
    from tests.test_access_matrix import next_weekday_at

    other = InstitutionFactory(name="하나은행")
    consultations.consultation_request(
        actor=applicant,
        institution=other,
        topic="loan_terms",
        preferred_slots=[next_weekday_at(10)],
    )
    _fits(opened)
    interest = services.interest_express(actor=bank[1], proposal_id=opened.pk, message="관심")
    services.interest_accept(interest_id=interest.pk, actor=applicant)
    web = Client()
    web.force_login(bank[1])
    html = web.get(reverse("consultation_list")).content.decode()
    interest.refresh_from_db()
    assert f'data-consultation="{interest.consultation_id}"' in html
    assert html.count('data-consultation="') == 1
