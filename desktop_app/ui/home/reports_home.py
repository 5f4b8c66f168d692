"""The home page: key figures for the user's scope, charts, overdue follow-ups and, on a
coordinator's database, which offices have not sent a bundle for a while."""
from __future__ import annotations

import math

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
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain, currency_name, format_date, format_number
from desktop_app.reports import dashboard as dashboard_module
from desktop_app.reports.dashboard import SILENT_DAYS
from desktop_app.reports.parallel import KeptConnection
from desktop_app.ui.operations import ReadOp

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


def _number_axis(top: float, suffix: str = "") -> QCategoryAxis:
    """A value axis whose tick labels are written like every other number of the
    application (digit groups of the language: 750 000, not 750000)."""
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    ticks = nice_ticks(top)
    axis.setRange(0, ticks[-1])
    for tick in ticks:
        axis.append(format_number(int(tick) if tick == int(tick) else tick) + suffix, tick)
    return axis


def _chart_view() -> QChartView:
    view = QChartView(QChart())
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


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
        self.heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.scope = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(lambda _checked=False: self.refresh())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cards: list[FigureCard] = []
        self.cards_layout = QGridLayout()
        self.cases_chart = _chart_view()
        self.trainees_chart = _chart_view()
        self.loans_chart = _chart_view()
        self.followups_label = QLabel()
        self.followups = QTableWidget(0, 3)
        self.followups.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.followups.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        self.sync = QTableWidget(0, 3)
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
            count).format(count=count) if count else "")
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
        # month over year on two lines: twelve one-line labels were cut to "Ja…" in a
        # half-width chart
        return [format_date(f"{m}-01", fmt="LLL") + "<br>" + m[:4] for m in data.months]

    def _cases_chart(self, data) -> None:
        chart = QChart()
        chart.setTitle(_("Cases opened by category, per month"))
        if data.cases_by_category:
            series = QStackedBarSeries()
            for label, values in sorted(data.cases_by_category.items(),
                                        key=lambda kv: -sum(kv[1])):
                bar = QBarSet(label)
                bar.append([float(v) for v in values])  # chart geometry only
                series.append(bar)
            chart.addSeries(series)
            axis_x = QBarCategoryAxis()
            axis_x.append(self._month_labels(data))
            chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
            series.attachAxis(axis_x)
            axis_y = _number_axis(max(map(sum, zip(*data.cases_by_category.values(), strict=True))))
            chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
            series.attachAxis(axis_y)
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        else:
            chart.setTitle(chart.title() + "\n" + _("No cases recorded yet."))
        self.cases_chart.setChart(chart)

    def _trainees_chart(self, data) -> None:
        chart = QChart()
        chart.setTitle(_("People trained this year, by sex"))
        if data.trainees_by_sex and sum(data.trainees_by_sex.values()):
            series = QPieSeries()
            for label, count in data.trainees_by_sex.items():
                piece = series.append(f"{label}: {format_number(count)}", float(count))
                piece.setLabelVisible(True)
            chart.addSeries(series)
        else:
            chart.setTitle(chart.title() + "\n" + _("No trainings recorded this year."))
        self.trainees_chart.setChart(chart)

    def _loans_chart(self, data) -> None:
        chart = QChart()
        chart.setTitle(_("Loans outstanding and PAR30, per month"))
        if data.loans_outstanding:
            axis_x = QBarCategoryAxis()
            axis_x.append(self._month_labels(data))
            chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
            top = max((float(v) for values in data.loans_outstanding.values()
                       for v in values if v is not None), default=0.0)
            axis_money = _number_axis(top)
            chart.addAxis(axis_money, Qt.AlignmentFlag.AlignLeft)
            worst = max((float(v) for values in data.par30.values() for v in values
                         if v is not None), default=0.0)
            # PAR30 is a few per cent: a 0-100 % axis drew it as a line on the floor
            axis_par = _number_axis(min(100.0, max(5.0, worst)), " %")
            chart.addAxis(axis_par, Qt.AlignmentFlag.AlignRight)
            for currency, values in data.loans_outstanding.items():
                line = QLineSeries()
                line.setName(_("Outstanding, {currency}").format(currency=currency_name(currency)))
                for n, value in enumerate(values):
                    if value is not None:
                        line.append(n, float(value))  # plotting only; figures stay Decimal
                chart.addSeries(line)
                line.attachAxis(axis_x)
                line.attachAxis(axis_money)
            for currency, values in data.par30.items():
                line = QLineSeries()
                line.setName(_("PAR30, {currency}").format(currency=currency_name(currency)))
                for n, value in enumerate(values):
                    if value is not None:
                        line.append(n, float(value))
                chart.addSeries(line)
                line.attachAxis(axis_x)
                line.attachAxis(axis_par)
        else:
            chart.setTitle(chart.title() + "\n" + _("No loans recorded yet."))
        self.loans_chart.setChart(chart)

    def _followups(self, data) -> None:
        rows = data.overdue_followups
        self.followups_label.setText(_("Overdue follow-ups ({count})").format(count=len(rows)))
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
            silent=len(silent), total=len(data.office_sync), days=SILENT_DAYS))
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
