"""Uncaught exceptions in the window: written to the log file, and the user told what to do.

Qt calls ``sys.excepthook`` for an exception raised in a slot and carries on; a thread's
uncaught exception goes to ``threading.excepthook``. Both land here: the traceback goes to
the log, and a dialog on the UI thread names the log file (one dialog at a time, however
many exceptions follow the first). The dialog also offers to save a diagnostics file
(``ui/help.py``): ``diagnostics_source`` tells it how to reach the open database.
"""
from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.i18n import Domain
from desktop_app.ui.help import save_diagnostics_now

DOMAIN = Domain("core")
_ = DOMAIN.gettext

log = logging.getLogger(__name__)


class CrashReporter(QObject):
    """Installed by ``install`` (the hooks keep it alive); ``uninstall`` puts the previous
    hooks back."""

    _report = Signal()

    def __init__(self, log_path: Path | None):
        super().__init__()
        self.log_path = log_path
        self.dialog: QMessageBox | None = None
        # () -> (connection factory or None, database path or None); set by run_gui
        self.diagnostics_source: Callable[[], tuple[Callable | None, Path | None]] | None = None
        self._previous_excepthook = sys.excepthook
        self._previous_threading_excepthook = threading.excepthook
        # queued even on the UI thread: the dialog opens after the failed slot has returned
        self._report.connect(self._show_dialog, Qt.ConnectionType.QueuedConnection)

    def excepthook(self, exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        if not issubclass(exc_type, KeyboardInterrupt):
            log.critical("Uncaught exception", exc_info=(exc_type, exc, tb))
            self._report.emit()
        self._previous_excepthook(exc_type, exc, tb)

    def threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if not issubclass(args.exc_type, SystemExit):
            name = args.thread.name if args.thread is not None else "?"
            log.critical("Uncaught exception in thread %s", name,
                         exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
            self._report.emit()
        self._previous_threading_excepthook(args)

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_excepthook
        if threading.excepthook == self.threading_excepthook:
            threading.excepthook = self._previous_threading_excepthook

    def _show_dialog(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return
        box = QMessageBox(QMessageBox.Icon.Critical, _("Something went wrong"),
                          _("Hamroh ran into an unexpected problem. "
                            "What you had already saved is kept."),
                          QMessageBox.StandardButton.Ok, QApplication.activeWindow())
        if self.log_path is not None:
            box.setInformativeText(_(
                "The details were written to the log file:\n{path}\n\n"
                "Please send this file to your coordinator or administrator.").format(
                    path=self.log_path))
        else:
            box.setInformativeText(_(
                "The details could not be written to a log file. Please tell your "
                "coordinator or administrator what you were doing when this happened."))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.diagnostics_button = box.addButton(_("Save a &diagnostics file…"),
                                                QMessageBox.ButtonRole.ActionRole)
        # buttonClicked comes before the box closes (and, no longer held, is deleted)
        box.buttonClicked.connect(self._button_clicked)
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._forget_dialog)
        self.dialog = box
        box.show()

    def _button_clicked(self, button) -> None:
        if button is self.diagnostics_button:
            self.save_diagnostics()

    def save_diagnostics(self) -> None:
        save_diagnostics_now(QApplication.activeWindow(), self.diagnostics_source)

    def _forget_dialog(self) -> None:
        self.dialog = None


def install(log_path: Path | None) -> CrashReporter:
    """Route uncaught exceptions of every thread to the log and a dialog (``log_path`` is
    the file ``logs.set_up`` returned). Call it on the UI thread."""
    reporter = CrashReporter(log_path)
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.threading_excepthook
    return reporter
