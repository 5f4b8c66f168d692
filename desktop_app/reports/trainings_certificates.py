"""Training certificates: one A4 landscape page per completed participant, in their language.

``print_certificates`` gives every completed participant a certificate number (kept once
given) and writes all their pages to one PDF. Each page is in the participant's language
(ru, tg, uz, en; else the training's language, else Russian); the name is printed exactly
as it was written in the register.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.trainings import (
    CERTIFICATE_LANGUAGES,
    CERTIFICATE_TEXTS,
    certificate_hours,
    certificate_texts,
)
from desktop_app.i18n import Domain, format_date
from desktop_app.reports.fonts import register_fonts
from desktop_app.reports.organisation import letterhead
from desktop_app.reports.record_pdf import ACCENT_COLOUR
from desktop_app.store import reference
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import services as ts

DOMAIN = Domain("reports")

PAGE = landscape(A4)
ACCENT = ACCENT_COLOUR
INK = HexColor("#222222")

@dataclass
class CertificatePage:
    """The finished texts of one page (what ReportLab draws)."""
    language: str
    office: str
    title: str
    intro: str
    name: str
    completed: str
    course: str
    dates: str
    hours: str
    place: str
    provider: str
    number: str
    issued: str
    trainer: str
    head: str


def _office_name(conn) -> str:
    row = conn.execute("SELECT o.name FROM office o JOIN meta m ON m.key='office_id' "
                       "AND m.value = o.id").fetchone()
    return row[0] if row else ""


class _Cache:
    """Catalogs and reference labels looked up once per print run."""

    def __init__(self, conn):
        self.conn = conn
        self.catalogs: dict = {}
        self.labels: dict = {}
        self.dates: dict = {}

    def date(self, value, lang: str) -> str:
        key = (str(value), lang)
        if key not in self.dates:
            self.dates[key] = format_date(value, lang, "long")
        return self.dates[key]

    def catalog(self, lang: str):
        if lang not in self.catalogs:
            self.catalogs[lang] = DOMAIN.in_language(lang)
        return self.catalogs[lang]

    def texts(self, lang: str) -> dict[str, str]:
        key = ("texts", lang)
        if key not in self.labels:
            self.labels[key] = certificate_texts(self.catalog(lang))
        return self.labels[key]

    def label(self, kind: str, code: str | None, lang: str) -> str:
        key = (kind, code, lang)
        if key not in self.labels:
            self.labels[key] = reference.label(self.conn, kind, code, lang)
        return self.labels[key]


def page_texts(conn, data: dict, office: str = "", language: str | None = None,
               cache: _Cache | None = None) -> CertificatePage:
    """Translate and format one certificate for its language."""
    cache = cache or _Cache(conn)
    lang = language or data.get("language") or "ru"
    if lang not in CERTIFICATE_LANGUAGES:
        lang = "ru"
    catalog = cache.catalog(lang)
    T = cache.texts(lang)
    start, end = data.get("start_date"), data.get("end_date") or data.get("start_date")
    if start and end and start != end:
        dates = T["dates"].format(start=cache.date(start, lang), end=cache.date(end, lang))
    elif start:
        dates = T["one_day"].format(date=cache.date(start, lang))
    else:
        dates = ""
    hours = certificate_hours(catalog, int(data.get("minutes") or 0), lang)
    course = cache.label("course", data.get("course_code"), lang)
    place = data.get("place") or ""
    if data.get("district"):
        district = cache.label("district", data["district"], lang)
        place = ", ".join(p for p in (place, district) if p)
    return CertificatePage(
        language=lang, office=office, title=T["title"], intro=T["intro"], name=data["name"],
        completed=T["completed"], course=course, dates=dates, hours=hours,
        place=T["place"].format(place=place) if place else "",
        provider=T["provider"].format(provider=data["provider"]) if data.get("provider") else "",
        number=T["number"].format(number=data.get("number") or ""),
        issued=T["issued"].format(date=cache.date(data.get("issued") or date.today(), lang)),
        trainer=T["trainer"], head=T["head"])


def draw_page(canvas: Canvas, page: CertificatePage, fonts: tuple[str, str],
              logo=None) -> None:
    """Draw one certificate page (plain ReportLab calls, no database, no translation);
    ``logo``: the organisation's (an ImageReader), centred above its name."""
    regular, bold = fonts
    width, height = PAGE
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(24, 24, width - 48, height - 48)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, width - 64, height - 64)
    cx = width / 2
    office_y = height - 80
    if logo is not None:
        w, h = logo.getSize()
        shown_h = 36
        shown_w = min(shown_h * w / h, 160)
        shown_h = shown_w * h / w
        canvas.drawImage(logo, cx - shown_w / 2, height - 40 - shown_h, width=shown_w,
                         height=shown_h, mask="auto")
        office_y = height - 92
    canvas.setFillColor(INK)
    canvas.setFont(regular, 13)
    canvas.drawCentredString(cx, office_y, page.office)
    canvas.setFillColor(ACCENT)
    canvas.setFont(bold, 40)
    canvas.drawCentredString(cx, height - 140, page.title.upper())
    canvas.setFillColor(INK)
    canvas.setFont(regular, 15)
    canvas.drawCentredString(cx, height - 185, page.intro)
    y = height - 232
    for line in simpleSplit(page.name, bold, 28, width - 160):
        canvas.setFont(bold, 28)
        canvas.drawCentredString(cx, y, line)
        y -= 34
    canvas.setFont(regular, 15)
    canvas.drawCentredString(cx, y - 6, page.completed)
    y -= 44
    canvas.setFillColor(ACCENT)
    for line in simpleSplit("\u00ab" + page.course + "\u00bb", bold, 20, width - 200):
        canvas.setFont(bold, 20)
        canvas.drawCentredString(cx, y, line)
        y -= 26
    canvas.setFillColor(INK)
    canvas.setFont(regular, 13)
    detail = ", ".join(p for p in (page.dates, page.hours) if p)
    for text in (detail, page.place, page.provider):
        if text:
            y -= 6
            for line in simpleSplit(text, regular, 13, width - 200):
                canvas.drawCentredString(cx, y, line)
                y -= 18
    canvas.setFont(regular, 11)
    canvas.drawString(70, 110, page.number)
    canvas.drawString(70, 92, page.issued)
    for x, label in ((width - 420, page.trainer), (width - 230, page.head)):
        canvas.line(x, 110, x + 160, 110)
        canvas.drawCentredString(x + 80, 94, label)
    canvas.showPage()


