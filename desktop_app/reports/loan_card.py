"""The borrower's repayment card (PDF) in the borrower's language.

All texts come from ``domain.loans.CARD_TEXT`` (catalog domain ``loans``) and are
translated with ``i18n.DOMAIN.in_language(language)``, whatever language the UI is in.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from desktop_app.domain import loans as L
from desktop_app.i18n import (
    LANGUAGES,
    Domain,
    currency_name,
    current_language,
    format_date,
    format_money,
    format_number,
)
from desktop_app.i18n.formats import rate_percent
from desktop_app.reports.fonts import register_fonts
from desktop_app.reports.organisation import letterhead
from desktop_app.reports.outputs import atomic_target
from desktop_app.reports.record_pdf import HEADER_BACKGROUND, PageFrame, record_styles
from desktop_app.store import reference
from desktop_app.store.db import row_dict
from desktop_app.store.loans import repositories as S

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


def card_texts(language: str) -> dict[str, str]:
    """The card's texts in ``language`` (whatever language the UI is in)."""
    return L.card_texts(language)


def write_card(conn, loan_id: str, path: str | Path, language: str | None = None) -> Path:
    loan = conn.execute("SELECT * FROM loan WHERE id=? AND deleted=0", (loan_id,)).fetchone()
    if loan is None:
        raise L.LoanError(_(S.LOAN_NOT_FOUND))
    cols = [d[0] for d in conn.execute("SELECT * FROM loan LIMIT 0").description]
    loan = row_dict(cols, loan)
    lang = language or loan.get("borrower_language") or current_language()
    if lang not in LANGUAGES:
        lang = "en"
    t = card_texts(lang)
    cur = loan["currency"]
    person = conn.execute("SELECT family_name, given_name, patronymic, phones FROM person "
                          "WHERE id=?", (loan["person_id"],)).fetchone() or ("", "", "", "")
    office = conn.execute("SELECT name FROM office WHERE id=?",
                          (loan["office_id"],)).fetchone()
    version = conn.execute("SELECT version, effective_from FROM loan_schedule WHERE loan_id=? "
                           "AND deleted=0 ORDER BY version DESC LIMIT 1", (loan_id,)).fetchone()
    if version:
        rows = [(n, due, p, i) for n, due, p, i in conn.execute(
            "SELECT number, due_date, principal, interest FROM loan_instalment WHERE loan_id=? "
            "AND version=? AND deleted=0 ORDER BY number", (loan_id, version[0]))]
        start = version[1]
    else:
        start = loan["disbursed_on"] or date.today().isoformat()
        rows = [(r.number, r.due_date.isoformat(), L.to_minor(r.principal, cur),
                 L.to_minor(r.interest, cur))
                for r in L.schedule(S.terms_of(loan), date.fromisoformat(start))]

    def m(minor: int) -> str:
        return format_money(L.from_minor(minor, cur), cur, lang)

    currency = currency_name(cur, lang)

    def amount(minor: int) -> str:
        """A schedule cell: the amount without the currency's name (said once above the
        table: nine columns of "1 077,98 сомонӣ" ran into each other)."""
        text = m(minor)
        return text[:-len(currency)].rstrip("\xa0 ") if text.endswith(currency) else text

    regular, bold = register_fonts()
    styles = record_styles()
    base, head = styles.body, styles.h1
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11)
    story = [Paragraph(escape(t["title"]), head)]
    if office:
        story.append(Paragraph(escape(office[0] or ""), base))
    story.append(Spacer(1, 4 * mm))
    name = " ".join(x for x in person[:3] if x)
    method = L.vocabulary_label(lang, L.METHODS, loan["method"]).lower()
    frequency = L.vocabulary_label(lang, L.FREQUENCIES, loan["frequency"]).lower()
    facts = [
        (t["borrower"], f"{name}  {person[3] or ''}"),
        (t["loan"], loan["number"]),
        (t["amount"], m(loan["amount"])),
        (t["disbursed"], format_date(loan["disbursed_on"], lang) if loan["disbursed_on"] else "—"),
        (t["terms"], t["terms_value"].format(rate=rate_percent(loan["annual_rate"], lang),
                                             method=method,
                                             term=loan["term"], frequency=frequency)),
        (t["purpose"], reference.label(conn, "loan_purpose", loan["purpose"], lang)),
    ]
    if loan["guarantor_name"]:
        facts.append((t["guarantor"], f"{loan['guarantor_name']} {loan['guarantor_phone'] or ''}"))
    # names and numbers are text (a name from another office may hold markup: <img src=...>)
    info = Table([[Paragraph(f"<b>{escape(k)}</b>", base), Paragraph(escape(str(v)), base)]
                  for k, v in facts],
                 colWidths=[45 * mm, 141 * mm], hAlign="LEFT")
    info.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [info, Spacer(1, 3 * mm)]
    if version:
        story.append(Paragraph(escape(t["version"].format(version=version[0],
                                                          date=format_date(start, lang))),
                               small))
    story.append(Paragraph(escape(DOMAIN.in_language(lang).gettext("Amounts in {currency}.").format(
        currency=currency)), small))
    header = [t["no"], t["due"], t["principal"], t["interest"], t["payment"], t["balance"],
              t["paid_on"], t["paid"], t["signature"]]
    data = [[Paragraph(f"<b>{escape(h)}</b>", small) for h in header]]
    balance = sum(r[2] for r in rows)
    for n, due, p, i in rows:
        balance -= p
        data.append([str(n), format_date(due, lang), amount(p), amount(i), amount(p + i),
                     amount(balance), "", "", ""])
    total_p, total_i = sum(r[2] for r in rows), sum(r[3] for r in rows)
    data.append(["", t["total"], amount(total_p), amount(total_i), amount(total_p + total_i),
                 "", "", "", ""])
    widths = [10, 21, 23, 20, 23, 23, 20, 23, 23]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), regular), ("FONTSIZE", (0, 1), (-1, -1), 8),
        ("FONTNAME", (0, -1), (-1, -1), bold), ("FONTSIZE", (0, -1), (-1, -1), 7.5),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("ALIGN", (2, 1), (5, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 1), (-1, -1), 4), ("BOTTOMPADDING", (0, 1), (-1, -1), 4)]))
    story += [Spacer(1, 3 * mm), table, Spacer(1, 4 * mm), Paragraph(escape(t["footer"]), small)]
    fee = Decimal(loan["late_fee_percent"] or "0")
    if fee:
        story.append(Paragraph(escape(t["late_fee"].format(
            days=loan["tolerance_days"], percent=format_number(fee, lang))), small))
    frame = PageFrame(letterhead=letterhead(conn), title=f"{t['title']} {loan['number']}",
                      language=lang, reference=loan["number"], margin=12 * mm)
    path = Path(path)
    with atomic_target(path) as part:
        frame.build(part, story, top=22 * mm, bottom=16 * mm)
    return path
