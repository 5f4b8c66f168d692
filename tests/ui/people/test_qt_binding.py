"""The Qt binding must not corrupt reference counts when a Python signal is emitted.

PySide6 6.12.0 returns ``True`` from ``SignalInstance.emit()`` without taking a reference,
so every emit wears the interpreter's ``True`` down until the process aborts at exit
("bool_dealloc: deallocating True or False"). The People page emits on every keystroke;
pyproject.toml keeps PySide6 below 6.12 for that reason.
"""
import gc
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal()
    value = Signal(object)


def test_emitting_signals_keeps_reference_counts(qtbot):
    emitter = _Emitter()
    received = []
    emitter.value.connect(received.append)
    gc.collect()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(200):
        emitter.changed.emit()
        emitter.value.emit(None)
    gc.collect()
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(received) == 200
    assert after[0] >= before[0] and after[1] >= before[1]
