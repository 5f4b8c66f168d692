"""Importing people from a spreadsheet (CSV or XLSX) that field staff filled in.

The first row holds column titles: the English field names (``family_name``) or the titles
people type in Russian, Tajik, Uzbek or English ("Фамилия", "Насаб", "Familiya", "Family
name"); see ``docs/user/people.md``. Values are read the way they are written on paper:
dates as dd.mm.yyyy or ISO (or Excel date cells), sex as "м"/"ж", "мард"/"зан",
"erkak"/"ayol", districts and jamoats by code or by their name in any language.

``read_people_file`` checks every row and returns an :class:`ImportResult` (a preview the
UI can show); ``import_people`` also writes the valid rows through
:class:`PersonRepository` in one transaction: nothing is imported unless every row is
valid, or ``skip_invalid`` is set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from desktop_app.domain import names
from desktop_app.domain.ids import new_id
from desktop_app.domain.people import (
    MIGRATION_STATUSES,
    as_date,
    birth_date_from_age,
    validate_person,
)
from desktop_app.i18n import LANGUAGES, N_, Domain
from desktop_app.store.audit import utc_now
from desktop_app.store.people import sheets
from desktop_app.store.people.duplicates import find_duplicate_pairs
from desktop_app.store.people.repositories import PersonRepository

DOMAIN = Domain("people")
_ = DOMAIN.gettext

MAX_ROWS = 200_000

# field -> the column titles accepted for it (compared after normalising case and spaces)
COLUMN_TITLES: dict[str, tuple[str, ...]] = {
    "family_name": ("family name", "surname", "last name", "фамилия", "насаб", "familiya",
                    "фамилия/насаб"),
    "given_name": ("given name", "first name", "name", "имя", "ном", "ism", "исм", "имя/ном"),
    "patronymic": ("patronymic", "father's name", "отчество", "номи падар", "номи падар",
                   "otasining ismi", "sharifi", "отчество/номи падар"),
    "sex": ("sex", "gender", "пол", "ҷинс", "jins", "jinsi"),
    "birth_date": ("date of birth", "birth date", "born", "дата рождения", "санаи таваллуд",
                   "tug'ilgan sana", "tugilgan sana", "tug'ilgan kun", "туғилган сана"),
    "age": ("age", "возраст", "син", "синну сол", "yosh", "yoshi"),
    "phones": ("phone", "phones", "telephone", "mobile", "телефон", "тел", "телефоны",
               "рақами телефон", "telefon", "telefon raqami"),
    "document_number": ("document number", "document", "passport", "passport number",
                        "паспорт", "номер паспорта", "№ паспорта", "номер документа",
                        "шиноснома", "рақами шиноснома", "pasport", "pasport raqami",
                        "hujjat raqami"),
    "country": ("country", "страна", "кишвар", "davlat", "mamlakat"),
    "region": ("region", "province", "область", "регион", "вилоят", "viloyat"),
    "district": ("district", "район", "ноҳия", "нохия", "tuman"),
    "jamoat": ("jamoat", "джамоат", "ҷамоат", "jamoa", "сельсовет", "mahalla"),
    "village": ("village", "село", "кишлак", "деҳа", "деха", "qishloq"),
    "education": ("education", "образование", "маълумот", "ma'lumot", "malumot",
                  "ma'lumoti"),
    "disability": ("disability", "disabled", "инвалидность", "маъюбӣ", "маъюбият",
                   "nogironlik"),
    "female_headed_household": ("female headed household", "female-headed household",
                                "woman head of household", "женщина глава хозяйства",
                                "женщина - глава домохозяйства", "сарвари хонавода зан",
                                "зан сарвари хонавода", "ayol boshchiligidagi xonadon",
                                "xonadon boshlig'i ayol"),
    "household_notes": ("household notes", "household", "домохозяйство", "семья",
                        "хонавода", "оила", "xonadon", "oila"),
    "union_member": ("union member", "trade union member", "член профсоюза", "профсоюз",
                     "узви иттифоқи касаба", "иттифоқи касаба", "kasaba uyushmasi a'zosi",
                     "kasaba uyushmasi"),
    "migration_status": ("migration status", "status", "миграционный статус", "статус",
                         "статуси муҳоҷират", "вазъи муҳоҷират", "migratsiya holati",
                         "holati"),
    "consent_date": ("consent date", "date of consent", "дата согласия", "санаи розигӣ",
                     "rozilik sanasi"),
    "consent_scope": ("consent scope", "consent", "согласие", "объём согласия",
                      "объем согласия", "розигӣ", "доираи розигӣ", "rozilik",
                      "rozilik doirasi"),
    "notes": ("notes", "note", "comment", "comments", "примечание", "примечания",
              "комментарий", "эзоҳ", "izoh"),
}
FIELD_LABELS = {
    "family_name": N_("family name"), "given_name": N_("given name"),
    "patronymic": N_("patronymic"), "sex": N_("sex"), "birth_date": N_("date of birth"),
    "age": N_("age"), "phones": N_("phone"), "document_number": N_("document number"),
    "country": N_("country"), "region": N_("region"), "district": N_("district"),
    "jamoat": N_("jamoat"), "village": N_("village"), "education": N_("education"),
    "disability": N_("disability"), "female_headed_household": N_("female-headed household"),
    "household_notes": N_("household notes"), "union_member": N_("trade union member"),
    "migration_status": N_("migration status"), "consent_date": N_("consent date"),
    "consent_scope": N_("consent scope"), "notes": N_("notes"),
}
DATE_FIELDS = ("birth_date", "consent_date")
NAME_FIELDS = ("family_name", "given_name", "patronymic")
# a row with these values all equal to a living person's (and its other values too) is
# that person again: a second import of the same file creates nobody
IDENTITY_FIELDS = ("family_name", "given_name", "patronymic", "sex", "birth_date", "phones",
                   "document_number")
FLAG_FIELDS = ("disability", "female_headed_household", "union_member")
PLACE_KINDS = ("country", "region", "district", "jamoat")

_SEX = {
    "female": ("female", "f", "w", "woman", "ж", "жен", "женский", "женщина", "зан", "занона",
               "ayol", "a", "ayol kishi", "аёл"),
    "male": ("male", "m", "man", "м", "муж", "мужской", "мужчина", "мард", "мардона", "erkak",
             "e", "эркак"),
}
_YES = {"1", "yes", "y", "true", "x", "+", "да", "д", "ҳа", "ха", "ha", "bor", "есть", "✓",
        "v"}
_NO = {"0", "no", "n", "false", "-", "нет", "н", "не", "yo'q", "yoq", "йўқ", "йӯқ", "нест"}
_STATUS_SYNONYMS = {
    "potential": ("potential", "потенциальный", "потенциальный мигрант", "ояндаи муҳоҷир",
                  "муҳоҷири эҳтимолӣ", "potensial migrant", "bo'lajak migrant"),
    "abroad": ("abroad", "за рубежом", "за границей", "в миграции", "дар хориҷа", "хориҷа",
               "chet elda"),
    "returned": ("returned", "returnee", "вернулся", "вернувшийся", "вернулась",
                 "баргашта", "баргаштааст", "qaytgan", "qaytib kelgan"),
    "stranded": ("stranded", "застрял", "застрявший", "в затруднительном положении",
                 "дармонда", "qiyin ahvolda", "qolib ketgan"),
}


class ImportFileError(Exception):
    """The file itself cannot be read; the message is fit to show."""


@dataclass
class RowError:
    row: int                 # the row number a spreadsheet shows (the header is row 1)
    field: str | None
    message: str             # complete, translated: "row 7: date of birth 31.02.1990 is not a date"

    def __str__(self) -> str:
        return self.message


@dataclass
class ImportRow:
    row: int
    values: dict
    errors: list[RowError] = field(default_factory=list)
    # the same person with the same values is already in the register (their id) or on an
    # earlier row of the file (its number): the row is not imported again
    duplicate_of: str | None = None
    repeats_row: int | None = None
    # the same names with other values: probably the same person (queued for review)
    similar_to: list[str] = field(default_factory=list)
    similar_row: int | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def repeated(self) -> bool:
        return self.duplicate_of is not None or self.repeats_row is not None


@dataclass
class ImportResult:
    rows: list[ImportRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)   # column title -> field
    unknown_columns: list[str] = field(default_factory=list)
    imported: int = 0
    skipped: int = 0
    committed: bool = False
    imported_ids: list[str] = field(default_factory=list)
    # pairs put on the possible-duplicates list (Sync page) for a person to review
    possible_duplicates: int = 0

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.valid]

    @property
    def repeated_rows(self) -> list[ImportRow]:
        """Valid rows not imported because the register (or an earlier row) has them."""
        return [r for r in self.rows if r.valid and r.repeated]


# ---- reading files ---------------------------------------------------------------------
def _normalise_title(text) -> str:
    text = str(text or "").strip().casefold()
    for mark in "ʻʼ’‘`´":
        text = text.replace(mark, "'")
    text = re.sub(r"[*:]+$", "", text).strip()
    text = text.replace("_", " ")
    return " ".join(text.split())


_TITLE_TO_FIELD: dict[str, str] = {}
for _field, _titles in COLUMN_TITLES.items():
    _TITLE_TO_FIELD[_normalise_title(_field)] = _field
    for _title in _titles:
        _TITLE_TO_FIELD[_normalise_title(_title)] = _field


def field_for_title(title) -> str | None:
    """The person field a column title names (None: not a column we know)."""
    text = _normalise_title(title)
    if text in _TITLE_TO_FIELD:
        return _TITLE_TO_FIELD[text]
    # "Фамилия (Насаб)", "Phone / Телефон": any part that is a known title
    for part in re.split(r"\s*[(/|)]\s*", text):
        if part and part in _TITLE_TO_FIELD:
            return _TITLE_TO_FIELD[part]
    return None


def decode_csv_bytes(data: bytes) -> str:
    """Text of a CSV file (see sheets.decode_text: UTF-8, UTF-16, Cyrillic code pages)."""
    try:
        return sheets.decode_text(data)[0]
    except sheets.SheetError as exc:
        raise ImportFileError(str(exc)) from None


def read_sheet(path: str | Path) -> sheets.Table:
    """The rows of a CSV or XLSX file within the import's bounds (see sheets)."""
    try:
        return sheets.read_sheet(path, sheets.Limits(max_rows=MAX_ROWS + 1))
    except sheets.SheetError as exc:
        raise ImportFileError(str(exc)) from None


