"""The widgets the pages share: tables, combos, date and money entries, empty states, rows
of buttons. Import them from here (``from desktop_app.ui.widgets import DateEntry``);
colours, sizes and button roles come from ``desktop_app.ui.style``."""
from desktop_app.ui.widgets.check_list import CheckList
from desktop_app.ui.widgets.columns import (
    CellDelegate,
    fit_columns,
    looks_numeric,
    style_table,
    wanted_width,
)
from desktop_app.ui.widgets.combos import CodeCombo, RefCombo, compact_combo
from desktop_app.ui.widgets.data_table import DataTable
from desktop_app.ui.widgets.dates import DateEntry, date_format
from desktop_app.ui.widgets.empty_state import EmptyState, TableOrEmpty
from desktop_app.ui.widgets.flow import FlowLayout, wrapping_row
from desktop_app.ui.widgets.lazy_table import Column, LazyTableModel, by_id, lazy_model, setup_table
from desktop_app.ui.widgets.list_detail import ListDetail, confirm_discard, fits_side_by_side
from desktop_app.ui.widgets.money import MoneyEntry
from desktop_app.ui.widgets.notes import NotesEdit
from desktop_app.ui.widgets.screen import fit_on_screen

__all__ = ["CellDelegate", "CheckList", "CodeCombo", "Column", "DataTable", "DateEntry",
           "EmptyState", "FlowLayout", "LazyTableModel", "ListDetail", "MoneyEntry", "NotesEdit",
           "RefCombo", "TableOrEmpty", "by_id", "compact_combo", "confirm_discard", "date_format",
           "fit_columns", "fit_on_screen", "fits_side_by_side", "lazy_model", "looks_numeric",
           "setup_table", "style_table", "wanted_width", "wrapping_row"]
