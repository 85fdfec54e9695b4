"""Who works on which side of the coordination queue, and who may screen and refer."""

from __future__ import annotations

from alliance.models import User
from fund.coordination.models import (
    CoordinationPacket,
    PacketDirection,
)


def is_alliance_side(user: User) -> bool:
    return user.is_authenticated and user.is_alliance_staff


def is_fund_side(user: User) -> bool:
    return user.is_authenticated and user.is_fund_staff


def can_see_queue(user: User) -> bool:
    """Both secretariats see every packet (SPEC §3.5); nobody else sees any."""
    return user.is_authenticated and (
        user.is_superuser or user.is_alliance_staff or user.is_fund_staff
    )


def is_receiver(user: User, packet: CoordinationPacket) -> bool:
    """Whether `user` works on the side a packet is addressed to."""
    if packet.direction == PacketDirection.KEIT_TO_KDB:
        return is_fund_side(user)
    return is_alliance_side(user)


def can_screen(user: User) -> bool:
    return is_alliance_side(user)