def read_table(path: str | Path) -> list[tuple[int, list]]:
    """(row number, cell values) of every row of a CSV or XLSX file."""
    return read_sheet(path).rows


# ---- values --------------------------------------------------------------------------
def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _lookup_key(text: str) -> str:
    return " ".join(names.name_keys(text))


class PlaceIndex:
    """Reference geography and education by code or by label in any language."""

    def __init__(self, conn):
        self.by_kind: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
        self.parent: dict[tuple[str, str], str | None] = {}
        for kind, code, parent, *labels in conn.execute(
                "SELECT kind, code, parent_code, label_en, label_ru, label_tg, label_uz"
                " FROM reference_item WHERE deleted=0 AND kind IN"
                " ('country','region','district','jamoat','education')"):
            self.parent[(kind, code)] = parent
            index = self.by_kind.setdefault(kind, {})
            keys = {code.casefold()}
            for label in labels:
                if label:
                    keys.add(label.casefold())
                    keys.add(_lookup_key(label))
                    # "Lakhsh (Jirgatol)": each part names it too
                    for part in re.split(r"\s*[()]\s*", label):
                        if part:
                            keys.add(_lookup_key(part))
            for key in keys:
                if key:
                    index.setdefault(key, [])
                    if (code, parent) not in index[key]:
                        index[key].append((code, parent))

    def find(self, kind: str, text: str, parent: str | None = None) -> str | None:
        index = self.by_kind.get(kind, {})
        matches = index.get(text.casefold()) or index.get(_lookup_key(text)) or []
        if parent is not None:
            within = [m for m in matches if m[1] == parent]
            matches = within or matches
        return matches[0][0] if len(matches) >= 1 else None


