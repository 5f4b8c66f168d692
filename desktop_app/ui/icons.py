"""Icons: Lucide's line icons (ISC licence, resources/icons/LICENSE) drawn in the palette's
colours, and the application's own icon (resources/app/).

Lucide draws with ``stroke="currentColor"``; ``icon(name)`` puts the text colour in its place
for the normal state and the accent's text colour for the selected one, so an icon reads on
a light or dark palette and on the highlighted navigation row alike.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop_app import paths
from desktop_app.ui import style

ICON_DIR = paths.bundle_root() / "resources" / "icons"
APP_ICON_DIR = paths.bundle_root() / "resources" / "app"
APP_ICON = APP_ICON_DIR / "hamroh.png"
APP_ICON_SVG = APP_ICON_DIR / "hamroh.svg"

# a page's icon by its PageSpec key (a PageSpec may name another with ``icon=``)
PAGE_ICONS = {
    "home": "house", "people": "users", "cases": "folder-open",
    "inspections": "clipboard-check", "trainings": "graduation-cap", "loans": "hand-coins",
    "reports": "chart-column", "sync": "refresh-cw", "security": "shield",
    "audit": "scroll-text", "settings": "settings",
}
FALLBACK = "circle"
SIZES = (16, 20, 24, 32, 48)


def icon_path(name: str) -> Path:
    return ICON_DIR / f"{name}.svg"


@lru_cache(maxsize=None)
def _svg(name: str) -> str:
    path = icon_path(name)
    if not path.exists():
        path = icon_path(FALLBACK)
    return path.read_text(encoding="utf-8")


def _pixmap(svg: str, colour: str, size: int) -> QPixmap:
    return _render(svg.replace("currentColor", colour), size)


def _render(svg: str, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def icon(name: str) -> QIcon:
    """The Lucide icon ``name`` in the palette in use (``circle`` when there is none)."""
    c = style.colours(style.applied() == "dark" if style.applied() else None)
    svg = _svg(name)
    result = QIcon()
    for size in SIZES:
        result.addPixmap(_pixmap(svg, c.text, size), QIcon.Mode.Normal)
        result.addPixmap(_pixmap(svg, c.accent_text, size), QIcon.Mode.Selected)
        result.addPixmap(_pixmap(svg, c.muted, size), QIcon.Mode.Disabled)
    return result


def page_icon(key: str, name: str | None = None) -> QIcon:
    return icon(name or PAGE_ICONS.get(key, FALLBACK))


def app_icon() -> QIcon:
    """Hamroh's own icon, for every window's title bar and the taskbar."""
    result = QIcon()
    if APP_ICON_SVG.exists():
        svg = APP_ICON_SVG.read_text(encoding="utf-8")
        for size in SIZES + (64, 128, 256):
            result.addPixmap(_render(svg, size))
    elif APP_ICON.exists():
        result.addFile(str(APP_ICON))
    return result
