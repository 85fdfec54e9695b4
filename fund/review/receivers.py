"""The review pipeline's part in the coordination queue (connected in FundConfig.ready)."""

from fund.coordination import services as coordination
from fund.coordination.models import PacketKind
from fund.review import intake


def connect() -> None:
    """A referral opens a pipeline entry (one at a time or a delivery batch together); the
    applicant's answer to the fund's question goes into the proposal's history."""
    coordination.intake_register(
        PacketKind.REFERRAL, intake.intake_referral, batch=intake.intake_referrals
    )
    coordination.intake_register(PacketKind.INFO_PROVIDED, intake.intake_info_provided)
