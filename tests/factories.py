"""factory_boy factories shared by the suite."""

import datetime
import itertools

import factory
from django.contrib.auth.models import Group

from alliance.models import FinancialInstitution, Firm, Industry, Proposal, SubAlliance, User
from alliance.validators import brn_check_digit
from portal.core.vocabulary import FirmStatus, ProposalStatus, Role

_brn_counter = itertools.count(100_000_001)


def next_valid_brn() -> str:
    """A fresh 10-digit business registration number with a correct check digit."""
    first_nine = f"{next(_brn_counter):09d}"[-9:]
    return first_nine + str(brn_check_digit(first_nine))


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    name = factory.Sequence(lambda n: f"테스트기업 {n}")
    business_registration_number = factory.LazyFunction(next_valid_brn)
    size_class = "sme"
    member_type = "manufacturer"
    region = "gyeongnam"
    status = FirmStatus.ACTIVE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.kr")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-9")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        self.save()


class ApplicantFactory(UserFactory):
    firm = factory.SubFactory(FirmFactory)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=extracted or Role.APPLICANT)[0])
        self.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialInstitution

    name = factory.Sequence(lambda n: f"테스트은행 {n}")
    kind = "bank"


class ProposalFactory(factory.django.DjangoModelFactory):
    """A complete proposal (every field submission needs), as a draft by default."""

    class Meta:
        model = Proposal

    firm = factory.SubFactory(FirmFactory)
    title = factory.Sequence(lambda n: f"AX 투자 제안 {n}")
    summary = "AI 기반 스마트 공장 전환 사업"
    sub_alliance = factory.LazyFunction(lambda: SubAlliance.objects.get(code="ai_factory"))
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="robot"))
    project_type = "ax_conversion"
    fund_uses = factory.LazyFunction(lambda: ["facility"])
    structure = "corporate"
    region = "gyeongnam"
    start_date = datetime.date(2026, 3, 1)
    end_date = datetime.date(2028, 12, 31)
    trl = 7
    ai_related = True
    total_cost_krw = 100_000_000_000
    requested_krw = 50_000_000_000
    private_coinvest_krw = 30_000_000_000
    status = ProposalStatus.DRAFT
