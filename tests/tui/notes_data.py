"""Notes on Bob of the demo store, for the notes snapshots and the README screenshot: two authors, one edited,
one long and pasted from a ticket with markup in it."""

from __future__ import annotations

from tests.tui.support import HOSTILE_NAME, NOW
from tui_profiles.store import notes, queries
from tui_profiles.store.engine import make_engine

MIN = 60_000


def write_bob_notes(url: str) -> None:
    engine = make_engine(url, writer=True)
    with engine.begin() as conn:
        bob = queries.find_profile(conn, "user-bob")
        assert bob is not None
        notes.add_note(conn, bob, "Asked for an invoice in EUR.\nSent it on 2026-11-18.", author="sam", now_ms=NOW - 2 * 24 * 60 * MIN)
        mine = notes.add_note(conn, bob, "Refund of order o-7 promised by Friday.", author="dana", now_ms=NOW - 90 * MIN)
        notes.edit_note(conn, mine.id, "Refund of order o-7 promised by Friday.\nFinance says Monday: told him.", author="dana",
                        now_ms=NOW - 30 * MIN)  # fmt: skip
        notes.add_note(conn, bob, f"Pasted from the ticket: {HOSTILE_NAME}\n" + "\n".join(f"line {i}" for i in range(1, 9)),
                       author="sam", now_ms=NOW - 5 * MIN)  # fmt: skip
    engine.dispose()
