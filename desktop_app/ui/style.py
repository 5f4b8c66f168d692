"""The look of every window: one stylesheet over Qt's Fusion style, a light and a dark palette,
a spacing grid, a type scale and one accent colour (docs/dev/ui-style.md explains each choice).

``apply(app)`` is called once by ``ui.app.application()``; pages never set colours, fonts or
margins of their own, they mark what a control is:

- ``primary(button)``: the one action a page or dialog exists for (New case, Save): accent
  filled, placed rightmost;
- ``destructive(button)``: deletes or cancels something for good: red text, placed apart on
  the left (``button_row``);
- ``page_title(label)`` / ``section_title(label)``: the type scale's two heading sizes;
- ``muted(label)``: secondary text (hints, counts).
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QBoxLayout, QHBoxLayout, QWidget

# ---- the spacing grid: every margin and gap is a multiple of 4 px --------------------------
UNIT = 4
GAP = 2 * UNIT            # between controls of a row, between rows of a form
MARGIN = 3 * UNIT         # inside a page, around a group
SECTION = 4 * UNIT        # between the groups of a page
CONTROL_HEIGHT = 7 * UNIT  # buttons, fields and combos: one height, easy to hit all day
ROW_HEIGHT = 7 * UNIT     # table rows: readable, and still 20 rows on a 768-pixel screen
ICON = 5 * UNIT           # navigation and button icons

# ---- the type scale, relative to the system's font (9 pt Segoe UI on Windows) --------------
BODY = 1.0
SECTION_TITLE = 1.15
PAGE_TITLE = 1.4
SMALL = 0.9


@dataclass(frozen=True)
class Colours:
    window: str        # page background
    surface: str       # fields, tables, the navigation
    alternate: str     # every other table row
    text: str
    muted: str         # hints, counts, disabled text
    border: str
    accent: str        # the one accent: selection, primary buttons, the current page
    accent_text: str   # text on the accent
    accent_soft: str   # hover on the navigation and lists
    danger: str        # destructive actions, errors
    header: str        # table headers


# the accent is a blue with 5.9:1 contrast on white (WCAG AA for body text); the danger red 5.9:1
LIGHT = Colours(window="#f3f4f6", surface="#ffffff", alternate="#f6f8fa", text="#1f2328",
                muted="#59636e", border="#c9ced4", accent="#1a5fb4", accent_text="#ffffff",
                accent_soft="#dce8f7", danger="#b42318", header="#eceff2")
# dark: the same roles, the accent lightened so it keeps its contrast on the dark surfaces
DARK = Colours(window="#1e1f22", surface="#26282b", alternate="#2c2e32", text="#e6e7e9",
               muted="#a0a4aa", border="#44474c", accent="#78aeed", accent_text="#10151c",
               accent_soft="#2f3d4f", danger="#f28b82", header="#303236")


def system_is_dark(app: QGuiApplication | None = None) -> bool:
    """True when the system says it uses a dark colour scheme (Qt 6.5+: QStyleHints)."""
    app = app or QGuiApplication.instance()
    if app is None:
        return False
    scheme = getattr(app.styleHints(), "colorScheme", None)
    return scheme is not None and scheme() == Qt.ColorScheme.Dark


def colours(dark: bool | None = None) -> Colours:
    """The colours in use: dark when the system is dark (or ``dark`` says so)."""
    return DARK if (system_is_dark() if dark is None else dark) else LIGHT


def palette(c: Colours) -> QPalette:
    """Qt's palette for the same colours, for what the stylesheet does not reach (menus of
    combos, tooltips, the text cursor)."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window, QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.surface, QPalette.ColorRole.AlternateBase: c.alternate,
        QPalette.ColorRole.Text: c.text, QPalette.ColorRole.Button: c.surface,
        QPalette.ColorRole.ButtonText: c.text, QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.accent_text, QPalette.ColorRole.ToolTipBase:
        c.surface, QPalette.ColorRole.ToolTipText: c.text, QPalette.ColorRole.PlaceholderText:
        c.muted, QPalette.ColorRole.Link: c.accent, QPalette.ColorRole.Mid: c.border,
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    return p


