"""Bundle import and export: the work, run as a write operation on a connection of its own
(``exchange_op``), so that a long import never holds the shared DB worker."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from desktop_app.i18n import Domain
from desktop_app.store.access import open_database
from desktop_app.sync import exchange
from desktop_app.ui.operations import WriteOp

DOMAIN = Domain("sync")
_ = DOMAIN.gettext


@dataclass
class ExchangeOutcome:
    results: list = field(default_factory=list)   # (file, summary or ExportResult)
    error: str | None = None                        # why it stopped, when it did

    @property
    def imported(self) -> bool:
        return any(not isinstance(r, exchange.ExportResult) for _p, r in self.results)


def import_stages(progress: Callable, number: int, count: int, name: str) -> Callable:
    """The import's ``progress(done, total)`` with the stage in words: which bundle, reading
    its changes, then (once every change is read) the check for possible duplicates and the
    saving, which take a while on a big bundle."""
    def report(done: int, total: int) -> bool:
        if total and done >= total:
            stage = _("Bundle {number} of {count} ({file}): looking for possible duplicates "
                      "and saving").format(number=number, count=count, file=name)
        else:
            stage = _("Bundle {number} of {count} ({file}): applying changes").format(
                number=number, count=count, file=name)
        return progress(done, total, stage)
    return report


def undo_stage(progress: Callable, number: int, count: int, name: str) -> Callable:
    """The undo of a big import stopped half-way (cancelled, or failed), in words."""
    def report(done: int, total: int) -> None:
        progress(done, total, _("Bundle {number} of {count} ({file}): the import stopped; "
                                "taking back what it saved").format(
                                    number=number, count=count, file=name))
    return report


def connector(ctx) -> Callable:
    """Opens another connection to the context's database (with the session's key)."""
    factory = getattr(ctx, "connection_factory", None)
    if factory is not None:
        return factory
    db_path = ctx.db_path
    return lambda: open_database(db_path)


def exchange_op(ctx, owner, *, import_paths=None, export_path=None, target=None,
                to_device=None) -> WriteOp:
    """Import files (``import_paths``) or export one bundle (``target`` to ``export_path``),
    with progress and cancel; an import that finished announces that everything changed."""
    import_paths = list(import_paths or [])

    def work(session, progress) -> ExchangeOutcome:
        outcome = ExchangeOutcome()
        try:
            if export_path is not None:
                result = exchange.export_bundle(session.conn, export_path, target=target,
                                                actor=session.actor, progress=progress,
                                                to_device=to_device)
                outcome.results.append((export_path, result))
            for number, path in enumerate(import_paths, 1):
                stages = (number, len(import_paths), Path(path).name)
                summary = exchange.import_bundle(
                    session.conn, path, actor=session.actor,
                    progress=import_stages(progress, *stages) if progress is not None
                    else None,
                    undo_progress=undo_stage(progress, *stages) if progress is not None
                    else None)
                outcome.results.append((path, summary))
        except exchange.ImportCancelled:
            outcome.error = _("Cancelled: nothing of the bundle was imported.")
        except Exception as exc:  # shown to the user; every sync error carries a message
            outcome.error = str(exc)
        return outcome

    return WriteOp(ctx, owner, work,
                   changes=lambda o: ("*",) if o.error is None and o.imported else ()) \
        .on_own_connection(connector(ctx))
