"""The old import path of ``DataTable``, kept only for the loans page until it imports it
from ``desktop_app.ui.widgets``; delete it then."""
from desktop_app.ui.widgets import DataTable

__all__ = ["DataTable"]
