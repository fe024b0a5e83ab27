"""`python -m tests.bench [--smoke] [--pg URL] [--events N]`: run the benchmark, print the table, write bench-results.json.

Missed targets are reported, not failed: the exit code is 1 only when a part
of the benchmark itself broke (so CI's smoke run keeps it from rotting).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import orjson

from . import data as data_mod
from .proc import ROOT, PgServer
from .report import Figure, as_json, machine, table

PG_ENV = "TUI_PROFILES_TEST_PG_URL"

FULL = {"events": 1_000_000, "users": 50_000, "days": 60, "repeat": 3, "pg_repeat": 1, "samples": 30, "lines": 40,
        "cycles": 100, "launches": 3, "viewer_files": 40}  # fmt: skip
SMOKE = {"events": 20_000, "users": 1_000, "days": 14, "repeat": 2, "pg_repeat": 1, "samples": 10, "lines": 15,
         "cycles": 5, "launches": 2, "viewer_files": 8}  # fmt: skip
PARTS = ("ingest", "queries", "watcher", "kill", "tui", "viewer", "pg")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    p.add_argument("--smoke", action="store_true", help="a small size, a few minutes at most (CI)")
    p.add_argument("--pg", metavar="URL", default=None, help=f"also PostgreSQL on this server (default: ${PG_ENV} if set)")
    p.add_argument("--no-pg", action="store_true", help=f"SQLite only, even if ${PG_ENV} is set")
    p.add_argument("--events", type=int, default=None, help="history size (users: events / 20, steady state: events / 5)")
    p.add_argument("--users", type=int, default=None)
    p.add_argument("--repeat", type=int, default=None, help="runs of each ingest figure")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to run, of {','.join(PARTS)}")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tui-profiles-bench",
                   help="where data (cached between runs) and stores go")  # fmt: skip
    p.add_argument("--keep", action="store_true", help="keep this run's stores")
    p.add_argument("--store", type=Path, default=None,
                   help="a loaded SQLite store of the same data to read (a copy of it) instead of loading one, "
                        "for queries, watcher and tui; an older schema is upgraded in the copy")  # fmt: skip
    p.add_argument("--out", type=Path, default=ROOT / "bench-results.json")
    return p


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    size = dict(SMOKE if args.smoke else FULL)
    if args.events:
        size.update(events=args.events, users=args.users or max(1, args.events // 20))
    elif args.users:
        size["users"] = args.users
    if args.repeat:
        size.update(repeat=args.repeat, pg_repeat=args.repeat)
    parts = set(args.only.split(","))
    pg_url = None if args.no_pg else (args.pg or os.environ.get(PG_ENV) or None)
    began = time.perf_counter()
    run_dir = args.work / f"run-{os.getpid()}"
    run_dir.mkdir(parents=True, exist_ok=True)
    data = data_mod.prepare(args.work / "cache", events=size["events"], users=size["users"], days=size["days"],
                            seed=args.seed, steady_events=size["events"] // 5, log=log)  # fmt: skip
    figures: list[Figure] = []
    broken: list[str] = []

    def part(name: str, fn: Callable[[], list[Figure]]) -> None:
        if name.split(":")[0] not in parts:
            return
        log(f"{name} ...")
        try:
            figures.extend(fn())
        except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others' figures
            broken.append(name)
            traceback.print_exc()
            figures.append(Figure(name, "", "", note=f"ERROR: {type(exc).__name__}: {exc}"))

    stores: dict[str, str] = {}
    try:
        from . import ingest, live, reads, tui, viewer

        def sqlite_ingest() -> list[Figure]:
            found, made = ingest.sqlite_figures(data, run_dir, size["repeat"], log)
            stores["sqlite"] = made.product_url
            return found

        part("ingest", sqlite_ingest)
        if "sqlite" not in stores and parts & {"queries", "watcher", "tui", "viewer"}:  # they need a loaded store: one load, untimed
            stores["sqlite"] = _copy(f"sqlite:///{args.store}", run_dir / "product.db") if args.store else _load_once(data, run_dir)
        part("queries", lambda: reads.figures(stores["sqlite"], "sqlite", data, samples=size["samples"], log=log))
        part("watcher", lambda: live.watcher_figures(_copy(stores["sqlite"], run_dir / "watch.db"), "sqlite", data, run_dir,
                                                     lines=size["lines"], log=log))  # fmt: skip
        part("kill", lambda: [live.kill_loop_figure(run_dir, data, cycles=size["cycles"], log=log)])
        part("tui", lambda: tui.figures(stores["sqlite"], data, run_dir, launches=size["launches"], log=log))
        part("viewer", lambda: viewer.figures(_copy(stores["sqlite"], run_dir / "viewer.db"), "sqlite", run_dir,
                                              lines=size["viewer_files"], now_ms=data.end_ms, log=log))  # fmt: skip
        if pg_url and "pg" in parts:
            server = PgServer(pg_url)
            try:
                part("pg:ingest", lambda: _pg(server, data, size, run_dir, stores))
            finally:
                server.drop_all()
        elif "pg" in parts:
            log(f"PostgreSQL: skipped (no --pg URL and no ${PG_ENV})")
    finally:
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    meta = {"machine": machine(), "size": size, "smoke": args.smoke, "postgresql": bool(pg_url),
            "data": asdict(data), "wall_seconds": round(time.perf_counter() - began, 1), "broken_parts": broken}  # fmt: skip
    args.out.write_bytes(orjson.dumps(as_json(figures, meta), option=orjson.OPT_INDENT_2))
    print(table(figures))
    print(f"\n{data.events:,} events, {data.users:,} users; {meta['wall_seconds']} s; results in {args.out}")
    return 1 if broken else 0


def _copy(url: str, target: Path) -> str:
    source = Path(url.split("///", 1)[1])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def _load_once(data: data_mod.Dataset, run_dir: Path) -> str:
    from .ingest import product_ingest

    db = run_dir / "product.db"
    product_ingest(f"sqlite:///{db}", data.history)
    return f"sqlite:///{db}"


def _pg(server: PgServer, data: data_mod.Dataset, size: dict, run_dir: Path, stores: dict[str, str]) -> list[Figure]:
    from . import ingest, live, reads, viewer

    found, made = ingest.pg_figures(data, server, size["pg_repeat"], log)
    found += reads.figures(made.product_url, "postgresql", data, samples=size["samples"], log=log)
    copy = server.create(template=server.name_of(made.product_url))
    found += live.watcher_figures(copy, "postgresql", data, run_dir, lines=size["lines"], log=log)
    seen_copy = server.create(template=server.name_of(made.product_url))
    found += viewer.figures(seen_copy, "postgresql", run_dir, lines=size["viewer_files"], now_ms=data.end_ms, log=log)
    return found


if __name__ == "__main__":
    sys.exit(main())
