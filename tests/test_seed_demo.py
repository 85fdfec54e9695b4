"""seed_demo: the demo world is complete, its amounts are demo figures (not the surveyed
demand), and it is idempotent."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from alliance import demo, permissions
from alliance.models import (
    AuditLog,
    Consultation,
    FinancialInstitution,
    Firm,
    Proposal,
    ProposalPartner,
    User,
)
from alliance.proposals import selectors
from alliance.proposals.services import proposal_validate
from alliance.validators import is_valid_brn
from fund.capacity.models import Commitment
from fund.coordination.models import CoordinationPacket
from fund.ministry import demo as ministry_demo
from fund.review.models import AgendaItem, FundReview
from fund.site.models import Registration
from portal.core.vocabulary import JO, FirmStatus, ProposalStatus, Role

pytestmark = pytest.mark.django_db

DEFAULT_PASSWORD = "demo1234!"

# username -> (groups, firm name, is_staff, is_superuser)
EXPECTED_USERS = {
    "applicant": ({Role.APPLICANT}, "현대자동차", False, False),
    "applicant2": ({Role.APPLICANT}, "두산로보틱스", False, False),
    "keit": ({Role.ALLIANCE_SECRETARIAT}, None, False, False),
    "kdb": ({Role.FUND_SECRETARIAT}, None, False, False),
    "editor": ({Role.SITE_EDITOR}, None, False, False),
    "admin": (set(), None, True, True),
    "motie": ({Role.MINISTRY}, None, False, False),
    "bank": ({Role.INSTITUTION}, None, False, False),
    "securities": ({Role.INSTITUTION}, None, False, False),
}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything a second run could change: row counts, password hashes, firm timestamps."""
    return {
        "firms": Firm.objects.count(),
        "users": User.objects.count(),
        "proposals": Proposal.objects.count(),
        "institutions": FinancialInstitution.objects.count(),
        "audit": AuditLog.objects.count(),
        "partners": ProposalPartner.objects.count(),
        "memberships": User.groups.through.objects.count(),
        "passwords": dict(User.objects.values_list("username", "password")),
        "firm_updated": dict(Firm.objects.values_list("name", "updated_at")),
        "proposal_versions": dict(Proposal.objects.values_list("title", "version")),
        "packets": sorted(CoordinationPacket.objects.values_list("sequence", "state")),
        "reviews": sorted(FundReview.objects.values_list("proposal__title", "stage", "decision")),
        "agenda": sorted(AgendaItem.objects.values_list("meeting__title", "position")),
        "consultations": sorted(Consultation.objects.values_list("topic", "status")),
        "registrations": Registration.objects.count(),
        "commitments": sorted(Commitment.objects.values_list("amount_krw", flat=True)),
    }


def test_seed_demo_twice_changes_nothing():
    # given
    seed()
    first = snapshot()

    # when
    seed()

    # then
    assert snapshot() == first
    assert (first["firms"], first["users"], first["proposals"], first["institutions"]) == (
        10,
        17,
        60,
        7,
    )
    # firm sign-up/update/verify; proposal create; submit; 3 notices, 7 FAQ and 4 events; the
    # routing policy's activation and the pause of routing
    alliance_and_site = 10 * 3 + 17 + 16 + 3 + 7 + 4 + 2
    # six proposals opened to institutions, four interests, one accepted (with its
    # consultation), one declined, one withdrawal closing one interest
    institutions = 6 + 4 + 2 + 1 + 2
    # 산업부's 2 recommendations and 2 shared-infrastructure plans
    ministry = 2 + 2
    # the living pipeline (fund.management.demo_pipeline), each step as its service records it
    pipeline = {
        "proposal.create": 43,
        "proposal.submit": 41,
        "proposal.withdraw": 2,
        "proposal.request_info": 2,
        "proposal.refer": 32,
        "proposal.receive": 29,
        "packet.acknowledge": 26,
        "proposal.assign_reviewer": 24,
        "proposal.advance": 59,
        "review.comment": 4,
        "meeting.create": 2,
        "agenda.add": 9,
        "proposal.decide": 11,
        "commitment.create": 7,
        "consultation.request": 4,
        "consultation.confirm": 2,
        "registration.create": 5 + 4 + 3,
    }
    assert first["audit"] == alliance_and_site + institutions + ministry + sum(pipeline.values())
    from fund.site.models import Event, Faq, Notice

    assert (Notice.objects.count(), Faq.objects.count(), Event.objects.count()) == (3, 7, 4)
    assert sorted(Event.objects.values_list("kind", flat=True)) == sorted(
        ["seminar", "consultation_fair", "workshop", "meeting"]
    )


