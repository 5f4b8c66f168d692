"""What the scope choosers of the report page and the CLI offer: offices, districts,
age bands."""
from __future__ import annotations

from desktop_app.i18n import Domain, current_language
from desktop_app.reports.model import ReportError

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


def list_offices(conn) -> list[tuple[str, str, str]]:
    """(code, name, id) of every office, for scope choosers."""
    return [tuple(r) for r in conn.execute(
        "SELECT code, name, id FROM office WHERE deleted = 0 ORDER BY name")]


def list_districts(conn, language: str | None = None) -> list[tuple[str, str]]:
    """(code, label) of the districts in the reference data, for scope choosers."""
    lang = language or current_language()
    column = f"label_{lang if lang in ('en', 'ru', 'tg', 'uz') else 'en'}"
    return [tuple(r) for r in conn.execute(
        f"SELECT code, COALESCE(NULLIF({column}, ''), label_en) FROM reference_item "
        "WHERE kind = 'district' AND deleted = 0 AND active = 1 ORDER BY 2")]


def parse_age_bands(text: str) -> tuple[int, ...]:
    """'15,18,30,45' -> (15, 18, 30, 45); a clear message when it is not that."""
    try:
        bands = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        bands = ()
    if not bands or list(bands) != sorted(set(bands)) or bands[0] <= 0:
        raise ReportError(_("Age bands must be increasing ages above zero, e.g. 15,18,30,45."))
    return bands
