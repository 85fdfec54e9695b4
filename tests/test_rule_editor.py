"""The rule-set draft editor: typed inputs per channel, check and criterion, saved through
`rule_set_update_draft`; bad input is shown where it belongs and saves nothing."""

import copy

import pytest
from django import forms
from django.urls import reverse

from matching import services
from matching.forms import RuleSetEditor
from matching.models import RuleSet
from matching.scoring.rules import CRITERIA


def _posted(rule_set, **changes) -> dict:
    """The editor's form as a browser would post it unchanged, then with `changes` applied
    (a value of None removes the key)."""
    editor = RuleSetEditor(rule_set)
    data = {"name": rule_set.name, "description": rule_set.description}
    for channel in editor.channels:
        for form in channel.forms():
            for name, field in form.fields.items():
                value = form[name].value()
                key = form.add_prefix(name)
                if isinstance(field, forms.BooleanField):
                    if value:
                        data[key] = "on"
                elif isinstance(value, list):
                    data[key] = value
                elif value is not None:
                    data[key] = str(value)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _edit_url(rule_set) -> str:
    return reverse("matching:rule_set_edit", args=[rule_set.pk])


@pytest.fixture
def draft_rules(kdb):
    return services.rule_set_create_draft(actor=kdb)


@pytest.mark.django_db
def test_the_editor_shows_every_check_and_criterion_of_every_channel(client, kdb, draft_rules):
    client.force_login(kdb)

    response = client.get(_edit_url(draft_rules))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="portal-choice-group portal-rule-entry"') == 4 * (6 + 5)
    assert 'name="direct-criterion-business_viability-weight"' in body
    assert 'name="direct-rule-ticket_range-min_krw" value="50,000,000,000"' in body
    assert body.count('data-testid="weight-sum-') == 4
    assert body.count('data-total="100"') == 4
    assert "hx-post" in body and "<script" not in body.split("</head>")[1]


@pytest.mark.django_db
def test_saving_the_editor_unchanged_keeps_the_document_identical(client, kdb, draft_rules):
    original = copy.deepcopy(draft_rules.rules)
    client.force_login(kdb)

    response = client.post(_edit_url(draft_rules), _posted(draft_rules))

    assert response.status_code == 302
    draft_rules.refresh_from_db()
    assert draft_rules.rules == original


@pytest.mark.django_db
def test_staff_change_two_weights_and_a_ticket_and_the_draft_is_saved(client, kdb, draft_rules):
    client.force_login(kdb)

    response = client.post(
        _edit_url(draft_rules),
        _posted(
            draft_rules,
            name="가중치 조정",
            **{
                "direct-criterion-business_viability-weight": "30",
                "direct-criterion-financial_structure-weight": "20",
                "loan-rule-ticket_range-max_krw": "9,000억원",
                "direct-rule-coinvest_ratio-ratio": "0.75",
            },
        ),
    )

    assert response.status_code == 302
    draft_rules.refresh_from_db()
    direct = draft_rules.rules["channels"]["direct"]
    weights = {c["criterion"]: c["weight"] for c in direct["criteria"]}
    assert weights == {
        "business_viability": 30,
        "financial_structure": 20,
        "technology_readiness": 20,
        "policy_effect": 20,
        "channel_size_fit": 10,
    }
    coinvest = next(e for e in direct["eligibility"] if e["rule"] == "coinvest_ratio")
    assert coinvest["params"] == {"ratio": "0.75"}
    loan_ticket = next(
        e
        for e in draft_rules.rules["channels"]["loan"]["eligibility"]
        if e["rule"] == "ticket_range"
    )
    assert loan_ticket["params"] == {"min_krw": 5_000_000_000, "max_krw": 900_000_000_000}
    assert draft_rules.name == "가중치 조정"


@pytest.mark.django_db
def test_turning_a_check_off_removes_it_and_turning_one_on_adds_it(client, kdb, draft_rules):
    client.force_login(kdb)

    response = client.post(
        _edit_url(draft_rules),
        _posted(
            draft_rules,
            **{
                "direct-rule-capacity_remaining-use": None,
                "loan-rule-structure_in-use": "on",
                "loan-rule-structure_in-structures": ["corporate", "spc"],
            },
        ),
    )

    assert response.status_code == 302
    draft_rules.refresh_from_db()
    direct = [e["rule"] for e in draft_rules.rules["channels"]["direct"]["eligibility"]]
    loan = {e["rule"]: e["params"] for e in draft_rules.rules["channels"]["loan"]["eligibility"]}
    assert direct == [
        "industry_in",
        "fund_use_in",
        "structure_in",
        "ticket_range",
        "coinvest_ratio",
    ]
    assert loan["structure_in"] == {"structures": ["corporate", "spc"]}


