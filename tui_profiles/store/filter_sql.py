"""A filter tree -> one SQL condition on the profiles table, meaning what domain/filter_eval.py means.

Every value from the query travels as a bound parameter; text is compared with
instr/strpos and equality, never LIKE, so `%`, `_` and `\\` are only characters.
Case is ignored the way Python's str.lower() does it: SQLite gets a py_lower()
function from the engine; PostgreSQL folds with lower() under the ICU root
collation, which agrees with Python (a C-locale database would fold ASCII only).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnClause, ColumnElement, UnaryExpression

from ..config import Settings
from ..domain import filters as f
from ..domain.formats import PAGE
from ..domain.tags import IDENTITY_FLAGS
from .identity_flags import flag_condition
from .models import ANON_IDS, CATALOG, COMPANIES, EVENTS, NOTES, PROFILES, SESSIONS

TRUE = sa.true()
FALSE = sa.false()


def compile_filter(
    tree: f.Filter,
    *,
    now_ms: int,
    settings: Settings | None = None,
    conn: Connection | None = None,
    dialect: str | None = None,
) -> ColumnElement[bool]:
    """The condition for `select ... from profiles where <it>`.

    With a connection, `did:` names are first looked up case-insensitively in the
    catalog, so the events index on (name, profile) answers them.
    """
    name = dialect or (conn.dialect.name if conn is not None else "sqlite")
    return _Compiler(name, now_ms, settings or Settings(), conn).node(tree)


def event_condition(
    node: f.Did | f.Visited, *, settings: Settings | None = None, conn: Connection | None = None, dialect: str | None = None
) -> ColumnElement[bool]:
    """The condition on one row of `events` that `did:...` / `visited:...` asks some event to meet.

    Goals and retention count the events themselves, with the same meaning as the filter.
    """
    name = dialect or (conn.dialect.name if conn is not None else "sqlite")
    compiler = _Compiler(name, 0, settings or Settings(), conn)
    return compiler.did_event(node.event, node.where) if isinstance(node, f.Did) else compiler.visited_event(node.path, node.prefix)


def holders_of(event: ColumnElement[bool]) -> ColumnElement[bool]:
    """Profiles with an event meeting `event`: the profile it counts for (as ever: identified
    profiles' plans are unchanged), and the anonymous profile whose history was merged into a
    user with it (the (name | path | group, profile, anon profile) indexes answer both halves)."""
    counted = sa.select(EVENTS.c.profile_id).where(event)
    merged = sa.select(EVENTS.c.anon_profile_id).where(event, EVENTS.c.anon_profile_id != EVENTS.c.profile_id)
    return PROFILES.c.id.in_(sa.union_all(counted, merged))


def text_contains(expr: Any, needle: str, *, dialect: str) -> ColumnElement[bool]:
    """`expr` contains `needle`, ignoring case as the filter language does, literally (no LIKE)."""
    return _Compiler(dialect, 0, Settings(), None).contains(expr, needle)


class _Compiler:
    def __init__(self, dialect: str, now_ms: int, settings: Settings, conn: Connection | None) -> None:
        self.pg = dialect == "postgresql"
        self.now = now_ms
        self.settings = settings
        self.conn = conn

    # -- text helpers -----------------------------------------------------------
    def lower(self, expr: Any) -> Any:
        # ICU's root locale folds case as Python does, whatever the database's own locale;
        # SQLite gets py_lower, a call into Python for every row.
        exact = sa.func.lower(sa.collate(expr, "und-x-icu")) if self.pg else sa.func.py_lower(expr)
        if not isinstance(expr, ColumnClause):
            return exact
        # Both are slow next to the database's own folding of ASCII (SQLite's lower(), and
        # PostgreSQL's under the C collation), which is exactly what str.lower() does to ASCII
        # text: so text with as many characters as bytes goes there, anything else still takes
        # the exact way (str.lower() folds U+0130 and the Kelvin sign into ASCII letters). Only
        # for a plain column, cheap to read twice; NULL stays NULL without a call.
        if self.pg:
            ascii_only = sa.func.octet_length(expr) == sa.func.char_length(expr)
            # Both branches end in one explicit collation, as PostgreSQL asks of a CASE.
            fast, exact = sa.collate(sa.func.lower(sa.collate(expr, "C")), "C"), sa.collate(exact, "C")
        else:
            ascii_only = sa.func.length(expr) == sa.func.length(sa.cast(expr, sa.LargeBinary))
            fast = sa.func.lower(expr)
        return sa.case((ascii_only, fast), (expr.is_not(None), exact))

    def contains(self, haystack: Any, needle: str, *, nullable: bool = True) -> ColumnElement[bool]:
        lowered = self.lower(haystack)
        pos = sa.func.strpos(lowered, needle.lower()) if self.pg else sa.func.instr(lowered, needle.lower())
        return sa.and_(haystack.is_not(None), pos > 0) if nullable else pos > 0

    def unindexed(self, column: Any) -> Any:
        """The column, kept from choosing SQLite's index (a unary plus, SQLite's own idiom).

        Without statistics SQLite takes an equality on an index's first column for a few rows;
        on `kind` (two values) that means half the profiles read through the index rather
        than the period's. PostgreSQL has statistics and is left to choose.
        """
        return column if self.pg else UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)

    # -- the tree ---------------------------------------------------------------
    def node(self, tree: f.Filter) -> ColumnElement[bool]:
        match tree:
            case f.Everything():
                return TRUE
            case f.And(terms):
                return sa.and_(*(self.node(t) for t in terms)) if terms else TRUE
            case f.Or(terms):
                return sa.or_(*(self.node(t) for t in terms)) if terms else FALSE
            case f.Not(term):
                # Conditions are never NULL (see _text_test), so NOT is plain negation.
                return sa.not_(self.node(term))
            case f.Search(text):
                anon = sa.select(ANON_IDS.c.profile_id).where(self.contains(ANON_IDS.c.anonymous_id, text))
                return sa.or_(
                    self.contains(PROFILES.c.external_id, text),
                    self.contains(PROFILES.c.name, text),
                    self.contains(PROFILES.c.email, text),
                    PROFILES.c.id.in_(anon),
                )
            case f.Field(name, test):
                return self.field(name, test)
            case f.Trait(path, test):
                own = self.json_test(PROFILES.c.traits, path, test)
                if path[0] != "company" or len(path) == 1:
                    return own
                # `company.<key>`: the identify trait, or the group trait of a company the user belongs to.
                rest = path[1:]
                if rest[0] == "id":
                    in_company = self.column_test(COMPANIES.c.id, test) if len(rest) == 1 else FALSE
                else:
                    in_company = self.json_test(COMPANIES.c.traits, rest, test)
                return sa.or_(own, self.member_of(sa.select(COMPANIES.c.id).where(in_company)))
            case f.State(name):
                return self.state(name)
            case f.Tag(name):
                return self.tag(name)
            case f.Seen():
                bound = f.time_bound(tree, self.now)
                column = PROFILES.c.last_seen if bound.field == "last_seen" else PROFILES.c.first_seen
                conds = []
                if bound.after_ms is not None:
                    conds.append(column >= bound.after_ms)
                if bound.before_ms is not None:
                    conds.append(column < bound.before_ms)
                return sa.and_(*conds)
            case f.Count(field_name, op, value):
                column = PROFILES.c.session_count if field_name == "sessions" else PROFILES.c.event_count
                return _compare(column, op, value)
            case f.Did(event, where):
                return self.did(event, where)
            case f.Visited(path, prefix):
                return holders_of(self.visited_event(path, prefix))
            case f.NoteText(text):
                return PROFILES.c.id.in_(sa.select(NOTES.c.profile_id).where(self.contains(NOTES.c.text, text, nullable=False)))
        raise TypeError(f"not a filter node: {tree!r}")

    def visited_event(self, path: str, prefix: bool) -> ColumnElement[bool]:
        # The type is written into the SQL, not bound: the page index is partial (type = 'page'),
        # and a plan made without the value (PostgreSQL's generic plans) could not use it.
        page = sa.and_(EVENTS.c.type == sa.literal_column(f"'{PAGE}'"), EVENTS.c.path.is_not(None))
        if not prefix:
            return sa.and_(page, EVENTS.c.path == path)
        if not path:
            return page
        # A range on the path lets the page index find the prefix instead of a scan of every
        # event. It compares bytewise (SQLite's text order; PostgreSQL's pattern operators, which
        # the index is built for, as its own order follows the collation), so [path, next) is
        # exactly the paths that start with it: no substr() check on top, which also left
        # PostgreSQL estimating 60 rows for 37k and choosing a nested loop over them.
        upper = _after_prefix(path)
        at_least = EVENTS.c.path.op("~>=~", is_comparison=True) if self.pg else EVENTS.c.path.__ge__
        below = EVENTS.c.path.op("~<~", is_comparison=True) if self.pg else EVENTS.c.path.__lt__
        return sa.and_(page, at_least(path), *([below(upper)] if upper else []))

    def member_of(self, company_ids: Any) -> ColumnElement[bool]:
        """The profile carried one of these group ids on an event (the membership index answers it)."""
        if self.pg:
            # As an array, the ids are found first and each looked up in the index; as IN, the
            # planner merge-joined them with the whole index (60 ms for 160 of 1,250 companies).
            carried = EVENTS.c.group_id == sa.any_(sa.func.array(company_ids.scalar_subquery()))
        else:
            carried = EVENTS.c.group_id.in_(company_ids)
        return holders_of(carried)

    def field(self, name: str, test: f.Test) -> ColumnElement[bool]:
        if name == "id":
            anon = sa.select(ANON_IDS.c.profile_id).where(self.column_test(ANON_IDS.c.anonymous_id, test))
            return sa.or_(self.column_test(PROFILES.c.external_id, test), PROFILES.c.id.in_(anon))
        if name == "source":
            # A handful of sources over every session: test each distinct source once, then let
            # the (source, profile) index list who had one, instead of testing every session.
            sources = _distinct(SESSIONS.c.source)
            matching = sa.select(sources.c.value).where(sources.c.value.is_not(None), self.column_test(sources.c.value, test))
            return PROFILES.c.id.in_(sa.select(SESSIONS.c.profile_id).where(SESSIONS.c.source.in_(matching)))
        if name == "company":
            # The company trait as the profile shows it, or the id or name of a company it belongs to.
            companies = sa.select(COMPANIES.c.id).where(
                sa.or_(self.column_test(COMPANIES.c.id, test), self.column_test(COMPANIES.c.name, test))
            )
            return sa.or_(self.column_test(PROFILES.c.company, test), self.member_of(companies))
        column = {"email": PROFILES.c.email, "name": PROFILES.c.name, "country": PROFILES.c.country,
                  "city": PROFILES.c.city, "company": PROFILES.c.company}[name]  # fmt: skip
        return self.column_test(column, test)

    def column_test(self, column: Any, test: f.Test) -> ColumnElement[bool]:
        """A test on a text column (NULL: not set; numbers never match a text column). Never NULL."""
        return sa.func.coalesce(self._column_test(column, test), FALSE)

    def _column_test(self, column: Any, test: f.Test) -> ColumnElement[bool]:
        match test:
            case f.IsSet():
                return sa.and_(column.is_not(None), column != "")
            case f.Contains(text):
                return self.contains(column, text)
            case f.Equals(text):
                return sa.and_(column.is_not(None), self.lower(column) == text.lower())
            case f.Compare():
                return FALSE
        raise TypeError(f"not a test: {test!r}")

    def state(self, name: str) -> ColumnElement[bool]:
        if name == "live":
            return PROFILES.c.last_seen > self.now - self.settings.live_ms
        if name in ("identified", "anonymous"):
            return self.unindexed(PROFILES.c.kind) == name
        if name == "excluded":
            return PROFILES.c.excluded.is_(True)
        raise ValueError(name)

    def tag(self, name: str) -> ColumnElement[bool]:
        """The rules of domain/tags.profile_tags, as SQL on the stored aggregates (the identity flags on the links)."""
        if name in IDENTITY_FLAGS:
            return flag_condition(name, max_anon_ids=self.settings.max_anon_ids)
        p = PROFILES.c
        return {
            "new": p.session_count == 1,
            "returning": p.session_count > 1,
            "longtime": p.first_seen < self.now - self.settings.longtime_ms,
            "work_info": sa.and_(p.company.is_not(None), p.company != ""),
            "contact_info": p.has_contact.is_(True),
            "buyer": p.order_count > 0,
            "custom_attributes": p.has_custom_attributes.is_(True),
            "live": p.last_seen > self.now - self.settings.live_ms,
        }[name]

    def did(self, event: str, where: f.EventProperty | None) -> ColumnElement[bool]:
        return holders_of(self.did_event(event, where))

    def did_event(self, event: str, where: f.EventProperty | None) -> ColumnElement[bool]:
        names = self._event_names(event)
        if names is None:
            name_match = sa.and_(EVENTS.c.name.is_not(None), self.lower(EVENTS.c.name) == event.lower())
        elif not names:
            return FALSE
        else:
            name_match = EVENTS.c.name.in_(names)
        conds = [name_match]
        if where is not None:
            # An event's own properties (identify and group calls: their traits), kept as `props` at ingest.
            conds.append(self.json_test(EVENTS.c.props, tuple(where.path), where.test))
        return sa.and_(*conds)

    def _event_names(self, event: str) -> list[str] | None:
        if self.conn is None:
            return None
        rows = self.conn.execute(
            sa.select(CATALOG.c.value).where(CATALOG.c.kind == "event", self.lower(CATALOG.c.value) == event.lower())
        )
        return [name for (name,) in rows]

    # -- JSON -------------------------------------------------------------------
    def _json_type(self, doc: Any, path: tuple[str, ...]) -> Any:
        """The database's own name for the JSON type at a path (NULL: missing).

        PostgreSQL says object array string number boolean null; SQLite says object array
        text integer real true false null. Tests compare with _json_is, which speaks both, so
        each test on SQLite parses the document once, not once per name compared.
        """
        if self.pg:
            return sa.func.jsonb_typeof(doc.op("#>")(sa.literal(list(path), sa.ARRAY(sa.Text))))
        return _sqlite_json_type(doc, path)

    def _json_is(self, doc: Any, path: tuple[str, ...], kind: str) -> ColumnElement[bool]:
        """The value at a path has this JSON type, in PostgreSQL's words (NULL: missing)."""
        names = (kind,) if self.pg else _SQLITE_TYPES[kind]
        found = self._json_type(doc, path)
        return found == names[0] if len(names) == 1 else found.in_(names)

    def _json_text(self, doc: Any, path: tuple[str, ...]) -> Any:
        """The scalar at a path as SQL text (strings unquoted)."""
        if self.pg:
            return doc.op("#>>", return_type=sa.Text)(sa.literal(list(path), sa.ARRAY(sa.Text)))
        return _sqlite_json_value(doc, path)

    def _json_number(self, doc: Any, path: tuple[str, ...]) -> Any:
        if self.pg:
            return sa.cast(self._json_text(doc, path), sa.Numeric)
        return _sqlite_json_value(doc, path)

    def json_test(self, doc: Any, path: tuple[str, ...], test: f.Test) -> ColumnElement[bool]:
        """One test on the value at a path of a JSON document (filter_eval.passes, in SQL).

        Never NULL: a missing value is false, so `-key:value` is its exact complement.
        """
        return sa.func.coalesce(self._json_test(doc, path, test), FALSE)

    def _json_test(self, doc: Any, path: tuple[str, ...], test: f.Test) -> ColumnElement[bool]:
        match test:
            case f.IsSet():
                found = self._json_type(doc, path)
                string = "string" if self.pg else "text"
                return sa.and_(
                    found.is_not(None), found != "null",
                    sa.or_(found != string, self._json_text(doc, path) != ""),
                )  # fmt: skip
            case f.Contains(text):
                is_string = self._json_is(doc, path, "string")
                return sa.case((is_string, self.contains(self._json_text(doc, path), text, nullable=False)), else_=FALSE)
            case f.Equals(text):
                is_string = self._json_is(doc, path, "string")
                conds = [sa.and_(is_string, self.lower(self._json_text(doc, path)) == text.lower())]
                if text.lower() in ("true", "false"):
                    if self.pg:
                        conds.append(sa.and_(self._json_is(doc, path, "boolean"), self._json_text(doc, path) == text.lower()))
                    else:  # SQLite names a boolean's type by its value
                        conds.append(self._json_type(doc, path) == text.lower())
                number = f.as_number(text)
                if number is not None:
                    is_number = self._json_is(doc, path, "number")
                    conds.append(sa.case((is_number, self._json_number(doc, path) == number), else_=FALSE))
                return sa.or_(*conds)
            case f.Compare(op, number):
                is_number = self._json_is(doc, path, "number")
                return sa.case((is_number, _compare(self._json_number(doc, path), op, number)), else_=FALSE)
        raise TypeError(f"not a test: {test!r}")


