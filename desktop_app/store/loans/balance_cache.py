"""The Home page's loan figures per date, kept exact by the database itself.

``open_balances_kept`` answers as ``queries.open_balances_at`` does, from the table
``loan_balance_cache`` (migration 0086) for the dates already computed for the office
scope, and runs the SQL pass only over the missing dates: normally today alone, after a
back-dated repayment the dates from its value date on.

Why the kept figures are exact: a figure on date D is a function of the rows of
``fund_entry``, ``loan``, ``loan_schedule`` and ``loan_instalment`` that it reads, and
only of them (``_OPEN_BALANCES_SQL``). The migration's triggers, after every insert,
update and delete of those tables, drop each cached date whose figure that row can
change: on every write path at once (repositories, sync import and its undo, erasure,
merges, a script), so no Python code path can forget one. Because the invalidation goes
by the written row's dates and not by the clock, any date may be kept, also one still
in the future (this month's end): an entry dated after today drops it like any other.

A figure is stored in the same transaction that read the cache and computed the missing
dates: the first write upgrades that read transaction, which SQLite refuses when another
connection has committed since it began (the figures might then be stale). Then, as when
the database is busy, read-only or its disk full, nothing is stored and the figures just
computed are returned: right for what was read, and computed again at the next open.

The scope key starts with a tag of the SQL and of this module's storing rules, so a
later version that computes differently never reads what an older one stored.
"""
from __future__ import annotations

import hashlib
from datetime import date

from desktop_app.store import db as dbmod
from desktop_app.store.loans import queries
from desktop_app.store.loans.queries import OpenBalance, as_date

TABLE = "loan_balance_cache"
# the storing rules below (one row per currency, '' marking a computed date); bump when
# they change
_RULES = "1"
FORMULA = hashlib.sha256((_RULES + queries._OPEN_BALANCES_SQL).encode()).hexdigest()[:12]
_COMPUTED = ""                # the currency of the row that marks a date as computed
# missing dates are moved on from an earlier kept date when at most this share of the
# loans changed in between (_from_earlier), else computed by the whole pass
MOVE_ON_SHARE = 0.25


def scope_key(office_ids) -> str:
    """The cache's key of an office scope (None or empty: every office)."""
    return FORMULA + "|" + ",".join(sorted(set(office_ids or ())))


# the triggers that keep the figures exact (migration 0086), per table and write
TRIGGERS = tuple(f"{TABLE}_{table}_{write}"
                 for table in ("entry", "loan", "schedule", "instalment")
                 for write in ("insert", "update", "delete"))


def _table_exists(conn) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                        (TABLE,)).fetchone() is not None


def has_cache(conn) -> bool:
    """The table and every trigger that keeps it exact are there: a migration that rebuilt
    one of the four tables without its triggers turns the cache off, never wrong."""
    names = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE name = ? OR (type = 'trigger' AND name LIKE ?)",
        (TABLE, TABLE + "%"))}
    return TABLE in names and names.issuperset(TRIGGERS)


def open_balances_kept(conn, dates, office_ids=None) -> list[dict[str, OpenBalance]]:
    """``queries.open_balances_at(conn, dates, office_ids)``, reading the dates already
    computed from the cache and storing the ones it computes (see the module's note)."""
    wanted = [as_date(d) for d in dates]
    order = sorted(set(wanted))
    if not order or not has_cache(conn):
        return queries.open_balances_at(conn, dates, office_ids)
    scope = scope_key(office_ids)
    texts = [d.isoformat() for d in order]
    conn.execute("SAVEPOINT loan_balance_cache")
    try:
        found = _read(conn, scope, texts)
        missing = [d for d in order if d.isoformat() not in found]
        if missing:
            computed = _from_earlier(conn, scope, missing, office_ids)
            if computed is None:
                computed = queries.open_balances_at(conn, missing, office_ids)
            fresh = {d.isoformat(): by_currency
                     for d, by_currency in zip(missing, computed, strict=True)}
            found.update(fresh)
            _store(conn, scope, texts, fresh)
    except BaseException:
        _roll_back(conn)
        raise
    try:
        conn.execute("RELEASE loan_balance_cache")
    except dbmod.sqlite.OperationalError as exc:
        if not _cannot_write(exc):
            raise
        _roll_back(conn)
    return [found[d.isoformat()] for d in wanted]


def _from_earlier(conn, scope: str, missing: list[date], office_ids
                  ) -> list[dict[str, OpenBalance]] | None:
    """The figures on the ``missing`` dates (sorted) from those kept on the latest earlier
    date E of the scope (normally yesterday, still kept when today is asked for): E's
    figures, minus those of the loans whose figures may have changed since
    (``queries.loans_changed_between``) on E, plus theirs on each date; the other loans'
    figures are the same on every date from E on. None (then the whole pass runs) without
    an earlier date, or when more than ``MOVE_ON_SHARE`` of the loans changed (the pass
    over them, on two dates or more, would cost about as much)."""
    earlier = conn.execute(f"SELECT max(as_of) FROM {TABLE} WHERE scope = ? AND currency = ? "
                           f"AND as_of < ?", (scope, _COMPUTED, missing[0].isoformat())
                           ).fetchone()[0]
    if earlier is None:
        return None
    kept = _read(conn, scope, [earlier]).get(earlier)
    if kept is None:
        return None
    changed = queries.loans_changed_between(conn, earlier, missing[-1]) - {None}
    if len(changed) > MOVE_ON_SHARE * conn.execute("SELECT count(*) FROM loan").fetchone()[0]:
        return None
    if not changed:
        return [_moved(kept, {}, {}) for _d in missing]
    before, *after = queries.open_balances_at(
        conn, [date.fromisoformat(earlier), *missing], office_ids, changed)
    return [_moved(kept, before, now) for now in after]


