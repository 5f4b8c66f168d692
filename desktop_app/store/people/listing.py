"""What the People screens read and save: ordered id lists, row pages, one-person saves.

The list works on an ordered list of ``person.rowid`` integers (compact even for a
million people) and fetches the visible rows page by page. Saving a person writes the
person and their migration episodes in one transaction through the repositories.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.store.db import row_dict
from desktop_app.store.people.identity import LIVING_PERSON
from desktop_app.store.people.repositories import (
    MigrationEpisodeRepository,
    PersonRepository,
    search_people,
)
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import Session

# sort key -> ORDER BY columns (ascending). Each has a partial index (migration 0009) whose
# order is the sort order, rowid included, so no sort step is needed even for a million rows.
SORTS = {
    "name": ("family_name COLLATE NOCASE", "given_name COLLATE NOCASE", "sex",
             "migration_status", "district"),
    "sex": ("sex",),
    # ascending by age = latest birth dates first
    "age": ("birth_date DESC",),
    "place": ("district", "jamoat"),
    "status": ("migration_status",),
    "phone": ("phones",),
    "registered": ("created_at",),
}
LIST_COLUMNS = ("id", "family_name", "given_name", "patronymic", "sex", "birth_date",
                "birth_date_estimated", "district", "jamoat", "migration_status", "phones",
                "created_at")
SEARCH_LIMIT = 500


@dataclass
class PeopleQuery:
    """Filters of the People list. Empty values mean "any"."""
    term: str = ""
    sex: str | None = None
    district: str | None = None
    status: str | None = None
    sort: str = "name"
    descending: bool = False

    def where(self) -> tuple[str, list]:
        clauses, args = [LIVING_PERSON], []
        for column, value in (("sex", self.sex), ("district", self.district),
                              ("migration_status", self.status)):
            if value:
                clauses.append(f"{column}=?")
                args.append(value)
        return " AND ".join(clauses), args


@dataclass
class PeopleIds:
    """The result of a list query: ordered rowids, and whether search capped them."""
    rowids: list[int] = field(default_factory=list)
    capped: bool = False


def _order_by(query: PeopleQuery) -> str:
    """ORDER BY of a query; ties go by rowid in the same direction so an index serves it."""
    columns = SORTS.get(query.sort, SORTS["name"])
    parts = list(columns) + ["rowid DESC" if columns[0].endswith(" DESC") else "rowid"]
    if query.descending:
        parts = [_flip(part) for part in parts]
    return ", ".join(parts)


def _flip(part: str) -> str:
    if part.endswith(" DESC"):
        return part[:-5]
    return part + " DESC"


def list_ids(conn, query: PeopleQuery) -> PeopleIds:
    """Rowids of the people matching ``query`` in display order.

    With a search term the order is relevance (best match first) unless a column sort
    was asked for; the search looks at names in any script, phones and document numbers.
    """
    where, args = query.where()
    if query.term.strip():
        hits = search_people(conn, query.term, limit=SEARCH_LIMIT, candidates=SEARCH_LIMIT)
        if not hits:
            return PeopleIds()
        rank = {h.id: i for i, h in enumerate(hits)}
        marks = ",".join("?" * len(hits))
        rows = conn.execute(
            f"SELECT rowid, id FROM person WHERE id IN ({marks}) AND {where} "
            f"ORDER BY {_order_by(query)}", [*rank, *args]).fetchall()
        if query.sort == "relevance":
            rows.sort(key=lambda r: rank[r[1]])
        return PeopleIds([r[0] for r in rows], capped=len(hits) >= SEARCH_LIMIT)
    source = "person"
    if query.sort not in SORTS or query.sort == "name":
        # the name index covers the filters too; without this hint SQLite may pick a
        # filter's index and sort a million rows
        source = "person INDEXED BY person_list_name"
    cur = conn.execute(f"SELECT rowid FROM {source} WHERE {where} ORDER BY {_order_by(query)}",
                       args)
    return PeopleIds([r[0] for r in cur])


def count_people(conn) -> int:
    return conn.execute("SELECT count(*) FROM person INDEXED BY person_list_sex "
                        f"WHERE {LIVING_PERSON}").fetchone()[0]


def fetch_rows(conn, rowids: list[int]) -> dict[int, dict]:
    """The list columns of the given rows, keyed by rowid."""
    if not rowids:
        return {}
    found: dict[int, dict] = {}
    for start in range(0, len(rowids), 500):
        chunk = rowids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        cur = conn.execute(f"SELECT rowid, {', '.join(LIST_COLUMNS)} FROM person "
                           f"WHERE rowid IN ({marks})", chunk)
        for row in cur:
            found[row[0]] = row_dict(LIST_COLUMNS, row[1:])
    return found


def person_rowid(conn, person_id: str) -> int | None:
    row = conn.execute("SELECT rowid FROM person WHERE id=?", (person_id,)).fetchone()
    return row[0] if row else None


def load_person(conn, person_id: str) -> tuple[dict | None, list[dict]]:
    """A person's row and their migration episodes (newest first)."""
    cur = conn.execute("SELECT * FROM person WHERE id=? AND deleted=0", (person_id,))
    row = cur.fetchone()
    if row is None:
        return None, []
    person = row_dict(cur.description, row)
    cur = conn.execute(
        "SELECT * FROM migration_episode WHERE person_id=? AND deleted=0 "
        "ORDER BY departure_date DESC, created_at DESC", (person_id,))
    cols = [d[0] for d in cur.description]
    return person, [row_dict(cols, r) for r in cur]


class EpisodeErrors(ValidationError):
    """Validation problems of migration episodes: ``rows`` maps row index -> {field: msg}."""

    def __init__(self, rows: dict[int, dict[str, str]]):
        self.rows = rows
        flat = {f"episode{index + 1}.{name}": message
                for index, errors in rows.items() for name, message in errors.items()}
        super().__init__(flat)


def save_person(session: Session, values: dict, episodes: list[dict],
                person_id: str | None = None) -> dict:
    """Create or update a person and replace their episodes, all or nothing.

    ``episodes`` are dicts of episode fields; one with an ``id`` updates that episode,
    one without creates a new one; existing episodes missing from the list are deleted.
    Raises ValidationError (person fields) or EpisodeErrors (episode rows); nothing is
    written then.
    """
    people = PersonRepository(session)
    episode_repo = MigrationEpisodeRepository(session)
    episode_fields = set(MigrationEpisodeRepository.fields) - {"person_id"}
    with session.transaction():
        if person_id is None:
            person = people.create(values)
        else:
            person = people.update(person_id, values)
        existing = {e["id"]: e for e in episode_repo.for_person(person["id"])}
        errors: dict[int, dict[str, str]] = {}
        kept: set[str] = set()
        for index, episode in enumerate(episodes):
            data = {k: v for k, v in episode.items() if k in episode_fields}
            try:
                if episode.get("id") in existing:
                    kept.add(episode["id"])
                    episode_repo.update(episode["id"], data)
                else:
                    episode_repo.create({**data, "person_id": person["id"]})
            except ValidationError as exc:
                errors[index] = exc.errors
        if errors:
            raise EpisodeErrors(errors)
        for episode_id in set(existing) - kept:
            episode_repo.delete(episode_id)
    return person
