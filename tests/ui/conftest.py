import pytest

from desktop_app.ui import style
from desktop_app.ui.app import build_context


@pytest.fixture(autouse=True)
def styled(qapp):
    """The windows of these tests wear the application's look (ui.app.application sets it
    when the program starts): sizes measured here are the sizes users get."""
    if style.applied(qapp) is None:
        style.apply(qapp, dark=False)


@pytest.fixture
def ctx(qtbot, session, db_path):
    """An AppContext on the test database, with its worker stopped afterwards."""
    context = build_context(db_path, session=session)
    yield context
    context.worker.stop()
