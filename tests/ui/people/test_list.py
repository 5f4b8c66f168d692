"""The People list: search while typing in any script, filters, sorting, the count."""
from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.ui.people.page import PeoplePage
from tests.helpers.people_ui import add_person, no_duplicates, type_text


def _page(ctx, qtbot):
    page = PeoplePage(ctx)
    page.duplicate_finder = no_duplicates
    qtbot.addWidget(page)
    page.show()
    return page


def _names(page):
    return [page.model.index(r, 0).data() for r in range(page.model.rowCount())]


def _people(session):
    add_person(session, family_name="Раҳмонов", given_name="Фарҳод", sex="male",
               birth_date="07.03.1991", phones="+992 93 555 12 34", document_number="A 1234567")
    add_person(session, family_name="Саидова", given_name="Мавзуна", sex="female",
               birth_date="01.01.2000", district="TJ-TOJIKOBOD", jamoat=None,
               migration_status="potential")
    add_person(session, family_name="Karimov", given_name="Jamshid", sex="male",
               birth_date="15.06.1980", country="UZ", region=None, district=None,
               jamoat=None, migration_status="returned")


def _search(page, qtbot, text):
    page.search.clear()
    type_text(page.search, text)
    assert page.search_timer.isActive()   # debounced: the query runs when typing pauses
    qtbot.waitUntil(lambda: not page.search_timer.isActive())


def test_typing_a_name_in_another_script_finds_the_person(ctx, qtbot):
    _people(ctx.session)
    page = _page(ctx, qtbot)
    assert page.count_label.text() == "3 people"
    for term in ("Rahmonov", "Raxmonov", "Рахмонов", "раҳмонов фарҳод", "Rakhmonov Farhod"):
        _search(page, qtbot, term)
        assert _names(page) == ["Раҳмонов Фарҳод"], term
    assert page.count_label.text() == "1 of 3 people"
    _search(page, qtbot, "Saidova")
    assert _names(page) == ["Саидова Мавзуна"]
    _search(page, qtbot, "Nobody Unknownov")
    assert _names(page) == []
    assert page.count_label.text() == "0 of 3 people"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)


def test_phone_and_document_number_find_the_person(ctx, qtbot):
    _people(ctx.session)
    page = _page(ctx, qtbot)
    _search(page, qtbot, "935551234")
    assert _names(page) == ["Раҳмонов Фарҳод"]
    _search(page, qtbot, "a1234567")
    assert _names(page) == ["Раҳмонов Фарҳод"]


def test_filters_by_sex_district_and_status(ctx, qtbot):
    _people(ctx.session)
    page = _page(ctx, qtbot)
    page.sex_filter.set_code("female")
    assert _names(page) == ["Саидова Мавзуна"]
    assert page.model.index(0, 1).data() == "Female"
    page.sex_filter.set_code(None)
    page.district_filter.set_code("TJ-RASHT")
    assert _names(page) == ["Раҳмонов Фарҳод"]
    assert page.model.index(0, 3).data() == "Rasht / Garm"
    page.district_filter.set_code(None)
    page.status_filter.set_code("returned")
    assert _names(page) == ["Karimov Jamshid"]
    assert page.model.index(0, 4).data() == "Returned"
    # a filter combines with the search
    page.status_filter.set_code("abroad")
    _search(page, qtbot, "Saidova")
    assert _names(page) == []


def test_clicking_headers_sorts(ctx, qtbot):
    _people(ctx.session)
    page = _page(ctx, qtbot)
    assert _names(page) == ["Karimov Jamshid", "Раҳмонов Фарҳод", "Саидова Мавзуна"]
    header = page.table.horizontalHeader()
    age_column = 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton,
                     pos=header.rect().topLeft() + _section_center(header, age_column))
    ages = [page.model.index(r, age_column).data() for r in range(3)]
    assert ages == sorted(ages, key=int)
    qtbot.mouseClick(header.viewport(), Qt.LeftButton,
                     pos=header.rect().topLeft() + _section_center(header, age_column))
    ages = [page.model.index(r, age_column).data() for r in range(3)]
    assert ages == sorted(ages, key=int, reverse=True)


def _section_center(header, column):
    from PySide6.QtCore import QPoint
    return QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2,
                  header.height() // 2)


def test_ctrl_f_focuses_search_and_selection_shows_person_page(ctx, qtbot):
    _people(ctx.session)
    page = _page(ctx, qtbot)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key_F, Qt.ControlModifier)
    assert page.search.hasFocus()
    page.table.selectRow(1)
    assert page.detail.person["family_name"] == "Раҳмонов"
    assert page.detail.title.text() == "Раҳмонов Фарҳод"
    qtbot.keyClick(page.table, Qt.Key_N, Qt.ControlModifier)
    assert page.dialog is not None and page.dialog.person_id is None
    qtbot.waitUntil(page.dialog.isActiveWindow)
    qtbot.keyClick(page.dialog.form.inputs["family_name"], Qt.Key_Escape)
    assert page.dialog is None


