"""Deliveries per second of the coordination queue with a real worker (a measurement, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/11 \
    .venv/bin/python scripts/measure_drain.py 200 [--single]

Writes N submitted proposals and their referral packets with the worker stopped, starts
`celery -A portal worker --concurrency=2`, sends the packets as the sweep does (batch
messages of coordination.DELIVERY_BATCH ids; `--single`: one delivery task per packet) and
times until every packet (the referrals and the status packets their intake writes back) is
delivered. Two fund staff users with mail exist (created once), so the intakes write their
mail too, as in a deployment. The database named by DATABASE_URL is migrated and its
proposals/packets are left in place.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from alliance.models import User  # noqa: E402
from fund.coordination import services as coordination  # noqa: E402
from fund.coordination.models import CoordinationPacket, PacketState  # noqa: E402
from fund.coordination.tasks import deliver_packet  # noqa: E402
from portal.celery import app  # noqa: E402
from portal.core.models import Notification  # noqa: E402
from portal.core.vocabulary import ProposalStatus, Role  # noqa: E402
from tests.factories import ProposalFactory, UserFactory  # noqa: E402


def main(count: int, single: bool) -> None:
    call_command("migrate", verbosity=0)
    import itertools
    import time as _t

    import tests.factories as _f

    _base = _t.time_ns() // 1000 % 10**11
    _f._brn_counter = itertools.count(_base % 900_000_000 + 100_000_000)
    for _cls in (_f.UserFactory, _f.FirmFactory, _f.ProposalFactory):
        _cls.reset_sequence(_base)
    keit = UserFactory(role=Role.ALLIANCE_SECRETARIAT)
    # The fund secretariat's staff, mailed about every referral taken in.
    for username in ("drain-kdb1", "drain-kdb2"):
        if not User.objects.filter(username=username).exists():
            UserFactory(username=username, role=Role.FUND_SECRETARIAT)
    mails_before = Notification.objects.count()
    ids, proposals = [], []
    for _ in range(count):
        proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
        with transaction.atomic():
            packet = coordination.proposal_refer(
                proposal_id=proposal.pk, actor=keit, channel="loan"
            )
        ids.append(str(packet.pk))
        proposals.append(proposal.pk)
    redis.Redis.from_url(app.conf.broker_url).flushdb()  # the on-commit sends: we send our own
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--concurrency=2",
            "--queues=default,scoring,coordination",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname=drain@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        while not app.control.ping(timeout=0.5):
            time.sleep(0.2)
        started = time.perf_counter()
        if single:
            for pk in ids:
                deliver_packet.apply_async(args=[pk], queue="coordination", retry=False)
        else:
            coordination.schedule_deliveries(packet_ids=ids)
        ours = CoordinationPacket.objects.filter(proposal__in=proposals)
        while ours.filter(state=PacketState.PENDING).exists():
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(30)
    delivered = ours.filter(state=PacketState.DELIVERED).count()
    print(
        f"{count} referrals, {delivered} packets delivered in {seconds:.2f} s: "
        f"{delivered / seconds:.1f} deliveries/s, {'single' if single else 'batch'} messages "
        f"(load {os.getloadavg()[0]:.1f}); "
        f"{Notification.objects.count() - mails_before} mails to 2 fund staff"
    )


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 200, "--single" in sys.argv[1:])
