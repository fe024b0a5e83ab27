"""How cost grows with the store: the read figures and steady-state ingest at several store sizes (not a test).

    .venv/bin/python -m tests.bench.growth --sizes 1000000,3000000 [--pg URL | --no-pg] [--keep DIR]

For each size: the generator's data (cached as `make bench` caches it: users = events / 20, 60 days), a store
loaded with it by `tui-profiles ingest` (or the one kept in DIR by an earlier run), then on it the user list
page, the live count, opening the heavy user (10,000 events once the history has 200,000), the timeline
figures, the filter set, and steady-state ingest of the same steady set into a copy (200,000 new lines, or a
fifth of a smaller history, 10 % of them redeliveries). Both databases when a PostgreSQL URL is given.

Results accumulate in `--out` (JSON, one entry a size and database; a later run at another size adds to it),
and every run rewrites the markdown table beside it and the chart (`--chart`, plain SVG text made here).
A 10M-event store takes about an hour to generate and load here: make it once with `--keep` outside CI.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import orjson

from . import data as data_mod
from .proc import ROOT, PgServer
from .report import machine

PG_ENV = "TUI_PROFILES_TEST_PG_URL"
STEADY_MAX = 200_000
# What each read figure of tests/bench/reads.py is called here, and its target (ms) where it has one.
READS = {"user list first page": ("list page", 20), "live visitor count": ("live count", 10),
         "profile open": ("profile open", 50), "timeline filtered to one event": ("timeline filtered", 50),
         "timeline jump to a date in the middle": ("timeline jump", 50), "filter set (20 queries), median": ("filters median", 50),
         "filter set (20 queries), p95": ("filters p95", 200)}  # fmt: skip
CHARTED = ("list page", "live count", "profile open", "filters median", "filters p95")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tests.bench.growth", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--sizes", required=True,
                   help="comma-separated history sizes in events, e.g. 1000000,3000000 ('' redraws the table and chart)")  # fmt: skip
    p.add_argument("--pg", metavar="URL", default=None, help=f"also PostgreSQL on this server (default: ${PG_ENV} if set)")
    p.add_argument("--no-pg", action="store_true", help="SQLite only")
    p.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (the SQLite results already in --out stay)")
    p.add_argument("--keep", type=Path, default=None, metavar="DIR",
                   help="keep each loaded SQLite store in DIR (growth-<events>.db; PostgreSQL: database tp_growth_<events>) "
                        "and reuse it next time instead of loading again")  # fmt: skip
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tui-profiles-bench",
                   help="where data (cached between runs) and throwaway stores go")  # fmt: skip
    p.add_argument("--samples", type=int, default=30, help="samples of each read figure")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=ROOT / "bench-growth.json", help="results (the table goes beside it, .md)")
    p.add_argument("--chart", type=Path, default=ROOT / "tests" / "screenshots" / "growth.svg")
    p.add_argument("--fresh", action="store_true", help="forget the results already in --out")
    return p


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _key(name: str) -> tuple[str, float | None] | None:
    for prefix, (key, target) in READS.items():
        if name.startswith(prefix):
            return key, target
    return None


def measure(data: data_mod.Dataset, url: str, backend: str, samples: int, steady_copy: str, loaded_s: float | None) -> dict:
    """One size on one database: the read figures on `url`, then steady-state ingest into `steady_copy`."""
    from . import reads
    from .ingest import product_ingest

    values: dict[str, float] = {}
    notes: dict[str, str] = {}
    for f in reads.figures(url, backend, data, samples=samples, log=log):
        found = _key(f.name)
        if found and f.value is not None:
            values[found[0]] = round(f.value, 2)
            if f.note:
                notes[found[0]] = f.note
    lines = data.steady_events + data.steady_duplicates
    run, summary = product_ingest(steady_copy, data.steady)
    values["steady events/s"] = round(lines / run.seconds)
    exact = summary["events"] == data.steady_events and summary["duplicates"] == data.steady_duplicates
    if not exact:
        notes["steady events/s"] = f"miscounted: {summary} for {data.steady_events} new / {data.steady_duplicates} duplicates"
    if loaded_s:
        values["first load events/s"] = round(data.events / loaded_s)
    log(f"  [{backend} {data.events:,}] " + ", ".join(f"{k} {v:,}" for k, v in values.items()))
    return {"events": data.events, "backend": backend, "values": values, "notes": notes, "steady_lines": lines,
            "steady_exact": exact, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}  # fmt: skip


def _sqlite_files(path: Path) -> list[Path]:
    return [Path(f"{path}{s}") for s in ("", "-wal", "-shm", "-journal")]


def _copy_sqlite(source: Path, target: Path) -> None:
    for p in _sqlite_files(target):
        p.unlink(missing_ok=True)
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def _load(url: str, data: data_mod.Dataset) -> float:
    from .ingest import product_ingest

    log(f"  loading {data.events:,} events into {url.split('@')[-1]} ...")
    run, summary = product_ingest(url, data.history)
    if summary["events"] != data.events:
        raise RuntimeError(f"first load counted {summary['events']} events of {data.events}")
    return run.seconds


def sqlite_size(data: data_mod.Dataset, work: Path, keep: Path | None, samples: int) -> dict:
    """A loaded store (kept, or made now) and its figures; a kept store is reused only for the same data."""
    loaded_s = None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        db, stamp = keep / f"growth-{data.events}.db", keep / f"growth-{data.events}.json"
        if not (db.exists() and stamp.exists() and orjson.loads(stamp.read_bytes()).get("data") == data.root):
            for p in _sqlite_files(db):
                p.unlink(missing_ok=True)
            loaded_s = _load(f"sqlite:///{db}", data)
            stamp.write_bytes(orjson.dumps({"data": data.root, "load_seconds": loaded_s}))
    else:
        db = work / f"growth-{data.events}.db"
        for p in _sqlite_files(db):
            p.unlink(missing_ok=True)
        loaded_s = _load(f"sqlite:///{db}", data)
    reads_db, steady_db = work / "growth-reads.db", work / "growth-steady.db"
    _copy_sqlite(db, reads_db)  # a kept store is never written: a schema upgrade or the steady set go into copies
    try:
        _copy_sqlite(db, steady_db)
        return measure(data, f"sqlite:///{reads_db}", "sqlite", samples, f"sqlite:///{steady_db}", loaded_s)
    finally:
        for p in _sqlite_files(reads_db) + _sqlite_files(steady_db) + ([] if keep else _sqlite_files(db)):
            p.unlink(missing_ok=True)


def pg_size(data: data_mod.Dataset, server: PgServer, keep: bool, samples: int) -> dict:
    """As `sqlite_size` on PostgreSQL; a kept database is `tp_growth_<events>`, renamed to it only once loaded."""
    import psycopg
    from psycopg import sql

    kept = f"tp_growth_{data.events}"
    with psycopg.connect(**server.admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (kept,)).fetchone() is not None
    loaded_s = None
    if keep and exists:
        source = kept
    else:
        url = server.create()
        loaded_s = _load(url, data)
        source = server.name_of(url)
        if keep:
            server.made.remove(source)
            with psycopg.connect(**server.admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(kept)))
                conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(source), sql.Identifier(kept)))
            source = kept
    reads_url = server.create(template=source)
    steady_url = server.create(template=source)
    try:
        return measure(data, reads_url, "postgresql", samples, steady_url, loaded_s)
    finally:
        for url in (reads_url, steady_url):
            server.drop(server.name_of(url))
        if not keep:
            server.drop(source)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    pg = None if args.no_pg else (args.pg or os.environ.get(PG_ENV) or None)
    results = [] if args.fresh or not args.out.exists() else orjson.loads(args.out.read_bytes())["results"]
    work = args.work / f"growth-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    server = PgServer(pg) if pg else None
    began = time.perf_counter()
    try:
        for events in sizes:
            data = data_mod.prepare(args.work / "cache", events=events, users=max(1, events // 20), days=60 if events >= 200_000 else 14,
                                    seed=args.seed, steady_events=min(STEADY_MAX, events // 5), log=log)  # fmt: skip
            runs = [] if args.no_sqlite else [lambda: sqlite_size(data, work, args.keep, args.samples)]
            if server:
                runs.append(lambda: pg_size(data, server, args.keep is not None, args.samples))
            for run in runs:
                entry = run()
                results = [r for r in results if (r["events"], r["backend"]) != (entry["events"], entry["backend"])] + [entry]
                results.sort(key=lambda r: (r["backend"] != "sqlite", r["events"]))
                write(args, results)  # after each, so a long run that breaks later keeps what it measured
        write(args, results)
    finally:
        if server:
            server.drop_all()
        shutil.rmtree(work, ignore_errors=True)
    print(markdown(results))
    log(f"{time.perf_counter() - began:.0f} s; results in {args.out}, chart in {args.chart}")
    return 0


def write(args: argparse.Namespace, results: list[dict]) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps({"machine": machine(), "results": results}, option=orjson.OPT_INDENT_2))
    args.out.with_suffix(".md").write_text(markdown(results) + "\n")
    args.chart.parent.mkdir(parents=True, exist_ok=True)
    args.chart.write_text(svg_chart(results))


def _size(events: int) -> str:
    return f"{events / 1e6:g}M" if events >= 1_000_000 else f"{events / 1e3:g}k"


def markdown(results: list[dict]) -> str:
    """One row a figure, one column a size and database."""
    columns = [(r["events"], r["backend"]) for r in results]
    by = {(r["events"], r["backend"]): r for r in results}
    names = [k for k, _ in READS.values()] + ["steady events/s", "first load events/s"]
    targets = {k: f"< {t} ms" for k, t in READS.values()}
    head = ["figure"] + [f"{_size(e)} {'SQLite' if b == 'sqlite' else 'PostgreSQL'}" for e, b in columns] + ["target"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        cells = []
        for col in columns:
            value = by[col]["values"].get(name)
            missed = name in targets and value is not None and value >= float(targets[name].split()[1])
            text = "-" if value is None else f"{value:,.0f}/s" if "/s" in name else f"{value:,.1f} ms"
            cells.append(f"**{text}**" if missed else text)
        rows.append("| " + " | ".join([name, *cells, targets.get(name, "-")]) + " |")
    return "\n".join(rows)


def svg_chart(results: list[dict]) -> str:
    """Two panels: read figures in ms on a log scale, and steady-state ingest in events/s, against store size."""
    width, height, pad = 760, 320, 48
    panel = (width - 3 * pad) // 2
    colours = dict(zip(CHARTED, ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e")))
    sizes = sorted({r["events"] for r in results}) or [1]
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes))

    def x_of(events: int, left: int) -> float:
        return left + (panel / 2 if hi == lo else (math.log10(events) - lo) / (hi - lo) * panel)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           'font-family="sans-serif" font-size="11">', f'<rect width="{width}" height="{height}" fill="white"/>']  # fmt: skip
    top, bottom = 30, height - 76

    def axes(left: int, title: str, ticks: list[tuple[float, str]]) -> None:
        out.append(f'<text x="{left}" y="18" font-weight="bold">{title}</text>')
        out.append(f'<line x1="{left}" y1="{bottom}" x2="{left + panel}" y2="{bottom}" stroke="#444"/>')
        out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#444"/>')
        for y, label in ticks:
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + panel}" y2="{y:.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
        for events in sizes:
            out.append(f'<text x="{x_of(events, left):.1f}" y="{bottom + 14}" text-anchor="middle">{_size(events)}</text>')
        out.append(f'<text x="{left + panel / 2}" y="{bottom + 28}" text-anchor="middle">events in the store</text>')

    def series(left: int, points: list[tuple[int, float]], y_of, colour: str, dashed: bool) -> None:  # noqa: ANN001
        if not points:
            return
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        path = " ".join(f"{x_of(e, left):.1f},{y_of(v):.1f}" for e, v in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for e, v in points:
            out.append(f'<circle cx="{x_of(e, left):.1f}" cy="{y_of(v):.1f}" r="3" fill="{colour}"/>')

    # Left: read figures, ms, log scale from 0.1 ms to 1 s.
    ms_lo, ms_hi = -1.0, 3.0

    def y_ms(v: float) -> float:
        return bottom - (math.log10(max(v, 0.1)) - ms_lo) / (ms_hi - ms_lo) * (bottom - top)

    left = pad + 10
    axes(left, "reads (ms, log scale)", [(y_ms(10**e), f"{10**e:g}") for e in range(-1, 4)])
    for name in CHARTED:
        for backend in ("sqlite", "postgresql"):
            pts = [(r["events"], r["values"][name]) for r in results if r["backend"] == backend and name in r["values"]]
            series(left, sorted(pts), y_ms, colours[name], backend == "postgresql")
    # Right: steady-state ingest, events/s, linear from 0.
    right = left + panel + pad + 10
    rates = [r["values"].get("steady events/s", 0) for r in results]
    top_rate = max(rates + [1]) * 1.15
    step = 10 ** math.floor(math.log10(top_rate)) / 2 if top_rate > 10 else 1

    def y_rate(v: float) -> float:
        return bottom - v / top_rate * (bottom - top)

    axes(right, "steady-state ingest (events/s)", [(y_rate(i * step), f"{i * step:,.0f}") for i in range(int(top_rate // step) + 1)])
    for backend in ("sqlite", "postgresql"):
        pts = [(r["events"], r["values"]["steady events/s"]) for r in results
               if r["backend"] == backend and "steady events/s" in r["values"]]  # fmt: skip
        series(right, sorted(pts), y_rate, "#333", backend == "postgresql")
    # Legend: one colour a figure; solid SQLite, dashed PostgreSQL.
    x = left
    for name in CHARTED:
        out.append(f'<rect x="{x}" y="{height - 32}" width="10" height="10" fill="{colours[name]}"/>')
        out.append(f'<text x="{x + 14}" y="{height - 23}">{name}</text>')
        x += 14 + 7 * len(name) + 16
    x = left
    out.append(f'<text x="{x}" y="{height - 7}">solid: SQLite, dashed: PostgreSQL</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
