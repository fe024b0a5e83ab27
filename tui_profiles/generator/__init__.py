"""A seeded generator of realistic event files (Segment, RudderStack, PostHog), past and live.

    from tui_profiles.generator import generate, LiveFeed

    summary = generate(out_dir, events=1_000_000, users=50_000, days=60, seed=1, end_ms=end)
    feed = LiveFeed(seed=7, start_ms=now)      # then feed.due(now) every few seconds

`python -m tui_profiles.generator OUT_DIR --events N --users U --days D --seed S` from a shell.
Core code: no Textual, no Rich; stdlib and orjson only.
"""

from .history import BAD_LINES, BAD_LINES_FILE, GenerateSummary, generate
from .live import KINDS, LiveFeed

__all__ = ["BAD_LINES", "BAD_LINES_FILE", "KINDS", "GenerateSummary", "LiveFeed", "generate"]
