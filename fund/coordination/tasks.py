"""Thin Celery tasks of the coordination queue: packet ids in, a service call, nothing else."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from fund.coordination import services as coordination


@shared_task(
    name="coordination.deliver_packet",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=True,
)
def deliver_packet(packet_id: str) -> str:
    """Deliver one packet. Idempotent (the inbox row is unique by packet id), so a message
    redelivered after a killed worker, or re-sent by the sweep, has no second effect."""
    try:
        return coordination.packet_deliver(packet_id=packet_id)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        # Anything else would fail again at once: note it for staff and let the sweep (with
        # its backoff and its cap) decide when to try again.
        coordination.packet_record_failure(packet_id=packet_id, error=repr(exc))
        raise


@shared_task(
    name="coordination.deliver_packets",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=2,
    retry_backoff_max=30,
    retry_jitter=True,
)
def deliver_packets(packet_ids: list[str]) -> dict:
    """Deliver a batch of packets with one commit (the sweep's re-sends, the status packets a
    batch writes back). Idempotent like `deliver_packet`: a redelivered or re-sent batch takes
    nothing in twice. A packet whose intake fails is left pending with its error noted, for
    the sweep; the others are delivered."""
    return coordination.packet_deliver_many(packet_ids=packet_ids)


@shared_task(name="coordination.sweep", acks_late=True, reject_on_worker_lost=True)
def sweep() -> dict:
    """Re-send what was not delivered in time; mark as stuck what exhausted its attempts."""
    return coordination.sweep()
