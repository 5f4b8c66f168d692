"""Sync page widgets."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.trainings import hours_text
from desktop_app.i18n import N_, Domain, format_date, format_datetime, format_number
from desktop_app.store.db import row_dict
from desktop_app.store.people import merge as people_merge
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import NotFound, ValidationError
from desktop_app.store.security import sensitive
from desktop_app.sync import conflicts as conflict_service
from desktop_app.sync import exchange, keys
from desktop_app.sync.duplicates import open_pairs
from desktop_app.ui import operations, style
from desktop_app.ui.field_labels import (
    MONEY_FIELDS,
    YES_NO_FIELDS,
    code_text,
    field_label,
    money_text,
    record_currency,
    reference_kind,
)
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.people.model import Labels
from desktop_app.ui.security.audit_text import kind_label
from desktop_app.ui.sync.tasks import ExchangeOutcome, exchange_op
from desktop_app.ui.widgets import (
    DataTable,
    EmptyState,
    TableOrEmpty,
    compact_combo,
    wrapping_row,
)

DOMAIN = Domain("sync")
_ = DOMAIN.gettext

PERSON_ROWS = (("family_name", N_("Family name")), ("given_name", N_("Given name")),
               ("patronymic", N_("Patronymic")), ("birth_date", N_("Date of birth")),
               ("phones", N_("Phones")), ("document_number", N_("Document number")),
               ("district", N_("District")), ("village", N_("Village")),
               ("office", N_("Office")))


def _count(value) -> str:
    return "" if value is None else format_number(value)


def _show_value(value) -> str:
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_date(value)  # a date field in conflict: as the language writes dates
    return str(value)


class SyncPage(QWidget):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.task: WriteOp | None = None
        self._labels: Labels | None = None
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        self.heading = style.page_title(QLabel())
        self.heading.setObjectName("heading")
        layout.addWidget(self.heading)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs)
        self._build_exchange()
        self._build_setup()
        self._build_conflicts()
        self._build_duplicates()
        self._build_history()
        self._build_quarantine()
        # hooks the tests replace (file dialogs cannot be clicked offscreen)
        self.choose_save_path = self._ask_save_path
        self.choose_open_paths = self._ask_open_paths
        self.retranslate()
        self.refresh()

    # ---- building --------------------------------------------------------------
    def _build_exchange(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.exchange_intro = QLabel()
        self.exchange_intro.setWordWrap(True)
        v.addWidget(self.exchange_intro)
        row = QHBoxLayout()
        self.for_coordinator = QPushButton()
        self.for_coordinator.setObjectName("bundle_for_coordinator")
        self.for_coordinator.clicked.connect(lambda: self.start_export("coordinator"))
        row.addWidget(self.for_coordinator)
        self.office_box = QComboBox()
        self.office_box.setObjectName("office_target")
        self.office_box.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.for_office = QPushButton()
        self.for_office.setObjectName("bundle_for_office")
        self.for_office.clicked.connect(
            lambda: self.start_export(self.office_box.currentData()))
        row.addWidget(self.office_box)
        row.addWidget(self.for_office)
        row.addStretch(1)
        v.addLayout(row)
        recipient_row = QHBoxLayout()
        self.recipient_label = QLabel()
        self.recipient_box = compact_combo(QComboBox(), 30)
        self.recipient_box.setObjectName("recipient")
        self.recipient_label.setBuddy(self.recipient_box)
        recipient_row.addWidget(self.recipient_label)
        recipient_row.addWidget(self.recipient_box, 1)
        v.addLayout(recipient_row)
        row2 = QHBoxLayout()
        self.import_button = QPushButton()
        self.import_button.setObjectName("import_bundle")
        self.import_button.clicked.connect(self._import_clicked)
        row2.addWidget(self.import_button)
        self.drop_hint = QLabel()
        row2.addWidget(self.drop_hint, 1)
        v.addLayout(row2)
        row3 = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        row3.addWidget(self.progress, 1)
        row3.addWidget(self.cancel_button)
        v.addLayout(row3)
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        v.addWidget(self.summary)
        v.addStretch(1)
        self.tabs.addTab(page, "")

    def _build_setup(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.identity_box = QGroupBox()
        form = QFormLayout(self.identity_box)
        self.office_label, self.office_value = QLabel(), QLabel()
        self.fp_label, self.fp_value = QLabel(), QLabel()
        self.fp_value.setObjectName("fingerprint")
        self.fp_value.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.pp_label, self.pp_state = QLabel(), QLabel()
        form.addRow(self.office_label, self.office_value)
        form.addRow(self.fp_label, self.fp_value)
        form.addRow(self.pp_label, self.pp_state)
        pp_row = QHBoxLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.Password)
        self.set_passphrase_button = QPushButton()
        self.set_passphrase_button.setObjectName("set_passphrase")
        self.set_passphrase_button.clicked.connect(self.save_passphrase)
        pp_row.addWidget(self.passphrase, 1)
        pp_row.addWidget(self.set_passphrase_button)
        form.addRow("", pp_row)
        v.addWidget(self.identity_box)
        self.devices_box = QGroupBox()
        dv = QVBoxLayout(self.devices_box)
        self.devices = DataTable(4, fit_columns=True)
        self.devices.setObjectName("devices")
        dv.addWidget(self.devices)
        trow = QHBoxLayout()
        self.trust_fp = QLineEdit()
        self.trust_fp.setObjectName("trust_fingerprint")
        self.trust_button = QPushButton()
        self.trust_button.setObjectName("trust")
        self.trust_button.clicked.connect(self.trust_device)
        self.revoke_button = QPushButton()
        self.revoke_button.setObjectName("revoke")
        self.revoke_button.clicked.connect(self.revoke_selected)
        trow.addWidget(self.trust_fp, 1)
        trow.addWidget(self.trust_button)
        trow.addWidget(self.revoke_button)
        self.retrust_button = QPushButton()
        self.retrust_button.setObjectName("trust_again")
        self.retrust_button.clicked.connect(self.trust_selected_again)
        trow.addWidget(self.retrust_button)
        dv.addLayout(trow)
        v.addWidget(self.devices_box, 1)
        self.setup_message = QLabel()
        self.setup_message.setWordWrap(True)
        v.addWidget(self.setup_message)
        self.tabs.addTab(page, "")

    def _build_conflicts(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.conflicts_intro = QLabel()
        self.conflicts_intro.setWordWrap(True)
        v.addWidget(self.conflicts_intro)
        self.conflicts = DataTable(5, fit_columns=True)
        self.conflicts.setObjectName("conflicts")
        self.conflicts_empty = EmptyState()
        self.conflicts_empty.setObjectName("conflicts_empty")
        v.addWidget(TableOrEmpty(self.conflicts, self.conflicts_empty), 1)
        self.keep_button = QPushButton()
        self.keep_button.setObjectName("keep_current")
        self.keep_button.clicked.connect(lambda: self.resolve_selected(False))
        self.take_button = QPushButton()
        self.take_button.setObjectName("take_other")
        self.take_button.clicked.connect(lambda: self.resolve_selected(True))
        v.addWidget(wrapping_row(self.keep_button, self.take_button))
        self.tabs.addTab(page, "")

    def _build_duplicates(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.duplicates = DataTable(3, fit_columns=True)
        self.duplicates.setObjectName("duplicates")
        self.duplicates.itemSelectionChanged.connect(self._show_pair)
        self.duplicates_empty = EmptyState()
        self.duplicates_empty.setObjectName("duplicates_empty")
        v.addWidget(TableOrEmpty(self.duplicates, self.duplicates_empty), 1)
        self.side = QGridLayout()
        self.side_labels: list[QLabel] = []
        self.left_values: list[QLabel] = []
        self.right_values: list[QLabel] = []
        for r, (_key, _label) in enumerate(PERSON_ROWS):
            label, left, right = QLabel(), QLabel(), QLabel()
            # the other office's values are text, never HTML
            left.setTextFormat(Qt.PlainText)
            right.setTextFormat(Qt.PlainText)
            left.setObjectName(f"left_{_key}")
            right.setObjectName(f"right_{_key}")
            self.side.addWidget(label, r, 0)
            self.side.addWidget(left, r, 1)
            self.side.addWidget(right, r, 2)
            self.side_labels.append(label)
            self.left_values.append(left)
            self.right_values.append(right)
        v.addLayout(self.side)
        self.keep_left = QPushButton()
        self.keep_left.setObjectName("merge_keep_left")
        self.keep_left.clicked.connect(lambda: self.merge_selected(keep_left=True))
        self.keep_right = QPushButton()
        self.keep_right.setObjectName("merge_keep_right")
        self.keep_right.clicked.connect(lambda: self.merge_selected(keep_left=False))
        self.not_same = QPushButton()
        self.not_same.setObjectName("not_same")
        self.not_same.clicked.connect(self.dismiss_selected)
        self.unmerge_button = QPushButton()
        self.unmerge_button.setObjectName("unmerge")
        self.unmerge_button.clicked.connect(self.unmerge_selected)
        v.addWidget(wrapping_row(self.keep_left, self.keep_right, self.not_same,
                                 self.unmerge_button))
        self.tabs.addTab(page, "")

    def _build_history(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.history = DataTable(7, fit_columns=True)
        self.history.setObjectName("history")
        self.history_empty = EmptyState()
        self.history_empty.setObjectName("history_empty")
        v.addWidget(TableOrEmpty(self.history, self.history_empty), 2)
        self.peers_label = QLabel()
        v.addWidget(self.peers_label)
        self.peers = DataTable(5, fit_columns=True)
        self.peers.setObjectName("peers")
        v.addWidget(self.peers, 1)
        self.tabs.addTab(page, "")

    # ---- text --------------------------------------------------------------------
    def retranslate(self) -> None:
        self.heading.setText(_("Sync"))
        for i, title in enumerate((_("Bundles"), _("Set-up"), _("Conflicts"),
                                   _("Possible duplicates"), _("History"))):
            self.tabs.setTabText(i, title)
        self.exchange_intro.setText(_(
            "A bundle is one encrypted file with the changes another office has not seen yet. "
            "Carry it on a USB stick, send it by e-mail or put it in the shared folder."))
        self.for_coordinator.setText(_("Bundle for the coordinator…"))
        self.for_office.setText(_("Bundle for this office…"))
        self.import_button.setText(_("Import bundles…"))
        self.drop_hint.setText(_("or drop .hamroh files here"))
        self.recipient_label.setText(_("Who can open the bundle:"))
        self.cancel_button.setText(_("Cancel"))
        self.identity_box.setTitle(_("This device"))
        self.office_label.setText(_("Office"))
        self.fp_label.setText(_("Fingerprint"))
        self.pp_label.setText(_("Sync passphrase"))
        self.passphrase.setPlaceholderText(_("the organisation's sync passphrase"))
        self.set_passphrase_button.setText(_("Save passphrase"))
        self.devices_box.setTitle(_("Devices whose bundles are accepted"))
        self.devices.setHorizontalHeaderLabels([_("Fingerprint"), _("Office"), _("Device"),
                                                _("Status")])
        self.trust_fp.setPlaceholderText(_("fingerprint read out by the other office"))
        self.trust_button.setText(_("Trust"))
        self.revoke_button.setText(_("Revoke selected"))
        self.conflicts_intro.setText(_(
            "Both offices changed the same field before they synced. The newer value is in "
            "use; the other one is kept here until someone decides."))
        self.conflicts.setHorizontalHeaderLabels([_("Record"), _("Field"), _("Value in use"),
                                                  _("Other value"), _("Found")])
        self.keep_button.setText(_("Keep the value in use"))
        self.take_button.setText(_("Take the other value"))
        self.duplicates.setHorizontalHeaderLabels([_("Person"), _("Probably the same as"),
                                                   _("Status")])
        for label, (_key, text) in zip(self.side_labels, PERSON_ROWS, strict=True):
            label.setText(_(text))
        self.conflicts_empty.set_message(_(
            "No conflicts to review. When two offices change the same field of a record, "
            "the change appears here after importing their bundles."))
        self.duplicates_empty.set_message(_(
            "No possible duplicates. People registered at two offices appear here after "
            "importing bundles."))
        self.history_empty.set_message(_(
            "No bundle sent or received yet. Make a bundle on the Bundles tab, or import "
            "one another office sent."))
        self.keep_left.setText(_("Merge, keep the left record"))
        self.keep_right.setText(_("Merge, keep the right record"))
        self.not_same.setText(_("Not the same person"))
        self.unmerge_button.setText(_("Undo merge"))
        self.history.setHorizontalHeaderLabels([_("When"), _("Direction"), _("Office"),
                                                _("Changes"), _("New"), _("Conflicts"),
                                                _("Result")])
        self.peers_label.setText(_("Other devices"))
        self.peers.setHorizontalHeaderLabels([_("Office"), _("Fingerprint"),
                                              _("Last bundle in"), _("Last bundle out"),
                                              _("Not yet acknowledged")])
        self._retranslate_quarantine()
        self.refresh()

    # ---- data --------------------------------------------------------------------
    def refresh(self) -> None:
        conn = self.ctx.conn
        identity = keys.load_identity(conn, create=False)
        # the office and the fingerprint show from the start: the other office reads the
        # fingerprint out before any passphrase or bundle (README, setting up sync)
        self.office_value.setText(identity.office_code if identity and identity.office_code
                                  else self.ctx.session.meta("office_code") or "")
        if identity is not None:
            self.fp_value.setText(identity.fingerprint)
        else:
            self.fp_value.setText(_("(being made…)"))
            WriteOp(self.ctx, self, lambda session: keys.load_identity(session.conn),
                    changes=()).success(self._identity_made).run()
        self.pp_state.setText(_("set") if keys.has_passphrase(conn) else _("not set"))
        coordinator = exchange.is_coordinator(conn)
        current = self.office_box.currentData()
        self.office_box.clear()
        for _id, code, name in exchange.offices(conn):
            self.office_box.addItem(f"{code} — {name}", code)
        if current:
            self.office_box.setCurrentIndex(max(0, self.office_box.findData(current)))
        for w in (self.office_box, self.for_office):
            w.setVisible(coordinator)
        self.for_coordinator.setVisible(not coordinator)
        self._fill_recipients(conn)
        statuses = {"trusted": _("trusted"), "revoked": _("revoked")}
        devices = keys.devices(conn)
        self.devices.set_rows([[d.fingerprint, d.office_code or "", d.name or d.device_id or "",
                                statuses.get(d.status, d.status)] for d in devices],
                              [d.fingerprint for d in devices])
        items = conflict_service.list_conflicts(conn)
        self.conflicts.set_rows([[self._record_label(c.table_name, c.record_id),
                                  field_label(c.table_name, c.field),
                                  self._conflict_side(c, c.winner_value, c.winner_author,
                                                      c.winner_time),
                                  self._conflict_side(c, c.loser_value, c.loser_author,
                                                      c.loser_time),
                                  format_datetime(c.found_at)]
                                 for c in items], [c.id for c in items])
        pairs = open_pairs(conn) + self._merged_pairs()
        status = {"open": _("to review"), "merged": _("merged")}
        self.duplicates.set_rows([[self._record_label("person", p["person_a"]),
                                   self._record_label("person", p["person_b"]),
                                   status.get(p["status"], p["status"])] for p in pairs], pairs)
        directions = {"in": _("in"), "out": _("out")}
        rows = exchange.history(conn)
        self.history.set_rows([[format_datetime(r["at"]),
                                directions.get(r["direction"], r["direction"]), r["peer"] or "",
                                _count(r["changes"]), _count(r["new"]), _count(r["conflicts"]),
                                r["result"]] for r in rows], right=(3, 4, 5))
        peers = exchange.peers(conn)
        self.peers.set_rows([[p["office_code"] or "", p["fingerprint"] or "",
                              format_datetime(p["last_in_at"]),
                              format_datetime(p["last_out_at"]),
                              _count(p["not_acknowledged"])] for p in peers], right=(4,))
        self._refresh_quarantine(conn)

    def _identity_made(self, identity) -> None:
        self.fp_value.setText(identity.fingerprint)
        if identity.office_code:
            self.office_value.setText(identity.office_code)

    def _merged_pairs(self) -> list[dict]:
        cur = self.ctx.conn.execute(
            "SELECT id, person_a, person_b, score, reason, found_at, status FROM sync_duplicate"
            " WHERE status='merged' ORDER BY decided_at DESC LIMIT 100")
        cols = [d[0] for d in cur.description]
        return [row_dict(cols, r) for r in cur]

    def _conflict_side(self, conflict, value, author, moment) -> str:
        """One side of a conflict: ``Rasht (Nigora, GRM, 06.12.2026 23:00)``."""
        shown = self._conflict_value(conflict.table_name, conflict.field, value,
                                     conflict.record_id)
        return f"{shown} ({self._who(author)}, {format_datetime(moment)})"

    def _conflict_value(self, table: str, field: str, value,
                        record_id: str | None = None) -> str:
        """A value in conflict as its form shows it: list entries by their names, yes or
        no, hours, amounts (minor units) as money in the record's currency, dates in the
        language's format."""
        if value is None or value == "":
            return _show_value(value)
        sealed = self._sealed_value(table, field, value, record_id)
        if sealed is not None:
            return sealed
        if field in MONEY_FIELDS:
            money = money_text(value, record_currency(self.ctx.conn, table, record_id, field))
            if money is not None:
                return money
        if field in YES_NO_FIELDS:
            return _("Yes") if value in (1, True, "1") else _("No")
        if field == "minutes" and str(value).isdigit():
            return hours_text(int(value))
        coded = code_text(table, field, value)
        if coded is not None:
            return coded
        kind = reference_kind(table, field)
        if kind is not None:
            if self._labels is None:
                self._labels = Labels(self.ctx.conn)
            return self._labels.get(kind, str(value))
        return _show_value(value)

    def _sealed_value(self, table: str, field: str, value, record_id: str | None) -> str | None:
        """A text of a sensitive case as this user may read it; None for other values."""
        if not sensitive.may_hold(self.ctx.session.actor.role) and record_id \
                and conflict_service.is_sensitive_text(self.ctx.conn, table, record_id, field):
            # sealed or not (a plain value from an office without the key)
            return sensitive.sealed_short()
        if not sensitive.is_sealed(value):
            return None
        # opened with the user's key, else the note
        try:
            opened = sensitive.reveal(self.ctx.session, table, record_id or "", field, value)
        except sensitive.SealBroken:
            opened = None
        return opened if opened is not None else sensitive.sealed_short()

    def _who(self, user_id) -> str:
        if not user_id:
            return "?"
        row = self.ctx.conn.execute(
            "SELECT u.display_name, o.code FROM app_user u LEFT JOIN office o ON o.id=u.office_id"
            " WHERE u.id=?", (user_id,)).fetchone()
        if row is None:
            return "?"
        return f"{row[0]}, {row[1]}" if row[1] else row[0]

    def _record_label(self, table: str, record_id: str) -> str:
        if table == "person":
            row = self.ctx.conn.execute(
                "SELECT family_name, given_name, birth_date FROM person WHERE id=?",
                (record_id,)).fetchone()
            if row:
                return " ".join(x for x in row if x)
        return f"{kind_label(table)} {record_id[-6:]}"

    # ---- bundles -----------------------------------------------------------------
    def _ask_save_path(self, target: str) -> str | None:
        name = exchange.default_bundle_name(self.ctx.conn, target)
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save bundle"), str(Path.home() / name), _("Hamroh bundles (*.hamroh)"))
        return path or None

    def _ask_open_paths(self) -> list[str]:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Import bundles"), str(Path.home()), _("Hamroh bundles (*.hamroh)"))
        return paths

    def _fill_recipients(self, conn) -> None:
        current = self.recipient_box.currentData()
        self.recipient_box.clear()
        self.recipient_box.addItem(_("anyone with the organisation's sync passphrase"), None)
        for device in keys.devices(conn):
            if device.status == "trusted" and device.exchange_key:
                label = " · ".join(filter(None, (device.office_code,
                                                 device.name or device.device_id)))
                self.recipient_box.addItem(
                    _("only the device {device} ({fingerprint})").format(
                        device=label, fingerprint=device.fingerprint), device.fingerprint)
        self.recipient_box.setCurrentIndex(max(0, self.recipient_box.findData(current)))

    def start_export(self, target: str | None) -> None:
        if not target:
            return
        to_device = self.recipient_box.currentData()
        if to_device is None and not self._passphrase_ready():
            return
        path = self.choose_save_path(target)
        if path:
            self._run(exchange_op(self.ctx, self, export_path=path, target=target,
                                  to_device=to_device))

    def _import_clicked(self) -> None:
        paths = self.choose_open_paths()
        if paths:
            self.import_files(paths)

    def import_files(self, paths) -> None:
        # a bundle addressed to this device opens without the passphrase; one that needs
        # it is refused by the import with the message that says where to enter it
        self._run(exchange_op(self.ctx, self, import_paths=paths))

    def _passphrase_ready(self) -> bool:
        if keys.has_passphrase(self.ctx.conn):
            return True
        self.summary.setText(exchange.no_passphrase_message())
        self.tabs.setCurrentIndex(1)
        return False

    def _run(self, task: WriteOp) -> None:
        if self.task is not None:
            return
        self.task = task.progress(self._on_progress).success(self._on_outcome) \
            .failure(self._on_error)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.summary.setText(_("Working…"))
        for b in (self.for_coordinator, self.for_office, self.import_button):
            b.setEnabled(False)
        task.run()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_progress(self, done: int, total: int, stage: str = "") -> None:
        if total and done >= total:
            # every change read: the rest (duplicates, saving) has no count, so the bar
            # moves without a fill instead of standing full
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
        counts = _("{done} of {total} changes").format(done=format_number(done),
                                                        total=format_number(total))
        self.summary.setText(f"{stage} — {counts}" if stage else counts)

    def _describe(self, results) -> list[str]:
        lines = []
        for path, result in results:
            name = Path(path).name
            if isinstance(result, exchange.ExportResult):
                lines.append(_("Wrote {file}: {count} changes for {target}.").format(
                    file=name, count=format_number(result.changes), target=result.target))
            elif result.already_imported:
                lines.append(_("{file}: already imported, nothing changed.").format(file=name))
            else:
                lines.append(_(
                    "{file}: {new} new, {updated} updated, {unchanged} unchanged, {conflicts} "
                    "conflicts, {duplicates} possible duplicates.").format(
                    file=name, new=format_number(result.new),
                    updated=format_number(result.updated),
                    unchanged=format_number(result.unchanged),
                    conflicts=format_number(result.conflicts),
                    duplicates=format_number(result.duplicates)))
                if result.quarantined:
                    lines.append(_(
                        "{file}: {count} changes made on revoked devices were set aside, not "
                        "applied; review them with hamroh bundle quarantine.").format(
                            file=name, count=format_number(result.quarantined)))
                lines.extend(result.audit_warnings)
        return lines

    def _on_outcome(self, outcome: ExchangeOutcome) -> None:
        lines = self._describe(outcome.results)
        if outcome.error is not None:
            lines.append(outcome.error)
        self.summary.setText("\n".join(lines))
        self._on_finished()

    def _on_error(self, exc: BaseException) -> None:
        # the connection could not be opened; sync errors carry a message fit to show
        self.summary.setText(str(exc))
        self._on_finished()

    def _on_finished(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        for b in (self.for_coordinator, self.for_office, self.import_button):
            b.setEnabled(True)
        self.refresh()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.import_files(paths)
            event.acceptProposedAction()

    # ---- set-up ------------------------------------------------------------------
    def save_passphrase(self) -> None:
        passphrase = self.passphrase.text()

        def work(session) -> None:
            keys.set_passphrase(session.conn, passphrase)
            keys.load_identity(session.conn)
            session.log("sync_passphrase_set")

        def done(_result) -> None:
            self.passphrase.clear()
            self.setup_message.setText(_("The sync passphrase is set."))
            self.refresh()
        self._set_up(work, done)

    def _set_up(self, work, done) -> None:
        """A change of the sync set-up; a refusal is said under the form."""
        def refused(exc: BaseException) -> None:
            if isinstance(exc, keys.SyncSetupError):
                self.setup_message.setText(str(exc))
            else:
                operations.show_error(self, exc)
        WriteOp(self.ctx, self, work, changes=()).success(done).failure(refused).run()

    def trust_device(self) -> None:
        text = self.trust_fp.text()

        def work(session) -> str:
            fp = keys.trust_fingerprint(session.conn, text, session.actor.user_id)
            session.log("sync_device_trust", detail={"fingerprint": fp})
            return fp

        def done(fp: str) -> None:
            self.trust_fp.clear()
            self.setup_message.setText(_("Trusted device {fingerprint}.").format(fingerprint=fp))
            self.refresh()
        self._set_up(work, done)

    def revoke_selected(self) -> None:
        fp = self.devices.selected_key()
        if fp is None:
            return

        def work(session) -> None:
            keys.revoke(session.conn, fp, session.actor.user_id)
            session.log("sync_device_revoke", detail={"fingerprint": fp})

        def done(_result) -> None:
            self.setup_message.setText(
                _("Revoked device {fingerprint}: its bundles will be refused.").format(
                    fingerprint=fp))
            self.refresh()
        self._set_up(work, done)

    # ---- conflicts ---------------------------------------------------------------
    def resolve_selected(self, take_other: bool) -> None:
        conflict_id = self.conflicts.selected_key()
        if conflict_id is None:
            return
        self._write(lambda session: conflict_service.resolve(session, conflict_id,
                                                             take_other=take_other), ("*",))

    def _write(self, work, changes: tuple[str, ...]) -> None:
        """Run a write; a refusal is shown in a box, and the page shows the result."""
        def refused(exc: BaseException) -> None:
            if isinstance(exc, (NotFound, ValidationError)):
                QMessageBox.warning(self, _("Sync"), str(exc))
            else:
                operations.show_error(self, exc)
            self.refresh()
        WriteOp(self.ctx, self, work, changes=changes) \
            .success(lambda _result: self.refresh()).failure(refused).run()

    # ---- duplicates --------------------------------------------------------------
    def _show_pair(self) -> None:
        pair = self.duplicates.selected_key()
        for values, person_id in ((self.left_values, pair and pair["person_a"]),
                                  (self.right_values, pair and pair["person_b"])):
            record = PersonRepository(self.ctx.session).get(person_id) if person_id else None
            office = ""
            if record:
                row = self.ctx.conn.execute("SELECT code FROM office WHERE id=?",
                                            (record.get("office_id"),)).fetchone()
                office = row[0] if row else ""
            for label, (key, _text) in zip(values, PERSON_ROWS, strict=True):
                value = office if key == "office" else (record or {}).get(key)
                label.setText(self._person_value(key, value))

    def _person_value(self, key: str, value) -> str:
        """A person's field as the People page shows it: names of places, not their codes;
        dates in the language's format."""
        if value is None or value == "":
            return ""
        if key == "birth_date":
            return format_date(value)
        if key == "district":
            if self._labels is None:
                self._labels = Labels(self.ctx.conn)
            return self._labels.get("district", value)
        return str(value)

    def merge_selected(self, keep_left: bool) -> None:
        pair = self.duplicates.selected_key()
        if pair is None or pair["status"] != "open":
            return
        survivor, duplicate = ((pair["person_a"], pair["person_b"]) if keep_left
                               else (pair["person_b"], pair["person_a"]))
        pair_id = pair["id"]
        self._write(lambda session: people_merge.merge(session, duplicate, survivor,
                                                       pair_id=pair_id), ("person",))

    def dismiss_selected(self) -> None:
        pair = self.duplicates.selected_key()
        if pair is None or pair["status"] != "open":
            return
        pair_id = pair["id"]
        self._write(lambda session: people_merge.dismiss(session, pair_id), ())

    def unmerge_selected(self) -> None:
        pair = self.duplicates.selected_key()
        if pair is None or pair["status"] != "merged":
            return
        people = (pair["person_a"], pair["person_b"])

        def unmerge(session) -> None:
            repo = PersonRepository(session)
            for person_id in people:
                record = repo.get(person_id)
                if record and record.get("merged_into"):
                    people_merge.unmerge(session, person_id)
        self._write(unmerge, ("person",))

    # ---- changes set aside (made on revoked devices) and trusting a device again ------
    def _may_decide_trust(self) -> bool:
        return self.ctx.can("create", "device")

    def _build_quarantine(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.quarantine_intro = QLabel()
        self.quarantine_intro.setWordWrap(True)
        v.addWidget(self.quarantine_intro)
        self.quarantine = DataTable(4, fit_columns=True)
        self.quarantine.setObjectName("quarantine")
        self.quarantine_empty = EmptyState()
        self.quarantine_empty.setObjectName("quarantine_empty")
        v.addWidget(TableOrEmpty(self.quarantine, self.quarantine_empty), 1)
        form = QFormLayout()
        self.quarantine_reason_label = QLabel()
        self.quarantine_reason = QLineEdit()
        self.quarantine_reason.setObjectName("quarantine_reason")
        self.quarantine_reason_label.setBuddy(self.quarantine_reason)
        form.addRow(self.quarantine_reason_label, self.quarantine_reason)
        v.addLayout(form)
        self.release_button = QPushButton()
        self.release_button.setObjectName("quarantine_release")
        self.release_button.clicked.connect(lambda: self.settle_selected(release=True))
        self.discard_button = QPushButton()
        self.discard_button.setObjectName("quarantine_discard")
        self.discard_button.clicked.connect(lambda: self.settle_selected(release=False))
        v.addWidget(wrapping_row(self.release_button, self.discard_button))
        self.quarantine_message = QLabel()
        self.quarantine_message.setWordWrap(True)
        self.quarantine_message.setObjectName("quarantine_message")
        v.addWidget(self.quarantine_message)
        self.quarantine_index = self.tabs.addTab(page, "")

    def _retranslate_quarantine(self) -> None:
        self.tabs.setTabText(self.quarantine_index, _("Set aside"))
        self.quarantine_intro.setText(_(
            "Changes made on a device after it was revoked are set aside when another "
            "office's bundle brings them: they are neither applied nor passed on. Decide for "
            "each device: apply its changes, or delete them. The decision and its reason "
            "are kept in the audit log."))
        self.quarantine.setHorizontalHeaderLabels([_("Device"), _("Office"), _("Changes"),
                                                   _("Received")])
        self.quarantine_empty.set_message(_(
            "No changes are set aside. Changes made on a revoked device appear here when a "
            "bundle brings them."))
        self.quarantine_reason_label.setText(_("Reason"))
        self.quarantine_reason.setPlaceholderText(_("why (kept in the audit log)"))
        self.release_button.setText(_("Apply the changes"))
        self.discard_button.setText(_("Delete the changes"))
        self.retrust_button.setText(_("Trust again…"))

    def _refresh_quarantine(self, conn) -> None:
        allowed = self._may_decide_trust()
        self.tabs.setTabVisible(self.quarantine_index, allowed)
        self.retrust_button.setVisible(allowed)
        if not allowed:
            return
        rows = exchange.quarantined(conn)
        self.quarantine.set_rows([
            [r["name"] or r["device_id"], r["office_code"] or "?", _count(r["changes"]),
             format_datetime(r["first_at"]) if r["first_at"] == r["last_at"] else
             f"{format_datetime(r['first_at'])} – {format_datetime(r['last_at'])}"]
            for r in rows], [r["device_id"] for r in rows], right=(2,))

    def settle_selected(self, *, release: bool) -> None:
        device = self.quarantine.selected_key()
        if device is None:
            self.quarantine_message.setText(_("Choose a device in the list first."))
            return
        reason = self.quarantine_reason.text().strip()
        if not reason:
            self.quarantine_message.setText(_("Write the reason for this decision first."))
            self.quarantine_reason.setFocus()
            return

        def work(session) -> int:
            return exchange.settle_quarantine(session.conn, device, release=release,
                                              reason=reason, actor=session.actor)

        def done(count: int) -> None:
            self.quarantine_reason.clear()
            message = (_("{count} changes from device {device} were applied.") if release
                       else _("{count} changes from device {device} were deleted."))
            self.quarantine_message.setText(message.format(count=format_number(count),
                                                           device=device))
            self.refresh()

        def refused(exc: BaseException) -> None:
            if isinstance(exc, exchange.SyncError):
                self.quarantine_message.setText(str(exc))
            else:
                operations.show_error(self, exc)
            self.refresh()
        WriteOp(self.ctx, self, work, changes=("*",) if release else ()) \
            .success(done).failure(refused).run()

    def trust_selected_again(self) -> None:
        fp = self.devices.selected_key()
        revoked = {d.fingerprint for d in keys.devices(self.ctx.conn) if d.status == "revoked"}
        if fp is None or fp not in revoked:
            self.setup_message.setText(_("Choose a revoked device in the list first."))
            return
        reason, ok = QInputDialog.getText(
            self, _("Trust again"),
            _("Why is the device {fingerprint} trusted again? The reason is kept in the "
              "audit log.").format(fingerprint=fp))
        reason = " ".join(reason.split())
        if not ok:
            return
        if not reason:
            self.setup_message.setText(_("Trusting a revoked device again needs a reason."))
            return

        def work(session) -> str:
            with session.transaction():
                trusted = keys.trust_fingerprint(session.conn, fp, session.actor.user_id,
                                                 again=True)
                session.log("sync_device_retrust", detail={"fingerprint": trusted,
                                                           "reason": reason})
            return trusted

        def done(trusted: str) -> None:
            self.setup_message.setText(_(
                "Device {fingerprint} is trusted again; its bundles are accepted. Changes "
                "it made while revoked stay set aside until you decide on them.").format(
                    fingerprint=trusted))
            self.refresh()
        self._set_up(work, done)

