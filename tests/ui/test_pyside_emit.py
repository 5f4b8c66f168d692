"""PySide6 6.12 returns True from SignalInstance.emit() without a reference; the reports
UI package applies a fix so long sessions (thousands of worker jobs) do not abort."""
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int)


def test_emit_keeps_true_alive(qtbot):
    import desktop_app.ui.reports  # noqa: F401  applies the fix
    emitter = _Emitter()
    seen = []
    emitter.ping.connect(seen.append)
    before = sys.getrefcount(True)
    for n in range(3000):
        emitter.ping.emit(n)
    assert len(seen) == 3000
    assert sys.getrefcount(True) >= before