# SQLite's json_type() names for each JSON type.
_SQLITE_TYPES = {
    "object": ("object",), "array": ("array",), "string": ("text",), "number": ("integer", "real"),
    "boolean": ("true", "false"), "null": ("null",),
}  # fmt: skip


def _after_prefix(prefix: str) -> str | None:
    """The least text above every text that starts with `prefix`, in code point (UTF-8 byte)
    order; None when there is none (the prefix is all U+10FFFF: at least it, is starting with it)."""
    chars = list(prefix)
    while chars:
        following = ord(chars.pop()) + 1
        if following == 0xD800:
            following = 0xE000  # surrogates are never text
        if following <= 0x10FFFF:
            return "".join(chars) + chr(following)
    return None


def _distinct(column: Any) -> Any:
    """The distinct non-NULL values of an indexed column, one index probe each (a loose index scan).

    Both databases would otherwise read every row for a DISTINCT; the last row is NULL.
    """
    found = sa.select(sa.func.min(column).label("value")).cte(recursive=True)
    following = sa.select(sa.func.min(column)).where(column > found.c.value).scalar_subquery()
    return found.union_all(sa.select(following).where(found.c.value.is_not(None)))


def _compare(expr: Any, op: str, value: Any) -> ColumnElement[bool]:
    return {"=": expr == value, "<": expr < value, "<=": expr <= value, ">": expr > value, ">=": expr >= value}[op]


