"""The proposal page's history: what the fund did is labelled, KEIT's internal note is not
shown to the applicant."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alliance.proposals.services import proposal_submit
from fund.coordination.services import proposal_refer

pytestmark = pytest.mark.django_db


def english(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def history(client, proposal) -> list[dict]:
    response = client.get(reverse("alliance:proposal_detail", args=[proposal.pk]))
    assert response.status_code == 200
    return [
        {"action": str(row["action_label"]), "note": row["note"]}
        for row in response.context["history"]
    ]


def test_the_applicant_sees_the_referral_but_not_keits_internal_note(applicant, keit, draft):
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    proposal_refer(proposal_id=draft.pk, actor=keit, note="내부 검토: 재무 우수", channel="loan")

    rows = history(english(applicant), draft)

    assert [r["action"] for r in rows] == ["Submitted", "Referred to the fund"]
    assert rows[-1]["note"] == ""
    assert (
        "내부 검토"
        not in english(applicant)
        .get(reverse("alliance:proposal_detail", args=[draft.pk]))
        .content.decode()
    )


def test_keit_sees_its_own_referral_note(applicant, keit, draft):
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    proposal_refer(proposal_id=draft.pk, actor=keit, note="내부 검토: 재무 우수", channel="loan")

    rows = history(english(keit), draft)

    assert rows[-1] == {"action": "Referred to the fund", "note": "내부 검토: 재무 우수"}


def test_the_fund_page_names_every_step_and_state_in_words(keit, kdb, applicant, draft):
    from fund.coordination.models import CoordinationPacket
    from fund.coordination.services import packet_deliver
    from fund.review import services as pipeline

    proposal_submit(proposal_id=draft.pk, actor=applicant)
    packet = proposal_refer(proposal_id=draft.pk, actor=keit, note="추천", channel="loan")
    packet_deliver(packet_id=packet.pk)
    pipeline.proposal_advance(proposal_id=draft.pk, actor=kdb, stage="prescreen")
    assert CoordinationPacket.objects.filter(proposal=draft).count() == 3

    page = english(kdb).get(reverse("pipeline:detail", args=[draft.pk]))
    rows = [
        (str(r["action_label"]), r["from_label"], r["to_label"]) for r in page.context["history"]
    ]
    assert rows == [
        ("Submitted", "Draft", "Submitted"),
        ("Referred to the fund", "Submitted", "Referred to the fund"),
        ("Received by the fund secretariat", "Referred to the fund", "In review"),
        ("Moved to the next review stage", "Received", "Pre-screen"),
    ]
    # The audit code stays in a data attribute; no cell shows it.
    assert ">proposal.refer<" not in page.content.decode()
    assert "<td>proposal." not in page.content.decode()
