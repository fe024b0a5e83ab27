"""The growth benchmark at a tiny size on SQLite, so it never rots: every figure at every size, the table, the chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import orjson

from tests.bench import growth


def test_growth_runs_tiny_on_sqlite_and_draws_table_and_chart(tmp_path: Path) -> None:
    out, chart, keep = tmp_path / "growth.json", tmp_path / "growth.svg", tmp_path / "kept"
    common = ["--no-pg", "--samples", "1", "--work", str(tmp_path / "work"), "--out", str(out), "--chart", str(chart)]

    assert growth.main(["--sizes", "4000,6000", "--keep", str(keep), *common]) == 0

    results = orjson.loads(out.read_bytes())["results"]
    assert [(r["events"], r["backend"]) for r in results] == [(4000, "sqlite"), (6000, "sqlite")]
    for r in results:
        assert set(r["values"]) == {key for key, _ in growth.READS.values()} | {"steady events/s", "first load events/s"}
        assert r["steady_exact"], r["notes"]
    assert sorted(p.name for p in keep.glob("*.db")) == ["growth-4000.db", "growth-6000.db"]
    table = out.with_suffix(".md").read_text()
    assert "| figure | 4k SQLite | 6k SQLite | target |" in table
    assert "| filters p95 |" in table
    svg = ET.fromstring(chart.read_text())
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == len(growth.CHARTED) + 1  # one line a read figure, one for steady-state ingest

    chart.unlink()
    assert growth.main(["--sizes", "", *common]) == 0  # no size: table and chart redrawn from what is in --out
    assert orjson.loads(out.read_bytes())["results"] == results
    assert chart.exists()
