"""A case file as PDF in the reader's language, with its timeline.

Sensitive details (caller, phone, summary, the person's name, the text of timeline entries)
are left out unless ``include_sensitive`` is set by someone allowed to see them.
Headings come from ``domain.cases.PDF_LABELS`` (cases catalog); code labels from the
reference data.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table

from desktop_app.domain.cases import EVENT_LABELS, PDF_LABELS, from_minor
from desktop_app.i18n import Domain, format_date, format_money
from desktop_app.reports.organisation import letterhead
from desktop_app.reports.outputs import atomic_target
from desktop_app.reports.record_pdf import PageFrame, record_styles, record_table
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.security import sensitive

DOMAIN = Domain("reports")


class _CaseFile:
    """The case, the reader's language and the styles every section of the file uses."""

    def __init__(self, session, case: dict, language: str, include_sensitive: bool):
        self.conn = session.conn
        self.session = session
        self.case = case
        self.language = language
        self.include_sensitive = include_sensitive
        self.show = include_sensitive or not case["sensitive"]
        self.tr = DOMAIN.in_language(language).gettext
        styles = record_styles()
        self.regular, self.body, self.small = styles.regular, styles.body, styles.small
        self.h1, self.h2, self.cell_bold = styles.h1, styles.h2, styles.bold

    def L(self, key: str, **kw) -> str:  # noqa: N802 - a short label helper
        text = self.tr(PDF_LABELS[key])
        return text.format(**kw) if kw else text

    def ref(self, kind: str, code: str | None) -> str:
        return reference.label(self.conn, kind, code, self.language) if code else ""

    def p(self, text, style=None) -> Paragraph:
        return Paragraph(escape(str(text or "")), style or self.body)

    def heading(self, session) -> list:
        L, p, case, body = self.L, self.p, self.case, self.body
        story = [p(L("title", number=case["number"]), self.h1),
                 p(L("printed", date=format_date(date.today(), self.language),
                     user=session.actor.display_name or session.actor.username), self.small)]
        if case["sensitive"]:
            story.append(p(L("sensitive")
                           + (". " + L("withheld") if not self.include_sensitive else ""),
                           ParagraphStyle("warn", parent=body, textColor=colors.darkred)))
        return story

    def facts(self) -> Table:
        L, p, ref, case, conn, language = (self.L, self.p, self.ref, self.case, self.conn,
                                           self.language)
        show = self.show
        who = cq.person_name(conn, case["person_id"]) if case["person_id"] else L("anonymous")
        rows = []
        if show:
            rows.append((L("person"), who))
            if case.get("caller_name"):
                rows.append((L("caller"), case["caller_name"]))
            if case.get("caller_phone"):
                rows.append((L("phone"), case["caller_phone"]))
        where = ", ".join(filter(None, [ref("city", case.get("city")),
                                        ref("country", case.get("country"))]))
        employer = ""
        if case.get("employer_id"):
            row = conn.execute("SELECT name FROM employer WHERE id=?",
                               (case["employer_id"],)).fetchone()
            employer = row[0] if row else ""
        rows += [
            (L("channel"), ref("case_channel", case["channel"])),
            (L("category"), ref("case_category", case["category"])),
            (L("subcategory"), ref("case_subcategory", case.get("subcategory"))),
            (L("status"), ref("case_status", case["status"])),
            (L("risk"), ref("risk_level", case["risk_level"])),
            (L("assigned"), cq.user_name(conn, case.get("assigned_to"))),
            (L("opened"), format_date(case["opened_on"], language)),
            (L("resolved"), format_date(case.get("resolved_on"), language)),
            (L("closed"), format_date(case.get("closed_on"), language)),
            (L("where"), where),
            (L("employer"), employer),
        ]
        if show and case.get("summary"):
            rows.append((L("summary"), case["summary"]))
        rows = [(p(k, self.cell_bold), p(v)) for k, v in rows if v]
        return record_table(rows, [45 * mm, 125 * mm], header=False)

    def timeline(self, case_id: str) -> list:
        L, p, conn, language, cell_bold = (self.L, self.p, self.conn, self.language,
                                           self.cell_bold)
        story = [p(L("timeline"), self.h2)]
        events = cq.timeline(conn, case_id, reader=self.session)
        trows = [(p(L("date"), cell_bold), p(L("entry"), cell_bold))]
        for e in events:
            label = self.tr(EVENT_LABELS.get(e["kind"], e["kind"]))
            text = cq.event_text(conn, e, language)
            if not self.show and e["kind"] in ("note", "call", "person_linked", "follow_up",
                                               "reopened"):
                text = cq.event_text(conn, {**e, "text": None}, language)
            trows.append((p(format_date(e["event_on"], language)),
                          p(label + (f": {text}" if text else ""))))
        story.append(record_table(trows, [30 * mm, 140 * mm]))
        return story

    def followups(self, case_id: str) -> list:
        L, p, language, cell_bold, show = (self.L, self.p, self.language, self.cell_bold,
                                           self.show)
        fups = cq.followups(self.conn, case_id, reader=self.session)
        story = [p(L("followups"), self.h2)]
        if not fups:
            return story + [p(L("none"))]
        frows = [(p(L("due"), cell_bold), p(L("entry"), cell_bold), p(L("done"), cell_bold))]
        for f in fups:
            frows.append((p(format_date(f["due_on"], language)),
                          p(f["action"]
                            + (f" — {f['result']}" if f.get("result") and show else "")),
                          p(format_date(f["done_on"], language) if f.get("done_on")
                            else L("not_done"))))
        story.append(record_table(frows, [30 * mm, 105 * mm, 35 * mm]))
        return story

    def referrals(self, case_id: str) -> list:
        L, p, ref, cell_bold = self.L, self.p, self.ref, self.cell_bold
        refs = cq.referrals(self.conn, case_id, reader=self.session)
        story = [p(L("referrals"), self.h2)]
        if not refs:
            return story + [p(L("none"))]
        rrows = [(p(L("date"), cell_bold), p(L("target"), cell_bold), p(L("status"), cell_bold),
                  p(L("answer"), cell_bold))]
        for r in refs:
            answer = r.get("answer") or ""
            if r.get("consent_override"):
                answer = "; ".join(filter(None, [answer, L(
                    "consent_override", reason=r.get("override_reason") or "")]))
            rrows.append((p(format_date(r["referred_on"], self.language)),
                          p(self._referral_target(r)),
                          p(ref("referral_status", r["status"])),
                          p(answer if self.show else "")))
        story.append(record_table(rrows, [25 * mm, 55 * mm, 30 * mm, 60 * mm]))
        return story

    def _referral_target(self, r: dict) -> str:
        target = self.ref("referral_target", r["target"])
        if r.get("target_office_id"):
            office = self.conn.execute("SELECT name, code FROM office WHERE id=?",
                                       (r["target_office_id"],)).fetchone()
            if office:
                target += f": {office[0]} ({office[1]})"
        if r.get("target_detail"):
            target += f" ({r['target_detail']})"
        return target

    def outcome(self) -> list:
        L, p, case = self.L, self.p, self.case
        story = [p(L("outcome"), self.h2)]
        orows = []
        if case.get("outcome"):
            orows.append((L("outcome"), self.ref("case_outcome", case["outcome"])))
        amount = from_minor(case.get("wages_recovered_minor"), case.get("wages_currency"))
        if amount is not None:
            orows.append((L("wages"),
                          format_money(amount, case["wages_currency"], self.language)))
        for key in ("returned_home", "inspection_opened", "fine_imposed"):
            if case.get(key):
                orows.append((L(key), "✓"))
        if self.show and case.get("outcome_notes"):
            orows.append((L("summary"), case["outcome_notes"]))
        if not orows:
            return story + [p(L("none"))]
        story.append(record_table([(p(k, self.cell_bold), p(v)) for k, v in orows],
                            [60 * mm, 110 * mm], header=False))
        return story


def write_case_pdf(session, case_id: str, path: str | Path, *, language: str = "en",
                   include_sensitive: bool = False) -> Path:
    case = sensitive.reveal_record(session, "hotline_case",
                                   sc.CaseRepository(session).require(case_id))
    f = _CaseFile(session, case, language, include_sensitive)
    story = f.heading(session)
    story.append(f.facts())
    story += f.timeline(case_id)
    story += f.followups(case_id)
    story += f.referrals(case_id)
    story += f.outcome()
    frame = PageFrame(letterhead=letterhead(session.conn),
                      title=f.L("title", number=case["number"]), language=language,
                      reference=case["number"])
    path = Path(path)
    with atomic_target(path) as part:
        frame.build(part, story)
    session.log("export_case_pdf", "hotline_case", case_id,
                detail={"language": language, "include_sensitive": bool(include_sensitive)})
    return path
