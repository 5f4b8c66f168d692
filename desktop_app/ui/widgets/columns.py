"""How every table of the kit lays out its columns and cells.

- ``fit_columns(view)``: the columns share the table's width, never more, so that a list
  never scrolls sideways: each column asks for its content's width (the rows in sight and
  the title); when they all fit, the widest text column takes the rest; when they do not,
  free-text columns give way first (their cells elide with "…"), then every column wider
  than a common cap; codes (case and loan numbers, phones), figures and dates stay whole
  as long as the titles can, and titles keep their own width as long as possible. Run
  again when the table is resized, its rows are replaced or its titles change language.
- ``CellDelegate``: a cell cut with "…" shows its whole text as a tooltip.
- ``looks_numeric(text)``: figures (counts, amounts, percentages) align right.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QTableView,
    QToolTip,
)

from desktop_app.ui import style

# a figure: up to six digits, or digits grouped by three, one decimal part, then a unit or a
# currency; an estimate may start with "~". Dates (two separators), phone numbers (a leading
# +, long runs of digits, groups of two) and document numbers are not figures.
_NUMBER = re.compile(r"^[~−\-]?(?:\d{1,6}|\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+)(?:[.,]\d+)?"
                     r"(?:\s?(?:%|[^\W\d_]{1,12}\.?))?$")
# a column narrower than this is not worth shrinking further
MIN_COLUMN = 48
# rows read to size a column: those in sight, at most this many (a long list stays quick)
SAMPLE_ROWS = 30


_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
# a number people read out or type back (case or loan number, phone, document number): one
# word with digits in it, or digits and the marks phone numbers are written with
_CODE = re.compile(r"^(?=\S*\d)[\w./+\-]+$|^\+?[\d\s()\-]{5,}$")


def looks_numeric(text: str) -> bool:
    return bool(text) and len(text) <= 40 and _NUMBER.match(text.strip()) is not None


def looks_like_free_text(text: str) -> bool:
    """Not a figure, a date or a code: the kind of column that may take spare width and
    gives way first when there is too little."""
    text = text.strip()
    return not looks_numeric(text) and _DATE.match(text) is None and _CODE.match(text) is None


RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class CellDelegate(QStyledItemDelegate):
    """Draws cells as usual; a cell whose text is cut shows the whole text on hover."""

    def helpEvent(self, event, view, option, index):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ToolTip:
            text = elided_text_of(view, option, index, self)
            if text:
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)


def elided_text_of(view, option, index, delegate: QStyledItemDelegate) -> str | None:
    """The whole text of the cell ``index`` when it does not fit its column, else None
    (a tooltip the model gives itself wins)."""
    own = index.data(Qt.ItemDataRole.ToolTipRole)
    if own:
        return str(own)
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if not text:
        return None
    text = str(text)
    opt = option.__class__(option)
    delegate.initStyleOption(opt, index)
    needed = delegate.sizeHint(opt, index).width()
    width = view.visualRect(index).width() if hasattr(view, "visualRect") else opt.rect.width()
    return text if needed > width else None


class ColumnFitter(QObject):
    """Keeps a table's columns within its width (see the module's note)."""

    def __init__(self, view: QTableView, stretch: int | None = None, elide: bool = True):
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        self.elide = elide
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(MIN_COLUMN)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if elide
                                          else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.viewport().installEventFilter(self)
        self._watch(view.model())
        header.sectionCountChanged.connect(self.later)
        header.sectionResized.connect(self._resized_by_hand)
        self._fitting = False

    def _watch(self, model) -> None:
        if model is None:
            return
        for signal in (model.modelReset, model.layoutChanged, model.headerDataChanged,
                       model.rowsInserted):
            signal.connect(self.later)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.later()
        return False

    def later(self, *_args) -> None:
        self._timer.start()

    def _resized_by_hand(self, *_args) -> None:
        # a column dragged wider than the table: the others give way at the next fit
        if not self._fitting and self.total() > self.available():
            self.later()

    def available(self) -> int:
        return max(0, self.view.viewport().width())

    def total(self) -> int:
        header = self.view.horizontalHeader()
        return sum(header.sectionSize(c) for c in range(header.count())
                   if not header.isSectionHidden(c))

    def wanted(self) -> tuple[list[int], list[int], list[int]]:
        """Per column: the content's width, the title's width, and whether it holds text."""
        view, header = self.view, self.view.horizontalHeader()
        model = view.model()
        rows = model.rowCount() if model is not None else 0
        first = max(0, view.rowAt(0))
        in_sight = view.viewport().height() // max(1, view.verticalHeader().defaultSectionSize())
        last = min(rows, first + min(SAMPLE_ROWS, in_sight + 1))
        content, titles, texty = [], [], []
        metrics = view.fontMetrics()
        for column in range(header.count()):
            if header.isSectionHidden(column):
                content.append(0)
                titles.append(0)
                texty.append(0)
                continue
            title = header.sectionSizeFromContents(column).width()
            widest, free = 0, False
            for row in range(first, last):
                text = model.data(model.index(row, column))
                if text is None or text == "":
                    continue
                text = str(text).split("\n")[0]
                widest = max(widest, metrics.horizontalAdvance(text))
                free = free or looks_like_free_text(text)
            cell = widest + 2 * style.GAP + 4 if widest else 0
            content.append(max(cell, MIN_COLUMN))
            titles.append(title)
            texty.append(1 if free else 0)
        return content, titles, texty

    def fit(self) -> None:
        header = self.view.horizontalHeader()
        count = header.count()
        if not count or not self.view.isVisible():
            return
        content, titles, texty = self.wanted()
        widths = fit_widths(content, titles, texty, self.available(), self.stretch)
        if not self.elide:
            # every cell whole: a table too narrow for its content scrolls instead
            widths = [max(w, c, t) for w, c, t in zip(widths, content, titles, strict=True)]
        self._fitting = True
        try:
            for column, width in enumerate(widths):
                if not header.isSectionHidden(column):
                    header.resizeSection(column, width)
        finally:
            self._fitting = False


def header_alignment(model, column: int):
    """A column's title aligns as its figures do: right over a column of figures."""
    if model.rowCount() == 0:
        return None
    text = model.data(model.index(0, column))
    return RIGHT if text and looks_numeric(str(text)) else None


