"""The contract between the main window and module pages.

A module package ``desktop_app/ui/<module>/`` defines in its ``__init__.py``::

    PAGE = PageSpec(key="cases", order=20, title=lambda: _("Cases"),
                    factory=lambda ctx: CasesPage(ctx))

The main window discovers every PAGE, shows those whose ``visible(ctx)`` is true in
``order``, and calls ``retranslate()`` on each page when the language changes. A page may
define ``has_unsaved_changes() -> bool`` (asked before closing or locking) and
``refresh()`` (called when data changed elsewhere, e.g. after a sync import).
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtWidgets import QWidget

import desktop_app.ui


@dataclass(frozen=True)
class PageSpec:
    key: str
    order: int
    title: Callable[[], str]
    factory: Callable[["object"], QWidget]
    visible: Callable[["object"], bool] = field(default=lambda ctx: True)
    shortcut: str | None = None
    # the navigation's icon: a name in resources/icons (Lucide); None: ui.icons.PAGE_ICONS
    icon: str | None = None


def discover_pages() -> list[PageSpec]:
    specs: list[PageSpec] = []
    for info in pkgutil.iter_modules(desktop_app.ui.__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"desktop_app.ui.{info.name}")
        spec = getattr(module, "PAGE", None)
        if isinstance(spec, PageSpec):
            specs.append(spec)
    specs.sort(key=lambda s: (s.order, s.key))
    return specs


@dataclass(frozen=True)
class PersonSection:
    """A section of a person's page contributed by a module (their cases, trainings, loans).

    Define ``PERSON_SECTION = PersonSection(...)`` in ``desktop_app/ui/<module>/__init__.py``;
    ``factory(ctx, person_ids)`` gets the person's identity ids (the record and everything
    merged into it, see store.people.identity.identity_ids) and returns a widget with
    ``retranslate()``.
    """
    key: str
    order: int
    title: Callable[[], str]
    factory: Callable[["object", list], QWidget]


def discover_person_sections() -> list[PersonSection]:
    found: list[PersonSection] = []
    for info in pkgutil.iter_modules(desktop_app.ui.__path__):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"desktop_app.ui.{info.name}")
        section = getattr(module, "PERSON_SECTION", None)
        if isinstance(section, PersonSection):
            found.append(section)
    return sorted(found, key=lambda s: (s.order, s.key))
