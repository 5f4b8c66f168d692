"""The home page: key figures for the user's scope, charts, overdue follow-ups and, on a
coordinator's database, which offices have not sent a bundle for a while."""
from __future__ import annotations

import math
import os
from decimal import Decimal

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QPieSeries,
    QStackedBarSeries,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QCursor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import (
    Domain,
    currency_name,
    current_language,
    format_date,
    format_money,
    format_number,
)
from desktop_app.i18n.formats import percent as format_percent
from desktop_app.i18n.formats import rate_percent
from desktop_app.reports import dashboard as dashboard_module
from desktop_app.reports.dashboard import SILENT_DAYS
from desktop_app.reports.palette import CHART_COLOURS, group_small
from desktop_app.reports.parallel import KeptConnection
from desktop_app.ui import style
from desktop_app.ui.operations import ReadOp
from desktop_app.ui.widgets import style_table

DOMAIN = Domain("reports")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext
pgettext = DOMAIN.pgettext


class FigureCard(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel()
        self.value.setStyleSheet("font-size: 22px; font-weight: 600; color: #1f5f8b;")
        self.value.setWordWrap(True)
        self.title = QLabel()
        self.title.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.title)
        self.setMinimumWidth(170)


def nice_ticks(top: float, most: int = 5) -> list[float]:
    """Ticks from 0 past ``top`` in steps of 1, 2 or 5 times a power of ten, at most
    ``most`` steps."""
    if top <= 0:
        return [0.0, 1.0]
    magnitude = 10 ** math.floor(math.log10(top / most))
    step = next(m * magnitude for m in (1, 2, 5, 10) if top / (m * magnitude) <= most)
    return [step * n for n in range(math.ceil(top / step - 1e-9) + 1)]


def _number_axis(top: float, percent: bool = False) -> QCategoryAxis:
    """A value axis whose tick labels are written like every other number of the
    application (digit groups of the language: 750 000, not 750000); ``percent``: as the
    language writes a percentage (5% in English and Tajik, 5 % in Russian)."""
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    ticks = nice_ticks(top)
    axis.setRange(0, ticks[-1])
    for tick in ticks:
        value = int(tick) if tick == int(tick) else tick
        axis.append(rate_percent(value) if percent else format_number(value), tick)
    return axis


# twelve month names fit under a half-width chart at 1366x768 at this size (9 pt cut "Июн")
MONTH_LABEL_POINTS = 7.5


def month_labels(months: list[str], language: str | None = None) -> list[str]:
    """Short month names ("Jan", "янв."): "Jan 2026" was cut to "Jan 2…" and even a year
    on a second line was cut in a half-width chart; the years go in the axis title
    (``years_text``). A name repeated (more than twelve months) gets its year."""
    names = [format_date(f"{month}-01", language, fmt="LLL") for month in months]
    return [f"{name}<br>{month[:4]}" if names.count(name) > 1 else name
            for name, month in zip(names, months, strict=True)]


def years_text(months: list[str], language: str | None = None) -> str:
    """The axis title under the month names: "2026", or "Dec 2025 – Nov 2026"."""
    if not months:
        return ""
    first, last = months[0], months[-1]
    if first[:4] == last[:4]:
        return first[:4]
    return "{} \u2013 {}".format(format_date(f"{first}-01", language, fmt="LLL y"),
                                 format_date(f"{last}-01", language, fmt="LLL y"))


def _month_axis(months: list[str]) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(month_labels(months))
    axis.setTitleText(years_text(months))
    font = QFont(axis.labelsFont())
    font.setPointSizeF(min(font.pointSizeF(), MONTH_LABEL_POINTS))
    axis.setLabelsFont(font)
    title = QFont(font)
    title.setBold(False)
    axis.setTitleFont(title)
    return axis


def month_in_words(month: str, language: str | None = None) -> str:
    """ "December 2026": the period of a value in a tooltip."""
    return format_date(f"{month}-01", language, fmt="LLLL y")


