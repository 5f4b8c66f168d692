"""Bundle import and export off the UI thread, each on its own connection."""
from __future__ import annotations

import threading

from PySide6.QtCore import QThread, Signal

from desktop_app.sync import exchange
from desktop_app.i18n import Domain

DOMAIN = Domain("sync")
_ = DOMAIN.gettext


def open_connection(ctx):
    if getattr(ctx, "connection_factory", None) is not None:
        return ctx.connection_factory()
    from desktop_app.store.access import open_database
    return open_database(ctx.db_path)


class SyncTask(QThread):
    """Import files (``paths``) or export one bundle (``target`` to ``path``)."""

    progressed = Signal(int, int)
    succeeded = Signal(object)     # list of (file, summary or ExportResult)
    failed = Signal(str, object)   # message, partial results

    def __init__(self, ctx, *, import_paths=None, export_path=None, target=None,
                 to_device=None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.import_paths = list(import_paths or [])
        self.export_path = export_path
        self.target = target
        self.to_device = to_device
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: int, total: int):
        self.progressed.emit(done, total)
        return not self._cancel.is_set()

    def run(self) -> None:
        results = []
        conn = None
        try:
            conn = open_connection(self.ctx)
            if self.export_path is not None:
                result = exchange.export_bundle(conn, self.export_path, target=self.target,
                                                actor=self.ctx.actor, progress=self._progress,
                                                to_device=self.to_device)
                results.append((self.export_path, result))
            for path in self.import_paths:
                summary = exchange.import_bundle(conn, path, actor=self.ctx.actor,
                                                 progress=self._progress)
                results.append((path, summary))
        except exchange.ImportCancelled:
            self.failed.emit(_("Cancelled: nothing of the bundle was imported."), results)
            return
        except Exception as exc:  # shown to the user; every sync error carries a message
            self.failed.emit(str(exc), results)
            return
        finally:
            if conn is not None:
                conn.close()
        self.succeeded.emit(results)
