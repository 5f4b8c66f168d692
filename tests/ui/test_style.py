"""The visual system (ui/style.py, docs/dev/ui-style.md) and the table rules of the kit
(widgets/columns.py): one stylesheet, light or dark as the system says, figures aligned
right, columns within the table's width, cut cells readable on hover."""
from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QPushButton,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
)

from desktop_app.ui import icons, style
from desktop_app.ui.app import application
from desktop_app.ui.widgets import DataTable, lazy_model, looks_numeric, setup_table
from desktop_app.ui.widgets.columns import elided_text_of, fit_widths, looks_like_free_text


def test_the_application_gets_the_one_stylesheet_and_palette(qapp):
    app = application()
    assert style.applied(app) in ("light", "dark")
    c = style.colours(style.applied(app) == "dark")
    assert c.accent in app.styleSheet()
    assert app.palette().color(QPalette.ColorRole.Highlight).name() == c.accent
    assert not app.windowIcon().isNull()


def test_dark_follows_what_the_system_says(qapp):
    def app_saying(scheme):
        hints = SimpleNamespace(colorScheme=lambda: scheme)
        return SimpleNamespace(styleHints=lambda: hints)

    assert style.system_is_dark(app_saying(Qt.ColorScheme.Dark))
    assert not style.system_is_dark(app_saying(Qt.ColorScheme.Light))
    assert not style.system_is_dark(app_saying(Qt.ColorScheme.Unknown))
    app = QApplication.instance()
    try:
        assert style.apply(app, dark=True) is style.DARK
        assert app.palette().color(QPalette.ColorRole.Window).name() == style.DARK.window
        assert style.DARK.accent in app.styleSheet()
    finally:
        style.apply(app, dark=False)
    assert app.palette().color(QPalette.ColorRole.Window).name() == style.LIGHT.window


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_and_accent_read_on_their_backgrounds_in_both_palettes():
    for c in (style.LIGHT, style.DARK):
        assert _contrast(c.text, c.surface) >= 7
        assert _contrast(c.muted, c.surface) >= 4.5
        assert _contrast(c.accent_text, c.accent) >= 4.5
        assert _contrast(c.danger, c.surface) >= 4.5
        assert _contrast(c.text, c.alternate) >= 7


def test_primary_and_destructive_buttons_are_marked_and_placed(qtbot):
    save, other, delete = QPushButton("Save"), QPushButton("Print"), QPushButton("Delete")
    row = style.button_row(primary_button=save, others=[other], destructive_buttons=[delete])
    order = [row.itemAt(i).widget() for i in range(row.count())]
    assert order[0] is delete and order[-1] is save
    assert row.itemAt(1).spacerItem() is not None    # destructive actions set apart
    assert save.property("role") == "primary" and delete.property("role") == "destructive"


def test_every_page_icon_exists_and_draws():
    for key, name in icons.PAGE_ICONS.items():
        assert icons.icon_path(name).exists(), key
        assert not icons.page_icon(key).pixmap(20, 20).toImage().isNull()
    assert (icons.ICON_DIR / "LICENSE").exists()


def test_figures_align_right_and_texts_do_not():
    for text in ("35", "~15", "2 300,00 сомонӣ", "1,234.50", "45%", "12,5 %", "1 234 567"):
        assert looks_numeric(text), text
    for text in ("07.12.2026", "12/7/26", "+992 88 713 23 73", "920509192", "GRM-2026-00042",
                 "Rasht / Hoit", ""):
        assert not looks_numeric(text), text


def test_data_table_aligns_figures_right(qtbot):
    table = DataTable(3)
    qtbot.addWidget(table)
    table.set_rows([("Rahmonov", "2 300,00 сомонӣ", "01.12.2026")])
    model = table.model()
    alignment = model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole)
    assert alignment is not None and Qt.AlignmentFlag(alignment) & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.data(model.index(0, 2), Qt.ItemDataRole.TextAlignmentRole) is None
    # the title of a column of figures sits over them
    title = model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)
    assert title is not None and Qt.AlignmentFlag(title) & Qt.AlignmentFlag.AlignRight
    assert model.headerData(0, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.TextAlignmentRole) is None


def test_columns_share_the_width_and_long_texts_give_way_first():
    content, titles, texty = [200, 90, 80, 400], [60, 60, 60, 60], [1, 1, 0, 1]
    # room to spare: the widest text column takes it
    assert fit_widths(content, titles, texty, 900) == [200, 90, 80, 530]
    # a table of figures and dates: the last column takes it
    assert fit_widths([90, 80], [60, 60], [0, 0], 300) == [90, 210]
    # too little room: the long text is cut, the short columns keep their content
    widths = fit_widths(content, titles, texty, 600)
    assert sum(widths) <= 600
    assert widths[1:3] == [90, 80]
    assert widths[3] < 400
    # far too little: every column keeps at least its title while it can
    widths = fit_widths(content, titles, texty, 260)
    assert sum(widths) <= 260 and min(widths) >= 60


