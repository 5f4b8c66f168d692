"""What every page receives: the open database, the acting user, the DB worker, signals."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.store.session import PermissionDenied, Session


class AppContext(QObject):
    """Shared state of one open database in the UI.

    ``session`` is used on the UI thread for quick reads; ``worker`` runs reads and writes
    on its own connection (pages reach it only through ui.operations).
    ``data_changed(table)`` tells pages to refresh after writes made elsewhere; write
    operations emit it (ui.operations.WriteOp), pages never do.
    """

    data_changed = Signal(str)
    status_message = Signal(str)

    def __init__(self, session: Session, db_path: Path, worker=None, parent=None,
                 connection_factory=None):
        super().__init__(parent)
        self.session = session
        self.db_path = Path(db_path)
        self.worker = worker
        # opens another connection to the same database (the worker's, exports ...)
        self.connection_factory = connection_factory

    @property
    def conn(self):
        return self.session.conn

    @property
    def actor(self):
        return self.session.actor

    def can(self, action: str, table: str, row: dict | None = None) -> bool:
        """Whether the current user may do ``action`` (hide what they may not)."""
        try:
            self.session.require(action, table, row)
        except PermissionDenied:
            return False
        return True