def stylesheet(c: Colours, base_pt: float) -> str:
    """The one stylesheet. Sizes come from the grid and the type scale above.

    Colours of plain widgets come from the palette, not from rules here: a rule that
    matches every widget (``QWidget {...}``) or a descendant selector makes Qt style each
    widget through the stylesheet, which slowed the building of a person's page by half."""
    radius = UNIT
    return f"""
QToolTip {{ background: {c.surface}; color: {c.text}; border: 1px solid {c.border};
            padding: {UNIT}px; }}

QPushButton, QToolButton {{
    min-height: {CONTROL_HEIGHT - 2 * UNIT}px; padding: {UNIT}px {3 * UNIT}px;
    background: {c.surface}; border: 1px solid {c.border}; border-radius: {radius}px; }}
QPushButton {{ min-width: {16 * UNIT}px; }}
QPushButton:hover, QToolButton:hover {{ border-color: {c.accent}; background: {c.accent_soft}; }}
QPushButton:pressed {{ background: {c.accent_soft}; }}
QPushButton:focus, QToolButton:focus {{ border: 1px solid {c.accent}; }}
QPushButton:disabled, QToolButton:disabled {{ color: {c.muted}; background: {c.window}; }}
QPushButton[role="primary"], QPushButton:default {{
    background: {c.accent}; color: {c.accent_text}; border-color: {c.accent}; }}
QPushButton[role="primary"]:hover, QPushButton:default:hover {{
    background: {c.accent}; border: 1px solid {c.text}; }}
QPushButton[role="primary"]:disabled, QPushButton:default:disabled {{
    background: {c.accent_soft}; color: {c.muted}; border-color: {c.border}; }}
QPushButton[role="destructive"] {{ color: {c.danger}; }}
QPushButton[role="destructive"]:hover {{ border-color: {c.danger}; }}

QLineEdit, QPlainTextEdit, QTextEdit {{
    background: {c.surface}; border: 1px solid {c.border}; border-radius: {UNIT // 2}px;
    padding: {UNIT // 2}px {UNIT}px; selection-background-color: {c.accent};
    selection-color: {c.accent_text}; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border: 1px solid {c.accent}; }}
QLineEdit:disabled {{ background: {c.window}; color: {c.muted}; }}

QTableView, QTreeView, QListView {{
    background: {c.surface}; alternate-background-color: {c.alternate};
    border: 1px solid {c.border}; gridline-color: {c.border};
    selection-background-color: {c.accent}; selection-color: {c.accent_text}; }}
QHeaderView::section {{
    background: {c.header}; color: {c.text}; border: none;
    border-right: 1px solid {c.border}; border-bottom: 1px solid {c.border};
    padding: {UNIT}px {2 * UNIT}px; font-weight: 600; }}

QTabWidget::pane {{ border: 1px solid {c.border}; border-radius: {radius}px;
                    background: {c.window}; top: -1px; }}
QTabBar::tab {{ padding: {UNIT + 2}px {3 * UNIT}px; border: 1px solid transparent;
                border-bottom: 2px solid transparent; background: transparent; }}
QTabBar::tab:selected {{ border-bottom: 2px solid {c.accent}; font-weight: 600; }}
QTabBar::tab:hover {{ background: {c.accent_soft}; }}
QGroupBox {{ border: 1px solid {c.border}; border-radius: {radius}px;
             margin-top: {3 * UNIT}px; padding-top: {2 * UNIT}px; font-weight: 600; }}
QGroupBox::title {{ subcontrol-origin: margin; left: {2 * UNIT}px; padding: 0 {UNIT}px; }}

QListWidget#navigation {{ background: {c.surface}; border: none;
                          border-right: 1px solid {c.border}; outline: none; }}
QListWidget#navigation::item {{ padding: {2 * UNIT}px {2 * UNIT}px; margin: 1px {UNIT}px;
                                border-radius: {radius}px; color: {c.text}; }}
QListWidget#navigation::item:hover {{ background: {c.accent_soft}; }}
QListWidget#navigation::item:selected {{ background: {c.accent}; color: {c.accent_text};
                                         font-weight: 600; }}
QWidget#navigation_header, QWidget#navigation_footer {{
    background: {c.surface}; border-right: 1px solid {c.border}; }}
QLabel#logged_in_user {{ font-weight: 600; }}
QLabel#navigation_office {{ color: {c.muted}; }}
QLabel[role="page_title"] {{ font-size: {base_pt * PAGE_TITLE:.1f}pt; font-weight: 600; }}
QLabel[role="section_title"] {{ font-size: {base_pt * SECTION_TITLE:.1f}pt; font-weight: 600; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QStatusBar {{ background: {c.surface}; border-top: 1px solid {c.border}; color: {c.muted}; }}
QSplitter::handle {{ background: {c.window}; }}
QSplitter::handle:horizontal {{ width: {2 * UNIT}px; }}
QSplitter::handle:vertical {{ height: {2 * UNIT}px; }}
QMenuBar {{ background: {c.surface}; border-bottom: 1px solid {c.border}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {c.accent};
                                                  color: {c.accent_text}; }}
QMenu {{ background: {c.surface}; border: 1px solid {c.border}; }}
QMenu::item {{ padding: {UNIT + 2}px {6 * UNIT}px {UNIT + 2}px {4 * UNIT}px; }}
QScrollArea {{ border: none; }}
"""


