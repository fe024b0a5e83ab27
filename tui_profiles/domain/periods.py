"""The periods a list or a report covers (`--since`, the user list's `p`), counted back from now."""

from __future__ import annotations

from ..config import DAY_MS

# In the order the user list's period switch cycles through them.
PERIODS: dict[str, int | None] = {"24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS, "90d": 90 * DAY_MS, "all": None}
DEFAULT_PERIOD = "7d"


def period_start(period: str, now_ms: int) -> int | None:
    """The first moment a period covers, None for all time."""
    window = PERIODS[period]
    return None if window is None else now_ms - window
