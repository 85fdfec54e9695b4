import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from alliance.models import AuditLog
from fund.capacity.models import AnnualPlan, Channel, Commitment
from fund.capacity.selectors import channels_with_capacity, fund_targets
from fund.capacity.services import commitment_create
from portal.core.errors import CapacityExceeded
from portal.core.vocabulary import JO


@pytest.mark.django_db
def test_the_four_channels_are_seeded_with_their_sizes_and_2026_plans():
    channels = {c.code: c for c in channels_with_capacity(year=2026)}

    assert {code: c.size_krw for code, c in channels.items()} == {
        "direct": 15 * JO,
        "indirect": 35 * JO,
        "loan": 50 * JO,
        "infra": 50 * JO,
    }
    assert sum(c.size_krw for c in channels.values()) == 150 * JO
    assert {code: c.annual_plan_krw for code, c in channels.items()} == {
        "direct": 3 * JO,
        "indirect": 7 * JO,
        "loan": 10 * JO,
        "infra": 10 * JO,
    }
    assert {code: (c.committed_krw, c.size_krw - c.committed_krw) for code, c in channels.items()}[
        "loan"
    ] == (0, 50 * JO)


@pytest.mark.django_db
def test_committed_and_remaining_come_from_the_ledger(keit):
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=2 * JO,
        actor=keit,
        region="ulsan",
        ai_related=True,
    )
    commitment_create(
        channel_code="loan", year=2027, amount_krw=500_000_000_000, actor=keit, region="seoul"
    )

    loan = channels_with_capacity().get(code="loan")

    assert loan.committed_krw == 2_500_000_000_000
    assert loan.size_krw - loan.committed_krw == 47_500_000_000_000
    assert AuditLog.objects.filter(action="commitment.create").count() == 2


@pytest.mark.django_db
def test_a_commitment_past_the_channel_size_is_refused_and_changes_nothing(keit):
    commitment_create(
        channel_code="direct", year=2026, amount_krw=14 * JO, actor=keit, region="busan"
    )

    with pytest.raises(CapacityExceeded) as excinfo:
        commitment_create(
            channel_code="direct", year=2026, amount_krw=1 * JO + 1, actor=keit, region="busan"
        )

    assert excinfo.value.remaining_krw == 1 * JO
    assert Commitment.objects.count() == 1
    assert AuditLog.objects.filter(action="commitment.create").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount_krw": 0}, "amount_krw"),
        ({"amount_krw": -5}, "amount_krw"),
        ({"amount_krw": 151 * JO}, "amount_krw"),
        ({"region": "atlantis"}, "region"),
        ({"year": 1999}, "year"),
        ({"channel_code": "casino"}, "channel"),
    ],
)
def test_bad_commitment_input_names_the_field_and_stores_nothing(keit, kwargs, field):
    args = {"channel_code": "loan", "year": 2026, "amount_krw": JO, "region": "ulsan", **kwargs}

    with pytest.raises(ValidationError) as excinfo:
        commitment_create(actor=keit, **args)

    assert list(excinfo.value.message_dict) == [field]
    assert Commitment.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_commitments_never_exceed_the_channel_size():
    # A small channel makes the race sharp: 16 simultaneous commitments of 100 won, room for 10.
    Channel.objects.filter(code="infra").update(size_krw=1_000)
    barrier = threading.Barrier(16)
    outcomes: list[str] = []
    lock = threading.Lock()

    def commit():
        try:
            barrier.wait()
            commitment_create(
                channel_code="infra", year=2026, amount_krw=100, actor=None, region="jeonnam"
            )
            result = "ok"
        except CapacityExceeded:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=commit) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    infra = channels_with_capacity().get(code="infra")
    assert sorted(outcomes) == ["ok"] * 10 + ["refused"] * 6
    assert infra.committed_krw == 1_000
    assert Commitment.objects.filter(channel__code="infra").count() == 10


@pytest.mark.django_db
def test_fund_targets_are_computed_from_commitments(keit):
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=3 * JO,
        actor=keit,
        region="ulsan",
        ai_related=True,
    )
    commitment_create(
        channel_code="infra",
        year=2026,
        amount_krw=1 * JO,
        actor=keit,
        region="gyeonggi",
        ai_related=True,
    )
    commitment_create(
        channel_code="direct", year=2026, amount_krw=1 * JO, actor=keit, region="seoul"
    )

    targets = fund_targets()

    assert targets.committed_krw == 5 * JO
    assert targets.ai_related_krw == 4 * JO
    assert targets.ai_target_krw == 30 * JO
    assert targets.ai_progress_percent == 13.3
    assert targets.regional_krw == 3 * JO
    assert targets.regional_share_percent == 60.0
    assert targets.regional_target_met is True


@pytest.mark.django_db
def test_fund_targets_with_an_empty_ledger_have_no_regional_share():
    targets = fund_targets()

    assert (targets.committed_krw, targets.ai_related_krw, targets.regional_share_percent) == (
        0,
        0,
        None,
    )
    assert AnnualPlan.objects.count() == 4