def test_each_demo_user_signs_in_with_the_default_password_and_has_exactly_its_role():
    # when
    seed()

    # then
    for username, (groups, firm_name, is_staff, is_superuser) in EXPECTED_USERS.items():
        user = authenticate(username=username, password=DEFAULT_PASSWORD)
        assert user is not None, username
        assert set(user.groups.values_list("name", flat=True)) == groups, username
        assert (user.firm.name if user.firm else None) == firm_name, username
        assert (user.is_staff, user.is_superuser, user.is_active) == (
            is_staff,
            is_superuser,
            True,
        ), username
    assert User.objects.get(username="applicant").is_applicant
    assert User.objects.get(username="keit").is_alliance_staff
    assert User.objects.get(username="kdb").is_fund_staff
    assert User.objects.get(username="editor").is_site_editor


def test_seed_prints_every_demo_account_with_its_password_in_korean_and_english():
    # when
    output = seed()

    # then
    lines = output.splitlines()
    assert "데모 계정 (아이디 / 비밀번호 / 역할)" in lines
    assert "Demo accounts (username / password / role)" in lines
    for username in EXPECTED_USERS:
        assert any(
            line.split()[:2] == [username, DEFAULT_PASSWORD] for line in lines if line.strip()
        ), username
    assert (
        "  applicant   demo1234!  신청인 · 현대자동차 / Applicant · Hyundai Motor Company" in lines
    )


def test_requested_amounts_are_demo_figures_not_the_surveyed_demand():
    # when
    seed()

    # then: the survey (S1) is the ministry's published result; the demand the public pages
    # show (alliance.stats: every proposal submitted and not withdrawn) is the demo's own
    # figure and must not read as the survey's firm-level breakdown.
    from alliance import stats
    from fund.site.models import SurveyFigure

    shown = {s.code: s.requested_krw for s in stats.demand_by_sub_alliance()}
    assert (shown["humanoid"], shown["ai_semiconductor"], shown["ai_factory"]) == (
        51_950 * 10**8,
        26_250 * 10**8,
        17_750 * 10**8,
    )
    surveyed = dict(SurveyFigure.objects.values_list("sub_alliance__code", "amount_krw"))
    assert surveyed == {
        "humanoid": 66 * JO // 10,
        "ai_semiconductor": 15 * JO // 10,
        "ai_factory": 13 * JO // 10,
    }
    assert all(shown[code] != amount for code, amount in surveyed.items())
    totals = stats.demand_totals()
    assert (totals["proposal_count"], totals["requested_krw"]) == (55, 133_800 * 10**8)
    assert totals["requested_krw"] != 10 * JO


def test_the_demo_table_itself_is_not_tuned_to_the_survey():
    sums = demo.requested_by_sub_alliance()

    assert (sums["humanoid"], sums["ai_semiconductor"], sums["ai_factory"]) == (
        48_000 * 10**8,
        12_900 * 10**8,
        11_000 * 10**8,
    )
    assert sum(sums.values()) == 93_900 * 10**8
    assert len({(p.firm, p.title) for p in demo.PROPOSALS}) == len(demo.PROPOSALS)


