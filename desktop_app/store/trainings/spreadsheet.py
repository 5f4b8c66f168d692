"""Import a list of participants (CSV or XLSX) into a training: preview first, then save.

``preview_file`` reads the file (UTF-8 or Windows-1251 CSV, detected; or the first sheet of
an XLSX), maps its columns (headers in English, Russian, Tajik or Uzbek), validates each
row and looks for the person among existing people. Nothing is written. The user looks at
the preview row by row, may change a row's action, and ``apply_preview`` saves everything
in one transaction (new people are registered, everyone becomes a participant).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from desktop_app.domain import names
from desktop_app.domain.people import validate_person
from desktop_app.i18n import N_, Domain, format_date
from desktop_app.i18n.formats import full_name
from desktop_app.store.people import sheets
from desktop_app.store.people.duplicates import find_duplicates
from desktop_app.store.people.identity import identity_ids
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.people.spreadsheet import field_for_title
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

# A candidate at or above this score is taken as the same person (same name and the same
# date of birth, phone or document); between MIN_SHOWN and this, the user decides.
MATCH_SCORE = 95.0
MIN_SHOWN = 60.0
MAX_ROWS = 5000

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "family_name": ("family_name", "family name", "surname", "last name", "фамилия", "насаб",
                    "фамилия (насаб)", "familiya", "familya"),
    "given_name": ("given_name", "given name", "first name", "name", "имя", "ном", "ism",
                   "ismi"),
    "patronymic": ("patronymic", "middle name", "отчество", "номи падар", "padar",
                   "otasining ismi", "sharifi", "sharif"),
    "sex": ("sex", "gender", "пол", "ҷинс", "jins", "jinsi"),
    "birth_date": ("birth_date", "date of birth", "birth date", "born", "дата рождения",
                   "санаи таваллуд", "tugʻilgan sana", "tug'ilgan sana", "tugilgan sana",
                   "tugʻilgan sanasi", "tug'ilgan sanasi"),
    "phones": ("phones", "phone", "telephone", "mobile", "телефон", "тел", "telefon"),
    "document_number": ("document_number", "document", "passport", "паспорт", "документ",
                        "шиноснома", "pasport", "hujjat"),
    "village": ("village", "село", "кишлак", "деҳа", "qishloq"),
    "language": ("language", "certificate language", "язык", "забон", "til"),
}
SEX_VALUES = {
    "female": ("female", "f", "w", "woman", "ж", "жен", "женский", "женщина", "з", "зан",
               "занона", "ayol", "a", "xotin", "ayollar"),
    "male": ("male", "m", "man", "м", "муж", "мужской", "мужчина", "мард", "мардона", "erkak",
             "e"),
}
LANGUAGE_VALUES = {
    "ru": ("ru", "russian", "русский", "рус", "русӣ", "rus", "rus tili"),
    "tg": ("tg", "tajik", "таджикский", "тоҷикӣ", "тоҷ", "tojik", "tojik tili"),
    "uz": ("uz", "uzbek", "узбекский", "ӯзбекӣ", "oʻzbek", "o'zbek", "ozbek", "oʻzbekcha",
           "o'zbekcha"),
    "en": ("en", "english", "английский", "англисӣ", "ingliz"),
}

PERSON_COLUMNS = ("family_name", "given_name", "patronymic", "sex", "birth_date", "phones",
                  "document_number", "village")

# row statuses
NEW, MATCH, POSSIBLE, ALREADY, DUPLICATE, ERROR = (
    "new", "match", "possible", "already", "duplicate", "error")


STATUS_LABELS = {
    NEW: N_("New person"),
    MATCH: N_("Found in the register"),
    POSSIBLE: N_("Maybe already registered"),
    ALREADY: N_("Already takes part"),
    DUPLICATE: N_("Repeated in the list"),
    ERROR: N_("Error"),
}


def status_text(status: str) -> str:
    return _(STATUS_LABELS[status])


class ImportFileError(Exception):
    """The file cannot be read at all; the message is fit to show."""


@dataclass
class Candidate:
    person_id: str
    label: str
    score: float


@dataclass
class PreviewRow:
    line: int                      # line (CSV) or row (XLSX) number as the user sees it
    values: dict                   # cleaned person values
    language: str | None = None
    status: str = NEW
    errors: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    # what saving does: "new" registers the person, "link" adds person_id, "skip" nothing
    action: str = "new"
    person_id: str | None = None

    @property
    def name(self) -> str:
        return full_name(self.values)


@dataclass
class Preview:
    path: str
    encoding: str | None
    columns: dict[str, str]        # our field -> header as written in the file
    ignored_columns: list[str]
    rows: list[PreviewRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def to_save(self) -> int:
        return sum(1 for r in self.rows if r.action in ("new", "link"))


# ---- reading files -----------------------------------------------------------------------
def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (with or without BOM), UTF-16 or a
    Cyrillic code page (see store.people.sheets.decode_text)."""
    try:
        text, encoding, _lossy = sheets.decode_text(data)
    except sheets.SheetError as exc:
        raise ImportFileError(str(exc)) from None
    return text, encoding


