"""Labels of disaggregation buckets in the report's language.

Records store codes; reports translate them at output time: reference data labels
(``reference_item.label_<lang>``), fixed vocabularies (sex, migration status, referral
answers) through gettext, office names, age bands.
"""
from __future__ import annotations

from desktop_app.i18n import N_, Domain
from desktop_app.reports.indicators.base import (
    DEFAULT_AGE_BANDS,
    UNKNOWN,
    age_band_codes,
    age_band_label,
)

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

# disaggregation -> reference kinds to look the code up in (first match wins)
REFERENCE_KINDS: dict[str, tuple[str, ...]] = {
    "district": ("district",),
    "jamoat": ("jamoat",),
    "destination_country": ("country",),
    "country": ("country",),
    "region": ("region",),
    "category": ("case_category",),
    "channel": ("case_channel",),
    "outcome": ("case_outcome", "training_outcome"),
    "target": ("referral_target",),
    "trigger": ("inspection_trigger",),
    "sector": ("sector",),
    "violation": ("violation",),
    "course": ("course",),
    "funding_source": ("funding_source",),
    "sanction": ("sanction",),
    "product": ("loan_product",),
    "purpose": ("loan_purpose",),
}

# the people module's vocabularies (domain/people.py), repeated here so that reports are
# translated even where the people catalog lags behind
FIXED: dict[str, dict[str, str]] = {
    "sex": {"female": N_("Female"), "male": N_("Male")},
    "migration_status": {
        "potential": N_("Potential migrant"),
        "abroad": N_("Abroad"),
        "returned": N_("Returned"),
        "stranded": N_("Stranded"),
    },
    "result": {
        "sent": N_("Sent, no answer yet"),
        "accepted": N_("Accepted"),
        "declined": N_("Declined"),
        "completed": N_("Service provided"),
        "no_answer": N_("No answer"),
    },
}


class Labels:
    def __init__(self, conn, language: str, age_bands=DEFAULT_AGE_BANDS):
        self.conn = conn
        self.language = language if language in ("en", "ru", "tg", "uz") else "en"
        self.age_bands = tuple(age_bands)
        self._ = DOMAIN.in_language(self.language).gettext   # the report's language
        self._cache: dict[tuple[str, str], str] = {}

    def label(self, dimension: str, code: str | None) -> str:
        if code is None or code == UNKNOWN:
            return self._("Unknown")
        key = (dimension, code)
        if key not in self._cache:
            self._cache[key] = self._lookup(dimension, code)
        return self._cache[key]

    def _lookup(self, dimension: str, code: str) -> str:
        if dimension in FIXED:
            msgid = FIXED[dimension].get(code)
            return self._(msgid) if msgid else code
        if dimension == "age_band":
            return age_band_label(code, self.language)
        if dimension == "office":
            row = self.conn.execute("SELECT name, code FROM office WHERE id = ?",
                                    (code,)).fetchone()
            return f"{row[0]} ({row[1]})" if row else code
        column = f"label_{self.language}"
        for kind in REFERENCE_KINDS.get(dimension, ()):
            row = self.conn.execute(
                f"SELECT {column}, label_en FROM reference_item WHERE kind = ? AND code = ?",
                (kind, code)).fetchone()
            if row:
                return row[0] or row[1]
        row = self.conn.execute(
            f"SELECT {column}, label_en FROM reference_item WHERE code = ? ORDER BY kind LIMIT 1",
            (code,)).fetchone()
        return (row[0] or row[1]) if row else code

    def order(self, dimension: str) -> dict[str, int]:
        """Display order of known buckets (vocabulary or reference sort order)."""
        if dimension in FIXED:
            return {code: n for n, code in enumerate(FIXED[dimension])}
        if dimension == "age_band":
            return {code: n for n, code in enumerate(age_band_codes(self.age_bands))}
        kinds = REFERENCE_KINDS.get(dimension)
        if not kinds:
            return {}
        marks = ",".join("?" * len(kinds))
        return {code: order for code, order in self.conn.execute(
            f"SELECT code, sort_order FROM reference_item WHERE kind IN ({marks})", kinds)}
