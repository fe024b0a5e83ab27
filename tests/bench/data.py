"""The benchmark's data, made with the project's own generator and kept in a cache between runs.

A data set is a history (the initial ingest), a steady-state set (more events
for the same people, with lines of earlier files mixed in as redeliveries), and
the history's lines in one plain NDJSON file for `sqlite-utils insert --nl`.
The cache key includes a hash of the generator's source, so a changed generator
makes new data.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from tui_profiles.generator import BAD_LINES_FILE, generate

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
GENERATOR_DIR = Path(__file__).resolve().parents[2] / "tui_profiles" / "generator"


@dataclass
class Dataset:
    root: str
    events: int
    users: int
    days: int
    seed: int
    end_ms: int  # the history's end: the "now" of every query figure
    bad_lines: int
    heavy_user: str
    steady_events: int  # new events in the steady-state set
    steady_duplicates: int  # lines of the history mixed into it
    generate_seconds: float

    @property
    def history(self) -> Path:
        return Path(self.root) / "history"

    @property
    def steady(self) -> Path:
        return Path(self.root) / "steady"

    @property
    def ndjson(self) -> Path:
        return Path(self.root) / "history.ndjson"


def _source_hash() -> str:
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(GENERATOR_DIR.glob("*.py")) + [Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def event_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not str(p.relative_to(folder)) == BAD_LINES_FILE)


def read_lines(path: Path) -> list[bytes]:
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return [line for line in data.split(b"\n") if line]


def write_lines(path: Path, lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    if path.name.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=5, mtime=0) as gz:
            gz.write(data)
    else:
        path.write_bytes(data)


def prepare(cache: Path, *, events: int, users: int, days: int, seed: int, steady_events: int, log=print) -> Dataset:  # noqa: ANN001
    """The data set for these sizes: from the cache, or generated now."""
    root = cache / f"data-e{events}-u{users}-d{days}-s{seed}-st{steady_events}-{_source_hash()}"
    manifest = root / "manifest.json"
    if manifest.exists():
        return Dataset(**orjson.loads(manifest.read_bytes()))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    began = time.perf_counter()
    end_ms = int(time.time() * 1000) // HOUR_MS * HOUR_MS
    log(f"generating {events:,} events over {users:,} users into {root} ...")
    history = generate(root / "history", events=events, users=users, days=days, seed=seed, end_ms=end_ms)
    # The same people (same namespace) a day later, from another seed.
    steady = generate(root / "steady", events=steady_events, users=max(1, users // 5), days=1, seed=seed + 1,
                      namespace=f"seed-{seed}", end_ms=end_ms + DAY_MS, bad_lines=False)  # fmt: skip
    duplicates = _mix_in_redeliveries(root / "history", root / "steady", steady_events // 10, seed)
    with open(root / "history.ndjson", "wb") as out:
        for path in event_files(root / "history"):
            out.write(b"\n".join(read_lines(path)) + b"\n")
    data = Dataset(
        root=str(root), events=history.events, users=history.users, days=days, seed=seed, end_ms=end_ms,
        bad_lines=history.bad_lines, heavy_user=history.heavy_users[0], steady_events=steady.events,
        steady_duplicates=duplicates, generate_seconds=round(time.perf_counter() - began, 1),
    )  # fmt: skip
    manifest.write_bytes(orjson.dumps(asdict(data)))
    log(f"  generated in {data.generate_seconds} s")
    return data


def _mix_in_redeliveries(history: Path, steady: Path, count: int, seed: int) -> int:
    """Put `count` distinct lines of history files into steady files at random places.

    A storage destination may deliver a batch again; the lines come back inside
    new files, so only the message id can tell them (the file identity cannot).
    """
    rng = random.Random(seed * 7919)
    sources, targets = event_files(history), event_files(steady)
    chosen: dict[tuple[Path, int], bytes] = {}
    while len(chosen) < count:
        path = rng.choice(sources)
        lines = read_lines(path)
        for i in rng.sample(range(len(lines)), min(len(lines), 25, count - len(chosen))):
            chosen[(path, i)] = lines[i]
    placed: dict[Path, list[bytes]] = {}
    for line in chosen.values():
        placed.setdefault(rng.choice(targets), []).append(line)
    for path, extra in placed.items():
        lines = read_lines(path)
        for line in extra:
            lines.insert(rng.randrange(len(lines) + 1), line)
        write_lines(path, lines)
    return len(chosen)