def _read(path: str | Path, encoding: str | None = None) -> sheets.Table:
    try:
        table = sheets.read_sheet(path, sheets.Limits(max_rows=MAX_ROWS + 1),
                                  encoding=encoding)
    except sheets.SheetError as exc:
        raise ImportFileError(str(exc)) from None
    table.rows = [(i, [_cell_text(c) for c in cells]) for i, cells in table.rows]
    if not table.rows:
        raise ImportFileError(_("The file is empty."))
    return table


def read_table(path: str | Path, encoding: str | None = None
               ) -> tuple[list[str], list[tuple[int, list]], str | None]:
    """(headers, [(line, cells)], encoding) of the file's first table."""
    table = _read(path, encoding)
    return _split(table)


def _split(table: sheets.Table) -> tuple[list[str], list[tuple[int, list]], str | None]:
    headers = table.rows[0][1]
    return (headers, [(i, r) for i, r in table.rows[1:] if any(c.strip() for c in r)],
            table.encoding)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm_header(text: str) -> str:
    text = (text or "").strip().casefold().replace("’", "'").replace("ʻ", "'").replace("‘", "'")
    return " ".join(text.replace("_", " ").replace(":", " ").replace("*", " ").split())


def _people_title(header) -> str | None:
    """The column titles the people import knows ("Фамилия (Насаб)", "Phone / Телефон" ...)."""
    name = field_for_title(header)
    return name if name in PERSON_COLUMNS else None


def map_columns(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    aliases = {_norm_header(a): f for f, names_ in COLUMN_ALIASES.items() for a in names_}
    found: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        name = aliases.get(_norm_header(header)) or _people_title(header)
        if name and name not in found:
            found[name] = index
        elif (header or "").strip():
            ignored.append(header)
    return found, ignored


def _lookup(value: str, table: dict[str, tuple[str, ...]]) -> str | None:
    key = _norm_header(value)
    for code, words in table.items():
        if key in {_norm_header(w) for w in words}:
            return code
    raise ValueError(value)


# ---- matching ----------------------------------------------------------------------------
def _label(row: dict) -> str:
    parts = [full_name(row)]
    if row.get("birth_date"):
        try:
            parts.append(format_date(row["birth_date"]))
        except ValueError:
            parts.append(str(row["birth_date"]))
    if row.get("phones"):
        parts.append(row["phones"])
    return ", ".join(parts)


def find_candidates(conn, values: dict, limit: int = 5) -> list[Candidate]:
    """Existing people who may be this row's person, best first."""
    found = find_duplicates(conn, values, limit=limit, min_score=MIN_SHOWN)
    return [Candidate(c.person["id"], _label(c.person), float(c.score)) for c in found]


# ---- preview -----------------------------------------------------------------------------
def preview_file(conn, event_id: str, path: str | Path, *, encoding: str | None = None) -> Preview:
    """Read, check and match every row; write nothing."""
    table = _read(path, encoding)
    headers, rows, encoding = _split(table)
    if table.damaged.get(table.rows[0][0]):
        raise ImportFileError(sheets.damaged_message(table.rows[0][0],
                                                     table.damaged[table.rows[0][0]][0]))
    mapped, ignored = map_columns(headers)
    missing = [f for f in ("family_name", "given_name") if f not in mapped]
    if missing:
        raise ImportFileError(_(
            "The list has no column for {columns}. The first row must name the columns, "
            "e.g. Family name, Given name, Sex, Date of birth, Phone.").format(
            columns=", ".join(_column_title(m) for m in missing)))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The list has more than {count} rows; split it into smaller "
                                "files.").format(count=MAX_ROWS))
    preview = Preview(str(path), encoding, {f: headers[i] for f, i in mapped.items()}, ignored, [])
    seen: dict[tuple, int] = {}
    in_event = _people_in_event(conn, event_id)
    for line, cells in rows:
        raw = {f: (cells[i].strip() if i < len(cells) and cells[i] is not None else "")
               for f, i in mapped.items()}
        damaged = [sheets.damaged_message(line, i, headers[i]) for i in mapped.values()
                   if i in table.damaged.get(line, ())]
        preview.rows.append(_preview_row(conn, line, raw, seen, in_event, damaged))
    return preview


