"""The per-field clock map of a synced row (its ``hlc`` column) and the JSON text that the
change log stores.

Each row keeps the hybrid logical clock of the last write to each of its fields, so that
sync merges field by field. The map is stored compactly: one row stamp plus the fields
whose clock differs (see :func:`encode_clocks`).
"""
from __future__ import annotations

import json
import re


def dumps(value) -> str:
    """Compact JSON with sorted keys: the text of change-log fields and clock maps."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


ROW_STAMP = "*"
# a clock that can be written into JSON text as it is (no character needs escaping)
PLAIN_STAMP = re.compile(r"[0-9A-Za-z.\-]+\Z")


def encode_clocks(clocks: dict, all_fields) -> str:
    """The ``hlc`` column text of a per-field clock map, compact: ``{"*": row stamp}``
    plus only the fields whose clock differs (null: the field has no clock).

    The row stamp is the clock most fields share (ties: the later clock), so the text
    is the same on every replica holding the same clocks. Keys that are not fields of
    the table are kept as they are.
    """
    if not clocks:
        return "{}"
    if len(clocks) == len(all_fields):
        # the usual new record: one clock for every field (checked with set operations)
        stamps = set(clocks.values())
        if len(stamps) == 1:
            (star,) = stamps
            if (isinstance(star, str) and PLAIN_STAMP.match(star)
                    and clocks.keys() == set(all_fields)):
                return f'{{"*":"{star}"}}'
    counts: dict[str, int] = {}
    for name in all_fields:
        stamp = clocks.get(name)
        if stamp is not None:
            counts[stamp] = counts.get(stamp, 0) + 1
    if not counts:
        return dumps(clocks)
    star = max(counts, key=lambda stamp: (counts[stamp], stamp))
    out: dict = {ROW_STAMP: star}
    for name in all_fields:
        stamp = clocks.get(name)
        if stamp != star:
            out[name] = stamp
    names = set(all_fields)
    out.update((k, v) for k, v in clocks.items() if k not in names)
    return dumps(out)


def decode_clocks(text: str | None, all_fields) -> dict:
    """The full per-field clock map of an ``hlc`` column (compact or the older full map)."""
    clocks = json.loads(text or "{}")
    star = clocks.pop(ROW_STAMP, None)
    if star is None:
        return clocks
    full = dict.fromkeys(all_fields, star)
    for name, stamp in clocks.items():
        if stamp is None:
            full.pop(name, None)
        else:
            full[name] = stamp
    return full
