"""Any sequence of writes to the tables the loan figures read, by plain SQL, between reads
that keep figures: the kept figures always equal a pass without the cache."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.store import db as dbmod
from desktop_app.store.loans import balance_cache, queries
from desktop_app.store.migrations import MIGRATIONS_DIR, split_statements

# the dates asked for, and the dates written: month ends, and the days 31 and 30 before
# them (an instalment due D - 31 counts on D, one due D - 30 not)
ASKED = [date(2026, m, 28) for m in (2, 4, 6, 9, 12)] + [date(2026, 7, 31)]
DAYS = sorted({d - timedelta(days=k) for d in ASKED for k in (0, 1, 30, 31, 45)})
LOANS = ("L1", "L2", "L3")
OFFICES = ("O1", "O2")
SCOPES = [None, ["O1"], ["O2"], ["O1", "O2"]]


def _database():
    conn = dbmod.sqlite.connect(":memory:", isolation_level=None)
    for name in ("0050_loans.sql", "0086_loan_balance_cache.sql"):
        for statement in split_statements((MIGRATIONS_DIR / name).read_text("utf-8")):
            conn.execute(statement)
    for n, loan in enumerate(LOANS):
        conn.execute("INSERT INTO loan(id, office_id, number, fund_id, person_id, purpose, "
                     "amount, currency, annual_rate, term, frequency, method, amortisation, "
                     "applied_on, created_at, created_by, updated_at, updated_by) VALUES "
                     "(?, ?, ?, 'F', 'P', 'business', 1000, ?, '12', 6, 'monthly', 'flat', "
                     "'equal', '2026-01-01', '', '', '', '')",
                     (loan, OFFICES[n % 2], loan, "USD" if n == 2 else "TJS"))
    # each loan disbursed in January with a schedule of monthly instalments, so that the
    # random writes below change balances and lateness
    counter = iter(range(10**6))
    for loan in LOANS:
        _apply(conn, ("entry", loan, "disbursement", "2026-01-05", 6000, 0), counter, "0")
        _apply(conn, ("schedule", loan, 1, "2026-01-05", 0, 0), counter, "0")
        for month in range(2, 8):
            _apply(conn, ("instalment", loan, 1, f"2026-{month:02}-05", 1000 * (month - 1),
                          100 * (month - 1)), counter, "0")
        for month in range(2, 5):           # paid on time until April
            _apply(conn, ("entry", loan, "repayment", f"2026-{month:02}-05", 1000, 100),
                   counter, "0")
    return conn


day = st.sampled_from(DAYS).map(date.isoformat)
loan = st.sampled_from(LOANS)
amount = st.integers(-3, 6).map(lambda n: n * 500)
pick = st.integers(0, 10**6)

op = st.one_of(
    st.tuples(st.just("entry"), loan, st.sampled_from(["disbursement", "repayment"]),
              day, amount, st.integers(0, 300)),
    st.tuples(st.just("entry_update"), pick,
              st.sampled_from(["value_date", "principal", "deleted", "loan_id", "interest",
                               "kind"]), day, amount, loan),
    st.tuples(st.just("entry_delete"), pick),
    st.tuples(st.just("schedule"), loan, st.integers(1, 3), day, amount, amount),
    st.tuples(st.just("schedule_update"), pick,
              st.sampled_from(["effective_from", "deleted", "base_paid_principal",
                               "base_paid_interest", "version"]), day, amount),
    st.tuples(st.just("schedule_delete"), pick),
    st.tuples(st.just("instalment"), loan, st.integers(1, 3), day, amount, amount),
    st.tuples(st.just("instalment_update"), pick,
              st.sampled_from(["due_date", "deleted", "cum_principal", "cum_interest",
                               "version"]), day, amount),
    st.tuples(st.just("instalment_delete"), pick),
    st.tuples(st.just("loan_update"), loan,
              st.sampled_from(["office_id", "currency", "deleted", "status"])),
    st.tuples(st.just("loan_drop"), loan),
    st.tuples(st.just("loan_restore"), loan),
    st.tuples(st.just("read"), st.integers(0, len(SCOPES) - 1),
              st.lists(st.sampled_from(ASKED), min_size=1, max_size=4)),
)


def _row(conn, table, n):
    rows = [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
    return rows[n % len(rows)] if rows else None


def _apply(conn, step, counter, prefix=""):
    kind = step[0]
    stamp = ("", "", "", "")
    if kind == "entry":
        _kind, loan_id, entry_kind, value_date, principal, interest = step
        conn.execute("INSERT INTO fund_entry(id, fund_id, loan_id, kind, value_date, currency, "
                     "principal, interest, created_at, created_by, updated_at, updated_by) "
                     "VALUES (?, 'F', ?, ?, ?, 'TJS', ?, ?, ?, ?, ?, ?)",
                     (f"e{prefix}{next(counter):04}", loan_id, entry_kind, value_date,
                      abs(principal) if entry_kind == "disbursement" else -abs(principal),
                      interest, *stamp))
    elif kind in ("schedule", "instalment"):
        _kind, loan_id, version, when, a, b = step
        if kind == "schedule":
            conn.execute("INSERT OR IGNORE INTO loan_schedule(id, loan_id, version, "
                         "effective_from, principal, base_paid_principal, base_paid_interest, "
                         "annual_rate, term, frequency, method, amortisation, created_at, "
                         "created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, 1000, ?, ?, "
                         "'12', 6, 'monthly', 'flat', 'equal', ?, ?, ?, ?)",
                         (f"s{prefix}{next(counter):04}", loan_id, version, when, -abs(a), -abs(b),
                          *stamp))
        else:
            conn.execute("INSERT INTO loan_instalment(id, loan_id, version, number, due_date, "
                         "principal, interest, cum_principal, cum_interest, created_at, "
                         "created_by, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, 0, 0, ?, "
                         "?, ?, ?, ?, ?)",
                         (f"i{prefix}{next(counter):04}", loan_id, version, when, abs(a), abs(b),
                          *stamp))
    elif kind.endswith("_delete"):
        table = {"entry": "fund_entry", "schedule": "loan_schedule",
                 "instalment": "loan_instalment"}[kind[:-7]]
        conn.execute(f"DELETE FROM {table} WHERE id=?", (_row(conn, table, step[1]),))
    elif kind.endswith("_update") and kind != "loan_update":
        table = {"entry": "fund_entry", "schedule": "loan_schedule",
                 "instalment": "loan_instalment"}[kind[:-7]]
        _kind, n, column, when, value, *rest = step
        new = {"value_date": when, "effective_from": when, "due_date": when,
               "deleted": None, "loan_id": rest[0] if rest else None,
               "version": None, "kind": None}.get(column, value)
        expression = {"deleted": "1 - deleted", "version": "version % 3 + 1",
                      "kind": "CASE kind WHEN 'repayment' THEN 'write_off' "
                              "ELSE 'repayment' END"}.get(column, "?")
        args = (new,) if expression == "?" else ()
        conn.execute(f"UPDATE OR IGNORE {table} SET {column}={expression} WHERE id=?",
                     (*args, _row(conn, table, n)))
    elif kind == "loan_update":
        expression = {"office_id": "CASE office_id WHEN 'O1' THEN 'O2' ELSE 'O1' END",
                      "currency": "CASE currency WHEN 'TJS' THEN 'USD' ELSE 'TJS' END",
                      "deleted": "1 - deleted", "status": "'closed'"}[step[2]]
        conn.execute(f"UPDATE loan SET {step[2]}={expression} WHERE id=?", (step[1],))
    elif kind == "loan_drop":
        row = conn.execute("SELECT * FROM loan WHERE id=?", (step[1],)).fetchone()
        if row is not None:
            _DROPPED[step[1]] = row
            conn.execute("DELETE FROM loan WHERE id=?", (step[1],))
    elif kind == "loan_restore" and step[1] in _DROPPED:
        row = _DROPPED.pop(step[1])
        conn.execute(f"INSERT INTO loan VALUES ({', '.join('?' * len(row))})", row)


_DROPPED: dict[str, tuple] = {}          # loans deleted by loan_drop, for loan_restore


def _check(conn):
    for scope in SCOPES:
        assert balance_cache.open_balances_kept(conn, ASKED, scope) == \
            queries.open_balances_at(conn, ASKED, scope), scope


@pytest.mark.parametrize("share", [balance_cache.MOVE_ON_SHARE, float("inf")])
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(op, min_size=3, max_size=30))
def test_kept_figures_equal_a_fresh_pass_after_any_writes(share, ops):
    """``share``: as shipped (with three loans, dates move on from an earlier one only
    when no loan changed), and always moved on from an earlier kept date when there is
    one (balance_cache._from_earlier over the loans changed in between)."""
    _DROPPED.clear()
    conn = _database()
    counter = iter(range(10**6))
    kept_share, balance_cache.MOVE_ON_SHARE = balance_cache.MOVE_ON_SHARE, share
    try:
        for step in ops:
            if step[0] == "read":
                dates = step[2]
                balance_cache.open_balances_kept(conn, dates, SCOPES[step[1]])
            else:
                _apply(conn, step, counter)
            _check(conn)
    finally:
        balance_cache.MOVE_ON_SHARE = kept_share
        conn.close()
