"""Timed writes into the shared demo database that leave it as it was.

The demo database of the full scale is ~20 GB: copying it for every timed write would
take longer than the writes. Instead a child process commits into the write-ahead log
(automatic checkpoints off) and exits without closing, so the main file is never written;
the parent then deletes the log and checks that the file's size and time stamp are
unchanged. The child also reports its own peak resident memory.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

PRELUDE = r"""
import json, os, sys, time, resource
def peak_kb():
    # VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts at its parent's resident
    # set when it is forked, so it reported the benchmark runner's memory, not the child's
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
target, args = sys.argv[1], sys.argv[2:]
from desktop_app.store.access import open_database, default_actor
conn = open_database(target)
# everything written here stays in the write-ahead log, which the parent deletes
conn.execute("PRAGMA wal_autocheckpoint = 0")
figures = {}
"""
EPILOGUE = r"""
figures["rss_kb"] = peak_kb()
print(json.dumps(figures), flush=True)
os._exit(0)     # no close, so no checkpoint: the main database file is never written
"""


def _stamp(path):
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def _discard_log(path):
    for suffix in ("-wal", "-shm"):
        leftover = path.with_name(path.name + suffix)
        if leftover.exists():
            leftover.unlink()


def run_child(ctx, body: str, target, *args, copy: bool = False) -> dict:
    """Run ``body`` (Python with ``conn`` open on ``target``, ``args`` and ``figures``, a
    dict it fills) in a child process; returns ``figures`` with ``rss_kb``. ``copy``: the
    target is a copy made for this run, which it may write (a chunked import
    checkpoints its write-ahead log into the file)."""
    from desktop_app.store.access import open_database
    open_database(target).close()        # checkpoints anything left by an earlier reader
    before = _stamp(target)
    child = subprocess.run([sys.executable, "-c", PRELUDE + body + EPILOGUE, str(target),
                            *map(str, args)],
                           capture_output=True, text=True, cwd=str(ctx.workdir.parents[2]))
    _discard_log(target)
    # a child that raised closed its connection on the way out, which checkpoints the log
    # into the file: its error is the news, not the file's time stamp
    if child.returncode != 0:
        raise RuntimeError(child.stderr[-2000:])
    if not copy and _stamp(target) != before:
        raise RuntimeError(f"{target} was written by the benchmark: rebuild it")
    return json.loads(child.stdout.strip().splitlines()[-1])
