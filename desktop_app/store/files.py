"""Writing the files a database depends on so that a power cut leaves the old or the new one.

The key file (``<db>.keys``), backups and the demo database are never written in place:
:func:`write_atomic` and :func:`copy_atomic` write a temporary file beside the target,
flush it to the disk (``fsync``), rename it over the target and then flush the folder, so
that after a crash at any instant the target is either the complete old file (or none)
or the complete new one. The same holds on FAT/exFAT USB sticks, where a file written
without ``fsync`` can be empty after a power cut.

:func:`locked` holds an operating-system lock (Windows and Linux) on a small ``.lock``
file beside a file, for read-modify-write updates made by several processes at once
(the wrong-password counter in the key file).
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Iterator

from filelock import FileLock

TMP_SUFFIX = ".tmp"
LOCK_TIMEOUT = 60.0            # seconds: a lock is held for milliseconds
REPLACE_ATTEMPTS = 60          # Windows: 3 s of retries while another process reads the file


def temporary_name(target: str | os.PathLike) -> Path:
    """A fresh name beside ``target`` for building it (same folder, so a rename is atomic)."""
    target = Path(target)
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TMP_SUFFIX}")


def fsync_file(path: str | os.PathLike) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename or a new file in ``folder`` durable (no-op where folders cannot be
    opened, as on Windows, whose rename is written through by the file system)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        # some file systems (and FUSE mounts) refuse fsync on a folder
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def replace(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Rename a complete (already fsynced) ``source`` over ``target``, durably.

    On Windows a file that another process has open (reading the key file at login) cannot
    be replaced for that moment: the rename is tried again for up to a few seconds.
    """
    for attempt in range(REPLACE_ATTEMPTS):
        try:
            os.replace(source, target)
            break
        except PermissionError:
            if os.name != "nt" or attempt == REPLACE_ATTEMPTS - 1:
                raise
            time.sleep(0.05)
    fsync_dir(Path(target).parent)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def write_atomic(target: str | os.PathLike, data: bytes | str, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``target`` so that a crash leaves the old or the new content."""
    target = Path(target)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = temporary_name(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600 if mode is None else mode)
        try:
            view = memoryview(raw)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        replace(tmp, target)
    except BaseException:
        _remove_quietly(tmp)
        raise
    return target


def copy_atomic(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Copy ``source`` to ``target``: the target appears only once complete and on disk."""
    target = Path(target)
    tmp = temporary_name(target)
    try:
        shutil.copyfile(source, tmp)
        with contextlib.suppress(OSError):
            shutil.copystat(source, tmp)
        fsync_file(tmp)
        replace(tmp, target)
    except BaseException:
        _remove_quietly(tmp)
        raise
    return target


def remove_leftovers(target: str | os.PathLike) -> None:
    """Temporary files of ``target`` left by a crash (``.<name>.<random>.tmp``)."""
    target = Path(target)
    with contextlib.suppress(OSError):
        for leftover in target.parent.glob(f".{target.name}.*{TMP_SUFFIX}"):
            _remove_quietly(leftover)


def lock_path(target: str | os.PathLike) -> Path:
    target = Path(target)
    return target.with_name(target.name + ".lock")


@contextlib.contextmanager
def locked(target: str | os.PathLike, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the operating system's lock of ``target`` (other processes wait for it)."""
    lock = FileLock(str(lock_path(target)), timeout=timeout, is_singleton=False)
    with lock:
        yield