class ChartPanel(QWidget):
    """A chart with its values shown on hover and a "Save chart as image…" button (also in
    the chart's context menu) that writes a PNG through the file dialog."""

    def __init__(self, file_stem: str, parent=None, on_error=None):
        super().__init__(parent)
        self.file_stem = file_stem
        self.on_error = on_error          # shows why a save failed where the page says so
        self.hover_text = ""
        self.saved_path = ""
        self.view = QChartView(QChart())
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(270)
        self.save_button = QToolButton()
        self.save_button.clicked.connect(lambda _checked=False: self.save_image())
        self.save_action = QAction(self)
        self.save_action.triggered.connect(lambda _checked=False: self.save_image())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.addAction(self.save_action)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view)
        layout.addLayout(row)
        self.retranslate()

    def retranslate(self) -> None:
        self.save_button.setText(_("Save chart as image\u2026"))
        self.save_action.setText(_("Save chart as image\u2026"))

    def chart(self) -> QChart:
        return self.view.chart()

    def setChart(self, chart: QChart) -> None:  # noqa: N802 - as QChartView
        self.view.setChart(chart)
        self.hover_text = ""

    def show_value(self, text: str) -> None:
        self.hover_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.view)
        else:
            QToolTip.hideText()

    def image(self):
        return self.view.grab()

    def save_image(self, path: str | None = None) -> bool:
        """Write the chart as PNG (asking where when ``path`` is None); False when the user
        cancelled or the file could not be written (said in the status text)."""
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save chart as image\u2026"), f"{self.file_stem}.png",
                _("PNG images (*.png)"))
            if not path:
                return False
        if not path.lower().endswith(".png"):
            path += ".png"
        part = f"{path}.part"
        pixmap = self.image()
        ok = pixmap.save(part, "PNG")
        if ok:
            try:
                os.replace(part, path)
            except OSError:
                ok = False
        if not ok:
            if os.path.exists(part):
                os.unlink(part)
            self.saved_path = ""
            message = _("The chart could not be saved to {path}.").format(path=path)
            self.hover_text = message
            if self.on_error is not None:
                self.on_error(message)
            return False
        self.saved_path = path
        return True


