"""Reading generated PDFs back in tests: text and rendered pages (pypdfium2, installed by pip
on every platform, so the suite needs no system PDF tools)."""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium


def pdf_text(path: Path | str, page: int | None = None) -> str:
    """The text of the whole PDF, or of one page (1-based), with runs of white space made
    single spaces so that wrapped lines read as one."""
    document = pdfium.PdfDocument(str(path))
    try:
        numbers = [page - 1] if page else range(len(document))
        parts = []
        for number in numbers:
            text_page = document[number].get_textpage()
            parts.append(text_page.get_text_range())
            text_page.close()
        return " ".join(" ".join(parts).split())
    finally:
        document.close()


def page_count(path: Path | str) -> int:
    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def render_page(path: Path | str, page: int, dpi: int = 40):
    """One page (1-based) as a PIL image."""
    document = pdfium.PdfDocument(str(path))
    try:
        return document[page - 1].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
