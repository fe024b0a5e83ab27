"""TUI figures: launch to first painted user list, keypress to updated screen, memory after scrolling everything.

The app runs under Pilot in a child process per measurement (tui_driver.py), so its
start-up and its memory are its own, with a driver that renders each frame to the text
a terminal would receive and records when it was written: a key is timed from the key
posted to the last frame it caused. The launch baseline is importing Textual and
SQLModel, timed in the same run.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import orjson

from .data import Dataset
from .proc import PYTHON, check, run_measured
from .report import Figure, median, percentile, skipped

LAUNCH_BEYOND_S = 0.8


def _drive(work: Path, url: str, data: Dataset, mode: str, *extra: str) -> dict:
    out = work / f"tui-{mode}.json"
    out.unlink(missing_ok=True)
    cmd = [PYTHON, "-m", "tests.bench.tui_driver", str(out), url, str(data.end_ms), repr(time.time()), mode, *extra]
    check(run_measured(cmd, timeout=1800), f"tui driver ({mode})")
    return orjson.loads(out.read_bytes())


def figures(url: str, data: Dataset, work: Path, *, launches: int, log) -> list[Figure]:  # noqa: ANN001
    names = ("TUI launch to first painted user list", "TUI keypress p95, idle", "TUI keypress p95, ingest running",
             "TUI memory after scrolling the list and the heavy timeline")  # fmt: skip
    if importlib.util.find_spec("tui_profiles.tui.app") is None:
        return [skipped(n, "sqlite", "the app (tui_profiles/tui/app.py) is not in this build") for n in names]
    launch, imports = [], []
    for _ in range(launches):
        imports.append(check(run_measured([PYTHON, "-c", "import textual.app, sqlmodel"]), "import baseline").seconds)
        launch.append(_drive(work, url, data, "launch")["launch_s"])
    first = Figure(names[0], "sqlite", "s", samples=launch, baseline_name="import textual.app, sqlmodel",
                   baseline_samples=imports, target=f"< baseline + {LAUNCH_BEYOND_S} s").settle()  # fmt: skip
    first.met = first.value - first.baseline < LAUNCH_BEYOND_S
    first.note = f"{first.value - first.baseline:+.2f} s beyond the imports"

    keys = _drive(work, url, data, "keys", data.heavy_user)
    idle = [ms for group, times in keys["keys_ms"].items() if not group.startswith("page down the") for ms in times]
    scrolling = {g: t for g, t in keys["keys_ms"].items() if g.startswith("page down the")}
    per_key = {g: round(median(t), 1) for g, t in keys["keys_ms"].items()}
    idle_fig = Figure(names[1], "sqlite", "ms", value=percentile(idle, 95), samples=idle, target="< 50 ms",
                      extra={"median_ms_per_key": per_key, "p95_while_scrolling_ms": {g: percentile(t, 95) for g, t in scrolling.items()}})  # fmt: skip  # noqa: E501
    idle_fig.met = idle_fig.value < 50
    idle_fig.note = "median per key: " + ", ".join(f"{g} {ms:.0f} ms" for g, ms in per_key.items())
    memory = Figure(names[3], "sqlite", "MB", value=keys.get("rss_mb"), target="< 200 MB",
                    extra={k: keys.get(k) for k in ("hwm_mb", "list_pages", "timeline_pages", "timeline_rows")})  # fmt: skip
    memory.met = memory.value is not None and memory.value < 200
    memory.note = (f"peak {keys.get('hwm_mb', 0):.0f} MB; {keys.get('list_pages')} pages of users, "
                   f"{keys.get('timeline_pages')} pages of a {keys.get('timeline_rows')}-row timeline")  # fmt: skip

    # With ingest running the app writes: it gets a copy of the store and an inbox of its own.
    live_db = work / "tui-live.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live_db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(url.split("///", 1)[1], live_db)
    inbox = work / "tui-inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir()
    live = _drive(work, f"sqlite:///{live_db}", data, "keys-live", "", str(inbox), str(data.steady))
    busy = [ms for times in live["keys_ms"].values() for ms in times]
    busy_fig = Figure(names[2], "sqlite", "ms", value=percentile(busy, 95), samples=busy, target="< 100 ms",
                      extra={"median_ms_per_key": {g: round(median(t), 1) for g, t in live["keys_ms"].items()}})  # fmt: skip
    busy_fig.met = busy_fig.value < 100
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live_db}{suffix}").unlink(missing_ok=True)
    log(f"  tui: launch {first.value:.2f} s (imports {first.baseline:.2f} s), keys p95 {idle_fig.value:.0f} ms idle / "
        f"{busy_fig.value:.0f} ms busy, memory {memory.value or 0:.0f} MB")  # fmt: skip
    return [first, idle_fig, busy_fig, memory]