def _moved(kept: dict[str, OpenBalance], before: dict[str, OpenBalance],
           now: dict[str, OpenBalance]) -> dict[str, OpenBalance]:
    """``kept`` - ``before`` + ``now`` per currency and figure; a currency left with no
    principal outstanding is left out, as the pass leaves it (every loan it sums has
    some), in the pass's order of currencies."""
    out = {}
    currencies = set(kept) | set(before) | set(now)
    for currency in sorted(currencies, key=lambda c: (c is not None, c or "")):
        figures = [kept.get(currency, OpenBalance()), before.get(currency, OpenBalance()),
                   now.get(currency, OpenBalance())]
        moved = OpenBalance(*(k - b + n for k, b, n in zip(
            *((f.outstanding, f.scheduled, f.late_over_30) for f in figures), strict=True)))
        if moved.outstanding:
            out[currency] = moved
    return out


def _read(conn, scope: str, texts: list[str]) -> dict[str, dict[str, OpenBalance]]:
    marks = ",".join("?" * len(texts))
    found: dict[str, dict[str, OpenBalance]] = {}
    rows = conn.execute(f"SELECT as_of, currency, outstanding, scheduled, late_over_30 FROM "
                        f"{TABLE} WHERE scope = ? AND as_of IN ({marks}) ORDER BY as_of, "
                        f"currency", [scope, *texts]).fetchall()
    for as_of, currency, outstanding, scheduled, late in rows:
        by_currency = found.setdefault(as_of, {})
        if currency != _COMPUTED:
            by_currency[currency] = OpenBalance(outstanding, scheduled, late)
    computed = {as_of for as_of, currency, *_rest in rows if currency == _COMPUTED}
    return {as_of: by_currency for as_of, by_currency in found.items() if as_of in computed}


def _store(conn, scope: str, texts: list[str],
           fresh: dict[str, dict[str, OpenBalance]]) -> None:
    """Keep ``fresh`` (and only the dates asked for, of this scope and formula), in the
    savepoint's transaction; nothing when the database cannot be written now."""
    rows = [(scope, as_of, currency, b.outstanding, b.scheduled, b.late_over_30)
            for as_of, by_currency in fresh.items() if _COMPUTED not in by_currency
            for currency, b in [(_COMPUTED, OpenBalance()), *by_currency.items()]]
    if not rows:
        return
    marks = ",".join("?" * len(texts))
    timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    # a write that would wait is pointless: the writer's commit makes our snapshot stale
    conn.execute("PRAGMA busy_timeout = 0")
    conn.execute("SAVEPOINT loan_balance_cache_store")
    try:
        conn.execute(f"DELETE FROM {TABLE} WHERE scope = ? AND as_of NOT IN ({marks})",
                     [scope, *texts])
        conn.execute(f"DELETE FROM {TABLE} WHERE substr(scope, 1, ?) != ?",
                     (len(FORMULA) + 1, FORMULA + "|"))
        conn.executemany(f"INSERT OR REPLACE INTO {TABLE}(scope, as_of, currency, outstanding,"
                         f" scheduled, late_over_30) VALUES (?, ?, ?, ?, ?, ?)", rows)
    except dbmod.sqlite.OperationalError as exc:
        if not _cannot_write(exc):
            raise
        _roll_back(conn, "loan_balance_cache_store")
    else:
        conn.execute("RELEASE loan_balance_cache_store")
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")


def _cannot_write(exc: BaseException) -> bool:
    """The database cannot take the figures now (busy, stale snapshot, read-only, full)."""
    return dbmod.is_busy(exc) or dbmod.is_disk_full(exc) or "readonly" in str(exc)


def _roll_back(conn, savepoint: str = "loan_balance_cache") -> None:
    """Undo the savepoint's writes and end it (SQLite may have rolled the transaction back
    already after an error)."""
    if conn.in_transaction:
        try:
            conn.execute(f"ROLLBACK TO {savepoint}")
            conn.execute(f"RELEASE {savepoint}")
        except dbmod.sqlite.OperationalError:
            pass


def clear(conn) -> None:
    """Forget every kept figure (they are computed again when next asked for)."""
    if _table_exists(conn):
        conn.execute(f"DELETE FROM {TABLE}")


def as_of_dates(conn, office_ids=None) -> list[date]:
    """The dates kept for an office scope (tests, benchmarks)."""
    if not _table_exists(conn):
        return []
    return [date.fromisoformat(r[0]) for r in conn.execute(
        f"SELECT DISTINCT as_of FROM {TABLE} WHERE scope = ? AND currency = ? ORDER BY 1",
        (scope_key(office_ids), _COMPUTED))]
