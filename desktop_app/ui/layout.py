"""The old import path of ``compact_combo`` and ``wrapping_row``, kept only for the loans and
trainings pages until they import them from ``desktop_app.ui.widgets``; delete it then."""
from desktop_app.ui.widgets import compact_combo, wrapping_row

__all__ = ["compact_combo", "wrapping_row"]
