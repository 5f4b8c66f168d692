"""The coordinator imports, through the Sync page of the main window, a bundle whose loan
rate and training start date are "banana": before, the import took them and selecting the
loan on the Loans page, or opening the training, raised in the window. Now the page says in
the user's language which bundle was refused and why, and the loan and the training open."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop_app import i18n
from desktop_app.ui import operations
from desktop_app.ui.app import build_context
from desktop_app.ui.loans.loans_tab import LoansTab
from desktop_app.ui.main_window import MainWindow


def test_a_bundle_with_junk_values_is_refused_on_the_sync_page(qtbot, signed_office,
                                                                tmp_path):
    sender, dsh, ids = signed_office
    path = sender.bundle(tmp_path / "GRM-to-coordinator.hamroh", [
        sender.change("loan", ids["loan"], {"annual_rate": "banana"}),
        sender.change("training_event", ids["training_event"], {"start_date": "banana"})])
    i18n.set_language("tg")
    ctx = build_context(dsh.path, session=dsh.session)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        page = window.show_page("sync")
        page.choose_open_paths = lambda: [str(path)]
        qtbot.mouseClick(page.findChild(QPushButton, "import_bundle"), Qt.LeftButton)
        qtbot.waitUntil(lambda: page.task is None, timeout=20000)
        shown = page.summary.text()
        assert "GRM-to-coordinator.hamroh" in shown and "loan.annual_rate" in shown
        assert "Ҳеҷ чиз ворид нашуд" in shown, shown

        loans = window.show_page("loans")
        operations.wait_idle(ctx)
        tab = loans.findChild(LoansTab)
        tab.select(ids["loan"])
        operations.wait_idle(ctx)
        assert tab.selected_id() == ids["loan"]
        assert "24" in tab.summary.text()       # the rate as the office gave it
        trainings = window.show_page("trainings")
        operations.wait_idle(ctx)
        trainings.open_event(ids["training_event"])
        operations.wait_idle(ctx)
    finally:
        ctx.worker.stop()
