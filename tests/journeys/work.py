"""What the role journeys of this folder share: Qt's own texts translated as in the
application, saves measured against the stall limit, dialogs that must close."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from tests.journeys.driver import StallMeter, use_qt_translations


@pytest.fixture(autouse=True)
def qt_translations(qapp):
    use_qt_translations()


def closed(act):
    """``act`` for ``journey.dialog`` that fails (instead of waiting for ever) when the
    dialog is still open after it: a save refused, with the reason the dialog shows."""
    def run(dialog) -> None:
        act(dialog)
        if dialog.isVisible():
            shown = [label.text() for label in dialog.findChildren(QLabel)
                     if label.isVisible() and label.text()]
            dialog.reject()
            raise AssertionError(f"{type(dialog).__name__} stayed open: {shown}")
    return run


def save_and_measure(journey, press) -> float:
    """Press a saving button and wait for everything it set off; the longest stall of the
    UI thread meanwhile (seconds)."""
    meter = StallMeter()
    with meter.measure():
        press()
        journey.settle()
    return meter.longest
