"""Fonts for PDFs: DejaVu Sans covers Russian, Tajik (ғ ӣ қ ӯ ҳ ҷ) and Uzbek (oʻ gʻ)."""
from __future__ import annotations

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
REGULAR = "HamrohSans"
BOLD = "HamrohSans-Bold"
_registered = False


def register_fonts() -> tuple[str, str]:
    """Register the PDF fonts once; return (regular, bold) font names for styles."""
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True
    return REGULAR, BOLD
