"""What staff do to a profile: exclude or include its traffic; erase it on request (the right to erasure).

A person is an identified profile and the anonymous profiles of the ids only they used or were linked with
(spec: "Excluding or erasing a person covers their anonymous profiles too (the same human)"). Opening
one of those anonymous profiles finds the person too. An anonymous id also linked to another user (a
shared device) is not the person's alone: "only what belongs to the erased person goes" — their events
on it (signed in, or merged into them) — and the id, its anonymous profile and the other user stay.
An anonymous profile never linked to anyone, or shared by several users, is erased as itself: its id
and every event carrying it (a shared device's erasure says whose events go with it).

Erasure removes, in one transaction: those events; the person's identity links, anonymous ids and
identity decisions; the sessions and aggregates rebuilt from what is left (a profile left empty is
removed), the companies those events fed recomputed, the catalog entries no other event has, and the
quarantined lines that carry one of the erased ids. The erased ids go on the suppression list
(store/suppression.py), so the writer drops them if the same files are read again. Earlier audit
entries that name one of them lose it (store/audit.py), and the erasure's own entry holds only counts.

Every change here is written to the audit log in its own transaction, naming `author`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..config import Settings
from ..domain.formats import PAGE
from ..domain.identity import ANONYMOUS, IDENTIFIED
from . import audit, changes, company_upkeep, overrides, raw_blocks, suppression
from .models import ANON_IDS, CATALOG, EVENTS, LINKS, META, NOTES, PROFILES, REJECTED
from .writer import _PG_WRITER_LOCK, StoreWriter, trait_paths


def set_excluded(conn: Connection, profile_id: int, excluded: bool, *, author: str, now_ms: int) -> int:
    """Exclude (or include again) a profile's traffic from every count; how many profiles that was (0: none).

    A user's exclusion covers the anonymous profiles of the ids only they used (the same human); an
    anonymous profile's covers itself. The audit entry names the profile's id, until the person is erased.
    """
    take_writer_lock(conn)  # the change log's numbers follow commit order (store/changes.py)
    person = person_of(conn, profile_id)
    if person is None:
        return 0
    own = person.profile_id == profile_id and person.kind == IDENTIFIED
    ids = [profile_id, *person.anonymous_profiles] if own else [profile_id]
    conn.execute(PROFILES.update().where(PROFILES.c.id.in_(ids)).values(excluded=excluded))
    action = audit.EXCLUDE if excluded else audit.INCLUDE
    target = person.external_id if own else conn.execute(sa.select(PROFILES.c.external_id).where(PROFILES.c.id == profile_id)).scalar()
    audit.record(conn, author=author, action=action, target=target, at_ms=now_ms,
                 detail={"profiles": len(ids)} if len(ids) > 1 else None)  # fmt: skip
    changes.record(conn, set(ids), at_ms=now_ms)
    return len(ids)


@dataclass(frozen=True, slots=True)
class Person:
    """Who a profile is, for exclusion and erasure: the identified profile and its own anonymous ids."""

    profile_id: int  # the identified profile, or the anonymous profile erased as itself
    kind: str
    external_id: str
    own_ids: tuple[str, ...]  # anonymous ids only this person used or was linked with
    shared_ids: tuple[str, ...]  # anonymous ids also linked to (or used by) other users: they stay
    shared_with: tuple[str, ...]  # those other users
    anonymous_profiles: tuple[int, ...]  # the anonymous profiles of own_ids


def _users_of(conn: Connection, anon_ids: list[str]) -> dict[str, set[str]]:
    """anonymous id -> every user it was linked with or used by (links, and the users' own anonymous ids)."""
    users: dict[str, set[str]] = {a: set() for a in anon_ids}
    if not anon_ids:
        return users
    for a, u in conn.execute(sa.select(LINKS.c.anonymous_id, LINKS.c.user_id).where(LINKS.c.anonymous_id.in_(anon_ids)).distinct()):
        users[a].add(u)
    used = sa.select(ANON_IDS.c.anonymous_id, PROFILES.c.external_id).select_from(
        ANON_IDS.join(PROFILES, PROFILES.c.id == ANON_IDS.c.profile_id)).where(ANON_IDS.c.anonymous_id.in_(anon_ids))  # fmt: skip
    for a, u in conn.execute(used):
        users[a].add(u)
    return users


def person_of(conn: Connection, profile_id: int) -> Person | None:
    """The person a profile is: an anonymous profile linked to one user only is that user."""
    row = conn.execute(sa.select(PROFILES.c.kind, PROFILES.c.external_id).where(PROFILES.c.id == profile_id)).first()
    if row is None:
        return None
    kind, external_id = row
    if kind == ANONYMOUS:
        users = _users_of(conn, [external_id])[external_id]
        if len(users) == 1:
            user_pid = conn.execute(
                sa.select(PROFILES.c.id).where(PROFILES.c.kind == IDENTIFIED, PROFILES.c.external_id == next(iter(users)))
            ).scalar()
            if user_pid is not None:
                return person_of(conn, int(user_pid))
        return Person(int(profile_id), ANONYMOUS, external_id, (external_id,), (), tuple(sorted(users)), ())
    anon_ids = {a for (a,) in conn.execute(sa.select(ANON_IDS.c.anonymous_id).where(ANON_IDS.c.profile_id == profile_id))}
    anon_ids.update(a for (a,) in conn.execute(sa.select(LINKS.c.anonymous_id).where(LINKS.c.user_id == external_id)))
    anon_ids.discard(external_id)
    users = _users_of(conn, sorted(anon_ids))
    own = sorted(a for a in anon_ids if users[a] <= {external_id})
    shared = sorted(a for a in anon_ids if not users[a] <= {external_id})
    others = sorted({u for a in shared for u in users[a]} - {external_id})
    anon_pids = [int(pid) for (pid,) in conn.execute(
        sa.select(PROFILES.c.id).where(PROFILES.c.kind == ANONYMOUS, PROFILES.c.external_id.in_(own)))] if own else []  # fmt: skip
    return Person(int(profile_id), IDENTIFIED, external_id, tuple(own), tuple(shared), tuple(others), tuple(sorted(anon_pids)))


@dataclass(frozen=True, slots=True)
class ErasurePlan:
    """What erasing a profile will remove, to show before asking."""

    profile_id: int
    kind: str
    external_id: str
    ids: tuple[str, ...]  # every id that will be erased and suppressed
    events: int  # events removed in all
    other_profiles: tuple[str, ...]  # identified profiles that lose events (erasing a shared device itself)
    other_events: int  # how many of the events are theirs
    profiles: int = 1  # profiles erased: the person's and their own anonymous profiles
    shared_ids: tuple[str, ...] = ()  # anonymous ids the person shares with other users: they stay
    shared_with: tuple[str, ...] = ()  # those users, who keep their events
    notes: int = 0  # notes on the person's profiles: they go too


@dataclass(frozen=True, slots=True)
class ErasureReport:
    plan: ErasurePlan
    profiles_removed: int
    rejected_removed: int
    companies_recomputed: tuple[str, ...]
    # For views to refresh, as after an ingest batch: profiles rewritten, profiles gone.
    touched_profiles: frozenset[int] = frozenset()
    removed_profiles: frozenset[int] = frozenset()


def _erased_ids(person: Person) -> list[str]:
    return sorted({person.external_id, *person.own_ids})


def _carrying(person: Person) -> sa.ColumnElement[bool]:
    """Events to erase: the person's own (signed in, or merged into them) and every event carrying one of
    their own ids. An event with user id X belongs to X's identified profile (the first identity rule), so
    "user id in ids" is asked of profiles: every term then has an index. A shared id's other events stay."""
    ids = _erased_ids(person)
    profiles = sa.select(PROFILES.c.id).where(PROFILES.c.external_id.in_(ids))
    link_messages = sa.select(LINKS.c.message_id).where(sa.or_(LINKS.c.user_id.in_(ids), LINKS.c.anonymous_id.in_(ids)))
    return sa.or_(
        EVENTS.c.profile_id == person.profile_id, EVENTS.c.profile_id.in_(profiles), EVENTS.c.anonymous_id.in_(ids),
        EVENTS.c.message_id.in_(link_messages),
    )  # fmt: skip


def erasure_plan(conn: Connection, profile_id: int) -> ErasurePlan | None:
    person = person_of(conn, profile_id)
    if person is None:
        return None
    per_profile = dict(
        conn.execute(sa.select(EVENTS.c.profile_id, sa.func.count()).where(_carrying(person)).group_by(EVENTS.c.profile_id)).all()
    )
    others = conn.execute(
        sa.select(PROFILES.c.id, PROFILES.c.external_id).where(
            PROFILES.c.id.in_(list(per_profile)), PROFILES.c.id != person.profile_id, PROFILES.c.kind != ANONYMOUS
        ).order_by(PROFILES.c.external_id)
    ).all()  # fmt: skip
    return ErasurePlan(
        profile_id=person.profile_id, kind=person.kind, external_id=person.external_id, ids=tuple(_erased_ids(person)),
        events=int(sum(per_profile.values())), other_profiles=tuple(ext for _, ext in others),
        other_events=int(sum(per_profile[pid] for pid, _ in others)), profiles=1 + len(person.anonymous_profiles),
        shared_ids=person.shared_ids, shared_with=person.shared_with if person.kind == IDENTIFIED else (),
        notes=_count_notes(conn, _note_profiles(person)),
    )  # fmt: skip


def erase_profile(engine: Engine, profile_id: int, *, settings: Settings, now_ms: int, author: str) -> ErasureReport | None:
    """Erase a profile and everything it fed, in one transaction; None if there is no such profile.

    The audit log gets an `erase` entry by `author` with counts only, and loses the person from earlier entries.
    """
    with engine.begin() as conn:
        take_writer_lock(conn)
        person = person_of(conn, profile_id)
        plan = erasure_plan(conn, profile_id)
        if plan is None or person is None:
            return None
        profile_id = person.profile_id
        ids = list(plan.ids)
        carrying = _carrying(person)
        affected = {pid for (pid,) in conn.execute(sa.select(EVENTS.c.profile_id).where(carrying).distinct())}
        # The anonymous profiles that showed those events (merged into the person) are folded again too.
        affected.update(pid for (pid,) in conn.execute(
            sa.select(EVENTS.c.anon_profile_id).where(carrying, EVENTS.c.anon_profile_id.is_not(None)).distinct()))  # fmt: skip
        affected.update(person.anonymous_profiles)
        groups = [g for (g,) in conn.execute(sa.select(EVENTS.c.group_id).where(carrying, EVENTS.c.group_id.is_not(None)).distinct())]
        names = [n for (n,) in conn.execute(sa.select(EVENTS.c.name).where(carrying, EVENTS.c.name.is_not(None)).distinct())]
        pages_stmt = sa.select(EVENTS.c.path).where(carrying, EVENTS.c.type == PAGE, EVENTS.c.path.is_not(None)).distinct()
        pages = [p for (p,) in conn.execute(pages_stmt)]
        trait_keys = _trait_keys(conn, carrying)
        raw_blocks.blank(conn, conn.execute(sa.select(EVENTS.c.raw_block, EVENTS.c.raw_slot).where(carrying)).all())
        conn.execute(EVENTS.delete().where(carrying))
        conn.execute(LINKS.delete().where(sa.or_(LINKS.c.user_id.in_(ids), LINKS.c.anonymous_id.in_(ids))))
        conn.execute(ANON_IDS.delete().where(sa.or_(ANON_IDS.c.anonymous_id.in_(ids), ANON_IDS.c.profile_id == profile_id)))
        affected.add(profile_id)
        touched, removed = StoreWriter(engine, settings).rebuild_profiles(conn, affected)
        company_upkeep.rebuild(conn, groups)
        _forget_catalog(conn, "event", names, EVENTS.c.name)
        _forget_catalog(conn, "page", pages, EVENTS.c.path, EVENTS.c.type == PAGE)
        _forget_trait_keys(conn, trait_keys)
        rejected = _erase_quarantine(conn, ids)
        # The person's profiles' notes, and those of any profile the erasure left empty (removed).
        notes = _erase_notes(conn, _note_profiles(person) | removed)
        suppression.add(conn, ids, now_ms=now_ms)
        overrides.forget(conn, ids)
        redacted = audit.redact(conn, ids)
        audit.record(conn, author=author, action=audit.ERASE, target=audit.ERASED, at_ms=now_ms, detail={
            "events": plan.events, "profiles": len(removed), "ids": len(ids), "quarantined_lines": rejected,
            "other_profiles": len(plan.other_profiles), "other_events": plan.other_events, "audit_entries_redacted": redacted,
            **({"notes": notes} if notes else {}),  # only when there were some: older entries read as before
        })  # fmt: skip
        changes.record(conn, touched - removed - {profile_id}, removed | {profile_id}, at_ms=now_ms)
    return ErasureReport(
        plan=plan, profiles_removed=len(removed), rejected_removed=rejected, companies_recomputed=tuple(sorted(groups)),
        touched_profiles=frozenset(touched), removed_profiles=frozenset(removed),
    )  # fmt: skip


def _note_profiles(person: Person) -> set[int]:
    """The profiles whose notes an erasure removes: the person's own; a shared id's anonymous profile stays, with its notes."""
    return {person.profile_id, *person.anonymous_profiles}


def _count_notes(conn: Connection, profile_ids: set[int]) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(NOTES).where(NOTES.c.profile_id.in_(sorted(profile_ids)))).scalar_one())


