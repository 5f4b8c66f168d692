"""Participants of a training and the attendance grid, with totals and certificates."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from desktop_app.i18n import Domain, format_date, format_number
from desktop_app.i18n.formats import full_name
from desktop_app.store.session import PermissionDenied
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from desktop_app.ui import operations
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.trainings.attendance import AttendanceModel, AttendanceView
from desktop_app.ui.trainings.dialogs import (
    AddPersonDialog,
    OverrideDialog,
    RegisterPersonDialog,
    _error_label,
)
from desktop_app.ui.trainings.import_dialog import ImportDialog
from desktop_app.ui.trainings.outcomes import percent_text
from desktop_app.ui.widgets import wrapping_row

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext


class ParticipantsTab(QWidget):
    """Participants and the attendance grid, with totals and certificates."""

    def __init__(self, ctx, on_changed, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
        self.on_changed = on_changed
        self.event_id: str | None = None
        self.model = AttendanceModel(self.ctx, self)
        self.grid = AttendanceView(self.model)
        self.model.saved.connect(self._update_totals)
        self.model.failed.connect(lambda msg: self.message.setText(msg))
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_people)
        self.register_button = QPushButton()
        self.register_button.clicked.connect(self.register_person)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.import_list)
        self.override_button = QPushButton()
        self.override_button.clicked.connect(self.override)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self._confirm_remove)
        self.certificates_button = QPushButton()
        self.certificates_button.clicked.connect(self.print_certificates)
        self.totals = QLabel()
        self.message = _error_label()
        self.help = QLabel()
        self.help.setWordWrap(True)
        bar = wrapping_row(self.add_button, self.register_button, self.import_button,
                           self.override_button, self.remove_button, self.certificates_button)
        self.totals.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        layout.addWidget(self.help)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.message)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add people…"))
        self.register_button.setText(_("Register new…"))
        self.import_button.setText(_("Import list…"))
        self.override_button.setText(_("Completion by hand…"))
        self.remove_button.setText(_("Remove participant"))
        self.certificates_button.setText(_("Print all certificates…"))
        self.help.setText(_("Arrows move between cells; Space marks present or absent (for all "
                            "selected cells). Each mark is saved at once."))
        self.model.headerDataChanged.emit(Qt.Horizontal, 0, max(self.model.columnCount() - 1, 0))
        self._update_totals()

    def set_editable(self, editable: bool) -> None:
        """Hide what the user may not do (view-only roles see the grid and totals)."""
        self.editable = editable
        self.model.read_only = not editable
        for b in (self.add_button, self.register_button, self.import_button,
                  self.override_button, self.remove_button):
            b.setVisible(editable)

    def load(self, event_id: str | None) -> None:
        self.event_id = event_id
        self.model.load(event_id)
        self.message.clear()
        enabled = event_id is not None
        for b in (self.add_button, self.register_button, self.import_button):
            b.setEnabled(enabled)
        self._update_totals()

    def _update_totals(self) -> None:
        if not self.event_id:
            self.totals.setText("")
            return
        t = tq.totals(self.session.conn, event_ids=[self.event_id])
        rate = t.completion_rate
        share = t.women_share
        # each count with its own noun form ("1 woman", "2 women"; Russian has three forms)
        self.totals.setText(_("{people} ({women}, {share}), {completed} ({rate}); "
                              "{sessions}").format(
            people=ngettext("{count} participant", "{count} participants", t.people).format(
                count=format_number(t.people)),
            women=ngettext("{count} woman", "{count} women", t.women).format(
                count=format_number(t.women)),
            completed=ngettext("{count} completed", "{count} completed", t.completed).format(
                count=format_number(t.completed)),
            sessions=ngettext("{count} session", "{count} sessions", t.sessions).format(
                count=format_number(t.sessions)),
            share=percent_text(share), rate=percent_text(rate)))
        has_rows = bool(self.model.participants)
        self.override_button.setEnabled(has_rows)
        self.remove_button.setEnabled(has_rows)
        wait_until = ts.certificates_wait_until(self.session.conn, self.event_id)
        self.certificates_button.setEnabled(t.completed > 0 and not wait_until)
        if wait_until:
            self.certificates_button.setToolTip(_(
                "Certificates can be issued once the training is over: its last session is "
                "on {date}.").format(date=format_date(wait_until)))
        elif not t.completed:
            self.certificates_button.setToolTip(_("Nobody has completed the training yet."))
        else:
            self.certificates_button.setToolTip("")

    def _after_change(self, _result=None) -> None:
        self.model.load(self.event_id)
        self._update_totals()
        self.on_changed()


    def current_participant(self) -> dict | None:
        row = self.grid.currentIndex().row()
        if 0 <= row < len(self.model.participants):
            return self.model.participants[row]
        return None

    def add_people(self) -> None:
        dialog = AddPersonDialog(self.ctx, self.event_id, self)
        dialog.exec()
        if dialog.added:
            self._after_change()

    def register_person(self) -> None:
        dialog = RegisterPersonDialog(self.ctx, self.event_id, self)
        if dialog.exec():
            self._after_change()

    def import_list(self) -> None:
        dialog = ImportDialog(self.ctx, self.event_id, self)
        if dialog.exec() and dialog.result:
            r = dialog.result
            self.message.setText(_("Imported: {new} new people registered, {linked} people "
                                   "from the register added.").format(new=r.registered,
                                                                     linked=r.linked))
            self._after_change()

    def override(self) -> None:
        participant = self.current_participant()
        if participant and OverrideDialog(self.ctx, participant, self).exec():
            self._after_change()

    def _confirm_remove(self) -> None:
        participant = self.current_participant()
        if participant is None:
            return
        answer = QMessageBox.question(
            self, _("Remove participant"),
            _("Remove {name} from this training? Their attendance here is no longer "
              "counted; the person stays in the register.").format(
                name=full_name(participant)))
        if answer == QMessageBox.Yes:
            self.remove_participant()

    def remove_participant(self) -> None:
        participant = self.current_participant()
        if participant:
            participant_id = participant["id"]
            WriteOp(self.ctx, self, lambda session: tr.TrainingParticipantRepository(
                session).delete(participant_id), changes=("training_participant",)) \
                .success(self._after_change).failure(self._refused).run()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, PermissionDenied):
            self.message.setText(str(exc))
        else:
            operations.show_error(self, exc)

    def print_certificates(self, path: str | None = None) -> int:
        """Number and print the certificates of everyone who completed; returns how many
        when printed at once (without a DB worker), else 0 (the message says it later)."""
        from desktop_app.reports.trainings_certificates import (  # deferred: ReportLab
            print_certificates,
        )
        if not path:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Print all certificates"), str(Path.home() / "certificates.pdf"),
                _("PDF files (*.pdf)"))
        if not path:
            return 0
        ids = [p["id"] for p in self.model.participants if p["completed"]]
        printed = []

        def done(count: int) -> None:
            printed.append(count)
            self.message.setText(_("{count} certificates saved to {path}").format(
                count=format_number(count), path=path))
            self._after_change()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, OSError):
                self.message.setText(_("The PDF could not be written: {error}").format(
                    error=exc))
            else:
                self._refused(exc)
        # numbering the certificates writes records
        WriteOp(self.ctx, self, lambda session: print_certificates(session, ids, path),
                changes=("training_participant",)).success(done).failure(failed).run()
        return printed[0] if printed else 0
