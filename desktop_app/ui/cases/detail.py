"""A case file: facts, status, timeline, follow-ups, referrals, outcome, PDF."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import cases as dom
from desktop_app.i18n import Domain, current_language, format_date
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.inspections.queries import inspections_of_case
from desktop_app.store.repository import ValidationError
from desktop_app.store.security import sensitive
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations, style
from desktop_app.ui.cases.intake import PersonPicker
from desktop_app.ui.cases.widgets import OVERDUE_BRUSH, ErrorLabel, FieldErrors, ask_reason
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import DataTable, DateEntry, MoneyEntry, RefCombo

DOMAIN = Domain("cases")
_ = DOMAIN.gettext


def open_case(ctx, case_id: str, parent=None) -> "CaseDetailDialog | None":
    """Check access (asking for a reason when the policy wants one) and build the dialog."""
    try:
        cs.open_detail(ctx.session, case_id, ask_reason=lambda: ask_reason(parent))
    except PermissionDenied as exc:
        QMessageBox.warning(parent, _("Not allowed"), str(exc))
        return None
    return CaseDetailDialog(ctx, case_id, parent)


class CaseDetailDialog(QDialog):
    def __init__(self, ctx, case_id: str, parent=None):
        super().__init__(parent)
        self.ctx, self.case_id = ctx, case_id
        self.resize(820, 620)
        conn = ctx.conn
        self.header = QLabel()
        self.header.setTextFormat(Qt.PlainText)
        self.facts = QLabel()
        self.facts.setTextFormat(Qt.PlainText)
        self.facts.setWordWrap(True)
        self.tabs = QTabWidget()

        # status
        self.status_combo = QComboBox()
        self.status_reason = QLineEdit()
        self.status_button = QPushButton()
        self.status_button.clicked.connect(self.change_status)
        self.status_error = ErrorLabel()
        self.saving = QLabel()          # the busy sign while a save runs
        self.saving.setObjectName("case_saving")
        self.saving.setVisible(False)
        self._writes = 0
        self.pdf_button = QPushButton()
        # clicked(bool) would pass its checked flag as the file path
        self.pdf_button.clicked.connect(lambda _checked=False: self.export_pdf())
        self.link_button = QPushButton()
        self.link_button.clicked.connect(self.show_link)
        self.picker = PersonPicker(conn)
        self.picker.setVisible(False)
        self.link_confirm = QPushButton()
        self.link_confirm.setVisible(False)
        self.link_confirm.clicked.connect(self.link_person)
        self.link_error = ErrorLabel()

        # timeline
        self.timeline = DataTable(3)
        self.note = QLineEdit()
        self.note_kind = QComboBox()
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.add_note)
        self.note_error = ErrorLabel()
        # follow-ups
        self.followups = DataTable(4)
        self.fu_due = DateEntry(date.today() + timedelta(days=3))
        self.fu_action = QLineEdit()
        self.fu_add = QPushButton()
        self.fu_add.clicked.connect(self.add_followup)
        self.fu_done = QPushButton()
        self.fu_done.clicked.connect(self.complete_followup)
        self.fu_errors = FieldErrors()
        # referrals
        self.referrals = DataTable(5)
        self.ref_target = RefCombo(conn, "referral_target", blank=None)
        self.ref_target.currentIndexChanged.connect(self._target_changed)
        self.ref_office = QComboBox()       # "another office of our network"
        self.ref_office.setObjectName("referral_office")
        self.ref_detail = QLineEdit()
        self.ref_add = QPushButton()
        self.ref_add.clicked.connect(self.add_referral)
        self.ref_status = RefCombo(conn, "referral_status", blank=None)
        self.ref_answer = QLineEdit()
        self.ref_answer_button = QPushButton()
        self.ref_answer_button.clicked.connect(self.answer_referral)
        self.ref_errors = FieldErrors()
        # outcome
        self.outcome = RefCombo(conn, "case_outcome", blank=None)
        self.wages = MoneyEntry()
        self.currency = QComboBox()
        self.currency.addItem("", None)
        for code in dom.CURRENCIES:
            self.currency.addItem(code, code)
        self.currency.currentIndexChanged.connect(
            lambda _index: self.wages.set_currency(self.currency.currentData()))
        self.returned_home = QCheckBox()
        self.inspection_opened = QCheckBox()
        self.fine_imposed = QCheckBox()
        self.outcome_notes = QLineEdit()
        # said when the notes are sealed for the user (a role without the key)
        self.notes_sealed = QLabel()
        self.notes_sealed.setObjectName("notes_sealed")
        self.notes_sealed.setWordWrap(True)
        style.muted(self.notes_sealed)
        self.notes_sealed.hide()
        self.outcome_button = QPushButton()
        self.outcome_button.clicked.connect(self.save_outcome)
        self.out_errors = FieldErrors()

        self._build()
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.export_pdf)
        self.retranslate()

    # ---- layout ----------------------------------------------------------------------
    def _build(self) -> None:
        top = QVBoxLayout(self)
        top.addWidget(self.header)
        top.addWidget(self.facts)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_combo)
        status_row.addWidget(self.status_reason, 1)
        status_row.addWidget(self.status_button)
        status_row.addWidget(self.link_button)
        status_row.addWidget(self.pdf_button)
        top.addLayout(status_row)
        top.addWidget(self.saving)
        top.addWidget(self.status_error)
        link_row = QHBoxLayout()
        link_row.addWidget(self.picker, 1)
        link_row.addWidget(self.link_confirm)
        top.addLayout(link_row)
        top.addWidget(self.link_error)
        top.addWidget(self.tabs, 1)

        page = QWidget()
        box = QVBoxLayout(page)
        box.addWidget(self.timeline)
        row = QHBoxLayout()
        row.addWidget(self.note_kind)
        row.addWidget(self.note, 1)
        row.addWidget(self.note_button)
        box.addLayout(row)
        box.addWidget(self.note_error)
        self.tabs.addTab(page, "")

        page = QWidget()
        box = QVBoxLayout(page)
        box.addWidget(self.followups)
        grid = QGridLayout()
        grid.addWidget(self.fu_due, 0, 0)
        grid.addWidget(self.fu_action, 0, 1)
        grid.addWidget(self.fu_add, 0, 2)
        grid.addWidget(self.fu_done, 0, 3)
        grid.addWidget(self.fu_errors.label("due_on"), 1, 0)
        grid.addWidget(self.fu_errors.label("action"), 1, 1)
        grid.setColumnStretch(1, 1)
        box.addLayout(grid)
        self.fu_errors.general = ErrorLabel()
        box.addWidget(self.fu_errors.general)
        self.tabs.addTab(page, "")

        page = QWidget()
        box = QVBoxLayout(page)
        box.addWidget(self.referrals)
        grid = QGridLayout()
        grid.addWidget(self.ref_target, 0, 0)
        grid.addWidget(self.ref_detail, 0, 1)
        grid.addWidget(self.ref_add, 0, 2)
        grid.addWidget(self.ref_errors.label("target"), 1, 0, 1, 3)
        grid.addWidget(self.ref_office, 2, 0, 1, 2)
        grid.addWidget(self.ref_errors.label("target_office_id"), 3, 0, 1, 3)
        grid.addWidget(self.ref_status, 4, 0)
        grid.addWidget(self.ref_answer, 4, 1)
        grid.addWidget(self.ref_answer_button, 4, 2)
        grid.setColumnStretch(1, 1)
        box.addLayout(grid)
        self.ref_errors.general = ErrorLabel()
        box.addWidget(self.ref_errors.general)
        self.tabs.addTab(page, "")

        page = QWidget()
        form = QFormLayout(page)
        self.out_form = form
        money = QHBoxLayout()
        money.addWidget(self.wages, 1)
        money.addWidget(self.currency)
        money_box = QVBoxLayout()
        money_box.addLayout(money)
        money_box.addWidget(self.out_errors.label("wages_recovered"))
        money_box.addWidget(self.out_errors.label("wages_currency"))
        # labelled rows: a QFormLayout given "" makes no label at all
        self.outcome_label, self.wages_label, self.notes_label = QLabel(), QLabel(), QLabel()
        self.outcome_label.setBuddy(self.outcome)
        self.wages_label.setBuddy(self.wages)
        self.notes_label.setBuddy(self.outcome_notes)
        form.addRow(self.outcome_label, self.outcome)
        form.addRow(self.wages_label, money_box)
        form.addRow(QLabel(), self.returned_home)
        form.addRow(QLabel(), self.inspection_opened)
        form.addRow(QLabel(), self.fine_imposed)
        form.addRow(self.notes_label, self.outcome_notes)
        form.addRow(QLabel(), self.notes_sealed)
        form.addRow(QLabel(), self.outcome_button)
        self.out_errors.general = ErrorLabel()
        form.addRow(QLabel(), self.out_errors.general)
        self.tabs.addTab(page, "")

    def retranslate(self) -> None:
        self.saving.setText(_("Saving…"))
        self.status_button.setText(_("Change status"))
        self.status_reason.setPlaceholderText(_("Reason (needed to reopen)"))
        self.pdf_button.setText(_("PDF…"))
        self.pdf_button.setToolTip(_("Save the case file as a PDF ({shortcut})").format(
            shortcut=QKeySequence("Ctrl+P").toString(QKeySequence.NativeText)))
        self.link_button.setText(_("Link to a person…"))
        self.link_confirm.setText(_("Link"))
        self.note_button.setText(_("Add to timeline"))
        self.note.setPlaceholderText(_("What was done or said"))
        self.note_kind.clear()
        for code in ("note", "call"):
            self.note_kind.addItem(_(dom.EVENT_LABELS[code]), code)
        for n, title in enumerate((_("Timeline"), _("Follow-ups"), _("Referrals"),
                                   _("Outcome"))):
            self.tabs.setTabText(n, title)
        self.timeline.setHorizontalHeaderLabels([_("Date"), _("Event"), _("Details")])
        self.followups.setHorizontalHeaderLabels(
            [_("Due"), _("To do"), _("Done"), _("Follow-up result")])
        self.referrals.setHorizontalHeaderLabels([_("Sent"), _("Referred to"), _("State"),
                                                  _("Answer"), _("Consent")])
        self.fu_action.setPlaceholderText(_("What is to be done"))
        self.fu_add.setText(_("Add follow-up"))
        self.fu_done.setText(_("Mark selected done"))
        self.ref_detail.setPlaceholderText(_("Organisation or person (optional)"))
        self.ref_add.setText(_("Refer"))
        self.ref_answer.setPlaceholderText(_("Their answer"))
        self.ref_answer_button.setText(_("Record answer for selected"))
        self.wages.setPlaceholderText(_("Wages recovered, e.g. {example}").format(
            example=dom.amount_text(dom.AMOUNT_EXAMPLE)))
        self.returned_home.setText(_("The person returned home"))
        self.inspection_opened.setText(_("An inspection was opened"))
        self.fine_imposed.setText(_("A fine was imposed"))
        self.outcome_notes.setPlaceholderText(_("Notes on the outcome"))
        self.notes_sealed.setText(_(
            "Sealed: only case workers, coordinators and administrators can read or change "
            "these notes. What you write here is added to the timeline as a note, sealed "
            "too; the sealed notes stay as they are."))
        self.outcome_button.setText(_("Save outcome and resolve"))
        self.outcome_label.setText(_("Outcome"))
        self.wages_label.setText(_("Wages recovered"))
        self.notes_label.setText(_("Notes"))
        for combo in (self.ref_target, self.ref_status, self.outcome):
            combo.retranslate()
        self._fill_offices()
        self.refresh()

    def _fill_offices(self) -> None:
        current = self.ref_office.currentData()
        case = self.case()
        self.ref_office.clear()
        self.ref_office.addItem(_("— choose the office —"), None)
        for office_id, label in cq.network_offices(self.ctx.conn, exclude=case["office_id"]):
            self.ref_office.addItem(label, office_id)
        self.ref_office.setCurrentIndex(max(0, self.ref_office.findData(current)))
        self._target_changed()

    def _target_changed(self, _index=None) -> None:
        self.ref_office.setVisible(self.ref_target.code() == sc.NETWORK_OFFICE)

    # ---- data ------------------------------------------------------------------------
    def case(self) -> dict:
        # sealed fields opened with the user's sensitive-case key, or None
        return sensitive.reveal_record(self.ctx.session, "hotline_case",
                                       sc.CaseRepository(self.ctx.session).require(self.case_id))

    def _facts_text(self, case: dict, lang: str, ref) -> str:
        conn = self.ctx.conn
        parts = [ref("case_category", case["category"]), ref("case_channel", case["channel"]),
                 _("Risk: {level}").format(level=ref("risk_level", case["risk_level"])),
                 _("Opened {date}").format(date=format_date(case["opened_on"], lang))]
        if case.get("assigned_to"):
            parts.append(_("Assigned to {name}").format(
                name=cq.user_name(conn, case["assigned_to"])))
        if case["sensitive"]:
            parts.append(_("Sensitive"))
        if case.get("caller_phone"):
            parts.append(case["caller_phone"])
        for insp in inspections_of_case(conn, self.case_id):
            parts.append(_("Inspection {number}").format(number=insp["number"]))
        money = cq.money_text(case.get("wages_recovered_minor"), case.get("wages_currency"), lang)
        if money:
            parts.append(_("Wages recovered: {amount}").format(amount=money))
        text = " · ".join(p for p in parts if p)
        if case.get("summary"):
            text += "\n" + case["summary"]
        if case.get(sensitive.UNREADABLE):
            text += "\n" + sensitive.unreadable_message()
        return text

    def _referral_rows(self, refs: list[dict], lang: str, ref) -> list[tuple]:
        conn = self.ctx.conn
        rows = []
        for r in refs:
            target = ref("referral_target", r["target"])
            if r.get("target_office_id"):
                target += f": {cq.office_name(conn, r['target_office_id'])}"
            if r.get("target_detail"):
                target += f" ({r['target_detail']})"
            consent = _("override: {reason}").format(reason=r["override_reason"]) \
                if r.get("consent_override") else _("given")
            rows.append((format_date(r["referred_on"], lang), target,
                         ref("referral_status", r["status"]), r.get("answer") or "", consent))
        return rows

    def refresh(self) -> None:
        conn, lang = self.ctx.conn, current_language()
        case = self.case()
        ref = lambda kind, code: reference.label(conn, kind, code, lang)  # noqa: E731
        who = cq.person_name(conn, case["person_id"]) or case.get("caller_name") or (
            "•••" if "caller_name" in (case.get(sensitive.UNREADABLE) or ())
            else _("Anonymous caller"))
        self.setWindowTitle(_("Case {number}").format(number=case["number"]))
        self.header.setText(f"{case['number']} · {who} · {ref('case_status', case['status'])}")
        self.facts.setText(self._facts_text(case, lang, ref))
        self.link_button.setVisible(not case.get("person_id"))
        self.status_combo.clear()
        for target in dom.TRANSITIONS.get(case["status"], ()):
            self.status_combo.addItem(ref("case_status", target), target)

        events = cq.timeline(conn, self.case_id, reader=self.ctx.session)
        self.timeline.set_rows([(format_date(e["event_on"], lang),
                                 _(dom.EVENT_LABELS.get(e["kind"], e["kind"])),
                                 cq.event_text(conn, e, lang)) for e in events])
        self.timeline.resizeColumnsToContents()

        today = date.today().isoformat()
        fups = cq.followups(conn, self.case_id, reader=self.ctx.session)
        self.followups.set_rows(
            [(format_date(f["due_on"], lang), f["action"],
              format_date(f["done_on"], lang) if f.get("done_on") else "", f.get("result") or "")
             for f in fups],
            keys=[f["id"] for f in fups],
            backgrounds=[OVERDUE_BRUSH if not f.get("done_on") and f["due_on"] < today else None
                         for f in fups])

        refs = cq.referrals(conn, self.case_id, reader=self.ctx.session)
        self.referrals.set_rows(self._referral_rows(refs, lang, ref),
                                keys=[r["id"] for r in refs])
        # the organisation's name is read whole (a cell too long for the window shows all
        # of it in its tooltip)
        for table in (self.followups, self.referrals):
            table.resizeColumnsToContents()

        if case.get("outcome"):
            self.outcome.set_code(case["outcome"])
        if case.get("wages_recovered_minor") is not None and case.get("wages_currency"):
            self.currency.setCurrentIndex(self.currency.findData(case["wages_currency"]))
            self.wages.set_minor(case["wages_recovered_minor"], case["wages_currency"])
        for name in ("returned_home", "inspection_opened", "fine_imposed"):
            getattr(self, name).setChecked(bool(case.get(name)))
        self.outcome_notes.setText(case.get("outcome_notes") or "")
        self.notes_sealed.setVisible("outcome_notes" in (case.get(sensitive.UNREADABLE) or ()))

    def _write(self, work, refused, saved) -> None:
        """Save ``work(session)``; a refusal goes to ``refused(exc)`` (shown at its field),
        then ``saved()`` and the case is shown again."""
        def done(_result) -> None:
            self._set_busy(False)
            saved()
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if isinstance(exc, (ValidationError, PermissionDenied, dom.TransitionRefused)):
                refused(exc)
            else:
                operations.show_error(self, exc)
        self._set_busy(True)
        WriteOp(self.ctx, self, work, changes=("hotline_case",)).success(done) \
            .failure(failed).run()

    def action_buttons(self) -> list[QPushButton]:
        return [self.status_button, self.link_confirm, self.note_button, self.fu_add,
                self.fu_done, self.ref_add, self.ref_answer_button, self.outcome_button]

    def _set_busy(self, busy: bool) -> None:
        """While a save runs: "Saving…" shows and the buttons that save wait for it (a
        second click cannot save twice)."""
        self._writes += 1 if busy else -1
        busy = self._writes > 0
        self.saving.setVisible(busy)
        for button in self.action_buttons():
            button.setEnabled(not busy)

    # ---- actions ---------------------------------------------------------------------
    def change_status(self) -> None:
        target = self.status_combo.currentData()
        if not target:
            return
        case_id, reason = self.case_id, self.status_reason.text()

        def refused(exc: BaseException) -> None:
            self.status_error.show_error(" ".join(exc.errors.values())
                                         if isinstance(exc, ValidationError) else str(exc))

        def saved() -> None:
            self.status_error.show_error(None)
            self.status_reason.clear()
        self._write(lambda session: cs.change_status(session, case_id, target, reason=reason),
                    refused, saved)

    def show_link(self) -> None:
        self.picker.setVisible(True)
        self.link_confirm.setVisible(True)
        self.picker.search.setFocus()

    def link_person(self) -> None:
        person_id = self.picker.person_id()
        if not person_id:
            self.link_error.show_error(_("Find the person and pick them from the list."))
            return
        case_id = self.case_id

        def saved() -> None:
            self.link_error.show_error(None)
            self.picker.setVisible(False)
            self.link_confirm.setVisible(False)
        self._write(lambda session: cs.link_person(session, case_id, person_id),
                    lambda exc: self.link_error.show_error(
                        " ".join(getattr(exc, "errors", {}).values()) or str(exc)), saved)

    def add_note(self) -> None:
        case_id, kind, text = self.case_id, self.note_kind.currentData(), self.note.text()

        def saved() -> None:
            self.note_error.show_error(None)
            self.note.clear()
        self._write(lambda session: cs.add_event(session, case_id, kind, text),
                    lambda exc: self.note_error.show_error(
                        " ".join(getattr(exc, "errors", {}).values()) or str(exc)), saved)

    def add_followup(self) -> None:
        case_id, due, action = self.case_id, self.fu_due.iso(), self.fu_action.text()

        def saved() -> None:
            self.fu_errors.clear()
            self.fu_action.clear()
        self._write(lambda session: cs.add_followup(session, case_id, due, action),
                    self._followup_refused, saved)

    def _followup_refused(self, exc: BaseException) -> None:
        self.fu_errors.show(getattr(exc, "errors", None) or {"general": str(exc)})

    def complete_followup(self) -> None:
        fid = self.followups.selected_key()
        if not fid:
            self.fu_errors.show({"general": _("Select a follow-up first.")})
            return
        result, ok = QInputDialog.getText(self, _("Follow-up done"), _("Result (optional)"))
        if not ok:
            return
        self._write(lambda session: cs.complete_followup(session, fid, result=result or None),
                    self._followup_refused, self.fu_errors.clear)

    def add_referral(self, *, override_reason: str | None = None) -> None:
        case_id = self.case_id
        values = {"target": self.ref_target.code(), "target_detail": self.ref_detail.text(),
                  "target_office_id": self.ref_office.currentData()}

        def refused(exc: BaseException) -> None:
            if isinstance(exc, sc.ConsentRequired):
                self._consent_required(exc)
            elif isinstance(exc, ValidationError):
                self.ref_errors.show(exc.errors)
            else:
                self.ref_errors.show({"general": str(exc)})

        def saved() -> None:
            self.ref_errors.clear()
            self.ref_detail.clear()
        self._write(lambda session: cs.refer(session, case_id, values,
                                             override_reason=override_reason),
                    refused, saved)

    def _consent_required(self, exc: BaseException) -> None:
        if not cs.can_override_consent(self.ctx.session, self.case()):
            self.ref_errors.show({"general": str(exc)})
            return
        reason, ok = QInputDialog.getText(
            self, _("Refer without consent"),
            str(exc) + "\n\n" + _("Reason for referring without consent (audited):"))
        if ok and reason.strip():
            self.add_referral(override_reason=reason)
        else:
            self.ref_errors.show({"general": str(exc)})

    def answer_referral(self) -> None:
        rid = self.referrals.selected_key()
        if not rid:
            self.ref_errors.show({"general": _("Select a referral first.")})
            return
        status, answer = self.ref_status.code(), self.ref_answer.text() or None

        def saved() -> None:
            self.ref_errors.clear()
            self.ref_answer.clear()
        self._write(lambda session: cs.answer_referral(session, rid, status, answer=answer),
                    lambda exc: self.ref_errors.show(getattr(exc, "errors", None)
                                                     or {"general": str(exc)}), saved)

    def save_outcome(self) -> None:
        case_id = self.case_id
        values = dict(outcome=self.outcome.code(),
                      wages_recovered=self.wages.text().strip() or None,
                      wages_currency=self.currency.currentData(),
                      returned_home=self.returned_home.isChecked(),
                      inspection_opened=self.inspection_opened.isChecked(),
                      fine_imposed=self.fine_imposed.isChecked(),
                      notes=self.outcome_notes.text() or None)

        def refused(exc: BaseException) -> None:
            self.out_errors.show(exc.errors if isinstance(exc, ValidationError)
                                 else {"general": str(exc)})
        self._write(lambda session: cs.record_outcome(session, case_id, **values),
                    refused, self.out_errors.clear)

    def export_pdf(self, path: str | None = None,
                   include_sensitive: bool | None = None) -> str | None:
        case = self.case()
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save case file as PDF"), f"{case['number']}.pdf", "PDF (*.pdf)")
            if not path:
                return None
        if include_sensitive is None:
            include_sensitive = False
            if case["sensitive"]:
                include_sensitive = QMessageBox.question(
                    self, _("Sensitive case"),
                    _("Include the caller, the summary and other sensitive details?")
                ) == QMessageBox.Yes
        case_id, language, written = self.case_id, current_language(), []

        def done(_result) -> None:
            self._set_busy(False)
            written.append(path)
            self.ctx.status_message.emit(_("Wrote {path}").format(path=path))

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            if isinstance(exc, OSError):
                QMessageBox.warning(self, _("PDF"), _("Could not write {path}: {reason}").format(
                    path=path, reason=exc.strerror))
            else:
                operations.show_error(self, exc)
        # ReportLab draws on the DB worker: a long case file never freezes the window (the
        # export is written in the audit log, hence a write)
        def work(session):
            from desktop_app.reports.case_file import write_case_pdf  # deferred: ReportLab
            return write_case_pdf(session, case_id, path, language=language,
                                  include_sensitive=include_sensitive)
        self._set_busy(True)
        WriteOp(self.ctx, self, work, changes=()).success(done).failure(failed).run()
        # the path once the file is written (at once without a DB worker)
        return path if written else None
