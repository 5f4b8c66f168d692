import pytest

from desktop_app.ui.app import build_context


@pytest.fixture
def ctx(qtbot, session, db_path):
    """An AppContext on the test database, with its worker stopped afterwards."""
    context = build_context(db_path, session=session)
    yield context
    context.worker.stop()
