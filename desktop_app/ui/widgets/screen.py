"""Window sizes that fit the offices' laptops: 1366x768 screens, less a taskbar."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# what a 768-pixel screen leaves for a window's frame once the taskbar is drawn
TITLE_BAR = 40


def fit_on_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, or less where the screen is smaller."""
    screen = window.screen() if window.screen() is not None else QGuiApplication.primaryScreen()
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, area.width())
        height = min(height, area.height() - TITLE_BAR)
    window.resize(width, height)
