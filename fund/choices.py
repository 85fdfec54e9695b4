"""The fund's vocabulary (SPEC §5): codes are a contract; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _

JO = 1_000_000_000_000  # 1조원 in won
EOK = 100_000_000  # 1억원 in won
FUND_SIZE_KRW = 150 * JO


class ChannelCode(models.TextChoices):
    DIRECT = "direct", _("Direct investment")
    INDIRECT = "indirect", _("Indirect investment")
    LOAN = "loan", _("Ultra-low-rate loans")
    INFRA = "infra", _("Infrastructure investment & loans")
