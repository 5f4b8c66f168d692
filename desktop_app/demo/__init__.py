"""Demo databases that look like the users' own districts.

Each module in this package may define ``GENERATOR = DemoGenerator(...)``:
``add_arguments(parser)`` adds its options (e.g. ``--cases N``) and
``generate(session, args, rng, progress)`` writes its records through the repositories.
Generators run in ``order`` (people 10, cases 20, trainings 30, loans 40).
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from desktop_app.demo.staff import full_names
from desktop_app.paths import demo_database
from desktop_app.store.access import open_database
from desktop_app.store.security.accounts import finish_demo_encryption
from desktop_app.store.security.keys import new_demo_key
from desktop_app.store.setup import initialise


@dataclass(frozen=True)
class DemoGenerator:
    name: str
    order: int
    add_arguments: Callable[[argparse.ArgumentParser], None]
    generate: Callable[..., None]


class LocalNumbers:
    """People-facing numbers (``store.sequences``) handed out in memory for a batch of demo
    rows and written back once, in the batch's transaction: the same numbers as
    ``next_value`` per row, without two statements per row."""

    def __init__(self, session):
        self.session = session
        self.values: dict[str, int] = {}
        self.prefix = f"{session.meta('office_code') or 'OFF'}-{session.device_code}"

    def next_value(self, name: str) -> int:
        value = self.values.get(name)
        if value is None:
            row = self.session.conn.execute("SELECT value FROM local_sequence WHERE name=?",
                                            (name,)).fetchone()
            value = row[0] if row else 0
        value += 1
        self.values[name] = value
        return value

    def next_number(self, kind: str, year: int, width: int = 5) -> str:
        """As ``store.sequences.next_number``: OFFICE-DEVICE-YEAR-NNNNN."""
        return f"{self.prefix}-{year}-{self.next_value(f'{kind}:{year}'):0{width}d}"

    def save(self) -> None:
        self.session.conn.executemany(
            "INSERT INTO local_sequence(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value", list(self.values.items()))


def discover() -> list[DemoGenerator]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        generator = getattr(module, "GENERATOR", None)
        if isinstance(generator, DemoGenerator):
            found.append(generator)
    return sorted(found, key=lambda g: g.order)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for generator in discover():
        generator.add_arguments(parser)


# The offices' names as they write them (Gharm Jamoat Resource Centre, the Khujand trade
# union's information centre for migrants, the national coordination office ...).
OFFICE_NAMES = {
    "GRM": ("Маркази захиравии ҷамоати Ғарм", "TJ-RASHT", "TJ-RASHT-GARM", "jrc"),
    "TJB": ("Маркази захиравии ҷамоати Тоҷикобод", "TJ-TOJIKOBOD", "TJ-TOJIKOBOD-NUSHOR",
            "jrc"),
    "KHJ": ("Информационный центр для мигрантов, Худжанд", "TJ-KHUJAND", None,
            "union_centre"),
    "NUR": ("Маркази захиравии ҷамоати Нуробод", "TJ-NUROBOD", "TJ-NUROBOD-HAKIMI", "jrc"),
    "DSH": ("Дафтари ҳамоҳангсозии миллӣ", "TJ-DUSHANBE", None, "coordinator"),
}


def create_demo(path: str | Path, args: argparse.Namespace,
                progress: Callable[[str, int, int], None] | None = None,
                setup_hook: Callable | None = None):
    """Create a new demo database at ``path`` and fill it with every generator."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(str(path))
    office = getattr(args, "office", None) or (
        "DSH" if getattr(args, "coordinator", False) else "GRM")
    name, district, jamoat, office_type = OFFICE_NAMES.get(
        office, (f"Дафтари {office}", None, None, "jrc"))
    if getattr(args, "coordinator", False):
        office_type = "coordinator"
    # demo databases are encrypted like real ones (demo users, key file)
    conn = open_database(path, key=new_demo_key(path), create=True)
    staff = full_names(office)
    session = initialise(conn, office_code=office, office_name=name, office_type=office_type,
                         device_name=f"Ноутбук {office}-1", admin_username="admin",
                         admin_display_name=staff["admin"], region="TJ-RR",
                         district=district, jamoat=jamoat)
    session = finish_demo_encryption(session, path, staff)
    if setup_hook is not None:
        session = setup_hook(session, args) or session
    rng = random.Random(getattr(args, "seed", 1))
    for generator in discover():
        generator.generate(session, args, rng, progress or (lambda *a: None))
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # the planner's statistics, once, from a sample of each index (as ``PRAGMA optimize``
    # takes them): a full ANALYZE reads every index again, a tenth of the whole demo's time
    limit = session.conn.execute("PRAGMA analysis_limit").fetchone()[0]
    session.conn.execute("PRAGMA analysis_limit = 1000")
    session.conn.execute("ANALYZE")
    session.conn.execute(f"PRAGMA analysis_limit = {int(limit)}")
    return session


def default_arguments(**overrides) -> argparse.Namespace:
    """The options of ``hamroh demo`` with every generator's defaults."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--office", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--coordinator", action="store_true")
    add_arguments(parser)
    args = parser.parse_args([])
    for name, value in overrides.items():
        setattr(args, name, value)
    return args


def ensure_demo_database(path: str | Path | None = None,
                         progress: Callable[[str, int, int], None] | None = None,
                         **overrides) -> Path:
    """The demo database at ``path`` (default: the user's demo file), created if missing.

    Built under a temporary name and renamed when complete, so an interrupted first run
    never leaves a half-filled demo behind.
    """
    if path is None:
        path = demo_database()
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in path.parent.glob(partial.name + "*"):
        leftover.unlink()
    session = create_demo(partial, default_arguments(**overrides), progress=progress)
    session.conn.execute("PRAGMA journal_mode = DELETE")
    session.conn.close()
    partial.replace(path)
    keys = partial.with_name(partial.name + ".keys")      # encrypted demo: its key file
    if keys.exists():
        keys.replace(path.with_name(path.name + ".keys"))
    keys.with_name(keys.name + ".lock").unlink(missing_ok=True)   # its lock, taken to sign
    return path
