"""The fund's models, one module per concern; imported here so that Django registers them.

- `fund.capacity.models`: the four channels, annual plans and the commitment ledger.
- `fund.site.models`: the information site's notices, FAQ, events and registrations.
- `fund.coordination.models`: the KEIT–KDB coordination queue (packets and inboxes).
- `fund.review.models`: the fund secretariat's review pipeline and its working tools.
"""

from fund.capacity.models import *  # noqa: F403
from fund.coordination.models import *  # noqa: F403
from fund.review.models import *  # noqa: F403
from fund.site.models import *  # noqa: F403