class HomePage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._op: ReadOp | None = None
        # one read connection kept between refreshes (its page cache stays warm); closed
        # with the page, or by the run still reading when the page goes
        factory = getattr(ctx, "connection_factory", None)
        self._reader = KeptConnection(factory) if factory is not None else None
        if self._reader is not None:
            self.destroyed.connect(self._reader.retire)
        self.data = None
        self.last_error = ""
        self.heading = QLabel()
        style.page_title(self.heading)
        self.scope = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(lambda _checked=False: self.refresh())
        self.cards: list[FigureCard] = []
        self.cards_layout = QGridLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cases_chart = ChartPanel("cases-by-category", on_error=self.status.setText)
        self.trainees_chart = ChartPanel("people-trained-by-sex", on_error=self.status.setText)
        self.loans_chart = ChartPanel("loans-outstanding-par30", on_error=self.status.setText)
        self.followups_label = QLabel()
        self.followups = QTableWidget(0, 3)
        style_table(self.followups)
        self.followups.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.followups.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.sync = QTableWidget(0, 3)
        style_table(self.sync)
        self.sync.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.sync.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.scope, 1)
        top.addWidget(self.refresh_button)
        charts = QGridLayout()
        charts.addWidget(self.cases_chart, 0, 0, 1, 2)
        charts.addWidget(self.trainees_chart, 1, 0)
        charts.addWidget(self.loans_chart, 1, 1)
        lists = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self.followups_label)
        left.addWidget(self.followups)
        right.addWidget(self.sync_label)
        right.addWidget(self.sync)
        lists.addLayout(left)
        lists.addLayout(right)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addLayout(self.cards_layout)
        layout.addLayout(charts)
        layout.addLayout(lists)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.retranslate()

    # ---- page contract ------------------------------------------------------------
    def retranslate(self) -> None:
        self.heading.setText(_("Overview"))
        self.refresh_button.setText(_("Refresh"))
        self.followups_label.setText(_("Overdue follow-ups"))
        self.followups.setHorizontalHeaderLabels([_("Case"), _("Action"), _("Due")])
        self.sync.setHorizontalHeaderLabels([_("Office"), _("Last bundle received"),
                                             _("Days without news")])
        for panel in (self.cases_chart, self.trainees_chart, self.loans_chart):
            panel.retranslate()
        self.refresh()

    def has_unsaved_changes(self) -> bool:
        return False

    def refresh(self) -> None:
        if self._op is not None and not self._op.done:
            return
        actor = self.ctx.actor
        self.refresh_button.setEnabled(False)
        self.status.setText(_("Computing\u2026"))
        # its own thread and read connection: the shared DB worker stays free for the
        # People list and other pages while the figures are computed (docs/dev/reports.md)
        # the cheap figure cards first (within a second at any register size), then the
        # whole overview (charts, figures that read the whole register)
        self._op = ReadOp(self.ctx, self, lambda conn: dashboard_module.first_figures(
            conn, actor)).on_own_connection(self._lease()).off_ui_thread() \
            .success(self._show_first).failure(self._failed).run()

    def _lease(self):
        return self._reader.lease if self._reader is not None else None

    def _show_first(self, data) -> None:
        if self.data is None:
            self._figures(data)
        actor = self.ctx.actor
        self._op = ReadOp(self.ctx, self, lambda conn: dashboard_module.dashboard_data(
            conn, actor)).on_own_connection(self._lease()).off_ui_thread() \
            .success(self._show).failure(self._failed).run()

    def _failed(self, exc) -> None:
        self.refresh_button.setEnabled(True)
        self.last_error = _("The overview could not be computed: {reason}").format(reason=exc)
        self.status.setText(self.last_error)

    # ---- showing ------------------------------------------------------------------
    def _show(self, data) -> None:
        self.refresh_button.setEnabled(True)
        self.data = data
        self.last_error = ""
        self.scope.setText(_("All offices") if data.scope_office_ids is None
                           else _("Your office"))
        count = data.duplicates_unresolved
        self.status.setText(ngettext(
            "{count} pair of possible duplicate people is still waiting for review.",
            "{count} pairs of possible duplicate people are still waiting for review.",
            count).format(count=format_number(count)) if count else "")
        self._figures(data)
        self._cases_chart(data)
        self._trainees_chart(data)
        self._loans_chart(data)
        self._followups(data)
        self._sync(data)

    def _figures(self, data) -> None:
        while len(self.cards) < len(data.figures):
            card = FigureCard()
            self.cards_layout.addWidget(card, len(self.cards) // 4, len(self.cards) % 4)
            self.cards.append(card)
        for card, figure in zip(self.cards, data.figures, strict=False):
            card.value.setText(figure.text)
            card.title.setText(f"{figure.title} \u00b7 {figure.when}" if figure.when
                               else figure.title)
            card.show()
        for card in self.cards[len(data.figures):]:
            card.hide()

    def _month_labels(self, data) -> list[str]:
        return month_labels(data.months)

    def _cases_chart(self, data) -> None:
        chart = QChart()
        chart.setTitle(_("Cases opened by category, per month"))
        panel = self.cases_chart
        if data.cases_by_category:
            series = QStackedBarSeries()
            # the largest categories in their own colours, the rest as one grey "Other":
            # the legend lists exactly what is drawn
            grouped = group_small(list(data.cases_by_category.items()),
                                  pgettext("chart", "Other"))
            for item in grouped:
                bar = QBarSet(item.label)
                bar.append([float(v) for v in item.values])  # chart geometry only
                bar.setColor(QColor(item.colour))
                bar.setBorderColor(QColor("white"))
                bar.hovered.connect(lambda on, index, item=item: panel.show_value(
                    self._bar_text(item.label, data.months[index], item.values[index])
                    if on else ""))
                series.append(bar)
            series.setBarWidth(0.7)
            chart.addSeries(series)
            axis_x = _month_axis(data.months)
            chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
            series.attachAxis(axis_x)
            axis_y = _number_axis(max(map(sum, zip(*data.cases_by_category.values(), strict=True))))
            chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
            series.attachAxis(axis_y)
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        else:
            chart.setTitle(chart.title() + "\n" + _("No cases recorded yet."))
        panel.setChart(chart)

    @staticmethod
    def _bar_text(label: str, month: str, value: float) -> str:
        return _("{series} \u00b7 {period}: {value}").format(
            series=label, period=month_in_words(month), value=format_number(int(value)))

    def _trainees_chart(self, data) -> None:
        chart = QChart()
        chart.setTitle(_("People trained this year, by sex"))
        panel = self.trainees_chart
        counts = [(label, count) for label, count in (data.trainees_by_sex or {}).items()
                  if count]
        total = sum(count for _label, count in counts)
        if len(counts) == 1:
            # one slice is a full circle that says nothing: say it in words
            label, count = counts[0]
            chart.setTitle(chart.title() + "\n" + ngettext(
                "All {count} person trained this year: {group}",
                "All {count} people trained this year: {group}", count).format(
                count=format_number(count), group=label))
        elif counts:
            series = QPieSeries()
            for n, (label, count) in enumerate(counts):
                piece = series.append(f"{label}: {format_number(count)}", float(count))
                piece.setLabelVisible(True)
                piece.setColor(QColor(CHART_COLOURS[n % len(CHART_COLOURS)]))
                piece.setBorderColor(QColor("white"))
                share = format_percent(Decimal(count) / Decimal(total))
                text = _("{series}: {value} ({share})").format(
                    series=label, value=format_number(count), share=share)
                piece.hovered.connect(lambda on, text=text: panel.show_value(text if on else ""))
            chart.addSeries(series)
        else:
            chart.setTitle(chart.title() + "\n" + _("No trainings recorded this year."))
        panel.setChart(chart)

    def _loans_chart(self, data) -> None:
        chart = QChart()
        chart.setTitle(_("Loans outstanding and PAR30, per month"))
        panel = self.loans_chart
        if data.loans_outstanding:
            axis_x = _month_axis(data.months)
            chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
            top = max((float(v) for values in data.loans_outstanding.values()
                       for v in values if v is not None), default=0.0)
            axis_money = _number_axis(top)
            chart.addAxis(axis_money, Qt.AlignmentFlag.AlignLeft)
            worst = max((float(v) for values in data.par30.values() for v in values
                         if v is not None), default=0.0)
            # PAR30 is a few per cent: a 0-100 % axis drew it as a line on the floor
            axis_par = _number_axis(min(100.0, max(5.0, worst)), percent=True)
            chart.addAxis(axis_par, Qt.AlignmentFlag.AlignRight)
            colours = iter(CHART_COLOURS * 4)
            lines = [(currency, values, False, axis_money)
                     for currency, values in data.loans_outstanding.items()]
            lines += [(currency, values, True, axis_par)
                      for currency, values in data.par30.items()]
            for currency, values, is_par, axis in lines:
                line = QLineSeries()
                name = (_("PAR30, {currency}") if is_par else _("Outstanding, {currency}"))
                line.setName(name.format(currency=currency_name(currency)))
                pen = QPen(QColor(next(colours)))
                pen.setWidthF(2.5)
                if is_par:
                    pen.setStyle(Qt.PenStyle.DashLine)
                line.setPen(pen)
                line.setPointsVisible(True)
                for n, value in enumerate(values):
                    if value is not None:
                        line.append(n, float(value))  # plotting only; figures stay Decimal
                chart.addSeries(line)
                line.attachAxis(axis_x)
                line.attachAxis(axis)
                line.hovered.connect(self._line_hover(line.name(), data.months, values,
                                                      currency, is_par))
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        else:
            chart.setTitle(chart.title() + "\n" + _("No loans recorded yet."))
        panel.setChart(chart)

    def _line_hover(self, name: str, months: list[str], values, currency: str, is_par: bool):
        panel = self.loans_chart

        def hovered(point, on: bool) -> None:
            panel.show_value(self._line_text(name, months, values, round(point.x()), currency,
                                             is_par) if on else "")
        return hovered

    @staticmethod
    def _line_text(name: str, months: list[str], values, index: int, currency: str,
                   is_par: bool) -> str:
        if not 0 <= index < len(values) or values[index] is None:
            return ""
        value = values[index]
        shown = (rate_percent(value) if is_par
                 else format_money(Decimal(value), currency, current_language()))
        return _("{series} \u00b7 {period}: {value}").format(
            series=name, period=month_in_words(months[index]), value=shown)

    def _followups(self, data) -> None:
        rows = data.overdue_followups
        self.followups_label.setText(_("Overdue follow-ups ({count})").format(
            count=format_number(len(rows))))
        self.followups.setRowCount(len(rows))
        for n, row in enumerate(rows):
            for col, value in enumerate((row["number"], row["action"],
                                         format_date(row["due_on"]))):
                self.followups.setItem(n, col, QTableWidgetItem(value or ""))

    def _sync(self, data) -> None:
        visible = bool(data.office_sync)
        self.sync.setVisible(visible)
        self.sync_label.setVisible(visible)
        if not visible:
            return
        silent = [o for o in data.office_sync if o.silent]
        self.sync_label.setText(_("Offices: {silent} of {total} have sent nothing for more "
                                  "than {days} days").format(
            silent=format_number(len(silent)), total=format_number(len(data.office_sync)),
            days=format_number(SILENT_DAYS)))
        self.sync.setRowCount(len(data.office_sync))
        for n, office in enumerate(data.office_sync):
            cells = (f"{office.office_name} ({office.office_code})",
                     format_date(office.last_in) if office.last_in else _("never"),
                     "" if office.days_silent is None else format_number(office.days_silent))
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if office.silent:
                    item.setForeground(QBrush(QColor("#b3261e")))
                self.sync.setItem(n, col, item)


def page_title() -> str:
    return pgettext("page", "Home")
