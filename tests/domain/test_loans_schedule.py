"""Schedule arithmetic: identities that must hold for every product."""
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain import loans as L

currencies = st.sampled_from(L.CURRENCIES)


@st.composite
def terms(draw, method=None, amortisation=None):
    cur = draw(currencies)
    term = draw(st.integers(1, 60))
    amount = Decimal(draw(st.integers(100 * term, 50_000_000))).scaleb(-2)
    return L.Terms(
        amount=amount, currency=cur,
        annual_rate=Decimal(draw(st.integers(0, 6000))).scaleb(-2), term=term,
        frequency=draw(st.sampled_from(tuple(L.FREQUENCIES))),
        method=method or draw(st.sampled_from(tuple(L.METHODS))),
        amortisation=amortisation or draw(st.sampled_from(tuple(L.AMORTISATIONS))),
        grace=draw(st.integers(0, term - 1)))


def test_minor_units_agree_with_babel():
    for cur in L.CURRENCIES:
        assert L.minor_units(cur) == get_currency_precision(cur)


@settings(max_examples=300, deadline=None)
@given(terms(), st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_principal_parts_sum_exactly_to_amount(t, start):
    rows = L.schedule(t, start)
    principal, interest = L.schedule_totals(rows)
    assert principal == t.amount
    assert len(rows) == t.term
    assert rows[-1].balance_after == 0
    q = L.quantum(t.currency)
    for r in rows:
        assert r.principal >= 0 and r.interest >= 0
        assert r.principal == r.principal.quantize(q) and r.interest == r.interest.quantize(q)
    assert all(r.principal == 0 for r in rows[:t.grace])
    dates = [r.due_date for r in rows]
    assert dates == sorted(dates) and dates[0] > start


@settings(max_examples=300, deadline=None)
@given(terms(method="declining", amortisation="equal_instalments"))
def test_declining_instalments_equal_the_annuity_formula(t):
    rows = L.schedule(t, date(2026, 1, 15))
    n = t.term - t.grace
    rate = L.period_rate(t)
    expected = L.round_money(L.annuity_payment(t.amount, rate, n), t.currency)
    amortising = rows[t.grace:]
    for r in amortising[:-1]:
        # an instalment whose interest exceeds the payment cannot happen for these rates
        assert r.total == expected
    # the last one absorbs the rounding: within a minor unit per instalment of the annuity
    # (each rounding of at most half a minor unit grows with interest until the end)
    growth = ((1 + rate) ** n - 1) / rate if rate else Decimal(n)
    assert abs(amortising[-1].total - expected) <= L.quantum(t.currency) * growth
    for r in rows[:t.grace]:
        assert r.interest == L.round_money(t.amount * rate, t.currency)


@settings(max_examples=300, deadline=None)
@given(terms(method="flat"))
def test_flat_interest_total_is_principal_times_rate_times_time(t):
    rows = L.schedule(t, date(2026, 3, 31))
    _p, interest = L.schedule_totals(rows)
    years = Decimal(t.term) / L.PERIODS_PER_YEAR[t.frequency]
    assert interest == L.round_money(t.amount * t.annual_rate / 100 * years, t.currency)
    # equal interest every period except the last, which absorbs the remainder
    assert len({r.interest for r in rows[:-1]}) <= 1


@settings(max_examples=200, deadline=None)
@given(terms(method="declining", amortisation="equal_principal"))
def test_equal_principal_declining_interest_follows_balance(t):
    rows = L.schedule(t, date(2026, 1, 1))
    rate = L.period_rate(t)
    balance = t.amount
    for r in rows:
        assert r.interest == L.round_money(balance * rate, t.currency)
        balance -= r.principal
    parts = {r.principal for r in rows[t.grace:-1]}
    assert len(parts) <= 1


def test_known_annuity_example():
    # 10,000 TJS at 24% a year over 12 months: payment 945.60 (annuity tables)
    rows = L.schedule(L.Terms(Decimal("10000"), "TJS", Decimal("24"), 12), date(2026, 1, 31))
    assert rows[0].total == Decimal("945.60")
    assert rows[0].interest == Decimal("200.00")
    # month ends are kept: Feb 28, Mar 31
    assert rows[0].due_date == date(2026, 2, 28) and rows[1].due_date == date(2026, 3, 31)
    assert sum(r.principal for r in rows) == Decimal("10000")


def test_weekly_and_fortnightly_due_dates():
    start = date(2026, 1, 1)
    weekly = L.schedule(L.Terms(Decimal(100), "USD", Decimal(10), 3, "weekly", "flat"), start)
    assert [r.due_date for r in weekly] == [date(2026, 1, 8), date(2026, 1, 15),
                                            date(2026, 1, 22)]
    fortnightly = L.schedule(L.Terms(Decimal(100), "USD", Decimal(10), 2, "fortnightly"), start)
    assert [r.due_date for r in fortnightly] == [date(2026, 1, 15), date(2026, 1, 29)]


@pytest.mark.parametrize("changes, field", [
    ({"amount": Decimal("10.001")}, "amount"),
    ({"term": 0}, "term"),
    ({"grace": 12}, "grace"),
    ({"annual_rate": Decimal("-1")}, "annual_rate"),
    ({"frequency": "daily"}, "frequency"),
    ({"allocation": ("interest", "principal")}, "allocation"),
])
def test_invalid_terms_are_named(changes, field):
    t = L.terms_with(L.Terms(Decimal(1000), "TJS", Decimal(20), 12), **changes)
    assert field in L.validate_terms(t)
    with pytest.raises(L.LoanError):
        L.schedule(t, date(2026, 1, 1))


def test_amount_parsing():
    assert L.parse_amount("1 500,50", "TJS") == Decimal("1500.50")
    with pytest.raises(L.LoanError):
        L.parse_amount("abc", "TJS")
    with pytest.raises(L.LoanError):
        L.parse_amount("0", "TJS")
    with pytest.raises(L.LoanError):
        L.parse_amount("1.234", "USD")
    assert L.to_minor(Decimal("12.34"), "UZS") == 1234
    assert L.from_minor(1234, "UZS") == Decimal("12.34")


def _dues(rows, cur):
    return [L.Due(r.number, r.due_date, L.to_minor(r.principal, cur), L.to_minor(r.interest, cur))
            for r in rows]


def test_state_days_late_and_allocation_order():
    t = L.Terms(Decimal("1200"), "TJS", Decimal("12"), 12, method="flat")
    dues = _dues(L.schedule(t, date(2026, 1, 10)), "TJS")  # 100 principal + 12 interest
    s = L.loan_state(dues, [], date(2026, 3, 20), amount=120000, currency="TJS")
    assert s.days_late == 38 and s.principal_due == 20000 and s.interest_due == 2400
    assert L.bucket_of(s.days_late) == "31-60"
    a = L.allocate(s, 5000, ("penalty", "interest", "principal"), currency="TJS")
    assert (a.penalty, a.interest, a.principal) == (0, 2400, 2600)
    b = L.allocate(s, 5000, ("principal", "interest", "penalty"), currency="TJS")
    assert (b.interest, b.principal) == (0, 5000)
    with pytest.raises(L.PrepaymentNeeded):
        L.allocate(s, s.due_now + 1, currency="TJS")
    c = L.allocate(s, s.due_now + 1000, prepay=True, currency="TJS")
    assert c.prepaid_principal == 1000
    with pytest.raises(L.LoanError):
        L.allocate(s, s.payoff + 1, prepay=True, currency="TJS")
    # paying the first instalment moves the oldest unpaid to the second
    paid = [L.Payment(date(2026, 3, 1), 10000, 1200, 0)]
    s2 = L.loan_state(dues, paid, date(2026, 3, 20), amount=120000, currency="TJS")
    assert s2.days_late == 10 and s2.oldest_unpaid == date(2026, 3, 10)


def test_late_fee_charged_after_tolerance():
    t = L.Terms(Decimal("1200"), "TJS", Decimal("0"), 2, method="flat")
    dues = _dues(L.schedule(t, date(2026, 1, 10)), "TJS")
    kw = dict(amount=120000, currency="TJS", tolerance_days=5, late_fee_percent=Decimal("2"))
    assert L.loan_state(dues, [], date(2026, 2, 15), **kw).penalty_due == 0
    assert L.loan_state(dues, [], date(2026, 2, 16), **kw).penalty_due == 1200
    on_time = [L.Payment(date(2026, 2, 14), 60000, 0, 0)]
    assert L.loan_state(dues, on_time, date(2026, 2, 20), **kw).penalty_due == 0
