"""Reference data (geography, sectors, categories, courses ...) from ``db/reference/*.csv``.

Rows get stable ids (the same on every installation) and the oldest possible clock, so
an administrator's edit made anywhere wins over the shipped value when it syncs.
Loading inserts what is missing and never overwrites a local edit; a label nobody edited
(its clock is still the shipped one) takes the wording of the newer shipped file, without
a change-log entry: every installation of that version ships the same words.
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from desktop_app.domain.ids import stable_id
from desktop_app.store.clocks import decode_clocks
from desktop_app.store.migrations import PROJECT_ROOT
from desktop_app.store.repository import Repository
from desktop_app.store.session import get_meta, set_meta

REFERENCE_DIR = PROJECT_ROOT / "db" / "reference"
SHIPPED_CLOCK = "000000000000000.00000.reference"
SHIPPED_BY = "reference"
COLUMNS = ("kind", "code", "parent_code", "label_en", "label_ru", "label_tg", "label_uz",
           "sort_order", "active", "attributes")
LABELS = ("label_en", "label_ru", "label_tg", "label_uz")


class ReferenceRepository(Repository):
    table = "reference_item"
    fields = ("kind", "code", "parent_code", "label_en", "label_ru", "label_tg", "label_uz",
              "sort_order", "active", "attributes")


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.csv"))


def reference_fingerprint(directory: Path = REFERENCE_DIR) -> str:
    digest = hashlib.sha256()
    for path in _files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_reference(conn, directory: Path = REFERENCE_DIR) -> int:
    """Insert shipped reference rows that are missing and refresh the shipped labels nobody
    edited. Runs inside the caller's transaction; returns the number of rows inserted."""
    inserted = 0
    clocks = json.dumps({c: SHIPPED_CLOCK for c in COLUMNS + (
        "office_id", "created_at", "created_by", "updated_at", "updated_by", "deleted")},
        sort_keys=True, separators=(",", ":"))
    for path in _files(directory):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                values = {c: row.get(c) or None for c in COLUMNS}
                values["sort_order"] = int(values["sort_order"] or 0)
                values["active"] = int(values["active"] if values["active"] is not None else 1)
                values["attributes"] = values["attributes"] or "{}"
                rid = stable_id("reference", f"{values['kind']}:{values['code']}")
                cur = conn.execute(
                    "INSERT OR IGNORE INTO reference_item(id, office_id, " + ", ".join(COLUMNS)
                    + ", created_at, created_by, updated_at, updated_by, deleted, hlc) VALUES "
                    "(?, NULL, " + ", ".join("?" * len(COLUMNS)) + ", '', ?, '', ?, 0, ?)",
                    (rid, *[values[c] for c in COLUMNS], SHIPPED_BY, SHIPPED_BY, clocks))
                if cur.rowcount:
                    inserted += 1
                else:
                    _refresh_shipped_labels(conn, rid, values)
    set_meta(conn, "reference_fingerprint", reference_fingerprint(directory))
    return inserted


def _refresh_shipped_labels(conn, rid: str, values: dict) -> None:
    row = conn.execute("SELECT hlc, " + ", ".join(LABELS) + " FROM reference_item WHERE id=?",
                       (rid,)).fetchone()
    if row is None:
        return
    clocks = decode_clocks(row[0], ReferenceRepository.fields)
    changed = {label: values[label] for label, current in zip(LABELS, row[1:], strict=True)
               if clocks.get(label) == SHIPPED_CLOCK and values[label] != current}
    if changed:
        conn.execute("UPDATE reference_item SET " + ", ".join(f"{c}=?" for c in changed)
                     + " WHERE id=?", (*changed.values(), rid))


def ensure_reference(conn, directory: Path = REFERENCE_DIR) -> int:
    """Load reference rows when the shipped files changed since the last load."""
    if get_meta(conn, "reference_fingerprint") == reference_fingerprint(directory):
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        count = load_reference(conn, directory)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return count


@dataclass(frozen=True)
class RefItem:
    kind: str
    code: str
    parent_code: str | None
    labels: dict[str, str]
    sort_order: int
    attributes: dict

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]


def items(conn, kind: str, parent_code: str | None = None, *,
          active_only: bool = True) -> list[RefItem]:
    sql = ("SELECT kind, code, parent_code, label_en, label_ru, label_tg, label_uz, sort_order,"
           " attributes FROM reference_item WHERE kind=? AND deleted=0")
    args: list = [kind]
    if active_only:
        sql += " AND active=1"
    if parent_code is not None:
        sql += " AND parent_code=?"
        args.append(parent_code)
    sql += " ORDER BY sort_order, code"
    return [RefItem(r[0], r[1], r[2], {"en": r[3], "ru": r[4], "tg": r[5], "uz": r[6]}, r[7],
                    json.loads(r[8] or "{}")) for r in conn.execute(sql, args)]


def label(conn, kind: str, code: str | None, language: str) -> str:
    if not code:
        return ""
    column = {"ru": "label_ru", "tg": "label_tg", "uz": "label_uz"}.get(language, "label_en")
    row = conn.execute(f"SELECT {column} FROM reference_item WHERE kind=? AND code=?",
                       (kind, code)).fetchone()
    return row[0] if row else code