def _status_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, label in MIGRATION_STATUSES.items():
        index[code] = code
        index[_normalise_title(label)] = code
        for language in LANGUAGES:
            index[_normalise_title(DOMAIN.in_language(language).gettext(label))] = code
    for code, synonyms in _STATUS_SYNONYMS.items():
        for synonym in synonyms:
            index[_normalise_title(synonym)] = code
    return index


class RowParser:
    def __init__(self, conn, today: date | None = None):
        self.places = PlaceIndex(conn)
        self.statuses = _status_index()
        self.today = today or date.today()
        self.sexes = {_normalise_title(v): code for code, values in _SEX.items() for v in values}

    def parse(self, number: int, raw: dict[str, object]) -> ImportRow:
        values: dict = {}
        errors: list[RowError] = []

        def fail(field_name: str, message: str) -> None:
            errors.append(RowError(number, field_name, message))

        for name, cell in raw.items():
            self._read_cell(number, name, cell, values, fail)
        self._places(number, values, errors)
        if "age" in values:
            age = values.pop("age")
            if not values.get("birth_date"):
                values["birth_date"] = birth_date_from_age(age, self.today).isoformat()
                values["birth_date_estimated"] = 1
        cleaned, problems = validate_person(values, self.today)
        for field_name, message in problems.items():
            if any(e.field == field_name for e in errors):
                continue
            errors.append(RowError(number, field_name, _("row {row}: {message}").format(
                row=number, message=message)))
        return ImportRow(number, cleaned if not errors else values, errors)

    def _read_cell(self, number: int, name: str, cell, values: dict, fail) -> None:
        """Put one cell's value in ``values`` (a code, a date, a flag...) or ``fail``."""
        text = _cell_text(cell)
        if name in DATE_FIELDS:
            self._read_date(number, name, cell, values, fail)
        elif name in FLAG_FIELDS:
            key = _normalise_title(text)
            if key in _YES:
                values[name] = 1
            elif not key or key in _NO:
                values[name] = 0
            else:
                fail(name, _("row {row}: {field} {value} is not yes or no").format(
                    row=number, field=_(FIELD_LABELS[name]), value=text))
        elif name in ("sex", "migration_status", "education"):
            if text:
                values[name] = self._code(number, name, text, fail)
        elif name == "age":
            if text:
                if not text.isdigit() or not 0 < int(text) <= 110:
                    fail(name, _("row {row}: age {value} is not a number of years").format(
                        row=number, value=text))
                else:
                    values["age"] = int(text)
        elif name in NAME_FIELDS and len(text) > sheets.MAX_NAME_CHARS:
            fail(name, _("row {row}: {field} is longer than {limit} characters").format(
                row=number, field=_(FIELD_LABELS[name]), limit=sheets.MAX_NAME_CHARS))
        else:   # places (coded in _places) and free text
            values[name] = text or None

    @staticmethod
    def _read_date(number: int, name: str, cell, values: dict, fail) -> None:
        text = _cell_text(cell)
        if isinstance(cell, (date, datetime)):
            values[name] = text
        elif text:
            try:
                values[name] = as_date(text).isoformat()
            except ValueError:
                fail(name, _("row {row}: {field} {value} is not a date").format(
                    row=number, field=_(FIELD_LABELS[name]), value=text))

    def _code(self, number: int, name: str, text: str, fail) -> str | None:
        """The code of a sex, a migration status or an education level written as text."""
        if name == "sex":
            code = self.sexes.get(_normalise_title(text))
            if code is None:
                fail(name, _("row {row}: sex {value} is not female or male").format(
                    row=number, value=text))
        elif name == "migration_status":
            code = self.statuses.get(_normalise_title(text))
            if code is None:
                fail(name, _("row {row}: migration status {value} is not one of: "
                             "potential, abroad, returned, stranded").format(
                    row=number, value=text))
        else:
            code = self.places.find("education", text)
            if code is None:
                fail(name, _("row {row}: education {value} is not in the list").format(
                    row=number, value=text))
        return code

    def _places(self, number: int, values: dict, errors: list[RowError]) -> None:
        """Codes for country/region/district/jamoat; fill the levels above from below."""
        found: dict[str, str] = {}
        raw_text = {kind: values.get(kind) for kind in PLACE_KINDS}
        for kind in PLACE_KINDS:
            text = values.get(kind)
            if not text:
                continue
            parent_kind = _PARENT_KIND.get(kind)
            code = self.places.find(kind, text,
                                    parent=found.get(parent_kind) if parent_kind else None)
            if code is None:
                errors.append(RowError(number, kind, _(
                    "row {row}: {field} {value} is not in the list of places").format(
                    row=number, field=_(FIELD_LABELS[kind]), value=text)))
                values[kind] = None
                continue
            found[kind] = code
            values[kind] = code
        for kind in PLACE_KINDS[1:]:
            above = _PARENT_KIND[kind]
            if found.get(kind) and found.get(above):
                if self.places.parent.get((kind, found[kind])) != found[above]:
                    errors.append(RowError(number, kind, _(
                        "row {row}: {field} {value} is not in {parent_field} {parent}").format(
                        row=number, field=_(FIELD_LABELS[kind]), value=raw_text[kind],
                        parent_field=_(FIELD_LABELS[above]), parent=raw_text[above])))
        for kind in reversed(PLACE_KINDS[1:]):
            code = found.get(kind) or values.get(kind)
            if not code:
                continue
            parent = self.places.parent.get((kind, code))
            above = _PARENT_KIND[kind]
            if parent and not values.get(above):
                values[above] = parent
                found[above] = parent


