"""`python manage.py seed_demo`: the idempotent demo world (SPEC §4).

The alliance's part (firms, institutions, users, proposals), the information site's first
notices, FAQ and events, automatic routing (paused) and the living pipeline (proposals at every
step, meetings, decisions, packets, consultations), in one transaction."""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from alliance.demo import DEFAULT_DEMO_PASSWORD, DemoSeedError, seed_demo_world
from alliance.models import FinancialInstitution, Firm, Proposal
from fund.institutions.demo import institutions_demo_ensure
from fund.management.demo_pipeline import pipeline_demo_ensure
from fund.ministry.demo import ministry_demo_ensure
from fund.routing.demo import routing_demo_ensure
from fund.routing.selectors import active_policy
from fund.site.demo import site_demo_content_ensure


class Command(BaseCommand):
    # Console output is written in both languages at once rather than translated: the person
    # running `make run` may read either, and management commands run with translation off.
    help = (
        "데모 데이터(기업, 금융기관, 역할별 사용자, 제안)를 만듭니다. 여러 번 실행해도 같은 "
        "결과입니다. / Create the demo world (firms, institutions, one user per role, "
        "proposals); running it again changes nothing. Password: $DEMO_PASSWORD or "
        f"{DEFAULT_DEMO_PASSWORD}."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "운영 설정에서는 데모 데이터를 만들지 않습니다 / seed_demo refuses to run under "
                "production settings: it would add accounts with a published password."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        try:
            with transaction.atomic():
                result = seed_demo_world(password=password)
                site_demo_content_ensure()
                routing_demo_ensure()
                # Each further part of the demo world is one line here, after the firms and
                # users above; every part creates only what is missing.
                pipeline = pipeline_demo_ensure()
                ministry_demo_ensure(password=password, result=result)
                institutions_demo_ensure(password=password, result=result)
        except DemoSeedError as exc:
            raise CommandError(
                f"DEMO_PASSWORD가 비밀번호 규칙에 맞지 않습니다 / DEMO_PASSWORD fails the "
                f"password rules: {exc}"
            ) from exc
        except ValidationError as exc:
            raise CommandError(
                f"데모 데이터를 만들 수 없습니다 / Cannot create the demo world: {exc.messages}"
            ) from exc

        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"데모 데이터 준비 완료: 기업 {Firm.objects.count()}개, "
                f"금융기관 {FinancialInstitution.objects.count()}개, "
                f"제안 {Proposal.objects.count()}건 "
                f"(이번에 추가: 기업 {result.firms_created}, 금융기관 "
                f"{result.institutions_created}, 사용자 {result.users_created}, "
                f"제안 {result.proposals_created + pipeline.proposals_created}, "
                f"회의 {pipeline.meetings_created}, 상담 {pipeline.consultations_created}, "
                f"행사 신청 {pipeline.registrations_created})"
            )
        )
        write(
            self.style.SUCCESS(
                f"Demo world ready: {Firm.objects.count()} firms, "
                f"{FinancialInstitution.objects.count()} institutions, "
                f"{Proposal.objects.count()} proposals "
                f"(added now: {result.firms_created} firms, {result.institutions_created} "
                f"institutions, {result.users_created} users, "
                f"{result.proposals_created + pipeline.proposals_created} proposals, "
                f"{pipeline.meetings_created} meetings, {pipeline.consultations_created} "
                f"consultations, {pipeline.registrations_created} event registrations)"
            )
        )
        write("")
        write("데모 계정 (아이디 / 비밀번호 / 역할)")
        write("Demo accounts (username / password / role)")
        width = max(len(username) for username, _ko, _en in result.accounts)
        for username, label_ko, label_en in result.accounts:
            shown = "(기존 계정 / existing account)" if username in result.kept else password
            write(f"  {username:<{width}}  {shown}  {label_ko} / {label_en}")
        contacts = ", ".join(f"{username} ({firm})" for username, firm in result.firm_contacts)
        write("다른 참여 기업 담당자 계정도 같은 비밀번호를 씁니다:")
        write(f"Other member firms' contacts use the same password: {contacts}")
        policy = active_policy()
        if policy is not None and policy.paused:
            write("")
            write(
                f"자동 연계: 정책 버전 {policy.version}이 활성화되어 있으나 일시 중지 상태입니다. "
                "KEIT가 자동 연계 화면(/secretariat/routing/)에서 재개할 때까지 직접 연계합니다."
            )
            write(
                f"Automatic routing: policy version {policy.version} is active but paused; "
                "referrals are by hand until KEIT resumes it at /secretariat/routing/."
            )
