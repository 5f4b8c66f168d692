import pytest

from desktop_app.ui.context import AppContext


@pytest.fixture
def ctx(session, db_path, qtbot):
    """The People pages on the test session without a worker: their work runs in place."""
    return AppContext(session, db_path)
