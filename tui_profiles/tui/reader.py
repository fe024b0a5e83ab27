"""Where tui/app.py still finds the reader, the clock and the periods, which now live below the TUI.

Only app.py imports from here (its top is being edited on another branch); point its import at
tui_profiles.reader, tui_profiles.domain.clock and tui_profiles.domain.periods, then delete this file.
"""

from ..domain.clock import Clock
from ..domain.periods import DEFAULT_PERIOD, PERIODS
from ..reader import StoreReader

__all__ = ["DEFAULT_PERIOD", "PERIODS", "Clock", "StoreReader"]