def test_named_firms_are_active_with_valid_numbers_regions_and_sub_alliances():
    # when
    seed()

    # then
    firms = {f.name: f for f in Firm.objects.prefetch_related("sub_alliances")}
    assert set(firms) == {
        "HD한국조선해양",
        "삼성전자",
        "현대자동차",
        "두산로보틱스",
        "SK AX",
        "CJ대한통운",
        "이수페타시스",
        "에코프로비엠",
        "퓨리오사AI",
        "마키나락스",
    }
    assert {name: f.region for name, f in firms.items()} == {
        "HD한국조선해양": "ulsan",
        "삼성전자": "gyeonggi",
        "현대자동차": "seoul",
        "두산로보틱스": "gyeonggi",
        "SK AX": "seoul",
        "CJ대한통운": "seoul",
        "이수페타시스": "daegu",
        "에코프로비엠": "chungbuk",
        "퓨리오사AI": "seoul",
        "마키나락스": "seoul",
    }
    for firm in firms.values():
        assert firm.status == FirmStatus.ACTIVE, firm.name
        assert firm.verified_by.username == "keit", firm.name
        assert is_valid_brn(firm.business_registration_number), firm.name
        assert firm.name_en, firm.name
        firm.full_clean()
        spec = demo.FIRMS_BY_NAME[firm.name]
        assert {s.code for s in firm.sub_alliances.all()} == set(spec.sub_alliances)
        assert firm.size_class == spec.size_class
    assert firms["퓨리오사AI"].size_class == "startup"
    assert firms["현대자동차"].size_class == "large"


def test_institutions_are_seeded_with_their_kinds_and_english_names():
    # when
    seed()

    # then
    assert list(FinancialInstitution.objects.order_by("name").values_list("name", "kind")) == [
        ("KB국민은행", "bank"),
        ("메리츠증권", "securities"),
        ("미래에셋증권", "securities"),
        ("산업은행", "policy_bank"),
        ("신한은행", "bank"),
        ("우리은행", "bank"),
        ("하나은행", "bank"),
    ]
    assert FinancialInstitution.objects.get(name="산업은행").name_en == "Korea Development Bank"
    assert FinancialInstitution.objects.filter(name_en="").count() == 0


def test_proposals_are_complete_with_history_and_the_demo_applicant_has_an_editable_draft():
    # when
    seed()

    # then
    assert Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count() == 16 + 5
    draft = Proposal.objects.get(status=ProposalStatus.DRAFT, firm__name="현대자동차")
    applicant = User.objects.get(username="applicant")
    assert draft.firm.name == "현대자동차"
    assert permissions.can_edit_proposal(applicant, draft)
    assert list(draft.history.values_list("action", flat=True)) == ["proposal.create"]
    recommended = {title for title, _note in ministry_demo.RECOMMENDED}
    for proposal in Proposal.objects.filter(status=ProposalStatus.SUBMITTED):
        proposal_validate(proposal, complete=True)
        actions = list(proposal.history.values_list("action", flat=True))
        expected = ["proposal.create", "proposal.submit"]
        if proposal.title in recommended:
            expected.append("proposal.recommend")
        assert actions[: len(expected)] == expected, proposal.title
        # The demo firms' dealings with financial institutions follow (fund.institutions.demo).
        assert set(actions[len(expected) :]) <= {
            "proposal.share_open",
            "proposal.share_withdraw",
            "interest.express",
            "interest.accept",
            "interest.decline",
            "interest.close",
        }, proposal.title
    assert set(
        Proposal.objects.filter(firm__name="현대자동차").values_list(
            "sub_alliance__code", flat=True
        )
    ) == {"humanoid", "autonomous_vehicle", "ai_factory"}
    assert set(Proposal.objects.values_list("structure", flat=True)) == {"corporate", "jv", "spc"}
    assert Proposal.objects.filter(ai_related=False).count() == 1


def test_the_consortium_is_visible_to_its_partner_but_not_to_other_firms():
    # when
    seed()

    # then
    consortium = Proposal.objects.get(firm__name="두산로보틱스", structure="jv")
    links = list(consortium.proposalpartner_set.values_list("firm__name", "role"))
    assert links == [("마키나락스", "로봇 AI 소프트웨어·파운데이션 모델 개발")]
    partner_user = User.objects.get(username="makinarocks")
    assert consortium in selectors.proposals_visible_to(partner_user)
    assert not permissions.can_edit_proposal(partner_user, consortium)
    assert consortium not in selectors.proposals_visible_to(User.objects.get(username="applicant"))


def test_demo_password_comes_from_the_environment(monkeypatch):
    # given
    monkeypatch.setenv("DEMO_PASSWORD", "Another-demo-pass-42")

    # when
    output = seed()

    # then
    for username in EXPECTED_USERS:
        assert authenticate(username=username, password="Another-demo-pass-42") is not None
        assert authenticate(username=username, password=DEFAULT_PASSWORD) is None
    assert "Another-demo-pass-42" in output
    assert DEFAULT_PASSWORD not in output