# the stylesheet applied, so that tests and late windows can tell (and apply it only once)
APPLIED_PROPERTY = "hamroh_style"


def apply(app: QApplication, dark: bool | None = None) -> Colours:
    """Fusion, the palette and the stylesheet on the whole application (all windows and
    dialogs); follows the system when it switches between light and dark."""
    c = colours(dark)
    base = app.font()
    if base.pointSizeF() <= 0:
        base = QFont(base)
        base.setPointSize(9)
    # first: windows redraw their icons while the palette changes, and ask which it is
    app.setProperty(APPLIED_PROPERTY, "dark" if c is DARK else "light")
    app.setStyle("Fusion")
    app.setPalette(palette(c))
    app.setStyleSheet(stylesheet(c, base.pointSizeF()))
    hints = app.styleHints()
    if dark is None and hasattr(hints, "colorSchemeChanged") \
            and not app.property("hamroh_style_follows"):
        app.setProperty("hamroh_style_follows", True)
        hints.colorSchemeChanged.connect(lambda _scheme: apply(app))
    return c


def applied(app: QApplication | None = None) -> str | None:
    """"light" or "dark" once ``apply`` ran, else None."""
    app = app or QApplication.instance()
    return app.property(APPLIED_PROPERTY) if app is not None else None


# ---- marking controls --------------------------------------------------------------------
def _mark(widget: QWidget, role: str) -> QWidget:
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    return widget


def primary(button):
    """The page's or dialog's main action: accent filled."""
    return _mark(button, "primary")


def destructive(button):
    """An action that removes or reverses something: red, kept apart from the others."""
    return _mark(button, "destructive")


def page_title(label):
    return _mark(label, "page_title")


def section_title(label):
    return _mark(label, "section_title")


def muted(label):
    return _mark(label, "muted")


def button_row(*, primary_button=None, others=(), destructive_buttons=(),
               parent: QWidget | None = None) -> QBoxLayout:
    """A dialog or form's row of buttons, as the HIGs place them: destructive actions on
    the left, set apart by a stretch; the other actions, then the primary one rightmost."""
    row = QHBoxLayout() if parent is None else QHBoxLayout(parent)
    row.setSpacing(GAP)
    for button in destructive_buttons:
        row.addWidget(destructive(button))
    row.addStretch(1)
    for button in others:
        row.addWidget(button)
    if primary_button is not None:
        row.addWidget(primary(primary_button))
    return row


def page_margins(layout) -> None:
    """The margins and spacing of a page's outer layout."""
    layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
    layout.setSpacing(GAP)
