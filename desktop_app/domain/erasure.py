"""What erasing a person blanks: the personal fields, by table (plain data and rules).

Erasure keeps what reports count (sex, birth year, country/region/district, flags) and
blanks the rest of what identifies or describes the person. The fields are fixed here,
not found in the data, so that every replica blanks the same ones.
"""
from __future__ import annotations

ERASED_NAME = "—"
# names must stay non-empty: a dash replaces them
ERASED_NAMES = ("family_name", "given_name")
# person fields blanked on erasure (the date of birth is cut to 1 January of its year)
PERSON_ERASED = ("family_name", "given_name", "patronymic", "phones", "document_number",
                 "jamoat", "village", "household_notes", "notes", "consent_scope")
PERSON_ERASABLE = frozenset(PERSON_ERASED) | {"birth_date"}
# free-text fields of other tables that describe a person, by table
ERASABLE: dict[str, tuple[str, ...]] = {
    "migration_episode": ("employer_name", "notes"),
    "consent": ("notes",),
}
# column names blanked in any other table with a person_id column
GENERIC_TEXT = ("notes", "description", "narrative", "details", "summary", "address",
                "phone", "phones", "contact", "comment", "comments")


def register_erasable(table: str, fields: tuple[str, ...]) -> None:
    """Declare free-text fields of ``table`` (rows with ``person_id``) blanked on erasure."""
    ERASABLE[table] = tuple(fields)


def erased_value(table: str, name: str, value):
    """What an erased field holds instead of ``value``."""
    if table == "person":
        if name in ERASED_NAMES:
            return ERASED_NAME
        if name == "birth_date":
            return value[:4] + "-01-01" if isinstance(value, str) and len(value) >= 4 else value
    return None


def person_record_fields(table: str, columns, synced_fields) -> list[str]:
    """The fields blanked in rows of ``table`` (a table with a ``person_id`` column other
    than person): its declared free-text fields, else the generic ones it has; only
    columns of the table that sync (``synced_fields``)."""
    fields = [f for f in ERASABLE.get(table, ()) if f in columns] or \
        [f for f in GENERIC_TEXT if f in columns]
    return [f for f in fields if f in synced_fields]
