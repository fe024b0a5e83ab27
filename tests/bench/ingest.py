"""Ingest figures: the initial load and the steady state, the product against the floor and sqlite-utils.

Runs are interleaved (floor, product, sqlite-utils, floor, product, ...) so a
noisy neighbour slows both sides of a ratio alike. Every run is a child
process: its wall time includes start-up, its peak RSS is its own.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import orjson

from .data import Dataset
from .proc import PYTHON, VENV_BIN, PgServer, Run, check, run_measured
from .report import Figure

FLOOR_TARGET, STRETCH = 0.5, 2 / 3
SQLITE_UTILS_TARGET = 3  # issue 15: first load >= 3x `sqlite-utils insert --nl`
RSS_TARGET_MB = 200


@dataclass
class Stores:
    """What later figures run on: the product's store after the initial load, and the floor's."""

    product_url: str
    floor_target: str  # a SQLite path or a PostgreSQL URL


def product_ingest(url: str, folder: Path) -> tuple[Run, dict[str, int]]:
    run = check(run_measured([PYTHON, "-m", "tui_profiles", "--db", url, "ingest", str(folder), "--json"]), "tui-profiles ingest")
    return run, orjson.loads(run.stdout)


def floor(command: str, target: str, folder: Path) -> tuple[Run, dict[str, int]]:
    run = check(run_measured([PYTHON, "-m", "tests.bench.floor", command, target, str(folder)]), f"floor {command}")
    return run, orjson.loads(run.stdout)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _copy_sqlite(source: Path, target: Path) -> None:
    _remove_sqlite(target)
    for suffix in ("", "-wal"):
        if Path(str(source) + suffix).exists():
            shutil.copyfile(str(source) + suffix, str(target) + suffix)


def sqlite_figures(data: Dataset, work: Path, repeat: int, log) -> tuple[list[Figure], Stores]:  # noqa: ANN001
    product_db, floor_db, su_db = work / "product.db", work / "floor.db", work / "sqlite-utils.db"
    product_rates, floor_rates, su_rates, rss, floor_rss, cpu = [], [], [], [], [], []
    summary: dict[str, int] = {}
    for i in range(repeat):
        _remove_sqlite(floor_db)
        run, out = floor("sqlite-load", str(floor_db), data.history)
        floor_rates.append(out["rows"] / run.seconds)
        floor_rss.append(run.max_rss_mb)
        _remove_sqlite(product_db)
        run, summary = product_ingest(f"sqlite:///{product_db}", data.history)
        product_rates.append(summary["events"] / run.seconds)
        rss.append(run.max_rss_mb)
        cpu.append(run.cpu_seconds)
        _remove_sqlite(su_db)
        su = check(run_measured([str(VENV_BIN / "sqlite-utils"), "insert", str(su_db), "events", str(data.ndjson), "--nl", "--alter"]),
                   "sqlite-utils insert")  # fmt: skip
        su_rates.append(data.events / su.seconds)
        log(f"  initial ingest run {i + 1}/{repeat}: product {product_rates[-1]:,.0f}/s ({rss[-1]:.0f} MB), "
            f"floor {floor_rates[-1]:,.0f}/s, sqlite-utils {su_rates[-1]:,.0f}/s")  # fmt: skip
    exact = summary.get("events") == data.events and summary.get("rejected") == data.bad_lines
    initial = Figure(
        f"initial ingest ({data.events:,} events)", "sqlite", "events/s", samples=product_rates,
        baseline_name="floor", baseline_samples=floor_rates, target=f">= {FLOOR_TARGET:.2g}x floor (stretch {STRETCH:.2g}x)",
        extra={"product_summary": summary, "product_cpu_seconds": cpu, "store_mb": round(product_db.stat().st_size / 2**20)},
    ).settle()  # fmt: skip
    initial.met = initial.ratio is not None and initial.ratio >= FLOOR_TARGET and exact
    if not exact:
        initial.note = f"counts wrong: {summary} for {data.events} events and {data.bad_lines} bad lines"
    memory = Figure("initial ingest peak RSS", "sqlite", "MB", value=max(rss), samples=rss, baseline_name="floor",
                    baseline_samples=floor_rss, target=f"< {RSS_TARGET_MB} MB").settle()  # fmt: skip
    memory.met = memory.value is not None and memory.value < RSS_TARGET_MB
    versus = Figure("initial ingest vs sqlite-utils", "sqlite", "events/s", samples=product_rates,
                    baseline_name="sqlite-utils insert --nl", baseline_samples=su_rates,
                    target=f">= {SQLITE_UTILS_TARGET}x sqlite-utils").settle()  # fmt: skip
    versus.met = versus.ratio is not None and versus.ratio >= SQLITE_UTILS_TARGET

    steady = _sqlite_steady(data, work, product_db, floor_db, repeat, log)
    return [initial, memory, versus, steady], Stores(f"sqlite:///{product_db}", str(floor_db))


def _sqlite_steady(data: Dataset, work: Path, product_db: Path, floor_db: Path, repeat: int, log) -> Figure:  # noqa: ANN001
    lines = data.steady_events + data.steady_duplicates
    product_rates, floor_rates, results = [], [], []
    copy_product, copy_floor = work / "steady-product.db", work / "steady-floor.db"
    for i in range(repeat):
        _copy_sqlite(floor_db, copy_floor)
        run, out = floor("sqlite-steady", str(copy_floor), data.steady)
        floor_rates.append(out["rows"] / run.seconds)
        _copy_sqlite(product_db, copy_product)
        run, summary = product_ingest(f"sqlite:///{copy_product}", data.steady)
        product_rates.append(lines / run.seconds)
        results.append(summary)
        log(f"  steady-state run {i + 1}/{repeat}: product {product_rates[-1]:,.0f} lines/s, floor {floor_rates[-1]:,.0f}/s, "
            f"product counted {summary['events']:,} new / {summary['duplicates']:,} duplicates")  # fmt: skip
    _remove_sqlite(copy_product)
    _remove_sqlite(copy_floor)
    return _steady_figure("sqlite", data, product_rates, floor_rates, results, "floor INSERT OR IGNORE")


def _steady_figure(backend: str, data: Dataset, product: list[float], floor_rates: list[float], results: list[dict], name: str) -> Figure:
    exact = all(r["events"] == data.steady_events and r["duplicates"] == data.steady_duplicates for r in results)
    figure = Figure(
        f"steady-state ingest (+{data.steady_events:,}, {data.steady_duplicates:,} duplicates mixed in)", backend, "events/s",
        samples=product, baseline_name=name, baseline_samples=floor_rates,
        target=f">= {FLOOR_TARGET:.2g}x floor; duplicates counted exactly", extra={"product_summaries": results},
    ).settle()  # fmt: skip
    figure.met = figure.ratio is not None and figure.ratio >= FLOOR_TARGET and exact
    if not exact:
        figure.note = f"duplicates miscounted: expected {data.steady_events} new / {data.steady_duplicates} duplicates, got {results}"
    return figure


def pg_figures(data: Dataset, server: PgServer, repeat: int, log) -> tuple[list[Figure], Stores]:  # noqa: ANN001
    product_rates, floor_rates, rss = [], [], []
    product_url = floor_url = ""
    summary: dict[str, int] = {}
    for i in range(repeat):
        for url in (product_url, floor_url):
            if url:
                server.drop(server.name_of(url))
        floor_url = server.create()
        run, out = floor("pg-load", floor_url, data.history)
        floor_rates.append(out["rows"] / run.seconds)
        product_url = server.create()
        run, summary = product_ingest(product_url, data.history)
        product_rates.append(summary["events"] / run.seconds)
        rss.append(run.max_rss_mb)
        log(f"  initial ingest run {i + 1}/{repeat} [postgresql]: product {product_rates[-1]:,.0f}/s ({rss[-1]:.0f} MB), "
            f"floor {floor_rates[-1]:,.0f}/s")  # fmt: skip
    exact = summary.get("events") == data.events and summary.get("rejected") == data.bad_lines
    initial = Figure(f"initial ingest ({data.events:,} events)", "postgresql", "events/s", samples=product_rates,
                     baseline_name="floor (COPY)", baseline_samples=floor_rates,
                     target=f">= {FLOOR_TARGET:.2g}x floor", extra={"product_summary": summary}).settle()  # fmt: skip
    initial.met = initial.ratio is not None and initial.ratio >= FLOOR_TARGET and exact
    memory = Figure("initial ingest peak RSS", "postgresql", "MB", value=max(rss), samples=rss, target=f"< {RSS_TARGET_MB} MB")
    memory.met = max(rss) < RSS_TARGET_MB

    lines = data.steady_events + data.steady_duplicates
    steady_product, steady_floor, results = [], [], []
    for i in range(repeat):
        copy = server.create(template=server.name_of(floor_url))
        run, out = floor("pg-steady", copy, data.steady)
        steady_floor.append(out["rows"] / run.seconds)
        server.drop(server.name_of(copy))
        copy = server.create(template=server.name_of(product_url))
        run, summary = product_ingest(copy, data.steady)
        steady_product.append(lines / run.seconds)
        results.append(summary)
        server.drop(server.name_of(copy))
        log(f"  steady-state run {i + 1}/{repeat} [postgresql]: product {steady_product[-1]:,.0f} lines/s, "
            f"floor {steady_floor[-1]:,.0f}/s")  # fmt: skip
    steady = _steady_figure("postgresql", data, steady_product, steady_floor, results, "floor ON CONFLICT DO NOTHING")
    server.drop(server.name_of(floor_url))
    return [initial, memory, steady], Stores(product_url, "")