_PARENT_KIND = {"region": "country", "district": "region", "jamoat": "district"}


def read_people_file(conn, path: str | Path, *, today: date | None = None) -> ImportResult:
    """Read and check every row of ``path`` (nothing is written)."""
    sheet = read_sheet(path)
    result = ImportResult()
    table = [(n, row) for n, row in sheet.rows if any(_cell_text(c) for c in row)]
    if not table:
        raise ImportFileError(_("The file is empty: the first row must hold the column titles."))
    header_number, header = table[0]
    if sheet.damaged.get(header_number):
        column = sheet.damaged[header_number][0]
        raise ImportFileError(sheets.damaged_message(header_number, column))
    columns = _map_header(header, result)
    missing = [f for f in ("family_name", "given_name") if f not in columns]
    if missing:
        raise ImportFileError(_(
            "The first row must hold the column titles, with at least a column for the family "
            "name (Фамилия / Насаб / Familiya) and one for the given name (Имя / Ном / Ism). "
            "Missing: {fields}.").format(fields=", ".join(_(FIELD_LABELS[f]) for f in missing)))
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(_("The file has more than {count} rows: split it into smaller "
                                "files.").format(count=MAX_ROWS))
    parser = RowParser(conn, today)
    for number, row in table[1:]:
        raw = {name: (row[i] if i < len(row) else None)
               for i, name in enumerate(columns) if name is not None}
        parsed = parser.parse(number, raw)
        for column in sheet.damaged.get(number, ()):
            name = columns[column] if column < len(columns) else None
            if name is not None:
                parsed.errors.append(RowError(number, name, sheets.damaged_message(
                    number, column, _cell_text(header[column]))))
        result.rows.append(parsed)
    mark_repeats(conn, result.rows)
    return result


