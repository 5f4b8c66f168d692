"""The Home page's kept loan figures stay exactly what a fresh pass computes, after every
kind of write, through the repositories, plain SQL and a sync import (and its undo)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop_app.domain import loans as L
from desktop_app.reports.dashboard import _last_months
from desktop_app.store.loans import balance_cache, queries, services
from desktop_app.store.loans.balance_cache import open_balances_kept
from desktop_app.store.loans.repositories import LoanRepository
from desktop_app.store.security.rights import erase_person
from desktop_app.sync import exchange, import_undo
from tests.helpers.loans import TODAY, active_loan, borrower, fund_with_capital, second_user

# the Home page's dates on TODAY: twelve month ends (the last one in the future) and today
DATES = [m.end for m in _last_months(TODAY, 12)] + [TODAY]
OTHER = "another-office"


def _scopes(conn):
    """Every office, each office alone, offices together, an office without loans."""
    offices = [r[0] for r in conn.execute("SELECT id FROM office ORDER BY id")]
    return [None, [OTHER], [OTHER, *offices], *([o] for o in offices)]


def _fresh(conn):
    return {str(s): queries.open_balances_at(conn, DATES, s) for s in _scopes(conn)}


def _fill(conn):
    for scope in _scopes(conn):
        open_balances_kept(conn, DATES, scope)
    assert balance_cache.as_of_dates(conn) == sorted(DATES)


def _assert_exact(conn):
    """For every office scope, the figures with the cache equal a pass without it."""
    for scope in _scopes(conn):
        assert open_balances_kept(conn, DATES, scope) == \
            queries.open_balances_at(conn, DATES, scope), scope


def _write_then_check(conn, write):
    """Fill the cache, write, and check: the write changed some figure (else the test
    proves nothing) and the kept figures are exact. Returns the dates still kept."""
    _fill(conn)
    before = _fresh(conn)
    write()
    kept = balance_cache.as_of_dates(conn)
    assert _fresh(conn) != before, "the write changed no figure"
    _assert_exact(conn)
    return kept


@pytest.fixture
def book(session):
    """Two loans of the office disbursed in January and February 2026: one never repaid
    (late), one repaid on time for three instalments."""
    checker = second_user(session)
    fund = fund_with_capital(session)
    woman = borrower(session)
    man = borrower(session, sex="male", family="Karimov", given="Aziz")
    late = active_loan(session, checker, fund, woman, amount="6000",
                       disbursed=date(2026, 1, 10))
    good = active_loan(session, checker, fund, man, amount="12000", disbursed=date(2026, 2, 10))
    for i in queries.instalments_of(session.conn, good["id"], 1)[:3]:
        services.repay(session, good["id"], L.from_minor(i["principal"] + i["interest"], "TJS"),
                       date.fromisoformat(i["due_date"]), today=TODAY)
    return session, late, good


def test_a_second_open_computes_nothing_and_a_new_day_only_today(book, monkeypatch):
    session, _late, _good = book
    conn = session.conn
    first = open_balances_kept(conn, DATES)
    assert first == queries.open_balances_at(conn, DATES)
    assert any(first)
    passes = []
    real = queries.open_balances_at

    def counted(conn, dates, *args):
        passes.append(list(dates))
        return real(conn, dates, *args)
    monkeypatch.setattr(queries, "open_balances_at", counted)
    assert open_balances_kept(conn, DATES) == first
    assert passes == []
    tomorrow = DATES[:-1] + [TODAY + timedelta(days=1)]
    again = open_balances_kept(conn, tomorrow)
    # no entry, schedule or instalment due 31 days before between today and tomorrow:
    # tomorrow's figures are today's, without a pass
    assert passes == []
    assert again == queries.open_balances_at(conn, tomorrow)
    assert again[-1] == first[-1]
    # yesterday's today is dropped: the cache holds the dates last asked for
    assert balance_cache.as_of_dates(conn) == sorted(tomorrow)


@pytest.mark.parametrize("share", [balance_cache.MOVE_ON_SHARE, 1.0])
def test_a_new_day_moves_on_from_yesterday_over_the_loans_changed(book, monkeypatch, share):
    """Tomorrow's figures from today's kept ones: a pass over today and tomorrow for the
    loans changed in between only (a repayment of the late loan dated tomorrow), when few
    enough changed;
    else the whole pass over tomorrow (here one loan of two changed: over the share
    shipped)."""
    session, late, _good = book
    conn = session.conn
    monkeypatch.setattr(balance_cache, "MOVE_ON_SHARE", share)
    open_balances_kept(conn, DATES)
    tomorrow = TODAY + timedelta(days=1)
    services.repay(session, late["id"], "5000", tomorrow, today=tomorrow)
    asked = DATES[:-1] + [tomorrow]
    passes = []
    real = queries.open_balances_at

    def counted(conn, dates, *args):
        passes.append((list(dates), *args))
        return real(conn, dates, *args)
    monkeypatch.setattr(queries, "open_balances_at", counted)
    got = open_balances_kept(conn, asked)
    monkeypatch.undo()
    assert got == queries.open_balances_at(conn, asked)
    assert got[-1] != open_balances_kept(conn, [TODAY])[0]     # the repayment counts
    # the repayment drops the month end after it (kept in the future) as well
    later = sorted({tomorrow, DATES[-2]})
    if share == 1.0:
        assert passes == [([TODAY, *later], None, {late["id"]})]
    else:
        assert passes == [(later, None)]


def test_back_dated_repayment_drops_only_the_dates_from_its_value_date(book):
    session, _late, good = book
    conn = session.conn
    paid = date(2026, 9, 15)           # in an earlier month than today's
    kept = _write_then_check(conn, lambda: services.repay(
        session, good["id"], "3000", paid, prepay=True, today=TODAY))
    assert kept == [d for d in sorted(DATES) if d < paid]


def test_reversed_repayment(book):
    session, _late, good = book
    conn = session.conn
    entry = conn.execute("SELECT id, value_date FROM fund_entry WHERE loan_id=? AND "
                         "kind='repayment' ORDER BY value_date DESC", (good["id"],)).fetchone()
    kept = _write_then_check(conn, lambda: services.reverse(session, entry[0], today=TODAY))
    assert kept == [d for d in sorted(DATES) if d.isoformat() < entry[1]]


@pytest.mark.parametrize("change", ["value_date", "principal", "deleted", "delete", "loan_id"])
def test_ledger_entry_changed_by_any_path(book, change):
    """An entry's date moved, amount or tombstone changed or the row deleted, as a sync
    import, a repair or a script would write it (the repositories never change one)."""
    session, _late, good = book
    conn = session.conn
    entry_id, value_date = conn.execute(
        "SELECT id, value_date FROM fund_entry WHERE loan_id=? AND kind='repayment' "
        "ORDER BY value_date", (good["id"],)).fetchone()
    sql = {"value_date": ("UPDATE fund_entry SET value_date='2026-12-01' WHERE id=?",),
           "principal": ("UPDATE fund_entry SET principal=principal-500 WHERE id=?",),
           "deleted": ("UPDATE fund_entry SET deleted=1 WHERE id=?",),
           "delete": ("DELETE FROM fund_entry WHERE id=?",),
           "loan_id": ("UPDATE fund_entry SET loan_id='elsewhere' WHERE id=?",)}[change]
    kept = _write_then_check(conn, lambda: conn.execute(sql[0], (*sql[1:], entry_id)))
    assert kept == [d for d in sorted(DATES) if d.isoformat() < value_date]


def test_rescheduling_a_late_loan(book):
    session, late, _good = book
    conn = session.conn
    on = date(2026, 9, 15)
    kept = _write_then_check(conn, lambda: services.reschedule(session, late["id"], on, term=6))
    assert kept == [d for d in sorted(DATES) if d < on]


@pytest.mark.parametrize("sql", [
    "UPDATE loan_schedule SET base_paid_principal=base_paid_principal-10000000, "
    "base_paid_interest=base_paid_interest-10000000 WHERE loan_id=?",
    "UPDATE loan_schedule SET deleted=1 WHERE loan_id=?",
    "DELETE FROM loan_schedule WHERE loan_id=?",
    "UPDATE loan_instalment SET cum_principal=0, cum_interest=0 WHERE loan_id=?",
    "UPDATE loan_instalment SET deleted=1 WHERE loan_id=?",
    "DELETE FROM loan_instalment WHERE loan_id=?",
])
def test_schedule_and_instalment_rows_changed_by_any_path(book, sql):
    session, late, _good = book
    conn = session.conn
    _write_then_check(conn, lambda: conn.execute(sql, (late["id"],)))


def test_instalment_counts_from_thirty_one_days_after_its_due_date(book):
    """An instalment due on D - 31 days makes a loan late on D, not one due on D - 30: the
    instalment trigger drops exactly the dates the SQL's late_by reaches."""
    session, late, _good = book
    conn = session.conn
    conn.execute("DELETE FROM loan_instalment WHERE loan_id=?", (late["id"],))
    end = date(2026, 10, 31)
    boundary = end - timedelta(days=31)
    _fill(conn)
    before = _fresh(conn)
    conn.execute("INSERT INTO loan_instalment(id, office_id, loan_id, version, number, due_date,"
                 " principal, interest, cum_principal, cum_interest, created_at, created_by,"
                 " updated_at, updated_by) SELECT 'i-late', office_id, id, 1, 1, ?, 6000000, 0,"
                 " 6000000, 0, '', '', '', '' FROM loan WHERE id=?",
                 (boundary.isoformat(), late["id"]))
    assert _fresh(conn) != before
    assert balance_cache.as_of_dates(conn) == [d for d in sorted(DATES) if d < end]
    _assert_exact(conn)
    # one day later, and the month end of October is not late yet
    _fill(conn)
    conn.execute("UPDATE loan_instalment SET due_date=? WHERE id='i-late'",
                 ((boundary + timedelta(days=1)).isoformat(),))
    _assert_exact(conn)