def test_a_loan_number_stays_whole_while_free_texts_can_give_way():
    # number (code), borrower, phone (code), purpose: the widest is the number
    cells = ["GRM-M48PDG-2026-00011", "Иброҳимов Манучеҳр", "+992 92 325 46 72",
             "Хароҷоти сафар барои муҳоҷират"]
    texty = [1 if looks_like_free_text(c) else 0 for c in cells]
    assert texty == [0, 1, 0, 1]
    content, titles = [290, 170, 140, 260], [60, 90, 90, 70]
    widths = fit_widths(content, titles, texty, 700)
    assert sum(widths) <= 700
    assert widths[0] == 290 and widths[2] == 140
    assert widths[1] < 170 or widths[3] < 260


def _lazy_table(qtbot, texts: list[str], width: int) -> QTableView:
    rows = {i: {"id": i, "name": text, "count": str(i)} for i, text in enumerate(texts)}
    model = lazy_model([("name", lambda: "Name"), ("count", lambda: "Count")],
                       lambda keys: {k: rows[k] for k in keys})
    model.set_keys(list(rows))
    view = QTableView()
    view.setModel(model)
    setup_table(view)
    qtbot.addWidget(view)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    view._column_fitter.fit()
    return view


def test_a_lazy_table_never_needs_to_scroll_sideways(qtbot):
    view = _lazy_table(qtbot, ["Ашурова Нигина Гайратовна " * 6, "Boboev"], 420)
    header = view.horizontalHeader()
    total = sum(header.sectionSize(c) for c in range(header.count()))
    assert total <= view.viewport().width()
    assert view.horizontalScrollBar().maximum() == 0
    count = view.model().data(view.model().index(1, 1), Qt.ItemDataRole.TextAlignmentRole)
    assert count is not None and Qt.AlignmentFlag(count) & Qt.AlignmentFlag.AlignRight


def test_a_cut_cell_shows_its_whole_text_on_hover(qtbot):
    long_text = "Ашурова Нигина Гайратовна, Рашт / Бобоҷон Ғафуров " * 4
    view = _lazy_table(qtbot, [long_text, "Boboev"], 420)
    delegate, option = view.itemDelegate(), QStyleOptionViewItem()
    view.initViewItemOption(option)
    cut, whole = view.model().index(0, 0), view.model().index(1, 0)
    assert elided_text_of(view, option, cut, delegate) == long_text
    assert elided_text_of(view, option, whole, delegate) is None
    # and the view shows it when the mouse rests on the cell
    centre = view.visualRect(cut).center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, view.viewport().mapToGlobal(centre))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.text() == long_text
    QToolTip.hideText()


def test_the_programs_and_the_installer_carry_the_application_icon():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    assert icons.APP_ICON_SVG.exists() and icons.APP_ICON.exists()
    assert (icons.APP_ICON_DIR / "hamroh.ico").exists()
    spec = (root / "packaging" / "hamroh.spec").read_text(encoding="utf-8")
    assert '("resources/icons", "resources/icons")' in spec
    assert '"resources" / "app" / ("hamroh.ico"' in spec and "icon=APP_ICON" in spec
    installer = (root / "packaging" / "windows" / "hamroh.iss").read_text(encoding="utf-8")
    assert "SetupIconFile=..\\..\\resources\\app\\hamroh.ico" in installer
    assert not icons.app_icon().isNull()


def test_a_short_table_keeps_every_cell_whole_and_a_main_list_elides(qtbot):
    organisation = "Legal Aid Centre of the Sughd Region, Khujand branch " * 2
    whole, cut = DataTable(2), DataTable(2, elide=True)
    for table in (whole, cut):
        qtbot.addWidget(table)
        table.setHorizontalHeaderLabels(["Sent", "Referred to"])
        table.set_rows([("01.12.2026", organisation)])
        table.resize(400, 200)
        table.show()
        qtbot.waitExposed(table)
        table._column_fitter.fit()
    needed = whole.fontMetrics().horizontalAdvance(organisation)
    assert whole.columnWidth(1) >= needed
    assert cut.columnWidth(1) < needed
    assert cut.columnWidth(0) + cut.columnWidth(1) <= cut.viewport().width()


def test_the_navigation_redraws_its_icons_when_the_system_turns_dark(qtbot, ctx):
    from desktop_app.ui.main_window import MainWindow
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    app = QApplication.instance()

    def first_icon():
        return window.nav.item(0).icon().pixmap(20, 20).toImage()
    light = first_icon()
    try:
        style.apply(app, dark=True)
        QApplication.processEvents()
        assert first_icon() != light
    finally:
        style.apply(app, dark=False)
        QApplication.processEvents()
    assert first_icon() == light