@pytest.mark.django_db
def test_weights_not_adding_up_to_100_are_shown_on_that_channel_and_nothing_is_saved(
    client, kdb, draft_rules
):
    original = copy.deepcopy(draft_rules.rules)
    client.force_login(kdb)

    response = client.post(
        _edit_url(draft_rules),
        _posted(draft_rules, **{"indirect-criterion-policy_effect-weight": "15"}),
    )

    assert response.status_code == 200
    editor = response.context["editor"]
    assert [str(e) for e in editor.channel("indirect").errors] == [
        "indirect: 가중치 합계가 100이 아니라 90입니다."
    ]
    assert [list(c.errors) for c in editor.channels if c.code != "indirect"] == [[], [], []]
    body = response.content.decode()
    assert 'id="ch-indirect-errors"' in body
    assert 'data-testid="weight-sum-indirect" data-total="90"' in body
    draft_rules.refresh_from_db()
    assert draft_rules.rules == original


@pytest.mark.django_db
def test_a_service_message_about_one_criterion_is_shown_in_its_fieldset(client, kdb, draft_rules):
    original = copy.deepcopy(draft_rules.rules)
    client.force_login(kdb)

    response = client.post(
        _edit_url(draft_rules),
        _posted(draft_rules, **{"infra-criterion-policy_effect-ai_share": "0.5"}),
    )

    assert response.status_code == 200
    form = next(
        f for f in response.context["editor"].channel("infra").criteria if f.name == "policy_effect"
    )
    assert len(form.non_field_errors()) == 1
    assert form.non_field_errors()[0].startswith("infra › criteria[4] (policy_effect): ")
    assert 'id="infra-criterion-policy_effect-errors"' in response.content.decode()
    draft_rules.refresh_from_db()
    assert draft_rules.rules == original


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"direct-criterion-business_viability-weight": "abc"}, "weight"),
        ({"direct-criterion-business_viability-weight": "-5"}, "weight"),
        ({"direct-criterion-business_viability-weight": "101"}, "weight"),
        ({"direct-criterion-business_viability-weight": "9" * 40}, "weight"),
        ({"direct-criterion-business_viability-weight": "25.5"}, "weight"),
        ({"direct-criterion-business_viability-weight": None}, "weight"),
        ({"direct-rule-ticket_range-min_krw": "1e9"}, "min_krw"),
        ({"direct-rule-ticket_range-min_krw": "-1"}, "min_krw"),
        ({"direct-rule-ticket_range-max_krw": "9" * 30}, "max_krw"),
        ({"direct-rule-ticket_range-max_krw": None}, "max_krw"),
        ({"direct-rule-coinvest_ratio-ratio": "NaN"}, "ratio"),
        ({"direct-rule-coinvest_ratio-ratio": "Infinity"}, "ratio"),
        ({"direct-rule-coinvest_ratio-ratio": "-0.5"}, "ratio"),
        ({"direct-rule-coinvest_ratio-ratio": "1" * 20}, "ratio"),
        ({"direct-rule-industry_in-industries": ["semiconductor", "whaling"]}, "industries"),
        ({"direct-rule-industry_in-industries": None}, "industries"),
        ({"direct-criterion-technology_readiness-min_trl": "0"}, "min_trl"),
        ({"direct-criterion-channel_size_fit-band1_fraction": "1.5"}, "band1_fraction"),
        ({"direct-criterion-channel_size_fit-band2_share": None}, "band2_share"),
    ],
)
@pytest.mark.django_db
def test_garbage_in_a_field_is_shown_on_that_field_and_nothing_is_saved(
    client, kdb, draft_rules, changes, field
):
    original = copy.deepcopy(draft_rules.rules)
    client.force_login(kdb)

    response = client.post(_edit_url(draft_rules), _posted(draft_rules, **changes))

    assert response.status_code == 200
    direct = response.context["editor"].channel("direct")
    failing = {(f.name, name) for f in direct.forms() for name in f.errors}
    assert len(failing) == 1
    assert next(iter(failing))[1] == field
    draft_rules.refresh_from_db()
    assert draft_rules.rules == original