def test_loan_deleted_moved_or_changing_currency(book):
    session, late, good = book
    conn = session.conn
    kept = _write_then_check(conn, lambda: LoanRepository(session).delete(late["id"]))
    assert kept == [d for d in sorted(DATES) if d < date(2026, 1, 10)]
    kept = _write_then_check(conn, lambda: conn.execute(
        "UPDATE loan SET office_id=? WHERE id=?", (OTHER, good["id"])))
    assert kept == [d for d in sorted(DATES) if d < date(2026, 2, 10)]
    _write_then_check(conn, lambda: conn.execute(
        "UPDATE loan SET currency='USD' WHERE id=?", (good["id"],)))
    _write_then_check(conn, lambda: conn.execute("DELETE FROM loan WHERE id=?", (good["id"],)))


def test_loan_arriving_after_its_entries(book):
    """Entries of a loan that is not here yet count once the loan arrives (an import may
    bring them in any order)."""
    session, late, _good = book
    conn = session.conn
    row = conn.execute("SELECT * FROM loan WHERE id=?", (late["id"],)).fetchone()
    names = [d[0] for d in conn.execute("SELECT * FROM loan LIMIT 0").description]
    conn.execute("DELETE FROM loan WHERE id=?", (late["id"],))
    _write_then_check(conn, lambda: conn.execute(
        f"INSERT INTO loan({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", row))


