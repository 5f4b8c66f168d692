"""The People page: searchable, filterable list of everyone registered, and a person's page."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.people import MIGRATION_STATUSES, SEXES
from desktop_app.i18n import Domain, format_number
from desktop_app.store.people import listing as people_list
from desktop_app.ui import operations, style
from desktop_app.ui.operations import ReadOp
from desktop_app.ui.people.detail import PersonDetail
from desktop_app.ui.people.form import PersonDialog
from desktop_app.ui.people.model import COLUMNS, PeopleModel
from desktop_app.ui.widgets import (
    CodeCombo,
    EmptyState,
    ListDetail,
    RefCombo,
    TableOrEmpty,
    fit_columns,
    style_table,
    wanted_width,
)

DOMAIN = Domain("people")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext

SEARCH_DELAY_MS = 150
# Without the application's DB worker (a bare context), below this many people the list
# query takes a few milliseconds and runs in place; above it, on a thread of its own.
BACKGROUND_ABOVE = 20_000
# the narrowest a person's page beside the list may be (its sections' tables readable)
PERSON_PAGE_WIDTH = 480


class PeoplePage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.query = people_list.PeopleQuery()
        self.dialog: PersonDialog | None = None
        # store.people.duplicates.find_duplicates unless replaced (tests)
        self.duplicate_finder = None
        self._capped = False
        self._selected_id: str | None = None
        self._total: int | None = None
        self._loading = False
        self._loading_timer = QTimer(self)
        self._loading_timer.setSingleShot(True)
        self._loading_timer.setInterval(300)
        self._loading_timer.timeout.connect(self._show_searching)

        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("people_search")
        self.search.textChanged.connect(self._search_typed)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.reload)
        self.sex_filter = CodeCombo(lambda: _("All sexes"), self)
        self.sex_filter.set_choices([(c, (lambda m=m: _(m))) for c, m in SEXES.items()])
        self.district_filter = RefCombo(ctx.conn, "district", lambda: _("All districts"),
                                        parent=self)
        self.status_filter = CodeCombo(lambda: _("All statuses"), self)
        self.status_filter.set_choices([(c, (lambda m=m: _(m)))
                                        for c, m in MIGRATION_STATUSES.items()])
        for combo in (self.sex_filter, self.district_filter, self.status_filter):
            combo.code_changed.connect(self._filter_changed)
        self.new_button = QPushButton(self)
        self.new_button.clicked.connect(self.new_person)
        style.primary(self.new_button)
        self.new_button.setVisible(ctx.can("create", "person"))

        self.model = PeopleModel(ctx.conn, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        style_table(self.table)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.AscendingOrder)
        header.sortIndicatorChanged.connect(self._sort_changed)
        for column, width in enumerate((220, 70, 90, 200, 140, 130, 110)):
            self.table.setColumnWidth(column, width)
        fit_columns(self.table, stretch=0)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(self._row_double_clicked)
        self.table.activated.connect(self._row_activated)
        self.table.clicked.connect(self._row_clicked)

        self.detail = PersonDetail(ctx, self)
        self.detail.edit_requested.connect(self.edit_person)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("people_count")

        filters = self._filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.sex_filter, 1)
        filters.addWidget(self.district_filter, 1)
        filters.addWidget(self.status_filter, 1)
        filters.addWidget(self.new_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        # an empty list says what to do next instead of showing a blank white table
        self.empty_state = EmptyState(parent=self)
        self.empty_state.setObjectName("people_empty")
        self.empty_state.action_triggered.connect(self._empty_action)
        self.table_or_empty = TableOrEmpty(self.table, self.empty_state, self)
        left_layout.addWidget(self.table_or_empty, 1)
        left_layout.addWidget(self.count_label)
        # the person's page beside the list when both fit (the list's name, sex, age and
        # district whole), else one at a time with a Back button
        self.list_detail = ListDetail(left, self.detail, list_width=self._list_width,
                                      detail_width=self._detail_width, list_view=self.table,
                                      list_share=3, detail_share=2, parent=self)
        self.list_detail.layout_changed.connect(self._layout_changed)
        # polished now, while the page is built, not when the first person is shown
        self.detail.ensurePolished()
        self.list_detail.set_detail_available(False)
        layout = QVBoxLayout(self)
        style.page_margins(layout)
        layout.addWidget(self.list_detail)

        for keys, slot in ((QKeySequence.New, self.new_person),
                           (QKeySequence.Find, self.focus_search)):
            shortcut = QShortcut(keys, self, activated=slot)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
        clear = QShortcut(QKeySequence(Qt.Key_Escape), self.search, activated=self.search.clear)
        clear.setContext(Qt.WidgetShortcut)
        ctx.data_changed.connect(self._data_changed)
        self.retranslate()
        self.reload()

    # ---- list ------------------------------------------------------------------------
    def _filter_changed(self, _code) -> None:
        self.reload()

    def _row_activated(self, _index) -> None:
        # Enter: edit beside the list; one at a time, the person's page first
        if self.list_detail.side_by_side():
            self.edit_person(self.current_id())
        else:
            self._row_clicked(_index)

    def _row_double_clicked(self, _index) -> None:
        self.edit_person(self.current_id())

    def _row_clicked(self, _index) -> None:
        person_id = self.current_id()
        if person_id is not None:
            self._selected_id = person_id
            self._show_detail(person_id)
            self.list_detail.show_detail(focus=self.detail)

    def _search_typed(self, _text: str) -> None:
        self.search_timer.start()

    def _sort_changed(self, column: int, order) -> None:
        self.query.sort = COLUMNS[column][0]
        self.query.descending = order == Qt.DescendingOrder
        self._sort_chosen = True
        self.reload()

    def current_query(self) -> people_list.PeopleQuery:
        q = self.query
        q.term = self.search.text().strip()
        q.sex = self.sex_filter.code()
        q.district = self.district_filter.code()
        q.status = self.status_filter.code()
        if q.term and not getattr(self, "_sort_chosen", False):
            q.sort = "relevance"
        elif q.sort == "relevance":
            q.sort = "name"
        return people_list.PeopleQuery(**vars(q))

    def reload(self) -> None:
        """Run the list query (off the UI thread for a large registry) and show the result;
        a newer query replaces an older one still under way."""
        self.search_timer.stop()
        query = self.current_query()
        if self._total is None:
            self._total = people_list.count_people(self.ctx.conn)
        op = ReadOp(self.ctx, self, lambda conn: people_list.list_ids(conn, query)) \
            .key("people-list").success(self._list_read).failure(self._list_failed)
        if not operations.runs_in_place(self.ctx) or self._total > BACKGROUND_ABOVE:
            self._set_loading(True)
            op.off_ui_thread()
        op.run()

    def _list_read(self, ids: people_list.PeopleIds) -> None:
        self._set_loading(False)
        self._show_result(ids)

    def _list_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        self.count_label.setText(_("The list could not be read: {error}").format(
            error=operations.error_message(exc)))

    def _set_loading(self, loading: bool) -> None:
        # "Searching…" only when an answer takes a while: no flicker while typing
        self._loading = loading
        if loading:
            self._loading_timer.start()
        else:
            self._loading_timer.stop()

    def _show_searching(self) -> None:
        if self._loading:
            self.count_label.setText(_("Searching…"))

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Wait for a background query (tests, closing)."""
        return operations.wait_idle(self.ctx, msecs)

    def _show_result(self, ids: people_list.PeopleIds) -> None:
        keep = self._selected_id
        self.model.set_rowids(ids.rowids)
        self._capped = ids.capped
        self._update_count()
        if keep:
            self.select_person(keep, show=False)

    def _update_count(self) -> None:
        if self._loading and not self._loading_timer.isActive():
            self.count_label.setText(_("Searching…"))
            return
        shown = self.model.rowCount()
        total = self._total if self._total is not None else shown
        if self.query.term or self.query.sex or self.query.district or self.query.status:
            text = ngettext("{shown} of {total} person", "{shown} of {total} people",
                            total).format(shown=format_number(shown),
                                          total=format_number(total))
            if self._capped:
                text += " " + _("(only the best matches are shown; type more to narrow "
                                "the search)")
        else:
            text = ngettext("{count} person", "{count} people", total).format(
                count=format_number(total))
        # the page's own count; not also in the status bar, which shows the total already
        self.count_label.setText(text)
        self._update_empty_state()

    def _filtered(self) -> bool:
        q = self.query
        return bool(q.term or q.sex or q.district or q.status)

    def _update_empty_state(self) -> None:
        if self._filtered():
            self.empty_state.set_message(_("Nobody matches the search and the filters."))
            self.empty_state.set_action(_("Clear the search and the filters"))
        else:
            can_create = self.ctx.can("create", "person")
            self.empty_state.set_message(
                _("No people yet — register the first person with New person (Ctrl+N).")
                if can_create else _("No people yet."))
            self.empty_state.set_action(_("Register a person") if can_create else None)

    def _empty_action(self) -> None:
        if self._filtered():
            self.search.clear()
            for combo in (self.sex_filter, self.district_filter, self.status_filter):
                combo.setCurrentIndex(0)
            self.reload()
        else:
            self.new_person()

    def _row_changed(self, current, _previous) -> None:
        person_id = self.current_id()
        self._selected_id = person_id
        # one at a time, the page is made ready out of sight: a click or Enter shows it
        self._show_detail(person_id)

    def _layout_changed(self, side_by_side: bool) -> None:
        if side_by_side:
            self._show_detail(self._selected_id)

    def _list_width(self) -> int:
        """The list's columns whole (and the filters above them)."""
        return max(wanted_width(self.table), self._filters.minimumSize().width())

    def _detail_width(self) -> int:
        """The person's page with its sections' tables readable."""
        return max(PERSON_PAGE_WIDTH, self.detail.sizeHint().width())

    def _show_detail(self, person_id: str | None, *, again: bool = False) -> None:
        """The person's page beside the list; with nobody chosen, the list takes the whole
        width (the detail would only say "choose someone"). The page is built once per
        person, or ``again`` after their data changed: after a save the list is read
        again and selects the same person, which built the page a second time."""
        shown = self.detail.person["id"] if self.detail.person else None
        if again or shown != person_id:
            self.detail.show_person(person_id)
        self.list_detail.set_detail_available(person_id is not None)

    def current_id(self) -> str | None:
        row = self.table.currentIndex().row()
        record = self.model.record(row) if row >= 0 else None
        return record["id"] if record else None

    def select_person(self, person_id: str, show: bool = True) -> bool:
        """Choose ``person_id`` in the list; ``show``: their page in sight (the page's main
        view when one at a time)."""
        if show:
            self._selected_id = person_id
            self._show_detail(person_id)
            self.list_detail.show_detail()
        rowid = people_list.person_rowid(self.ctx.conn, person_id)
        row = self.model.row_of(rowid) if rowid is not None else -1
        if row < 0:
            self._selected_id = person_id
            self._show_detail(person_id)
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        if self.detail.person is None or self.detail.person["id"] != person_id:
            self._show_detail(person_id)
        return True

    def _data_changed(self, table: str) -> None:
        if table in ("person", "migration_episode", "*"):
            self.refresh()

    def refresh(self) -> None:
        self._total = None
        self.model.invalidate()
        self.reload()
        if self._selected_id:
            self._show_detail(self._selected_id, again=True)

    # ---- actions ---------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def new_person(self) -> None:
        if self.ctx.can("create", "person"):
            self._open_dialog(None)

    def edit_person(self, person_id: str | None) -> None:
        if person_id and self.ctx.can("update", "person",
                                      people_list.load_person(self.ctx.conn, person_id)[0]):
            self._open_dialog(person_id)

    def _open_dialog(self, person_id: str | None) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        dialog = PersonDialog(self.ctx, person_id, self, duplicate_finder=self.duplicate_finder)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        dialog.open_existing.connect(self._open_existing)
        dialog.finished.connect(self._dialog_finished)
        self.dialog = dialog
        dialog.open()

    def _dialog_finished(self, _result) -> None:
        self.dialog = None

    def _saved(self, person_id: str) -> None:
        self._selected_id = person_id
        self.refresh()
        self.list_detail.show_detail()

    def _open_existing(self, person_id: str) -> None:
        self._selected_id = person_id
        self.select_person(person_id)

    def has_unsaved_changes(self) -> bool:
        return self.dialog is not None and self.dialog.has_unsaved_changes()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search by name in any script, phone or document "
                                         "number (Ctrl+F)"))
        self.new_button.setText(_("New person"))
        self.new_button.setToolTip(_("Register a new person (Ctrl+N)"))
        for combo in (self.sex_filter, self.district_filter, self.status_filter):
            combo.retranslate()
        self.model.retranslate()
        self.detail.retranslate()
        self.list_detail.retranslate()
        if self.dialog is not None:
            self.dialog.retranslate()
        self._update_count()