def render(conn, participant_ids: list[str], path: str | Path,
           language: str | None = None) -> int:
    """Write the certificates of these participants (as stored) to one PDF; return pages."""
    fonts = register_fonts()
    head = letterhead(conn)
    office = head.organisation or _office_name(conn)
    logo = head.logo_reader()
    canvas = Canvas(str(path), pagesize=PAGE, pageCompression=1)
    # the file's title: in the language asked, else the window's (pages may each differ)
    catalog = DOMAIN.in_language(language) if language else DOMAIN
    canvas.setTitle(catalog.gettext(CERTIFICATE_TEXTS["title"]))
    count = 0
    cache = _Cache(conn)
    for data in tq.certificate_data(conn, participant_ids):
        if not data["completed"]:
            continue
        draw_page(canvas, page_texts(conn, data, office, language, cache), fonts, logo)
        count += 1
    canvas.save()
    return count


def print_certificates(session, participant_ids: list[str], path: str | Path,
                       issued: date | None = None, language: str | None = None) -> int:
    """Number the completed participants' certificates and print them all to one PDF.

    Those who did not complete are left out. The numbers are saved only when the PDF was
    written, so a failed print does not use up numbers.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        with session.transaction():
            rows = ts.issue_certificates(session, participant_ids, issued)
            count = render(session.conn, [r["id"] for r in rows], tmp, language)
            tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count