def test_writes_that_change_no_figure_keep_every_date(book):
    session, late, good = book
    conn = session.conn
    _fill(conn)
    services.request_write_off(session, late["id"], "The borrower left the country",
                               today=TODAY)
    LoanRepository(session).update(good["id"], {"guarantor_phone": "+992 93 000 00 00"})
    person = conn.execute("SELECT person_id FROM loan WHERE id=?", (late["id"],)).fetchone()[0]
    erase_person(session, person, "Asked to be forgotten")
    assert balance_cache.as_of_dates(conn) == sorted(DATES)
    _assert_exact(conn)


def test_written_off_loan(book):
    session, late, _good = book
    conn = session.conn
    checker = second_user(session, "approver")
    services.request_write_off(session, late["id"], "The borrower left the country",
                               on=date(2026, 11, 2), today=TODAY)
    kept = _write_then_check(conn, lambda: services.approve_write_off(
        checker, late["id"], on=date(2026, 11, 2), today=TODAY))
    assert kept == [d for d in sorted(DATES) if d < date(2026, 11, 2)]


def test_new_loan_disbursed(book):
    session, _late, _good = book
    conn = session.conn
    checker = second_user(session, "approver")
    fund = conn.execute("SELECT id FROM loan_fund").fetchone()[0]
    person = borrower(session, family="Саидова", given="Зарина")
    kept = _write_then_check(conn, lambda: active_loan(
        session, checker, {"id": fund}, person, amount="3000", disbursed=date(2027, 3, 3)))
    assert kept == [d for d in sorted(DATES) if d < date(2027, 3, 3)]