def _sqlite_path(path: tuple[str, ...]) -> str | None:
    """A SQLite JSON path with every key quoted, or None when a key cannot be quoted (SQLite 3.40 has no escapes)."""
    if any('"' in key or key == "" for key in path):
        return None
    return "$" + "".join(f'."{key}"' for key in path)


def _sqlite_json_type(doc: Any, path: tuple[str, ...]) -> Any:
    quoted = _sqlite_path(path)
    if quoted is not None:
        return sa.func.json_type(doc, quoted)
    parent, last = _sqlite_json_parent(doc, path)
    each = sa.func.json_each(parent).table_valued("key", "type", "value")
    return sa.select(each.c.type).where(each.c.key == last).scalar_subquery()


def _sqlite_json_value(doc: Any, path: tuple[str, ...]) -> Any:
    quoted = _sqlite_path(path)
    if quoted is not None:
        return sa.func.json_extract(doc, quoted)
    parent, last = _sqlite_json_parent(doc, path)
    each = sa.func.json_each(parent).table_valued("key", "type", "value")
    return sa.select(each.c.value).where(each.c.key == last).scalar_subquery()


def _sqlite_json_parent(doc: Any, path: tuple[str, ...]) -> tuple[Any, str]:
    """The JSON text of the object holding the last key, walking keys SQLite cannot quote with json_each."""
    current = doc
    for key in path[:-1]:
        quoted = _sqlite_path((key,))
        if quoted is not None:
            current = sa.case((sa.func.json_type(current, quoted) == "object", sa.func.json_extract(current, quoted)))
        else:
            each = sa.func.json_each(current).table_valued("key", "type", "value")
            current = sa.select(each.c.value).where(each.c.key == key, each.c.type == "object").scalar_subquery()
    return current, path[-1]
