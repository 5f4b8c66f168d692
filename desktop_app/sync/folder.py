"""A watched sync folder (USB stick, network share, a folder kept by Syncthing).

``SyncFolder.poll_once()`` imports every bundle in the folder that this installation has
not imported yet (bundles it made itself are skipped), then writes an outgoing bundle
when there is something the peers have not acknowledged: for the coordinator, or on a
coordinator one per office. ``watch()`` polls until stopped. Poll-based and Qt-free: the
UI runs it from a timer on its own connection; the CLI from ``hamroh bundle watch``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys


@dataclass
class PollResult:
    imported: list[exchange.ImportSummary] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # (file, message)
    written: list[exchange.ExportResult] = field(default_factory=list)


class SyncFolder:
    def __init__(self, conn, folder, *, actor=None, org_key: bytes | None = None,
                 write_outgoing: bool = True):
        self.conn = conn
        self.folder = Path(folder)
        self.actor = actor
        self.org_key = org_key
        self.write_outgoing = write_outgoing
        # files that failed, by (name, size, mtime): not retried until they change
        self._failed: dict[str, tuple] = {}
        # target -> (version vector when its last bundle was written, that file)
        self._written: dict[str, tuple[dict, Path]] = {}

    def incoming(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        own = keys.load_identity(self.conn)
        found = []
        for path in sorted(self.folder.glob("*" + fmt.SUFFIX)):
            if path.name.startswith(".partial-"):
                continue
            stat = path.stat()
            if self._failed.get(path.name) == (stat.st_size, stat.st_mtime_ns):
                continue
            try:
                header = fmt.read_header(path)
            except fmt.BundleError:
                found.append(path)  # import reports and logs the problem
                continue
            if header.sender.get("device_id") == own.device_id:
                continue
            if header.recipient is not None and \
                    keys.normalise_fingerprint(header.recipient) != own.fingerprint:
                continue   # addressed to another device sharing the folder
            if exchange.already_imported(self.conn, header.bundle_id):
                continue
            found.append(path)
        return found

    def poll_once(self) -> PollResult:
        result = PollResult()
        for path in self.incoming():
            try:
                summary = exchange.import_bundle(self.conn, path, actor=self.actor,
                                                 org_key=self.org_key)
                result.imported.append(summary)
            except (fmt.BundleError, exchange.SyncError) as exc:
                stat = path.stat()
                self._failed[path.name] = (stat.st_size, stat.st_mtime_ns)
                result.failed.append((path.name, str(exc)))
        if self.write_outgoing:
            result.written = self.write_bundles()
        return result

    def write_bundles(self) -> list[exchange.ExportResult]:
        self.folder.mkdir(parents=True, exist_ok=True)
        targets = ([code for _id, code, _name in exchange.offices(self.conn)]
                   if exchange.is_coordinator(self.conn) else ["coordinator"])
        written = []
        vv = exchange.version_vector(self.conn)
        for target in targets:
            last = self._written.get(target)
            if last is not None and last[0] == vv and last[1].exists():
                continue  # nothing new since the bundle still waiting in the folder
            name = exchange.default_bundle_name(self.conn, target)
            path = self.folder / name
            result = exchange.export_bundle(self.conn, path, target=target,
                                            org_key=self.org_key, actor=self.actor,
                                            skip_empty=True)
            if result.changes == 0:
                continue
            self._written[target] = (vv, path)
            # a bundle from an earlier poll that the peer has not picked up is replaced
            for old in self.folder.glob(f"{name.rsplit('-', 1)[0]}-*{fmt.SUFFIX}"):
                if old != path:
                    exchange.remove_quietly(old)
            written.append(result)
        return written

    def watch(self, interval: float = 10.0, stop: threading.Event | None = None,
              on_result=None) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            result = self.poll_once()
            if on_result is not None:
                on_result(result)
            stop.wait(interval)