def test_list_pages_rows_lazily(ctx, qtbot, monkeypatch):
    from desktop_app.store.people import listing as people_list
    from desktop_app.ui.people import model as model_module
    rows = [dict(family_name=f"Person{i:03d}", given_name="Test") for i in range(450)]
    from desktop_app.store.people.repositories import PersonRepository
    PersonRepository(ctx.session).create_many(rows)
    fetched = []
    real = people_list.fetch_rows
    monkeypatch.setattr(model_module.people_list, "fetch_rows",
                        lambda conn, ids: fetched.append(len(ids)) or real(conn, ids))
    page = _page(ctx, qtbot)
    assert page.model.rowCount() == 450
    assert page.model.index(449, 0).data() == "Person449 Test"
    # only the pages that were shown or asked for are read, each at most page-size rows
    assert fetched and max(fetched) <= model_module.PAGE_SIZE
    assert sum(fetched) < 450 + model_module.PAGE_SIZE


def test_large_registry_queries_off_the_ui_thread(ctx, qtbot, monkeypatch):
    import threading

    from desktop_app.store.people import listing as people_list
    from desktop_app.ui.people import page as page_module
    _people(ctx.session)
    monkeypatch.setattr(page_module, "BACKGROUND_ABOVE", 0)
    threads = []
    real = people_list.list_ids

    def spy(conn, query):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(conn, query)

    monkeypatch.setattr(page_module.people_list, "list_ids", spy)
    page = _page(ctx, qtbot)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    assert page.count_label.text() == "3 people"
    type_text(page.search, "Raxmonov")
    qtbot.waitUntil(lambda: _names(page) == ["Раҳмонов Фарҳод"])
    assert page.count_label.text() == "1 of 3 people"
    assert threads and not any(threads)
    page.wait_idle()


def test_stale_background_results_are_dropped(ctx, qtbot, monkeypatch):
    import threading

    from desktop_app.ui.people import page as page_module
    _people(ctx.session)
    page = _page(ctx, qtbot)
    monkeypatch.setattr(page_module, "BACKGROUND_ABOVE", 0)
    real = page_module.people_list.list_ids
    release = threading.Event()

    def held(conn, query):
        if query.term == "Karimov":
            release.wait(10)      # the first query is still running when the second starts
        return real(conn, query)

    monkeypatch.setattr(page_module.people_list, "list_ids", held)
    shown = []
    real_show = page._show_result
    monkeypatch.setattr(page, "_show_result", lambda ids: (shown.append(ids),
                                                           real_show(ids)))
    page.search.setText("Karimov")
    page.reload()
    page.search.setText("Saidova")
    page.reload()
    release.set()
    page.wait_idle()
    # the first query's answer arriving late changes nothing
    assert _names(page) == ["Саидова Мавзуна"]
    assert len(shown) == 1


def test_people_page_is_discovered_and_respects_permissions(ctx, qtbot):
    from desktop_app.store.session import PermissionDenied
    from desktop_app.ui.pages import discover_pages
    spec = next(s for s in discover_pages() if s.key == "people")
    assert spec.order == 10 and spec.title() == "People"
    _people(ctx.session)

    class ReadOnly:
        def check(self, actor, action, table, row):
            if action != "view":
                raise PermissionDenied("read only")

    ctx.session.policy = ReadOnly()
    page = spec.factory(ctx)
    qtbot.addWidget(page)
    page.show()
    assert not page.new_button.isVisible()
    page.table.selectRow(0)
    assert page.detail.person is not None
    assert not page.detail.edit_button.isVisible()
    page.edit_person(page.current_id())
    page.new_person()
    assert page.dialog is None


def test_with_the_application_db_worker(session, db_path, qtbot):
    from desktop_app.ui.app import build_context
    worker_ctx = build_context(db_path, session=session)
    try:
        _people(worker_ctx.session)
        page = PeoplePage(worker_ctx)
        page.duplicate_finder = no_duplicates
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.model.rowCount() == 3)
        assert page.count_label.text() == "3 people"
        # fast typing: only the last text's answer is shown
        for text in ("K", "Ka", "Kar", "Raxmonov"):
            page.search.setText(text)
            page.reload()
        qtbot.waitUntil(lambda: _names(page) == ["Раҳмонов Фарҳод"])
        assert page.count_label.text() == "1 of 3 people"
        page.status_filter.set_code("returned")
        qtbot.waitUntil(lambda: _names(page) == [])
        # a second People page on the same worker gets its own answers
        other = PeoplePage(worker_ctx)
        qtbot.addWidget(other)
        qtbot.waitUntil(lambda: other.model.rowCount() == 3)
        assert page.model.rowCount() == 0
    finally:
        worker_ctx.worker.stop()


def test_enter_on_a_row_opens_the_person_for_editing(ctx, qtbot):
    _people(ctx.session)
    page = _page(ctx, qtbot)
    page.resize(1800, 700)           # the person's page beside the list
    qtbot.waitUntil(page.list_detail.side_by_side)
    page.table.setFocus()
    page.table.selectRow(2)
    qtbot.keyClick(page.table, Qt.Key_Return)
    assert page.dialog is not None
    assert page.dialog.form.inputs["family_name"].text() == "Саидова"