def _erase_notes(conn: Connection, profile_ids: set[int]) -> int:
    ids = sorted(profile_ids)
    return sum(conn.execute(NOTES.delete().where(NOTES.c.profile_id.in_(ids[i : i + 500]))).rowcount or 0 for i in range(0, len(ids), 500))


def take_writer_lock(conn: Connection) -> None:
    """Be the one writer before reading what to change (see store/engine.py on SQLite's BUSY)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITER_LOCK})")
    else:
        # A deferred SQLite transaction that reads first can fail to upgrade to writing;
        # a write as the first statement waits for the lock instead.
        conn.execute(META.update().where(META.c.key == "schema_version").values(value=META.c.value))


def _trait_keys(conn: Connection, carrying: sa.ColumnElement[bool]) -> dict[str, set[tuple[str, ...]]]:
    """Trait keys the erased events set, as the catalog writes them (dotted) with the paths they stand for."""
    keys: dict[str, set[tuple[str, ...]]] = {}
    for (traits,) in conn.execute(sa.select(EVENTS.c.traits).where(carrying, EVENTS.c.traits.is_not(None))):
        for part in ("set", "set_once"):
            doc = (traits or {}).get(part)
            if isinstance(doc, dict):
                for dotted, path in zip(trait_paths(doc), _paths(doc)):
                    keys.setdefault(dotted, set()).add(path)
    return keys


def _paths(traits: dict, prefix: tuple[str, ...] = (), depth: int = 3) -> list[tuple[str, ...]]:
    """The paths behind writer.trait_paths, in the same order."""
    out = []
    for key, value in traits.items():
        if not isinstance(key, str):
            continue
        out.append((*prefix, key))
        if isinstance(value, dict) and depth > 1:
            out.extend(_paths(value, (*prefix, key), depth - 1))
    return out


def _forget_trait_keys(conn: Connection, keys: dict[str, set[tuple[str, ...]]]) -> None:
    """Drop trait keys no remaining profile has (a key SQLite cannot address is kept)."""
    gone = [dotted for dotted, paths in sorted(keys.items()) if not any(_some_profile_has(conn, p) for p in paths)]
    for i in range(0, len(gone), 500):
        conn.execute(CATALOG.delete().where(CATALOG.c.kind == "trait", CATALOG.c.value.in_(gone[i : i + 500])))


def _some_profile_has(conn: Connection, path: tuple[str, ...]) -> bool:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        value = PROFILES.c.traits.op("#>")(sa.literal(list(path), ARRAY(sa.Text)))
    elif any('"' in key or not key for key in path):
        return True
    else:
        value = sa.func.json_type(PROFILES.c.traits, "$" + "".join(f'."{key}"' for key in path))
    return conn.execute(sa.select(PROFILES.c.id).where(value.is_not(None)).limit(1)).first() is not None


def _forget_catalog(conn: Connection, kind: str, values: list[str], column: sa.Column, *conds: sa.ColumnElement[bool]) -> None:
    """Drop catalog entries that no stored event has any more (one indexed lookup a value: the person's few names)."""
    gone = [v for v in values if conn.execute(sa.select(sa.literal(1)).where(column == v, *conds).limit(1)).first() is None]
    for i in range(0, len(gone), 500):
        conn.execute(CATALOG.delete().where(CATALOG.c.kind == kind, CATALOG.c.value.in_(gone[i : i + 500])))


def _erase_quarantine(conn: Connection, ids: list[str]) -> int:
    """Quarantined lines that carry one of the ids (the rule of store/suppression.py): found by substring in SQL, confirmed by token."""
    pattern = suppression.token_pattern(ids)
    if pattern is None:
        return 0
    needles = sorted({form for ident in ids for form in suppression.forms(ident)})
    candidates: set[int] = set()
    for i in range(0, len(needles), 50):
        conds = [_bytes_contain(conn, needle, n) for n, needle in enumerate(needles[i : i + 50])]
        candidates.update(rid for (rid,) in conn.execute(sa.select(REJECTED.c.id).where(sa.or_(*conds))))
    doomed = [
        rid for rid, raw in conn.execute(sa.select(REJECTED.c.id, REJECTED.c.raw).where(REJECTED.c.id.in_(sorted(candidates))))
        if pattern.search(bytes(raw))
    ] if candidates else []  # fmt: skip
    for i in range(0, len(doomed), 500):
        conn.execute(REJECTED.delete().where(REJECTED.c.id.in_(doomed[i : i + 500])))
    return len(doomed)


def _bytes_contain(conn: Connection, needle: bytes, n: int) -> sa.ColumnElement[bool]:
    param = sa.bindparam(f"needle_{n}", value=needle, type_=sa.LargeBinary)
    if conn.dialect.name == "postgresql":
        return sa.func.position(param.op("IN")(REJECTED.c.raw)) > 0  # type: ignore[no-any-return]
    return sa.func.instr(REJECTED.c.raw, param) > 0