def fit_widths(content: list[int], titles: list[int], texty: list[int], available: int,
               stretch: int | None = None) -> list[int]:
    """The widths of columns that asked for ``max(content, title)`` each, within
    ``available`` pixels (pure arithmetic; see ColumnFitter)."""
    want = [max(c, t) for c, t in zip(content, titles, strict=True)]
    shown = [i for i, w in enumerate(want) if w > 0]
    if not shown or available <= 0:
        return want
    if sum(want) <= available:
        spare = available - sum(want)
        grow = stretch if stretch is not None and want[stretch] > 0 else None
        if grow is None:
            # the widest free-text column; a table of figures and dates: the last column
            text_columns = [i for i in shown if texty[i]]
            grow = max(text_columns, key=lambda i: want[i]) if text_columns else shown[-1]
        want[grow] += spare
        return want
    # free texts give way first (down to their titles), then the widest columns: all
    # columns wider than a common cap are cut to it; titles keep their width while they
    # can, then only MIN_COLUMN is kept
    widths = list(want)
    title_floor = [max(t, MIN_COLUMN) for t in titles]
    texts_only = [f if texty[i] else want[i] for i, f in enumerate(title_floor)]
    for floor in (texts_only, title_floor, [MIN_COLUMN] * len(want)):
        floor = [min(f, w) for f, w in zip(floor, want, strict=True)]
        if sum(widths) <= available:
            break
        cap = _cap(want, floor, available)
        widths = [max(f, min(w, cap)) if w else 0 for w, f in zip(want, floor, strict=True)]
    return widths


def _cap(want: list[int], floor: list[int], available: int) -> int:
    """The largest width ``cap`` for which sum(max(floor, min(want, cap))) fits."""
    low, high = 0, max(want)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(max(f, min(w, middle)) for w, f in zip(want, floor, strict=True)) <= available:
            low = middle
        else:
            high = middle - 1
    return low


def fit_columns(view: QTableView, stretch: int | None = None,
                elide: bool = True) -> ColumnFitter:
    """Keep ``view``'s columns within its width from now on; its cells elided with "…" show
    their text on hover. ``stretch``: the column that takes spare width (else the widest
    text column). ``elide=False``: columns never narrower than their content (a short
    table in a dialog whose every word must be read), scrolling sideways when too wide."""
    fitter = getattr(view, "_column_fitter", None)
    if fitter is None:
        fitter = ColumnFitter(view, stretch, elide)
        view._column_fitter = fitter  # type: ignore[attr-defined]
        if type(view.itemDelegate()) is QStyledItemDelegate:
            view.setItemDelegate(CellDelegate(view))
    elif stretch is not None:
        fitter.stretch = stretch
    fitter.later()
    return fitter


def wanted_width(view: QTableView, columns: list[int] | None = None) -> int:
    """The width ``view`` needs to show ``columns`` (all shown ones by default) whole, with
    their titles, its frame and its vertical scroll bar: what a list asks of a page that
    lays it out beside a detail (``ListDetail``)."""
    fitter = fit_columns(view)
    content, titles, _texty = fitter.wanted()
    chosen = range(len(content)) if columns is None else columns
    columns_width = sum(max(content[c], titles[c]) for c in chosen if c < len(content))
    scroll_bar = view.verticalScrollBar().sizeHint().width()
    return columns_width + 2 * view.frameWidth() + scroll_bar


def style_table(view: QTableView) -> None:
    """The kit's table look: readable rows, alternating colours, whole-row selection,
    one line per row, columns within the width."""
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(style.ROW_HEIGHT)
    view.verticalHeader().setMinimumSectionSize(style.ROW_HEIGHT)
    view.setShowGrid(False)
    view.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.horizontalHeader().setHighlightSections(False)
