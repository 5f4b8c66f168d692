"""``hamroh loan ...``: quote a schedule to a client (no database), portfolio figures."""
from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from decimal import Decimal, InvalidOperation

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.domain import loans as L
from desktop_app.domain.csv_safety import SafeWriter
from desktop_app.i18n import Domain, format_date, format_money, format_number
from desktop_app.i18n.formats import decimal_text, percent, rate_percent
from desktop_app.store.loans import queries as loan_queries

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("loan", help=_("micro-loans: schedules and portfolio"))
    sub = parser.add_subparsers(dest="loan_command", metavar="ACTION", required=True)

    sched = sub.add_parser("schedule", help=_("print a repayment schedule (no database needed)"))
    sched.add_argument("--amount", required=True,
                       help=_("amount lent, e.g. {whole} or {fraction}").format(
                           whole=format_number(5000), fraction=decimal_text("5000.50")))
    sched.add_argument("--currency", required=True, type=str.upper,
                       help=_("ISO currency code: TJS, UZS, KGS, KZT, RUB, USD"))
    sched.add_argument("--rate", required=True, help=_("yearly interest rate in percent"))
    sched.add_argument("--term", required=True, type=int, help=_("number of instalments"))
    sched.add_argument("--frequency", required=True, choices=tuple(L.FREQUENCIES))
    sched.add_argument("--method", required=True, choices=tuple(L.METHODS))
    sched.add_argument("--amortisation", default="equal-instalments",
                       choices=("equal-instalments", "equal-principal"))
    sched.add_argument("--grace", type=int, default=0,
                       help=_("first instalments with interest only"))
    sched.add_argument("--start", help=_("disbursement date (YYYY-MM-DD); default today"))
    sched.add_argument("--csv", action="store_true", help=_("print CSV instead of a table"))
    sched.set_defaults(handler=_schedule)

    port = sub.add_parser("portfolio", help=_("portfolio figures and the overdue list on a date"))
    add_db_argument(port)
    port.add_argument("--as-of", help=_("date (YYYY-MM-DD); default today"))
    port.add_argument("--office", help=_("office code (default: all offices)"))
    port.set_defaults(handler=_portfolio)


def _parse_date(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise L.LoanError(_("{text} is not a date; write it as YYYY-MM-DD.").format(
            text=text)) from None


def _schedule(args: argparse.Namespace) -> int:
    try:
        currency = args.currency
        L.minor_units(currency)
        amount = L.parse_amount(args.amount, currency)
        try:
            rate = Decimal(args.rate.replace(",", "."))
        except InvalidOperation:
            raise L.LoanError(_("{text} is not a rate in percent.").format(
                text=args.rate)) from None
        terms = L.Terms(amount=amount, currency=currency, annual_rate=rate, term=args.term,
                        frequency=args.frequency, method=args.method,
                        amortisation=args.amortisation.replace("-", "_"), grace=args.grace)
        rows = L.schedule(terms, _parse_date(args.start))
    except L.LoanError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 2
    principal, interest = L.schedule_totals(rows)
    headers = [_("No."), _("Due date"), _("Principal"), _("Interest"), _("Payment"),
               _("Balance")]
    if args.csv:
        writer = SafeWriter(csv.writer(sys.stdout, lineterminator="\n"))
        writer.writerow(["number", "due_date", "principal", "interest", "payment", "balance",
                         "currency"])
        for r in rows:
            writer.writerow([r.number, r.due_date.isoformat(), r.principal, r.interest, r.total,
                             r.balance_after, currency])
        return 0
    table = [[str(r.number), format_date(r.due_date), f"{r.principal}",
              f"{r.interest}", f"{r.total}", f"{r.balance_after}"] for r in rows]
    table.append(["", _("Total"), f"{principal}", f"{interest}", f"{principal + interest}", ""])
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    print(_("{method}, {amortisation}, {rate} a year, {term} × {frequency}, {currency}").format(
        method=_(L.METHODS[terms.method]), amortisation=_(L.AMORTISATIONS[terms.amortisation]),
        rate=rate_percent(rate), term=terms.term,
        frequency=_(L.FREQUENCIES[terms.frequency]).lower(),
        currency=currency))
    print("  ".join(h.rjust(w) if i != 1 else h.ljust(w)
                    for i, (h, w) in enumerate(zip(headers, widths, strict=True))))
    for row in table:
        print("  ".join(c.rjust(w) if i != 1 else c.ljust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return 0


def _portfolio(args: argparse.Namespace) -> int:
    try:
        as_of = _parse_date(args.as_of)
    except L.LoanError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 2
    session = open_for_cli(args)
    conn = session.conn
    office_id = None
    if args.office:
        row = conn.execute("SELECT id FROM office WHERE code=? AND deleted=0",
                           (args.office,)).fetchone()
        if row is None:
            print(_("Error: {message}").format(message=_("There is no office {code}.").format(
                code=args.office)), file=sys.stderr)
            return 2
        office_id = row[0]
    summary = loan_queries.portfolio(conn, as_of, office_id=office_id)
    print(_("Portfolio on {date}").format(date=format_date(as_of)))
    for cur, fig in sorted(summary.by_currency.items()):
        print(f"{cur}: " + _("{active} active loans, outstanding {outstanding}, "
                             "PAR1 {par1}, PAR30 {par30}, PAR90 {par90}").format(
            active=format_number(fig.active),
            outstanding=format_money(L.from_minor(fig.outstanding, cur), cur),
            par1=percent(fig.par(1)), par30=percent(fig.par(30)),
            par90=percent(fig.par(90))))
    print(_("Repayment rate: {rate}").format(rate=percent(summary.repayment_rate)))
    print(_("Women borrowers: {share}").format(share=percent(summary.women_share)))
    print(_("Loans to returned migrants: {count}").format(
        count=format_number(summary.returned_migrant_loans)))
    overdue = loan_queries.overdue_list(conn, as_of, office_id=office_id)
    if overdue:
        print(_("Overdue loans:"))
        for item in overdue:
            print(f"  {item.number}  {item.borrower}  {item.phones or ''}  "
                  + _("{days} days, {amount}").format(
                      days=format_number(item.days_late),
                      amount=format_money(L.from_minor(item.overdue, item.currency),
                                          item.currency)))
    return 0
