"""`hamroh db check` names the triggers of this version that a database lacks or that were
changed; `hamroh db migrate` creates them again (after a backup) and puts right what went
out of step without them: the Home page's kept loan figures and the cases' search keys."""
from __future__ import annotations

from datetime import date

from desktop_app.cli import main as hamroh
from desktop_app.domain import loans as L
from desktop_app.store.access import open_database
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import services as cs
from desktop_app.store.loans import balance_cache, queries, services
from desktop_app.store.people.repositories import PersonRepository
from tests.conftest import TEST_PASSWORD
from tests.helpers.loans import TODAY, active_loan, borrower, fund_with_capital, second_user

DATES = [date(2026, 3, 31), TODAY]
STALE = "person_case_search_stale"
INSTALMENT = "loan_balance_cache_instalment_insert"
INDEX_SQL = "SELECT sql FROM sqlite_master WHERE name = ?"


def _cli(db_path, *words):
    return hamroh(["db", *words, "--db", str(db_path), "--user", "admin"])


def test_check_names_missing_and_changed_triggers_and_migrate_restores_them(
        session, db_path, monkeypatch, capsys):
    conn = session.conn
    checker = second_user(session)
    fund = fund_with_capital(session)
    loan = active_loan(session, checker, fund, borrower(session))
    person = PersonRepository(session).create({"family_name": "Назаров",
                                               "given_name": "Фарҳод"})
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      person_id=person["id"]))
    kept_before = balance_cache.open_balances_kept(conn, DATES)
    index = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                         "tbl_name = 'hotline_case' AND sql IS NOT NULL").fetchone()[0]
    index_sql = conn.execute(INDEX_SQL, (index,)).fetchone()[0]
    # damage: the triggers gone, one of them rewritten to do nothing, an index dropped
    stale_sql = conn.execute(INDEX_SQL, (STALE,)).fetchone()[0]
    loan_triggers = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
        (balance_cache.TABLE + "%",))]
    assert INSTALMENT in loan_triggers and len(loan_triggers) > 4
    for name in (STALE, *loan_triggers):
        conn.execute(f"DROP TRIGGER {name}")
    update = "loan_balance_cache_loan_update"
    conn.execute(f"CREATE TRIGGER {update} AFTER UPDATE ON loan BEGIN SELECT 1; END")
    conn.execute(f"DROP INDEX {index}")
    # writes while they are missing: the person's new name never reaches the case's
    # search keys, and a repayment never reaches the kept figures
    PersonRepository(session).update(person["id"], {"family_name": "Раҳимов"})
    first = queries.instalments_of(conn, loan["id"], 1)[0]
    services.repay(session, loan["id"], L.from_minor(first["principal"] + first["interest"],
                                                      "TJS"),
                   date.fromisoformat(first["due_date"]), today=TODAY)
    assert cq.case_ids(conn, cq.CaseFilter(search="Rahimov")) == []
    conn.close()
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)

    assert _cli(db_path, "check") == 1
    out = capsys.readouterr().out
    assert (f"The trigger {STALE}, which keeps figures or search keys up to date, is missing; "
            "run 'hamroh db migrate' to restore it.") in out
    assert f"The trigger {INSTALMENT}, which keeps figures" in out
    assert f"The trigger {update}, which keeps figures or search keys up to date, was " \
           "changed; run 'hamroh db migrate' to restore it." in out
    assert f"The index {index} is missing" in out

    assert _cli(db_path, "migrate") == 0
    out = capsys.readouterr().out
    assert "Backup of the previous file:" in out
    restored = sorted([index, STALE, *loan_triggers])
    assert f"Restored {len(restored)} indexes and triggers: {', '.join(restored)}." in out
    assert list((db_path.parent / "backups").glob("*.db"))
    assert _cli(db_path, "check") == 0
    capsys.readouterr()
    assert _cli(db_path, "migrate") == 0
    assert "The database is up to date." in capsys.readouterr().out

    conn = open_database(db_path)
    assert conn.execute(INDEX_SQL, (STALE,)).fetchone()[0] == stale_sql
    assert conn.execute(INDEX_SQL, (index,)).fetchone()[0] == index_sql
    # what went out of step is right again: the case is found by the new name, and the
    # kept loan figures are the repayment's, not those kept before it
    assert cq.case_ids(conn, cq.CaseFilter(search="Rahimov")) == [case["id"]]
    assert balance_cache.has_cache(conn)
    after = balance_cache.open_balances_kept(conn, DATES)
    assert after == queries.open_balances_at(conn, DATES)
    assert after != kept_before
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'db_restore_schema'"
                        ).fetchone()[0] == 1
    conn.close()
