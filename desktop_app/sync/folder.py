"""A watched sync folder (USB stick, network share, a folder kept by Syncthing).

``SyncFolder.poll_once()`` imports every bundle in the folder that this installation has
not imported yet (bundles it made itself are skipped), then writes an outgoing bundle
when there is something the peers have not acknowledged: for the coordinator, or on a
coordinator one per office. ``watch()`` polls until stopped. Poll-based and Qt-free: the
UI runs it from a timer on its own connection; the CLI from ``hamroh bundle watch``.
"""
from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.i18n import Domain
from desktop_app.store.offices import is_office_code
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys

DOMAIN = Domain("sync")
_ = DOMAIN.gettext


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

    def _skip(self, path: Path, key: tuple, result: PollResult | None, message: str,
              code: str) -> None:
        """Remember a file that failed a check (not retried until it changes), report it
        and write it to the sync log (file name and reason only)."""
        self._failed[path.name] = key
        if result is not None:
            result.failed.append((path.name, message))
        exchange.log_event(self.conn, {"direction": "in", "file": str(path), "result": code,
                                       "message": message})

    def incoming(self, result: PollResult | None = None) -> list[Path]:
        """Bundles to import, oldest name first. Anything that is not a regular file, or
        whose header fails a check, is skipped and reported once (until it changes);
        bundles addressed to another office or device are left alone, silently."""
        if not self.folder.is_dir():
            return []
        own = keys.load_identity(self.conn)
        found = []
        for path in sorted(self.folder.glob("*" + fmt.SUFFIX)):
            if path.name.startswith(".partial-"):
                continue
            try:
                info = os.lstat(path)
            except OSError:
                continue   # gone since the listing
            key = (info.st_size, info.st_mtime_ns)
            if self._failed.get(path.name) == key:
                continue
            if not stat.S_ISREG(info.st_mode):
                self._skip(path, key, result, _(
                    "{name} is not an ordinary file (it may be a folder, a link or a pipe): it "
                    "is not a bundle and was skipped.").format(name=path.name), "not_regular")
                continue
            try:
                header = fmt.read_header(path)
            except fmt.BundleError as exc:
                self._skip(path, key, result, str(exc), exc.code)
                continue
            except Exception as exc:   # whatever a hostile file does, the folder goes on
                self._skip(path, key, result, _(
                    "The file {name} could not be read as a bundle ({error}); it was "
                    "skipped.").format(name=path.name, error=type(exc).__name__), "failed")
                continue
            if self._wanted(header, own):
                found.append(path)
        return found

    def _wanted(self, header: fmt.Header, own: keys.DeviceIdentity) -> bool:
        if header.sender.get("device_id") == own.device_id:
            return False
        if header.recipient is not None and \
                keys.normalise_fingerprint(header.recipient) != own.fingerprint:
            return False   # addressed to another device sharing the folder
        if header.addressee is not None and not exchange.addressed_here(self.conn, header):
            return False   # another office's bundle: not ours to open, not ours to judge
        # (a bundle that names no addressee goes on to the import, which refuses it and
        # says why, once)
        return not exchange.already_imported(self.conn, header.bundle_id)

    def poll_once(self) -> PollResult:
        result = PollResult()
        for path in self.incoming(result):
            try:
                summary = exchange.import_bundle(self.conn, path, actor=self.actor,
                                                 org_key=self.org_key)
                result.imported.append(summary)
            except (fmt.BundleError, exchange.SyncError, OSError) as exc:
                try:
                    info = os.lstat(path)
                    self._failed[path.name] = (info.st_size, info.st_mtime_ns)
                except OSError:
                    pass
                result.failed.append((path.name, str(exc)))
        if self.write_outgoing:
            result.written = self.write_bundles(result)
        return result

    def _targets(self, result: PollResult | None) -> list[str]:
        """Office codes (on a coordinator) or 'coordinator'; offices whose code is not a
        valid code are skipped and reported (their code would make the file name)."""
        if not exchange.is_coordinator(self.conn):
            return ["coordinator"]
        targets = []
        for _id, code, _name in exchange.offices(self.conn):
            if is_office_code(code):
                targets.append(code)
            elif result is not None:
                message = _("An office in this database has a code that is not valid; no "
                            "bundle was written for it. Correct the office's code.")
                if not any(m == message for _f, m in result.failed):
                    result.failed.append(("-", message))
        return targets

    def write_bundles(self, result: PollResult | None = None) -> list[exchange.ExportResult]:
        self.folder.mkdir(parents=True, exist_ok=True)
        targets = self._targets(result)
        written = []
        vv = exchange.version_vector(self.conn)
        for target in targets:
            last = self._written.get(target)
            if last is not None and last[0] == vv and last[1].exists():
                continue  # nothing new since the bundle still waiting in the folder
            name = exchange.default_bundle_name(self.conn, target)
            path = self.folder / name
            if path.parent != self.folder or Path(name).name != name:
                continue   # never a file outside the folder, whatever the codes say
            try:
                out = exchange.export_bundle(self.conn, path, target=target,
                                             org_key=self.org_key, actor=self.actor,
                                             skip_empty=True)
            except exchange.SyncError as exc:
                if result is not None:
                    result.failed.append((name, str(exc)))
                continue
            if out.changes == 0:
                continue
            self._written[target] = (vv, path)
            # a bundle from an earlier poll that the peer has not picked up is replaced
            for old in self.folder.glob(f"{name.rsplit('-', 1)[0]}-*{fmt.SUFFIX}"):
                if old != path:
                    exchange.remove_quietly(old)
            written.append(out)
        return written

    def watch(self, interval: float = 10.0, stop: threading.Event | None = None,
              on_result=None) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            result = self.poll_once()
            if on_result is not None:
                on_result(result)
            stop.wait(interval)