@pytest.mark.django_db
def test_unknown_keys_and_an_empty_post_never_break_the_page_or_save(client, kdb, draft_rules):
    original = copy.deepcopy(draft_rules.rules)
    client.force_login(kdb)

    unknown = client.post(
        _edit_url(draft_rules),
        _posted(
            draft_rules,
            **{
                "direct-criterion-lottery-use": "on",
                "direct-criterion-lottery-weight": "50",
                "rules": '{"channels": {}}',
            },
        ),
    )
    empty = client.post(_edit_url(draft_rules), {})

    assert unknown.status_code == 302  # the unknown criterion was never part of the form
    assert empty.status_code == 200
    assert "name" in empty.context["editor"].meta.errors
    draft_rules.refresh_from_db()
    assert draft_rules.rules == original


@pytest.mark.django_db
def test_a_channel_with_no_criterion_in_use_is_refused_on_that_channel(client, kdb, draft_rules):
    original = copy.deepcopy(draft_rules.rules)
    client.force_login(kdb)
    changes = {f"loan-criterion-{name}-use": None for name in CRITERIA}

    response = client.post(_edit_url(draft_rules), _posted(draft_rules, **changes))

    assert response.status_code == 200
    assert [str(e) for e in response.context["editor"].channel("loan").errors] == [
        "loan › criteria는 항목이 하나 이상 든 목록이어야 합니다."
    ]
    draft_rules.refresh_from_db()
    assert draft_rules.rules == original


@pytest.mark.django_db
def test_the_live_sum_answers_the_posted_weights_without_saving(client, kdb, draft_rules):
    original = copy.deepcopy(draft_rules.rules)
    client.force_login(kdb)

    response = client.post(
        _edit_url(draft_rules),
        _posted(
            draft_rules,
            weights_for="direct",
            **{"direct-criterion-business_viability-weight": "40"},
        ),
        headers={"HX-Request": "true"},
    )
    unreadable = client.post(
        _edit_url(draft_rules),
        _posted(draft_rules, weights_for="loan", **{"loan-criterion-policy_effect-weight": "x"}),
    )
    unknown = client.post(_edit_url(draft_rules), {"weights_for": "lottery"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="weight-sum-direct" data-total="115"' in body
    assert "<html" not in body
    assert 'data-total="85"' in unreadable.content.decode()
    assert unknown.status_code == 404
    draft_rules.refresh_from_db()
    assert draft_rules.rules == original


@pytest.mark.django_db
def test_only_fund_staff_edit_and_only_a_draft(client, kdb, keit, applicant, draft_rules):
    active = RuleSet.objects.get(version=1)

    client.force_login(keit)
    keit_get = client.get(_edit_url(draft_rules))
    keit_post = client.post(_edit_url(draft_rules), _posted(draft_rules, name="x"))
    client.force_login(applicant)
    applicant_get = client.get(_edit_url(draft_rules))
    client.force_login(kdb)
    active_get = client.get(_edit_url(active))

    assert [keit_get.status_code, keit_post.status_code, applicant_get.status_code] == [404] * 3
    assert active_get.status_code == 404
    draft_rules.refresh_from_db()
    assert draft_rules.name == active.name


def test_service_messages_go_to_the_name_the_entry_the_channel_or_the_page():
    from django.core.exceptions import ValidationError

    from matching.scoring.rules import default_rules

    rule_set = RuleSet(name="v2", description="", rules=default_rules())
    editor = RuleSetEditor(rule_set, _posted(rule_set))
    assert editor.is_valid()
    editor.rules()
    loan_ticket = next(f for f in editor.channel("loan").eligibility if f.name == "ticket_range")

    editor.add_service_errors(
        ValidationError(
            {
                "name": ["이름이 너무 깁니다."],
                "rules": [
                    "loan › eligibility[3] (ticket_range): min_krw is above max_krw.",
                    "indirect: weights add up to 90, not 100.",
                    "The rule set must be an object.",
                ],
            }
        )
    )
    editor.add_service_errors(ValidationError("Something else."))

    assert editor.meta.errors["name"] == ["이름이 너무 깁니다."]
    assert loan_ticket.non_field_errors() == [
        "loan › eligibility[3] (ticket_range): min_krw is above max_krw."
    ]
    assert list(editor.channel("indirect").errors) == ["indirect: weights add up to 90, not 100."]
    assert list(editor.channel("direct").errors) == []
    assert list(editor.errors) == ["The rule set must be an object.", "Something else."]


@pytest.mark.django_db
def test_a_check_a_channel_does_not_use_never_borrows_another_channels_description(draft_rules):
    editor = RuleSetEditor(draft_rules)

    structure = {
        channel.code: next(f for f in channel.forms() if f.name == "structure_in")
        for channel in editor.channels
    }

    assert structure["direct"].description.startswith(("직접투자", "Direct investment"))
    for code in ("indirect", "loan", "infra"):
        assert structure[code].initial["use"] is False
        assert structure[code].description == ""
