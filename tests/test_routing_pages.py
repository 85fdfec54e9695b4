"""KEIT's routing pages (the switch, the editor, the preview, activation with confirmation) and
the routing shown on the proposal pages and KEIT's lists."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from alliance.models import AuditLog
from fund.coordination import services as coordination
from fund.routing import services
from fund.routing.models import RoutingPolicy, RoutingSwitch
from tests.pipeline_support import signed_in, submitted_proposal
from tests.routing_support import activate, document, route_waiting

pytestmark = pytest.mark.django_db


def _form(policy, **changes) -> dict:
    """What the editor posts for `policy` as stored, with `changes` (field name → value)."""
    data = {"name": policy.name, "description": policy.description}
    data["notify"] = policy.document["notify"]
    for code, body in policy.document["channels"].items():
        for key, value in body.items():
            if key == "route":
                if value:
                    data[f"{code}-route"] = "on"
            elif value is None:
                data[f"{code}-{key}"] = ""
            else:
                data[f"{code}-{key}"] = value
    data.update(changes)
    return data


def test_keit_sees_the_switch_and_the_versions(client, keit):
    activate(keit)
    services.policy_create_draft(actor=keit)

    response = signed_in(client, keit).get(reverse("routing:policy_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-paused="false"' in html
    assert 'data-action="pause"' in html
    assert [p.version for p in response.context["policies"]] == [2, 1]


def test_kdb_reads_the_routing_pages_without_the_controls(client, keit, kdb):
    policy = activate(keit)

    listing = signed_in(client, kdb).get(reverse("routing:policy_list")).content.decode()
    detail = client.get(reverse("routing:policy_detail", args=[policy.pk]))

    assert 'data-action="pause"' not in listing
    assert detail.status_code == 200
    assert client.get(reverse("routing:policy_edit", args=[policy.pk])).status_code == 404
    assert client.post(reverse("routing:pause")).status_code == 404


def test_pausing_and_resuming_from_the_page(client, keit):
    activate(keit)
    client = signed_in(client, keit)

    paused = client.post(reverse("routing:pause"), follow=True)
    again = client.post(reverse("routing:pause"), follow=True)

    assert RoutingSwitch.objects.get().paused is True
    assert [str(m) for m in paused.context["messages"]] == [
        "Automatic routing is paused. Proposals wait for a hand referral until you resume it."
    ]
    assert [str(m) for m in again.context["messages"]] == ["Automatic routing is already paused."]
    client.post(reverse("routing:resume"))
    assert RoutingSwitch.objects.get().paused is False


def test_the_editor_saves_a_valid_draft(client, keit):
    draft = services.policy_create_draft(actor=keit)
    data = _form(draft, **{"name": "대출 자동 연계", "loan-route": "on", "loan-min_score": "65"})
    data["loan-daily_cap"] = "10"
    data["notify"] = ["applicant"]

    response = signed_in(client, keit).post(reverse("routing:policy_edit", args=[draft.pk]), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "대출 자동 연계"
    assert draft.document["channels"]["loan"] == {
        **document()["channels"]["loan"],
        "min_score": 65,
        "daily_cap": 10,
    }
    assert draft.document["channels"]["direct"]["route"] is False
    assert draft.document["notify"] == ["applicant"]


def test_the_editor_reads_amounts_as_people_write_them(client, keit):
    draft = services.policy_create_draft(actor=keit)
    data = _form(draft, **{"loan-route": "on", "loan-min_score": "65"})
    data.update({"loan-min_requested_krw": "1,800억원", "loan-max_requested_krw": "1.5조"})

    response = signed_in(client, keit).post(reverse("routing:policy_edit", args=[draft.pk]), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    loan = draft.document["channels"]["loan"]
    assert (loan["min_requested_krw"], loan["max_requested_krw"]) == (
        180_000_000_000,
        1_500_000_000_000,
    )


def test_the_editor_refuses_an_amount_it_cannot_read_on_its_field(client, keit):
    draft = services.policy_create_draft(actor=keit)
    data = _form(draft, **{"loan-route": "on", "loan-min_score": "65"})
    data["loan-min_requested_krw"] = "천억쯤"
    before = RoutingPolicy.objects.get(pk=draft.pk).document

    response = signed_in(client, keit).post(reverse("routing:policy_edit", args=[draft.pk]), data)

    assert response.status_code == 400
    loan = next(f for f in response.context["editor"].channels if f.code == "loan")
    assert list(loan.errors) == ["min_requested_krw"]
    assert RoutingPolicy.objects.get(pk=draft.pk).document == before


def test_the_editor_refuses_bad_settings_on_their_fields_and_saves_nothing(client, keit):
    draft = services.policy_create_draft(actor=keit)
    data = _form(
        draft,
        **{
            "direct-route": "on",
            "direct-min_score": "70",
            "direct-daily_cap": "-3",
            "loan-route": "on",
            "loan-min_score": "70",
            "loan-sub_alliances_in": ["humanoid"],
            "loan-sub_alliances_out": ["humanoid"],
            "infra-min_score": "101",
        },
    )
    before = (RoutingPolicy.objects.get(pk=draft.pk).document, AuditLog.objects.count())

    response = signed_in(client, keit).post(reverse("routing:policy_edit", args=[draft.pk]), data)

    assert response.status_code == 400
    forms = {form.code: form for form in response.context["editor"].channels}
    assert forms["direct"].errors == {
        "daily_cap": ["Ensure this value is greater than or equal to 0."]
    }
    assert forms["infra"].errors == {
        "min_score": ["Ensure this value is less than or equal to 100."]
    }
    assert (RoutingPolicy.objects.get(pk=draft.pk).document, AuditLog.objects.count()) == before

    # With the form's own errors fixed, the service names the contradiction on its field.
    data.update({"direct-daily_cap": "", "infra-min_score": "0"})
    response = client.post(reverse("routing:policy_edit", args=[draft.pk]), data)

    assert response.status_code == 400
    loan = next(f for f in response.context["editor"].channels if f.code == "loan")
    assert loan.errors == {"sub_alliances_out": ["Both included and excluded: humanoid."]}
    assert (RoutingPolicy.objects.get(pk=draft.pk).document, AuditLog.objects.count()) == before


def test_activation_asks_for_confirmation_with_the_preview(client, keit):
    submitted_proposal()
    draft = services.policy_create_draft(actor=keit)
    services.policy_update_draft(
        policy_id=draft.pk, actor=keit, name="초안", description="", document=document()
    )
    client = signed_in(client, keit)
    url = reverse("routing:policy_activate", args=[draft.pk])

    page = client.get(url)
    unconfirmed = client.post(url, {})

    assert page.status_code == 200
    assert page.context["preview"]["would_route"] == 1
    assert 'data-would-route="1"' in page.content.decode()
    assert unconfirmed.status_code == 400
    assert RoutingPolicy.objects.get(pk=draft.pk).status == "draft"
    confirmed = client.post(url, {"confirm": "on"})
    assert confirmed.status_code == 302
    assert RoutingPolicy.objects.get(pk=draft.pk).status == "active"


def test_the_preview_page_lists_what_would_be_routed(client, keit, kdb):
    proposal = submitted_proposal()
    policy = activate(keit)

    response = signed_in(client, kdb).get(reverse("routing:policy_preview", args=[policy.pk]))

    assert response.status_code == 200
    assert [row["proposal"] for row in response.context["preview"]["proposals"]] == [proposal.pk]
    assert f'data-proposal="{proposal.pk}"' in response.content.decode()


# ---------------------------------------------------------------------------------------------
# The routing on the proposal pages and KEIT's lists


def test_the_applicant_reads_when_and_by_which_policy_it_went_to_the_fund(
    client, keit, applicant, firm
):
    activate(keit)
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    route_waiting()

    html = (
        signed_in(client, applicant)
        .get(reverse("alliance:proposal_detail", args=[proposal.pk]))
        .content.decode()
    )

    day = date_format(timezone.localdate(), "j F Y")
    assert 'data-routing="routed"' in html
    assert f"Sent to the fund automatically on {day} by routing policy version 1." in html
    assert "Score 73 reaches the minimum of 70." in html


def test_the_applicant_reads_that_keit_referred_it_by_hand(client, keit, applicant, firm):
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    html = (
        signed_in(client, applicant, language="ko")
        .get(reverse("alliance:proposal_detail", args=[proposal.pk]))
        .content.decode()
    )

    assert 'data-routing="manual"' in html
    assert "얼라이언스 사무국(KEIT)이 직접 연계했습니다." in html


def test_keit_sees_why_each_proposal_is_held_in_the_ranked_list_and_the_inbox(client, keit):
    activate(keit, document(indirect={"min_score": 80}))
    held = submitted_proposal()
    route_waiting()
    client = signed_in(client, keit)

    for name in ("alliance:secretariat_proposals", "pipeline:screening"):
        page = client.get(reverse(name))
        (row,) = page.context["page_obj"].object_list
        assert (row.pk, row.routing_status["state"]) == (held.pk, "held")
        html = page.content.decode()
        assert "Held by policy v1" in html
        assert "Score 73 is below the minimum of 80." in html
    detail = client.get(reverse("alliance:proposal_detail", args=[held.pk])).content.decode()
    assert (
        "Held by routing policy version 1: it waits for a hand referral. The conditions it misses:"
        in detail
    )
    screening = client.get(reverse("pipeline:screening_detail", args=[held.pk]))
    assert screening.context["routing"]["state"] == "held"


def test_the_ranked_list_costs_a_fixed_number_of_queries_with_routing(
    client, keit, django_assert_num_queries
):
    activate(keit, document(indirect={"daily_cap": 1}))
    for _ in range(3):
        submitted_proposal()
    route_waiting()
    client = signed_in(client, keit)
    client.get(reverse("alliance:secretariat_proposals"))
    for _ in range(3):
        submitted_proposal()

    with django_assert_num_queries(11) as first:
        client.get(reverse("alliance:secretariat_proposals"))
    for _ in range(3):
        submitted_proposal()
    with django_assert_num_queries(len(first)):
        client.get(reverse("alliance:secretariat_proposals"))
