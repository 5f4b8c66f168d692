"""The Home dashboard reads the loan portfolio once, in SQL, for every month of its charts."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop_app.domain import loans as L
from desktop_app.reports import dashboard
from desktop_app.reports.periods import month_period
from desktop_app.store.loans import queries, services
from tests.reports.test_loan_portfolio_indicators import TODAY, _fund_with_borrowers, _loan


def test_one_portfolio_pass_for_thirteen_months(session, monkeypatch):
    checker, fund, woman, man = _fund_with_borrowers(session)
    _loan(session, checker, fund, woman, "6000", date(2026, 1, 10))   # never repaid: late
    good = _loan(session, checker, fund, man, "12000", date(2026, 2, 10))
    for i in queries.instalments_of(session.conn, good["id"], 1)[:3]:
        services.repay(session, good["id"], L.from_minor(i["principal"] + i["interest"], "TJS"),
                       date.fromisoformat(i["due_date"]), today=TODAY)
    passes, rows = [], []
    real = queries.open_balances_at

    def counted(conn, dates, *args):
        passes.append(list(dates))
        return real(conn, dates, *args)

    monkeypatch.setattr(queries, "open_balances_at", counted)
    monkeypatch.setattr(queries, "loan_rows", lambda *a, **k: rows.append(a) or [])
    monkeypatch.setattr(queries, "loan_rows_at", lambda *a, **k: rows.append(a) or [])
    data = dashboard.dashboard_data(session.conn, session.actor, today=date(2026, 12, 15),
                                    months=13)
    assert len(passes) == 1 and len(passes[0]) == 14      # 13 month ends and today
    assert rows == []                                     # no loan rows made in Python
    assert len(data.months) == 13
    monkeypatch.undo()
    for n, code in enumerate(data.months):
        month = month_period(int(code[:4]), int(code[5:]))
        figures = queries.portfolio(session.conn, month.end).by_currency.get("TJS")
        expected = figures.par(30) if figures else None
        got = data.par30.get("TJS", [None] * 13)[n]
        if expected is None:
            assert got is None, code
        else:
            assert got == (expected * 100).quantize(Decimal("0.1")), code
    assert any(v for v in data.par30["TJS"])            # the woman's loan is at risk
    cards = {f.code: f for f in data.figures}
    now = queries.portfolio(session.conn, date(2026, 12, 15)).by_currency["TJS"]
    assert cards["loans_outstanding"].value == L.from_minor(now.outstanding, "TJS")


def test_office_scope_of_par30(session):
    checker, fund, woman, _man = _fund_with_borrowers(session)
    _loan(session, checker, fund, woman, "6000", date(2026, 1, 10))
    office = session.conn.execute("SELECT office_id FROM loan").fetchone()[0]
    day = [date(2026, 6, 30)]
    assert queries.open_balances_at(session.conn, day, ["another-office"]) == [{}]
    assert dashboard._par30_by_month(queries.open_balances_at(session.conn, day, [office])) \
        == dashboard._par30_by_month(queries.open_balances_at(session.conn, day)) \
        == {"TJS": [Decimal("100.0")]}
