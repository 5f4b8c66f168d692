"""The cost of ``synchronous = FULL``: one person saved per transaction, as the window saves.

    python benchmarks/save_durability.py [FOLDER] [--saves N]

Makes a fresh encrypted database in FOLDER (default: a temporary folder; give a folder on
the disk you want to measure, e.g. a USB stick) and times N saves with ``synchronous``
NORMAL and FULL, twice each, alternating. The figures are in docs/dev/durability.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HAMROH_INSECURE_TEST_KDF", "1")

from desktop_app.store.people.repositories import PersonRepository  # noqa: E402
from desktop_app.store.security.accounts import create_encrypted  # noqa: E402


def _saves(folder: Path, mode: str, round_: int, count: int) -> list[float]:
    made = create_encrypted(folder / f"bench-{mode}-{round_}.db", office_code="GRM",
                            office_name="Bench", admin_username="admin",
                            password="bench-password-1")
    session = made.session
    session.conn.execute(f"PRAGMA synchronous = {mode}")
    repo = PersonRepository(session)
    times = []
    for n in range(count):
        started = time.perf_counter()
        with session.transaction():
            repo.create({"family_name": f"Bench{n}", "given_name": "Test", "sex": "female"})
        times.append(time.perf_counter() - started)
    session.conn.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--saves", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        found: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
        for round_ in range(2):
            for mode in found:
                found[mode] += _saves(Path(folder), mode, round_, args.saves)
    for mode, times in found.items():
        times.sort()
        print(f"synchronous={mode}: median {statistics.median(times) * 1000:.1f} ms, "
              f"90th percentile {times[int(len(times) * 0.9)] * 1000:.1f} ms "
              f"({len(times)} saves)")


if __name__ == "__main__":
    main()