def test_stale_snapshot_stores_nothing_and_answers_right(book, db_path, monkeypatch):
    """Figures computed while another connection commits are returned (right for what was
    read) but not kept: SQLite refuses the write of a snapshot older than the commit."""
    from desktop_app.store.access import open_database
    session, _late, good = book
    other = open_database(db_path)
    before = queries.open_balances_at(session.conn, DATES)
    real = queries.open_balances_at

    def meanwhile(conn, dates, *args):
        figures = real(conn, dates, *args)
        services.repay(session, good["id"], "3000", date(2026, 7, 1), prepay=True,
                       today=TODAY)
        return figures
    monkeypatch.setattr(queries, "open_balances_at", meanwhile)
    try:
        assert open_balances_kept(other, DATES) == before
        assert not other.in_transaction
    finally:
        other.close()
    monkeypatch.undo()
    assert balance_cache.as_of_dates(session.conn) == []
    assert queries.open_balances_at(session.conn, DATES) != before
    _assert_exact(session.conn)


def test_read_only_connection_answers_without_keeping(book, db_path):
    from desktop_app.store import db as dbmod
    session, _late, _good = book
    reader = dbmod.connect(db_path, readonly=True)
    try:
        assert open_balances_kept(reader, DATES) == queries.open_balances_at(reader, DATES)
        assert balance_cache.as_of_dates(session.conn) == []
        assert not reader.in_transaction
    finally:
        reader.close()


def test_a_newer_formula_never_reads_an_older_one(book, monkeypatch):
    session, _late, _good = book
    conn = session.conn
    _fill(conn)
    conn.execute("UPDATE loan_balance_cache SET outstanding = outstanding + 1")
    monkeypatch.setattr(balance_cache, "FORMULA", "another")
    _assert_exact(conn)
    assert conn.execute("SELECT count(*) FROM loan_balance_cache WHERE scope NOT LIKE "
                        "'another|%'").fetchone()[0] == 0


# ---- through sync --------------------------------------------------------------------
def _office_book(replica):
    session = replica.session
    checker = second_user(session)
    fund = fund_with_capital(session)
    late = active_loan(session, checker, fund, borrower(session), amount="6000",
                       disbursed=date(2026, 1, 10))
    good = active_loan(session, checker, fund, borrower(session, sex="male", family="Karimov",
                                                         given="Aziz"),
                       amount="12000", disbursed=date(2026, 2, 10))
    return session, checker, fund, late, good