def test_rerun_with_a_new_password_changes_no_existing_account(monkeypatch):
    # given
    seed()
    before = snapshot()

    # when
    monkeypatch.setenv("DEMO_PASSWORD", "Changed-demo-pass-77")
    output = seed()

    # then: the demo world never takes over an account that exists
    assert snapshot() == before
    assert authenticate(username="applicant", password=DEFAULT_PASSWORD) is not None
    assert authenticate(username="applicant", password="Changed-demo-pass-77") is None
    assert "Changed-demo-pass-77" not in output
    assert "(기존 계정 / existing account)" in output


def test_rerun_leaves_an_existing_accounts_role_firm_and_password_alone():
    # given
    seed()
    applicant = User.objects.get(username="applicant")
    applicant.groups.clear()
    applicant.firm = Firm.objects.get(name="삼성전자")
    applicant.set_password("something-else-entirely")
    applicant.save()

    # when
    seed()

    # then
    applicant.refresh_from_db()
    assert list(applicant.groups.values_list("name", flat=True)) == []
    assert applicant.firm.name == "삼성전자"
    assert authenticate(username="applicant", password="something-else-entirely") == applicant


def test_an_existing_admin_account_is_not_taken_over():
    # given: an operator's own `admin` before the demo world is loaded
    admin = User.objects.create_user(username="admin", password="operators-own-secret-9")

    # when
    seed()

    # then
    admin.refresh_from_db()
    assert (admin.is_superuser, admin.is_staff) == (False, False)
    assert authenticate(username="admin", password="operators-own-secret-9") == admin
    assert authenticate(username="admin", password=DEFAULT_PASSWORD) is None


def test_seed_demo_refuses_under_production_settings_and_changes_nothing(settings):
    settings.DEMO_DATA_ALLOWED = False
    before = (User.objects.count(), Firm.objects.count(), Proposal.objects.count())

    with pytest.raises(CommandError, match="production settings"):
        call_command("seed_demo", stdout=io.StringIO())

    assert (User.objects.count(), Firm.objects.count(), Proposal.objects.count()) == before


def test_the_production_settings_turn_the_demo_world_off():
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=django_settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DJANGO_SECRET_KEY": "k" * 64,
            "DJANGO_ALLOWED_HOSTS": "portal.example.kr",
            # Never connected to: the command refuses before it touches the database.
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "seed_demo refuses to run under production settings" in result.stderr


@pytest.mark.parametrize("weak", ["short", "12345678901", "password"])
def test_a_demo_password_that_fails_the_rules_is_refused_and_nothing_is_created(monkeypatch, weak):
    # given
    monkeypatch.setenv("DEMO_PASSWORD", weak)

    # when
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        seed()

    # then
    assert (Firm.objects.count(), User.objects.count(), AuditLog.objects.count()) == (0, 0, 0)


def test_demo_institutions_have_users_offers_and_interests_in_every_state():
    from fund.institutions.models import Interest, Offer, ProposalShare

    seed()
    assert User.objects.get(username="bank").institution.name == "우리은행"
    assert User.objects.get(username="securities").institution.name == "미래에셋증권"
    assert sorted(Offer.objects.values_list("institution__name", flat=True)) == sorted(
        name for name, *_rest in demo.INSTITUTIONS
    )
    assert sorted(Interest.objects.values_list("state", flat=True)) == [
        "accepted",
        "closed",
        "declined",
        "open",
    ]
    assert ProposalShare.objects.filter(withdrawn_at__isnull=True).count() == 5
    assert all("demo data" in text for text in Offer.objects.values_list("description", flat=True))


def test_the_ministry_demo_has_motie_two_recommendations_and_two_plans():
    # when
    seed()
    seed()

    # then
    from fund.ministry.models import InfraPlan, MinistryMembership, Recommendation

    motie = User.objects.get(username="motie")
    assert motie.ministry_membership.ministry == "motie"
    assert MinistryMembership.objects.count() == 1
    assert sorted(Recommendation.objects.values_list("proposal__title", flat=True)) == sorted(
        title for title, _note in ministry_demo.RECOMMENDED
    )
    assert sorted(InfraPlan.objects.values_list("title", flat=True)) == sorted(
        plan["title"] for plan in ministry_demo.PLANS
    )
