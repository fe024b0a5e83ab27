"""Figures: a median of samples, its baseline from the same run, the ratio, the target; the table and the JSON."""

from __future__ import annotations

import platform
import statistics
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Any


def median(samples: list[float]) -> float | None:
    return statistics.median(samples) if samples else None


def percentile(samples: list[float], q: float) -> float | None:
    """The q-th percentile (0-100), nearest rank: a p95 of 20 samples is the 19th."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


@dataclass
class Figure:
    """One row of the table. `ratio` is value / baseline (for paired samples, the median of the pairs'
    ratios); `met` compares the value, or the ratio, to the target."""

    name: str
    backend: str
    unit: str
    value: float | None = None
    samples: list[float] = field(default_factory=list)
    baseline_name: str | None = None
    baseline: float | None = None
    baseline_samples: list[float] = field(default_factory=list)
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def settle(self) -> "Figure":
        if self.value is None:
            self.value = median(self.samples)
        if self.baseline is None:
            self.baseline = median(self.baseline_samples)
        if self.samples and len(self.samples) == len(self.baseline_samples) and all(self.baseline_samples):
            # Samples taken in pairs (each run next to its baseline run): the median of the
            # pairs' ratios, so a burst of load on a shared machine moves both sides of one pair.
            self.ratio = median([s / b for s, b in zip(self.samples, self.baseline_samples)])
        elif self.value is not None and self.baseline:
            self.ratio = self.value / self.baseline
        return self


def skipped(name: str, backend: str, why: str, target: str = "") -> Figure:
    return Figure(name, backend, "", target=target, note=f"skipped: {why}")


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms", "s"):
        return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "events/s":
        return f"{value:,.0f}/s"
    return f"{value:,.3g} {unit}".strip()


def table(figures: list[Figure]) -> str:
    rows = [("figure", "db", "value", "baseline", "ratio", "target", "met")]
    for f in figures:
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        rows.append((
            f.name, f.backend, _fmt(f.value, f.unit),
            f"{_fmt(f.baseline, f.unit)} ({f.baseline_name})" if f.baseline_name else "-",
            "-" if f.ratio is None else f"{f.ratio:.2f}", f.target or "-", met,
        ))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {f.name} [{f.backend}]: {f.note}" for f in figures if f.note]
    return "\n".join(lines + (["", "notes:"] + notes if notes else []))


def machine() -> dict[str, Any]:
    """What the figures came from."""
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    mem_gb = None
    try:
        with open("/proc/meminfo") as fh:
            mem_gb = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    import os
    import sqlite3

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "system": f"{platform.system()} {platform.release()}", "commit": commit,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }  # fmt: skip


def as_json(figures: list[Figure], meta: dict[str, Any]) -> dict[str, Any]:
    return {"meta": meta, "figures": [asdict(f) for f in figures]}