def _map_header(header: list, result: ImportResult) -> list[str | None]:
    columns: list[str | None] = []
    for title in header:
        name = field_for_title(title)
        if name is not None and name in columns:
            name = None  # a second column for the same field is ignored
        columns.append(name)
        if name is not None:
            result.columns[_cell_text(title)] = name
        elif _cell_text(title):
            result.unknown_columns.append(_cell_text(title))
    return columns


def _same_text(a, b) -> bool:
    return " ".join(str(a or "").split()).casefold() == " ".join(str(b or "").split()).casefold()


def mark_repeats(conn, rows: list[ImportRow]) -> None:
    """Mark valid rows whose person is already registered with the same values (or is on
    an earlier row): ``duplicate_of`` / ``repeats_row``. One indexed look-up per row."""
    seen: dict[tuple, int] = {}
    seen_names: dict[tuple, int] = {}
    for row in rows:
        if not row.valid:
            continue
        values = row.values
        key = tuple(" ".join(str(values.get(f) or "").split()).casefold()
                    for f in sorted(set(IDENTITY_FIELDS) | set(values)))
        if key in seen:
            row.repeats_row = seen[key]
            continue
        seen[key] = row.row
        names_key = tuple(" ".join(str(values.get(f) or "").split()).casefold()
                          for f in ("family_name", "given_name"))
        if names_key in seen_names:
            row.similar_row = seen_names[names_key]
        else:
            seen_names[names_key] = row.row
        cur = conn.execute(
            "SELECT * FROM person WHERE family_name = ? COLLATE NOCASE AND given_name = ? "
            "COLLATE NOCASE AND deleted = 0 AND merged_into IS NULL LIMIT 50",
            (values.get("family_name"), values.get("given_name")))
        names = [d[0] for d in cur.description]
        for found in cur.fetchall():
            person = dict(zip(names, found, strict=True))
            if all(_same_text(values.get(f), person.get(f)) for f in IDENTITY_FIELDS) and all(
                    _same_text(v, person.get(f)) for f, v in values.items()
                    if f in person and v not in (None, "", 0)):
                row.duplicate_of = person["id"]
                break
            row.similar_to.append(person["id"])
        if row.duplicate_of is not None:
            row.similar_to = []


