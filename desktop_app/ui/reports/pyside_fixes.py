"""Work-around for a reference-count bug of PySide6 6.12: ``SignalInstance.emit()`` returns
``True`` without taking a reference, so every ``.emit(...)`` made from Python (the DB
worker's relay, progress signals ...) leaves ``True`` one reference short. After a few
thousand emits the interpreter aborts with "bool_dealloc: deallocating True or False"
(at exit, or earlier in a long session).

``apply()`` wraps ``emit`` so that a returned bool gets the reference it should have had.
An extra reference to ``True``/``False`` can never free anything, so the wrapper is safe
on PySide6 versions without the bug too. It is applied when this module is imported (the
reports and home pages import it, and page discovery imports every page package at
start-up); it belongs in the application bootstrap once the lead moves it there.
"""
from __future__ import annotations

import ctypes

from PySide6.QtCore import SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


def apply() -> None:
    original = SignalInstance.emit
    if getattr(original, "_hamroh_refcount_fix", False):
        return

    def emit(self, *args):
        result = original(self, *args)
        if result is True or result is False:
            _incref(result)
        return result

    emit._hamroh_refcount_fix = True
    emit.__doc__ = original.__doc__
    SignalInstance.emit = emit


apply()
