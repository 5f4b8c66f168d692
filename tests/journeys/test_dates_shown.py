"""Every page writes dates the one way offices write them (dd.MM.yyyy): not Qt's or CLDR's
short form (07/12/26 in Uzbek and Tajik, 12/7/26 in English) and not ISO text."""
import re

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel

from desktop_app.ui.pages import discover_pages

FOREIGN_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")


def _cells(view: QAbstractItemView, rows: int = 30):
    model = view.model()
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # list models take no parent
        columns = 1
    for row in range(min(model.rowCount(), rows)):
        for column in range(columns):
            yield str(model.index(row, column).data() or "")


def test_every_page_shows_dates_as_offices_write_them(log_in_as):
    journey = log_in_as("admin", "uz")
    foreign = set()
    for spec in discover_pages():
        journey.window.show_page(spec.key)
        journey.settle()
        for view in journey.window.findChildren(QAbstractItemView):
            if view.isVisible() and view.model() is not None and not isinstance(view, QHeaderView):
                foreign |= {(spec.key, text) for text in _cells(view) if FOREIGN_DATE.search(text)}
        foreign |= {(spec.key, label.text()) for label in journey.window.findChildren(QLabel)
                    if label.isVisible() and FOREIGN_DATE.search(label.text())}
    assert sorted(foreign)[:10] == []
