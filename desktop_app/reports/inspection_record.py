"""The printed record of a labour inspection, in the reader's language: the enterprise,
the date, trigger and inspector, the violations found, the sanctions with their fines,
the linked cases and the findings, with a line for the signatures.

Code labels come from the reference data; headings from ``LABELS`` (reports catalog).
The export is written in the audit log.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from desktop_app.domain.cases import from_minor
from desktop_app.i18n import N_, Domain, format_date, format_money
from desktop_app.reports.organisation import letterhead
from desktop_app.reports.outputs import atomic_target
from desktop_app.reports.record_pdf import PageFrame, record_styles, record_table
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.store.inspections import queries as iq
from desktop_app.store.inspections.repositories import InspectionRepository

DOMAIN = Domain("reports")

LABELS = {
    "title": N_("Inspection record {number}"),
    "printed": N_("Printed on {date} by {user}"),
    "enterprise": N_("Enterprise"),
    "tax_number": N_("Tax number"),
    "date": N_("Date of the inspection"),
    "trigger": N_("Reason for the inspection"),
    "inspector": N_("Inspector"),
    "violations": N_("Violations found"),
    "violation": N_("Violation"),
    "workers": N_("Workers affected"),
    "sanctions": N_("Sanctions"),
    "sanction": N_("Sanction"),
    "fine": N_("Fine"),
    "cases": N_("Linked cases"),
    "findings": N_("Findings"),
    "none": N_("None recorded."),
    "signatures": N_("Inspector's signature: ____________    Employer's representative: "
                     "____________"),
    "page": N_("Page {page}"),
}


class _Record:
    def __init__(self, session, inspection: dict, language: str):
        self.conn = session.conn
        self.inspection = inspection
        self.language = language
        self.tr = DOMAIN.in_language(language).gettext
        styles = record_styles()
        self.regular, self.body, self.small = styles.regular, styles.body, styles.small
        self.h1, self.h2, self.bold = styles.h1, styles.h2, styles.bold

    def L(self, key: str, **kw) -> str:  # noqa: N802 - a short label helper
        text = self.tr(LABELS[key])
        return text.format(**kw) if kw else text

    def p(self, text, style=None) -> Paragraph:
        return Paragraph(escape(str(text or "")), style or self.body)

    def ref(self, kind: str, code: str | None) -> str:
        return reference.label(self.conn, kind, code, self.language) if code else ""

    def money(self, minor, currency) -> str:
        amount = from_minor(minor, currency)
        return format_money(amount, currency, self.language) if amount is not None else ""

    def heading(self, session) -> list:
        record = self.inspection
        return [self.p(self.L("title", number=record["number"]), self.h1),
                self.p(self.L("printed", date=format_date(date.today(), self.language),
                              user=session.actor.display_name or session.actor.username),
                       self.small)]

    def facts(self) -> Table:
        record, conn = self.inspection, self.conn
        employer = conn.execute("SELECT name, tax_number, city FROM employer WHERE id=?",
                                (record["employer_id"],)).fetchone()
        name = employer[0] if employer else ""
        if employer and employer[2]:
            name += ", " + self.ref("city", employer[2])
        rows = [(self.L("enterprise"), name),
                (self.L("tax_number"), employer[1] if employer else ""),
                (self.L("date"), format_date(record["inspected_on"], self.language)),
                (self.L("trigger"), self.ref("inspection_trigger", record["trigger"])),
                (self.L("inspector"), record.get("inspector_name")
                 or cq.user_name(conn, record.get("inspector_id")))]
        return record_table([(self.p(k, self.bold), self.p(v)) for k, v in rows if v],
                      [55 * mm, 119 * mm], header=False)

    def violations(self) -> list:
        found = iq.violations_of(self.conn, self.inspection["id"])
        story = [self.p(self.L("violations"), self.h2)]
        if not found:
            return story + [self.p(self.L("none"))]
        if not any(v.get("workers_affected") for v in found):
            return story + [record_table([(self.p(self.ref("violation", v["violation"])),)
                                    for v in found], [174 * mm], header=False)]
        rows = [(self.p(self.L("violation"), self.bold), self.p(self.L("workers"), self.bold))]
        rows += [(self.p(self.ref("violation", v["violation"])),
                  self.p(v.get("workers_affected") or "")) for v in found]
        return story + [record_table(rows, [134 * mm, 40 * mm])]

    def sanctions(self) -> list:
        found = iq.sanctions_of(self.conn, self.inspection["id"])
        story = [self.p(self.L("sanctions"), self.h2)]
        if not found:
            return story + [self.p(self.L("none"))]
        rows = [(self.p(self.L("sanction"), self.bold), self.p(self.L("fine"), self.bold))]
        rows += [(self.p(self.ref("sanction", s["sanction"])),
                  self.p(self.money(s.get("fine_minor"), s.get("fine_currency"))))
                 for s in found]
        return story + [record_table(rows, [124 * mm, 50 * mm])]

    def cases(self) -> list:
        found = iq.cases_of(self.conn, self.inspection["id"])
        story = [self.p(self.L("cases"), self.h2)]
        if not found:
            return story + [self.p(self.L("none"))]
        return story + [self.p(", ".join(c["number"] for c in found))]

    def findings(self) -> list:
        text = self.inspection.get("findings")
        return [self.p(self.L("findings"), self.h2), self.p(text or self.L("none"))]


def write_inspection_pdf(session, inspection_id: str, path: str | Path, *,
                         language: str = "en") -> Path:
    """Write the inspection's record to ``path`` (written to ``path.part`` first, so a
    failure leaves no half file) and log the export."""
    inspection = InspectionRepository(session).require(inspection_id)
    record = _Record(session, inspection, language)
    story = record.heading(session)
    story.append(record.facts())
    story += record.violations()
    story += record.sanctions()
    story += record.cases()
    story += record.findings()
    story += [Spacer(1, 14 * mm), record.p(record.L("signatures"))]
    frame = PageFrame(letterhead=letterhead(session.conn),
                      title=record.L("title", number=inspection["number"]), language=language,
                      reference=inspection["number"])
    path = Path(path)
    with atomic_target(path) as part:
        frame.build(part, story)
    session.log("export_inspection_pdf", "inspection", inspection_id,
                detail={"language": language})
    return path
