"""What every figure function shares: its caption, and words in the reader's language.

A figure function lives in ``snippets/<topic>/figures.py``, takes only ``lang``
(``"en"`` or ``"zh"``) and returns a matplotlib ``Figure``; ``@caption`` gives the
caption (and alt text) the site prints under it in each edition.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["caption", "words"]


def caption(en: str, zh: str | None = None) -> Callable:
    """Decorator: attach ``{"en": en, "zh": zh}`` as the figure's ``caption`` (zh falls back to en)."""

    def mark(function: Callable) -> Callable:
        function.caption = {"en": en, "zh": zh or en}
        return function

    return mark


def words(lang: str, en: str, zh: str) -> str:
    """``en`` or ``zh`` for the edition ``lang``; ``ValueError`` for another language."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    return zh if lang == "zh" else en