def import_people(session, path: str | Path, *, skip_invalid: bool = False,
                  dry_run: bool = False, today: date | None = None,
                  progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Check ``path`` and create its people in one transaction.

    Nothing is written when any row is invalid (unless ``skip_invalid``) or with ``dry_run``.
    """
    result = read_people_file(session.conn, path, today=today)
    result.skipped = len(result.invalid_rows)
    valid = [r for r in result.valid_rows if not r.repeated]
    if dry_run or not valid or (result.skipped and not skip_invalid):
        return result
    repo = PersonRepository(session)
    rows = [dict(r.values) for r in valid]
    for values in rows:
        for key in [k for k in values if k not in repo.fields and k != "office_id"]:
            del values[key]
    with session.transaction():
        ids = _create(repo, rows, progress)
        result.possible_duplicates = queue_possible_duplicates(
            session.conn, valid, ids, Path(path).name)
        detail = {"file": Path(path).name, "imported": len(ids), "skipped": result.skipped}
        if result.repeated_rows:
            detail["repeated"] = len(result.repeated_rows)
        if result.possible_duplicates:
            detail["possible_duplicates"] = result.possible_duplicates
        session.audit.record(session.actor.user_id, "import", "person", None, detail=detail)
    result.imported = len(ids)
    result.imported_ids = ids
    result.committed = True
    return result


# Up to this many new people get the full fuzzy comparison with the register (about 0.1 s
# a person on a large one, as for a sync import); a bigger file queues the rows whose names
# are already registered, or repeat an earlier row's, with other values.
FULL_CHECK_LIMIT = 300


def queue_possible_duplicates(conn, rows: list[ImportRow], ids: list[str],
                              file_name: str) -> int:
    """Put the imported people who are probably someone already registered (or another
    row of the file) on the possible-duplicates list, inside the import's transaction.
    Returns how many pairs were added."""
    pairs: list[tuple[str, str, int, str]]
    if len(ids) <= FULL_CHECK_LIMIT:
        pairs = [(p.first_id, p.second_id, int(p.score), "; ".join(p.reasons))
                 for p in find_duplicate_pairs(conn, ids, limit_per_person=5)]
    else:
        by_row = {row.row: person_id for row, person_id in zip(rows, ids, strict=True)}
        pairs = []
        for row, person_id in zip(rows, ids, strict=True):
            others = list(row.similar_to)
            if row.similar_row in by_row:
                others.append(by_row[row.similar_row])
            pairs += [(person_id, other, 90, "name") for other in others]
    now = utc_now()
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO sync_duplicate(person_a, person_b, score, reason, found_at,"
        " bundle_id) VALUES (?,?,?,?,?,?)",
        [(min(a, b), max(a, b), score, reason, now, f"import:{file_name}")
         for a, b, score, reason in pairs if a != b])
    return conn.total_changes - before


def _create(repo: PersonRepository, rows: list[dict], progress) -> list[str]:
    ids = []
    for values in rows:
        values["id"] = new_id()
        ids.append(values["id"])
    step = 1000
    for start in range(0, len(rows), step):
        repo.create_many(rows[start:start + step])
        if progress is not None:
            progress(min(start + step, len(rows)), len(rows))
    return ids


def iter_messages(result: ImportResult) -> Iterable[str]:
    for error in result.errors:
        yield error.message
