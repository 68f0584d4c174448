"""Collects what was wrong with a mail as short, deduplicated, human-readable strings."""

from __future__ import annotations

from collections.abc import Iterable

from mailroom.parsing.charsets import clean_line

# A hostile mail can carry one defect per part (2,000 parts): keep the list readable.
MAX_DEFECTS = 100
MAX_DETAIL = 80


class Defects:
    """Ordered set of defect strings with a cap; the overflow is counted, not dropped silently."""

    def __init__(self) -> None:
        self._items: dict[str, None] = {}
        self._overflow = 0

    def add(self, text: str) -> None:
        text = clean_line(text)
        if text in self._items:
            return
        if len(self._items) >= MAX_DEFECTS:
            self._overflow += 1
            return
        self._items[text] = None

    def add_email_defects(self, found: Iterable[Exception], where: str = "") -> None:
        """Record defects of the email package by class name, e.g. 'XDefect in part 2'."""
        for defect in found:
            text = type(defect).__name__
            if where:
                text += f" in {where}"
            self.add(text)

    @staticmethod
    def describe_header_defect(defect: Exception, header: str) -> str:
        """Header defects carry a useful message ("missing trailing '>'"): keep a short one."""
        detail = clean_line(str(defect))[:MAX_DETAIL]
        suffix = f" ({detail})" if detail else ""
        return f"{type(defect).__name__} in {header} header{suffix}"

    def as_list(self) -> list[str]:
        items = list(self._items)
        if self._overflow:
            items.append(f"more defects not listed: {self._overflow}")
        return items
