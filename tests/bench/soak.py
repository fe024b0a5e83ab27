"""Soak: one `tui-profiles watch` and two viewer apps on one store for N minutes while the demo generator feeds the inbox.

Not part of CI or `make bench`: run it once after a change to how apps follow the store, and put its
figures in the note.

    .venv/bin/python -m tests.bench.soak [--minutes 10] [--db URL] [--per-minute 120] [--work DIR]

The viewers are the app, headless, with no inbox (tests/bench/tui_driver.py `viewer` mode); the watcher
is the real command in its own process. Every 10 s each viewer's resident memory is read from /proc.
At the end it prints, per viewer, RSS after warm-up and at the end, the new visitors it painted, its
exit code and anything it wrote to stderr; and for the watcher, its batches and any error line.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tui_profiles.demo import DemoFeeder, DemoPaths, prepare_demo
from tui_profiles.domain.clock import wall_ms

from .proc import PYTHON, ROOT


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.soak", description=__doc__)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--db", default=None, help="store URL (default: a new SQLite file in --work)")
    p.add_argument("--per-minute", type=float, default=120.0, help="new visitors a minute from the generator")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tui-profiles-soak")
    args = p.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    paths = DemoPaths(args.work)
    state = prepare_demo(paths, now=wall_ms())
    url = args.db or f"sqlite:///{args.work / 'soak.db'}"
    watch_log = args.work / "watch.log"
    with open(watch_log, "wb") as log:
        watch = subprocess.Popen([PYTHON, "-m", "tui_profiles", "--db", url, "watch", str(paths.inbox)], cwd=ROOT,
                                 stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        time.sleep(5)  # the history goes in first
        viewers = []
        for n in (1, 2):
            out, stop, ready = (args.work / f"viewer{n}.{s}" for s in ("json", "stop", "ready"))
            err = open(args.work / f"viewer{n}.err", "wb")  # noqa: SIM115 - closed below
            proc = subprocess.Popen([PYTHON, "-m", "tests.bench.tui_driver", str(out), url, str(wall_ms()), repr(time.time()),
                                     "viewer", "", "", str(stop), str(ready)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)  # fmt: skip
            viewers.append({"n": n, "proc": proc, "out": out, "stop": stop, "ready": ready, "err": err, "rss": []})
        for v in viewers:
            while not v["ready"].exists() and v["proc"].poll() is None:
                time.sleep(0.1)
        feeder = DemoFeeder(paths.live, returning=state.get("returning"), interval_s=1.0, per_minute=args.per_minute)
        feeder.start()
        began = time.monotonic()
        print(f"soak: {args.minutes:g} min on {url}; watcher pid {watch.pid}, viewers {[v['proc'].pid for v in viewers]}",
              file=sys.stderr, flush=True)  # fmt: skip
        try:
            while time.monotonic() - began < args.minutes * 60:
                for v in viewers:
                    v["rss"].append((round(time.monotonic() - began), rss_mb(v["proc"].pid)))
                if any(v["proc"].poll() is not None for v in viewers) or watch.poll() is not None:
                    print("soak: a process ended early", file=sys.stderr)
                    break
                time.sleep(10)
        finally:
            feeder.stop()
            time.sleep(3)  # the last lines reach the viewers
            for v in viewers:
                v["stop"].touch()
            for v in viewers:
                try:
                    v["proc"].wait(120)
                except subprocess.TimeoutExpired:
                    v["proc"].kill()
                v["err"].close()
            watch.terminate()
            watch.wait(60)
    import orjson

    said = watch_log.read_text(errors="replace").splitlines()
    batches = [line for line in said if "  new events " in line and not line.startswith("stopped")]
    # Not the word "error" anywhere: the demo's history has a file named export-with-errors.jsonl.
    errors = [line for line in said if "  new events " not in line and ("Traceback" in line or "Error" in line
              or "unavailable" in line or "the watcher stopped" in line)]  # fmt: skip
    print(f"\nsoak: {args.minutes:g} min, generator {feeder.lines_written:,} lines at {args.per_minute:g} visitors/min; store {url}")
    print(f"watcher: exit {watch.returncode}, {len(batches)} batches, error lines {len(errors)}")
    for line in errors[:5]:
        print(f"  {line}")
    for v in viewers:
        samples = [mb for _, mb in v["rss"] if mb is not None]
        warm = [mb for t, mb in v["rss"] if mb is not None and t >= 30] or samples
        painted = len(orjson.loads(v["out"].read_bytes())["painted"]) if v["out"].exists() else 0
        stderr = (args.work / f"viewer{v['n']}.err").read_text(errors="replace").strip()
        print(f"viewer {v['n']}: exit {v['proc'].returncode}, painted {painted} new visitors at the top; RSS after warm-up "
              f"{warm[0]:.0f} MB, at the end {samples[-1]:.0f} MB (min {min(warm):.0f}, max {max(warm):.0f}); "
              f"stderr: {stderr[-500:] or 'none'}")  # fmt: skip
    ok = watch.returncode == 0 and not errors and all(v["proc"].returncode == 0 for v in viewers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
