"""Possible duplicate people: fast candidate look-up by derived keys, scored with rapidfuzz.

Candidates come only from indexed look-ups (never a table scan), so a check stays fast on
a million people:

* the FTS table ``person_search`` for shared phone keys and for names (every name token,
  or the family name with the start of the given name, or the reverse, so that a typo in
  one name still finds the record);
* ``person.birth_date`` (indexed) for people born the same day;
* ``person.document_key`` (indexed) for the same passport or ID number.

Each candidate is then scored 0-100 from name similarity (rapidfuzz on the
script-independent name keys), phone, document and date of birth. Merged records
(``merged_into`` set) and deleted ones are never suggested.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from desktop_app.domain import names
from desktop_app.domain.people import parse_date, split_phones
from desktop_app.i18n import Domain
from desktop_app.store.db import row_dict
from desktop_app.store.people.identity import LIVING_PERSON

DOMAIN = Domain("people")
_ = DOMAIN.gettext

# A candidate below this score is not shown.
MIN_SCORE = 60.0
# How many rows each look-up may bring (a very common name must not flood the scorer).
_PER_QUERY = 200

_PERSON_COLUMNS = (
    "id", "office_id", "family_name", "given_name", "patronymic", "sex", "birth_date",
    "birth_date_estimated", "phones", "document_number", "country", "region", "district",
    "jamoat", "village", "migration_status", "merged_into", "name_key", "phone_key",
    "document_key", "created_at", "updated_at", "deleted",
)


@dataclass
class DuplicateCandidate:
    person: dict
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class DuplicatePair:
    """Two records that may be the same person (``first_id`` < ``second_id``)."""
    first_id: str
    second_id: str
    score: float
    reasons: list[str] = field(default_factory=list)

    # Short names and tuple access (a, b, score, reasons) for callers that unpack pairs.
    @property
    def a(self) -> str:
        return self.first_id

    @property
    def b(self) -> str:
        return self.second_id

    @property
    def reason(self) -> str:
        """The reasons as one line ("same phone; similar name")."""
        return "; ".join(self.reasons)

    def _as_tuple(self) -> tuple:
        return (self.first_id, self.second_id, self.score, self.reasons)

    def __iter__(self):
        return iter(self._as_tuple())

    def __getitem__(self, index):
        return self._as_tuple()[index]

    def __len__(self) -> int:
        return 4


@dataclass
class _Probe:
    family: str
    given: str
    patronymic: str
    family_key: list[str]
    given_key: list[str]
    patronymic_key: list[str]
    phones: set[str]
    document: str
    birth: date | None
    birth_estimated: bool


@functools.lru_cache(maxsize=65536)
def _token_key(token: str) -> str:
    return names.name_key(token)


def _keys(text: str | None) -> list[str]:
    """Like ``names.name_keys`` (keys of every token, no repeats), cached per token."""
    keys: list[str] = []
    for token in names.split_name(text or ""):
        key = _token_key(token)
        if key and key not in keys:
            keys.append(key)
    return keys


def _probe(values: dict) -> _Probe:
    phones = {names.phone_key(p) for p in split_phones(values.get("phones"))}
    phones.discard("")
    birth = values.get("birth_date")
    if isinstance(birth, str):
        try:
            birth = parse_date(birth)
        except ValueError:
            birth = None
    elif not isinstance(birth, date):
        birth = None
    return _Probe(
        family=(values.get("family_name") or "").strip(),
        given=(values.get("given_name") or "").strip(),
        patronymic=(values.get("patronymic") or "").strip(),
        family_key=_keys(values.get("family_name")),
        given_key=_keys(values.get("given_name")),
        patronymic_key=_keys(values.get("patronymic")),
        phones=phones,
        document=names.document_key(values.get("document_number")),
        birth=birth,
        birth_estimated=bool(values.get("birth_date_estimated")),
    )


def _fts_rowids(conn, query: str, limit: int = _PER_QUERY) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT rowid FROM person_search WHERE person_search MATCH ? LIMIT ?", (query, limit))]


def _quote(token: str) -> str:
    return '"' + token.replace('"', "") + '"'


def _candidate_rows(conn, probe: _Probe) -> dict[str, dict]:
    rowids: set[int] = set()
    for phone in probe.phones:
        rowids.update(_fts_rowids(conn, _quote(phone)))
    family, given = probe.family_key, probe.given_key
    if family and given:
        rowids.update(_fts_rowids(conn, " AND ".join(_quote(t) for t in family + given)))
        # A typo in the given name: the family name exactly and the given name's start.
        if len(given[0]) >= 3:
            rowids.update(_fts_rowids(
                conn, " AND ".join(_quote(t) for t in family) + f" AND {_quote(given[0][:2])}*"))
        # A typo in the family name.
        if len(family[0]) >= 3:
            rowids.update(_fts_rowids(
                conn, " AND ".join(_quote(t) for t in given) + f" AND {_quote(family[0][:3])}*"))
    elif family or given:
        rowids.update(_fts_rowids(conn, " AND ".join(_quote(t) for t in family + given)))
    where: list[str] = []
    args: list[object] = []
    if rowids:
        where.append(f"rowid IN ({','.join('?' * len(rowids))})")
        args.extend(rowids)
    if probe.birth is not None and not probe.birth_estimated:
        where.append("birth_date = ?")
        args.append(probe.birth.isoformat())
    if probe.document:
        # The partial index on document_key is used only when its condition is repeated.
        where.append("document_key = ? AND document_key IS NOT NULL AND document_key != ''")
        args.append(probe.document)
    if not where:
        return {}
    found: dict[str, dict] = {}
    cols = ", ".join(_PERSON_COLUMNS)
    # One query per kind of look-up keeps each on its index.
    for clause, clause_args in _split_clauses(where, args, len(rowids)):
        cur = conn.execute(
            f"SELECT {cols} FROM person WHERE {clause} AND {LIVING_PERSON}"
            f" LIMIT {_PER_QUERY * 4}", clause_args)
        for row in cur:
            record = row_dict(_PERSON_COLUMNS, row)
            found[record["id"]] = record
    return found


def _split_clauses(where: list[str], args: list, n_rowids: int):
    pos = 0
    for clause in where:
        n = n_rowids if clause.startswith("rowid IN") else 1
        yield clause, args[pos:pos + n]
        pos += n


def _script(text: str) -> str:
    for ch in text:
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
        if ch.isalpha():
            return "latin"
    return ""


@functools.lru_cache(maxsize=65536)
def _latin(text: str) -> str:
    """The name in lower-case Latin letters as written (without the spelling folds)."""
    return " ".join("".join(c for c in names.transliterate(t) if c.isalpha())
                    for t in names.split_name(text))


def _part_similarity(mine_key: str, mine_text: str, key: str, text: str) -> float:
    """How alike two names are: 100 when their keys are equal (the same name in another
    script or spelling); otherwise the mean of the key similarity and the similarity of the
    Latin letters as written, because the keys fold a lot (Шоев and Саидов give close keys)."""
    if not mine_key or not key:
        return 0.0
    if mine_key == key:
        return 100.0
    return (fuzz.ratio(mine_key, key) + fuzz.ratio(_latin(mine_text), _latin(text))) / 2


def _name_similarity(probe: _Probe, other: dict) -> tuple[float, float]:
    """(similarity of family + given name, similarity of the less similar of the two).

    Each name is compared on its own, also with family and given name swapped (both
    orders are written). A clearly different patronymic lowers the similarity.
    """
    mine_family, mine_given = " ".join(probe.family_key), " ".join(probe.given_key)
    family_text = (other.get("family_name") or "").strip()
    given_text = (other.get("given_name") or "").strip()
    family, given = " ".join(_keys(family_text)), " ".join(_keys(given_text))
    if not (mine_family or mine_given) or not (family or given):
        return 0.0, 0.0
    best = (0.0, 0.0)
    for (a, a_text), (b, b_text) in (((family, family_text), (given, given_text)),
                                     ((given, given_text), (family, family_text))):
        f = _part_similarity(mine_family, probe.family, a, a_text)
        g = _part_similarity(mine_given, probe.given, b, b_text)
        pair = ((f + g) / 2, min(f, g))
        if pair > best:
            best = pair
    similarity, weakest = best
    other_patronymic = _keys(other.get("patronymic"))
    if probe.patronymic_key and other_patronymic:
        if fuzz.ratio(" ".join(probe.patronymic_key), " ".join(other_patronymic)) < 70:
            similarity -= 15
    return max(similarity, 0.0), weakest


def _as_date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _phone_keys(other: dict) -> set[str]:
    keys = {p for p in (other.get("phone_key") or "").split(";") if p}
    if not keys:
        keys = {names.phone_key(p) for p in split_phones(other.get("phones"))} - {""}
    return keys


def _birth_conflict(birth: date | None, other_birth: date | None, either_estimated: bool) -> int:
    """0: no conflict, 1: same year but another day, 2: years apart (more than two when
    either date is estimated)."""
    if birth is None or other_birth is None or birth == other_birth:
        return 0
    years = abs(birth.year - other_birth.year)
    if either_estimated:
        return 2 if years > 2 else 0
    return 1 if years == 0 else 2


def _name_reason(probe: _Probe, other: dict) -> str:
    other_family = (other.get("family_name") or "").strip()
    other_given = (other.get("given_name") or "").strip()
    same_keys = ((probe.family_key, probe.given_key)
                 == (_keys(other_family), _keys(other_given)))
    written_same = (f"{probe.family} {probe.given}".casefold()
                    == f"{other_family} {other_given}".casefold())
    if written_same:
        return _("same name")
    if same_keys and (_script(probe.family + probe.given)
                      != _script(other_family + other_given)):
        return _("same name in another script")
    if same_keys:
        return _("same name, spelled differently")
    return _("similar name")


def _score(probe: _Probe, other: dict) -> tuple[float, list[str]]:
    reasons: list[str] = []
    similarity, weakest = _name_similarity(probe, other)
    name_like = similarity >= 88 and weakest >= 80
    birth_like = similarity >= 75 and weakest >= 60
    other_phones = _phone_keys(other)
    same_phone = bool(probe.phones & other_phones)
    other_document = other.get("document_key") or names.document_key(other.get("document_number"))
    same_document = bool(probe.document) and probe.document == other_document
    other_birth = _as_date(other.get("birth_date"))
    either_estimated = probe.birth_estimated or bool(other.get("birth_date_estimated"))
    same_birth = (probe.birth is not None and other_birth is not None
                  and probe.birth == other_birth and not either_estimated)
    birth_conflict = _birth_conflict(probe.birth, other_birth, either_estimated)

    if same_document:
        score = 90 + similarity / 10
        reasons.append(_("same document number"))
    elif same_phone:
        score = 60 + 0.4 * similarity
        reasons.append(_("same phone"))
    elif same_birth and birth_like:
        score = 50 + 0.5 * similarity
    elif name_like:
        score = 0.85 * similarity
    else:
        return 0.0, []

    if same_birth and birth_like:
        reasons.append(_("same date of birth and similar name"))
    elif name_like:
        reasons.append(_name_reason(probe, other))
    if not same_document:
        if birth_conflict:
            score -= 20 if birth_conflict == 1 else 30
            reasons.append(_("date of birth differs"))
        if probe.phones and other_phones and not same_phone:
            score -= 10
    return max(0.0, min(100.0, round(score, 1))), reasons


def find_duplicates(conn, values: dict, *, exclude_ids=(), limit: int = 10,
                    min_score: float = MIN_SCORE) -> list[DuplicateCandidate]:
    """Records that may be the person described by ``values`` (a form's values or a row).

    ``exclude_ids``: ids never to suggest (the record being edited, its merged records).
    Best first; merged and deleted records are never suggested.
    """
    probe = _probe(values)
    excluded = set(exclude_ids)
    if values.get("id"):
        excluded.add(values["id"])
    candidates = []
    for record_id, record in _candidate_rows(conn, probe).items():
        if record_id in excluded:
            continue
        score, reasons = _score(probe, record)
        if score >= min_score:
            candidates.append(DuplicateCandidate(record, score, reasons))
    candidates.sort(key=lambda c: (-c.score, c.person.get("family_name") or "",
                                   c.person.get("given_name") or "", c.person["id"]))
    return candidates[:limit]


def find_duplicate_pairs(conn, person_ids, limit_per_person: int = 3,
                         min_score: float = MIN_SCORE) -> list[DuplicatePair]:
    """Possible duplicates for a batch of people (e.g. those a sync import just brought).

    Each pair appears once (ids ordered), with the best score found; best first.
    """
    pairs: dict[tuple[str, str], DuplicatePair] = {}
    ids = list(dict.fromkeys(person_ids))
    cols = ", ".join(_PERSON_COLUMNS)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = conn.execute(
            f"SELECT {cols} FROM person WHERE id IN ({','.join('?' * len(chunk))})"
            f" AND {LIVING_PERSON}", chunk).fetchall()
        for row in rows:
            record = row_dict(_PERSON_COLUMNS, row)
            for candidate in find_duplicates(conn, record, exclude_ids=(record["id"],),
                                             limit=limit_per_person, min_score=min_score):
                a, b = sorted((record["id"], candidate.person["id"]))
                known = pairs.get((a, b))
                if known is None or candidate.score > known.score:
                    pairs[(a, b)] = DuplicatePair(a, b, candidate.score, candidate.reasons)
    return sorted(pairs.values(), key=lambda p: (-p.score, p.first_id, p.second_id))