def test_import_of_back_dated_repayment_reschedule_and_deletion(make_replicas, tmp_path):
    """A coordinator's kept figures after a bundle brings an office's back-dated repayment,
    a rescheduling, a new loan and a deleted one."""
    from tests.helpers.replicas import exchange_files
    grm, dsh = make_replicas(["GRM", "DSH"])
    session, checker, fund, late, good = _office_book(grm)
    exchange_files(grm, dsh, tmp_path / "first")
    _fill(dsh.conn)
    before = _fresh(dsh.conn)
    services.repay(session, good["id"], "3000", date(2026, 9, 15), prepay=True, today=TODAY)
    services.reschedule(session, late["id"], date(2026, 10, 1), term=6)
    other = active_loan(session, checker, fund, borrower(session, family="Саидова",
                                                         given="Зарина"),
                        amount="2000", disbursed=date(2026, 12, 5))
    LoanRepository(session).delete(other["id"])
    exchange_files(grm, dsh, tmp_path / "second")
    assert balance_cache.as_of_dates(dsh.conn) == [d for d in sorted(DATES)
                                                   if d < date(2026, 9, 15)]
    assert _fresh(dsh.conn) != before
    _assert_exact(dsh.conn)
    assert queries.open_balances_at(dsh.conn, DATES) == \
        queries.open_balances_at(grm.conn, DATES)


@pytest.mark.parametrize("stop_at", [0.3, 0.8])
def test_cancelled_chunked_import_leaves_exact_figures(make_replicas, tmp_path, monkeypatch,
                                                       stop_at):
    """Figures kept while a chunked import runs (here by the importing connection, between
    its batches) are dropped by its undo: afterwards they are those of before the import."""
    from tests.helpers.replicas import exchange_files
    grm, dsh = make_replicas(["GRM", "DSH"])
    session, checker, fund, late, good = _office_book(grm)
    exchange_files(grm, dsh, tmp_path / "first")
    for n in range(8):
        services.repay(session, good["id"], "100", date(2026, 5 + n, 12), prepay=True,
                       today=TODAY)
        person = borrower(session, family=f"Саидова{n}", given="Зарина")
        active_loan(session, checker, fund, person, amount="500",
                    disbursed=date(2026, 5 + n, 20))
    bundle = tmp_path / "second.hamroh"
    exchange.export_bundle(grm.conn, bundle)
    _fill(dsh.conn)
    before = _fresh(dsh.conn)
    monkeypatch.setattr(import_undo, "CHUNK", 40)
    monkeypatch.setattr(exchange, "BATCH", 20)
    kept_during = []

    def progress(done, total):
        open_balances_kept(dsh.conn, DATES)
        kept_during.append(balance_cache.as_of_dates(dsh.conn))
        return done < stop_at * total
    with pytest.raises(exchange.ImportCancelled):
        exchange.import_bundle(dsh.conn, bundle, progress=progress)
    assert len(kept_during) > 2 and all(kept == sorted(DATES) for kept in kept_during)
    assert _fresh(dsh.conn) == before
    _assert_exact(dsh.conn)
    # the same bundle imports whole afterwards, and the figures follow it
    exchange.import_bundle(dsh.conn, bundle)
    _assert_exact(dsh.conn)
    assert queries.open_balances_at(dsh.conn, DATES) == \
        queries.open_balances_at(grm.conn, DATES)


def test_a_missing_trigger_turns_the_cache_off(book):
    """A table rebuilt without its triggers (a later migration's mistake) must not leave
    figures that nothing drops: without every trigger the cache is neither read nor
    written."""
    session, _late, good = book
    conn = session.conn
    _fill(conn)
    assert set(balance_cache.TRIGGERS) <= {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger'")}
    conn.execute("DROP TRIGGER loan_balance_cache_entry_insert")
    before = _fresh(conn)
    services.repay(session, good["id"], "3000", date(2026, 9, 15), prepay=True, today=TODAY)
    assert _fresh(conn) != before
    _assert_exact(conn)
    conn.execute("DELETE FROM loan_balance_cache")
    _assert_exact(conn)
    assert balance_cache.as_of_dates(conn) == []
