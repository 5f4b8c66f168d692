"""Time-ordered UUIDs (version 7) as text keys."""
from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> str:
    """Return a UUIDv7 string; ids made later in this process sort after earlier ones."""
    return new_ids(1)[0]


def new_ids(count: int) -> list[str]:
    """``count`` UUIDv7 strings, as ``count`` calls of :func:`new_id` would make them."""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms, counter = _last_ms, _counter
        else:
            counter = -1
        stamps = []
        for _ in range(count):
            counter += 1
            if counter > 0xFFF:
                ms, counter = ms + 1, 0
            stamps.append(((ms & 0xFFFF_FFFF_FFFF) << 80) | (0x7 << 76) | (counter << 64)
                          | (0x2 << 62))
        _last_ms, _counter = ms, counter
    randoms = os.urandom(8 * count)
    out = []
    for index, value in enumerate(stamps):
        rand = int.from_bytes(randoms[8 * index:8 * index + 8], "big") & 0x3FFF_FFFF_FFFF_FFFF
        text = f"{value | rand:032x}"   # the text of str(uuid.UUID(int=value)), made quicker
        out.append(f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}")
    return out


def stable_id(namespace: str, key: str) -> str:
    """A deterministic id for shared reference rows, equal on every installation."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"hamroh:{namespace}:{key}"))
