"""Run every ``benchmarks/bench_*.py`` and print each figure with its ratio to a baseline.

    make bench                      # full targets (1,000,000 people ...)
    python benchmarks/run.py --scale 0.05 [--only people]

Each module defines ``run(ctx) -> list[Result]``. ``ctx.demo_db()`` is a shared demo
database at the requested scale, built once and cached in ``bench-data/`` (copy it to
``ctx.workdir`` before writing to it).
"""
from __future__ import annotations

import argparse
import faulthandler
import importlib.util
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

FULL = {"people": 1_000_000, "cases": 300_000, "loans": 50_000, "trainings": 2_000}


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    goal: str = ""
    # CPU seconds (medians) of the figure and of its baseline, when measured: on a shared
    # machine the wall time also counts the waits for a core
    cpu: float | None = None
    baseline_cpu: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    def line(self) -> str:
        text = f"{self.name:<58} {self.value:>12.4g} {self.unit:<4}"
        if self.baseline is not None:
            text += f"  vs {self.baseline_name} {self.baseline:.4g} {self.unit}"
            if self.ratio is not None:
                text += f"  ratio {self.ratio:.2f}x"
        if self.cpu is not None:
            text += f"  cpu {self.cpu:.3g} s"
            if self.baseline_cpu:
                text += f" vs {self.baseline_cpu:.3g} s, ratio {self.cpu / self.baseline_cpu:.2f}x"
        if self.goal:
            text += f"  (goal {self.goal})"
        return text


@dataclass
class Timing:
    wall: float     # seconds, median of the runs
    cpu: float      # CPU seconds of this process, median of the runs


def timed(fn, repeat: int = 3) -> Timing:
    """Median wall and CPU time of ``repeat`` calls of ``fn``."""
    import statistics
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus))


def compare(name: str, ours: Timing, baseline_name: str, bare: Timing, goal: str = "",
            unit: str = "ms") -> Result:
    """A figure and its baseline from two timings (wall in ``unit``, CPU in seconds)."""
    scale = 1000 if unit == "ms" else 1
    return Result(name, ours.wall * scale, unit, baseline_name, bare.wall * scale, goal,
                  ours.cpu, bare.cpu)


class BenchContext:
    def __init__(self, workdir: Path, scale: float, cache: Path):
        self.workdir = workdir
        self.scale = scale
        self.cache = cache
        self._migrated: set[Path] = set()

    def count(self, kind: str) -> int:
        return max(1, int(FULL[kind] * self.scale))

    def demo_db(self) -> Path:
        """The shared demo database (people, cases, trainings, loans at this scale), brought
        up to this version's schema."""
        self.cache.mkdir(parents=True, exist_ok=True)
        path = self.cache / f"demo-{self.scale:g}.db"
        if path.exists():
            if path not in self._migrated:
                bring_up_to_date(path)
                self._migrated.add(path)
            return path
        from desktop_app.cli import main as hamroh
        tmp = path.with_suffix(".partial.db")
        for leftover in tmp.parent.glob(tmp.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        args = ["demo", "--db", str(tmp), "--people", str(self.count("people"))]
        from desktop_app.demo import discover
        options = {g.name for g in discover()}
        for kind in ("cases", "trainings", "loans"):
            if kind in options:
                args += [f"--{kind}", str(self.count(kind))]
        code = hamroh(args)
        if code != 0:
            raise SystemExit(f"demo database could not be built (exit {code})")
        tmp.rename(path)
        keys = tmp.with_name(tmp.name + ".keys")      # encrypted databases: the key file
        if keys.exists():
            keys.rename(path.with_name(path.name + ".keys"))
        print(f"# built {path.name} in {time.perf_counter() - started:.0f} s", flush=True)
        return path

    def fresh_copy(self, name: str = "work.db") -> Path:
        target = self.workdir / name
        source = self.demo_db()
        shutil.copyfile(source, target)
        keys = source.with_name(source.name + ".keys")
        if keys.exists():
            shutil.copyfile(keys, target.with_name(target.name + ".keys"))
        return target


def bring_up_to_date(db: Path) -> None:
    """Apply this version's migrations to a cached demo database built by an older one,
    without the backup copy a user's database gets (the cache can be rebuilt, and a copy of
    the full-scale database would take 20 GB)."""
    from desktop_app.store import migrations
    from desktop_app.store.access import open_database
    from desktop_app.store.reference import load_reference
    conn = open_database(db, migrate=False)
    started = time.perf_counter()
    done = migrations.migrate(conn, db, backup=False, after_migrate=load_reference)
    if done.applied:
        conn.execute("ANALYZE")
        print(f"# migrated {db.name} ({', '.join(done.applied)}) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    conn.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args(argv)
    faulthandler.enable(all_threads=True)   # a crash in a thread names every thread's stack
    workroot = ROOT / "bench-data" / "work"
    failures = 0
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem[len("bench_"):]
        if args.only and name not in args.only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        workdir = workroot / name
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        ctx = BenchContext(workdir, args.scale, ROOT / "bench-data")
        print(f"== {name} (scale {args.scale:g})", flush=True)
        try:
            for result in module.run(ctx):
                print(result.line(), flush=True)
        except Exception as exc:  # report and go on with the other benchmarks
            failures += 1
            print(f"!! {name} failed: {exc!r}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