def _column_title(field_name: str) -> str:
    names = {"family_name": _("Family name"), "given_name": _("Given name"),
             "patronymic": _("Patronymic")}
    return names.get(field_name, field_name)


def _people_in_event(conn, event_id: str) -> set[str]:
    ids = set()
    for (person_id,) in conn.execute(
            "SELECT person_id FROM training_participant WHERE event_id=? AND deleted=0",
            (event_id,)):
        ids.update(identity_ids(conn, person_id))
    return ids


def _preview_row(conn, line: int, raw: dict, seen: dict, in_event: set,
                 damaged: list[str] | None = None) -> PreviewRow:
    errors: list[str] = list(damaged or ())
    for name in ("family_name", "given_name", "patronymic"):
        if len(raw.get(name) or "") > sheets.MAX_NAME_CHARS:
            errors.append(_("{field} is longer than {limit} characters.").format(
                field=_column_title(name), limit=sheets.MAX_NAME_CHARS))
            raw[name] = ""
    values = {k: raw.get(k) or None for k in ("family_name", "given_name", "patronymic",
                                                "birth_date", "phones", "document_number",
                                                "village")}
    language = None
    if raw.get("sex"):
        try:
            values["sex"] = _lookup(raw["sex"], SEX_VALUES)
        except ValueError:
            errors.append(
                _("Sex \u201c{value}\u201d is not understood: write female or male.").format(
                    value=raw["sex"]))
    if raw.get("language"):
        try:
            language = _lookup(raw["language"], LANGUAGE_VALUES)
        except ValueError:
            errors.append(_("Language \u201c{value}\u201d is not understood: write ru, tg, uz or "
                            "en.").format(value=raw["language"]))
    cleaned, field_errors = validate_person(values)
    errors.extend(field_errors.values())
    row = PreviewRow(line, cleaned, language)
    if errors:
        row.status, row.errors, row.action = ERROR, errors, "skip"
        return row
    key = (names.full_name_key(cleaned.get("family_name"), cleaned.get("given_name"),
                               cleaned.get("patronymic")), cleaned.get("birth_date") or "")
    if key in seen:
        row.status, row.action = DUPLICATE, "skip"
        row.errors = [_("The same person as on line {line}.").format(line=seen[key])]
        return row
    seen[key] = line
    row.candidates = find_candidates(conn, cleaned)
    best = row.candidates[0] if row.candidates else None
    taking_part = [c for c in row.candidates if in_event & set(identity_ids(conn, c.person_id))]
    if taking_part:
        # the list was imported before, or the person was added by hand
        row.status, row.action, row.person_id = ALREADY, "skip", taking_part[0].person_id
    elif best and best.score >= MATCH_SCORE:
        row.status, row.action, row.person_id = MATCH, "link", best.person_id
    elif best:
        row.status, row.action = POSSIBLE, "new"
    return row


def choose(row: PreviewRow, action: str, person_id: str | None = None) -> None:
    """The user's decision for a row: register as new, link to a candidate, or skip."""
    if row.status == ERROR and action != "skip":
        raise ValueError("a row with errors can only be skipped")
    if action == "link" and not person_id:
        raise ValueError("linking needs a person")
    row.action = action
    row.person_id = person_id if action == "link" else None


@dataclass
class ImportResult:
    registered: int = 0
    linked: int = 0
    skipped: int = 0


def apply_preview(session, event_id: str, preview: Preview) -> ImportResult:
    """Save the previewed rows in one transaction: all of them or, on any error, none."""
    people = PersonRepository(session)
    participants = tr.TrainingParticipantRepository(session)
    result = ImportResult()
    with session.transaction():
        for row in preview.rows:
            if row.action == "skip":
                result.skipped += 1
                continue
            if row.action == "new":
                person_id = people.create(dict(row.values))["id"]
                result.registered += 1
            else:
                person_id = row.person_id
                result.linked += 1
            if tq.participant_for_identity(session.conn, event_id, person_id):
                if row.action == "new":
                    raise AssertionError("a new person cannot be in the training yet")
                result.linked -= 1
                result.skipped += 1
                continue
            participants.create({"event_id": event_id, "person_id": person_id,
                                 "language": row.language})
    return result

